"""What a clerk types is validated with the precheck's own rules before it may enter the store."""

import pytest
from hypothesis import given, strategies as st

from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.validate import (
    check_value, gbk_bytes, ksh_issues, name_issues, normalise_date, parse_date,
)


@pytest.mark.parametrize("typed,stored", [("20240901", "20240901"), ("2024-09-01", "20240901"),
                                          ("2024/9/1", "20240901"), ("2024年9月1日", "20240901")])
def test_dates_accept_common_spellings(typed, stored):
    assert normalise_date(typed) == stored


@pytest.mark.parametrize("typed", ["２０２４０９０１", "٢٠٢٤٠٩٠١", "۲۰۲۴۰۹۰۱", "2024０901", "२०२४०९०१"])
def test_dates_in_other_digits_are_refused_not_converted(typed):
    """Full-width, Arabic-Indic, Persian or Devanagari digits: refused at the typed edge, saying to
    type half-width digits (they would be stored as typed and drop out of the CHSI files)."""
    with pytest.raises(InvalidInput, match="半角"):
        normalise_date(typed)
    assert parse_date(typed) is None  # and a stored one is not a date to the precheck (bad-date)


@pytest.mark.parametrize("bad", ["20240230", "2024091", "abc", "20241301", ""])
def test_impossible_dates_are_refused(bad):
    with pytest.raises(InvalidInput):
        normalise_date(bad)


@given(st.dates())
def test_every_real_date_round_trips(d):
    s = d.strftime("%Y%m%d").rjust(8, "0")
    if len(s) == 8:
        assert parse_date(s) == d


def test_codes_accept_code_name_and_alias():
    assert check_value("ZZMM", "03") == "中国共产主义青年团团员"
    assert check_value("ZZMM", "共青团员") == "中国共产主义青年团团员"
    assert check_value("MZ", "1") == "汉族"
    assert check_value("MZ", "毛难族") == "毛南族"
    assert check_value("CC", "高职") == "专科"
    assert check_value("XB", "2") == "女"
    with pytest.raises(InvalidInput, match="性别"):
        check_value("XB", "9")
    with pytest.raises(InvalidInput, match="学制"):
        check_value("XZ", "4.2")


def test_code_display():
    assert codes().table("MZ").display("汉族") == "01 汉族"
    assert codes().reason("1101").label == "1101 因病休学"
    assert codes().reason("因病休学").code == "1101"


def test_gbk_width_in_bytes():
    assert gbk_bytes("张三") == 4
    assert gbk_bytes("abc") == 3
    assert gbk_bytes("𠀀") is None  # outside GBK
    with pytest.raises(InvalidInput, match="GBK"):
        check_value("ZYMC", "汉语言𠀀文学")


def test_names():
    assert name_issues("买买提·艾力") == []
    assert name_issues("张 三") and name_issues("Zhang三") and name_issues("张三1")
    with pytest.raises(InvalidInput):
        check_value("XM", "张三A")


def test_ksh():
    assert ksh_issues("22220102030405", "20220901") == []
    assert ksh_issues("2222010203040", "20220901")[0].rule == "ksh-format"
    assert ksh_issues("21220102030405", "20220901")[0].rule == "ksh-format"


def test_major_codes():
    assert check_value("ZYDM", "050107T") == "050107T"
    with pytest.raises(InvalidInput):
        check_value("ZYDM", "05010")
