"""身份证号: the vectors of docs/codes.md and properties of the check character."""

from hypothesis import given, strategies as st

from xueji_tui.domain import idcard
from xueji_tui.domain.validate import check_value
from xueji_tui.domain.errors import InvalidInput

import pytest


def rules(v, csrq="", xb=""):
    return {r for r, _, _ in idcard.problems(v, csrq, xb)}


def test_spec_vectors():
    assert rules("360426199101010071") == set()
    assert rules("120103198806018241") == set()
    assert "id-checksum" in rules("360426199101010072")


def test_check_message_says_what_it_should_be():
    (rule, sev, msg), = [p for p in idcard.problems("360426199101010072") if p[0] == "id-checksum"]
    assert sev == "error" and "校验位应为 1" in msg


def test_birthdate_and_gender_against_the_record():
    assert "id-birthdate" in rules("360426199101010071", csrq="19910102")
    assert "id-birthdate" not in rules("360426199101010071", csrq="19910101")
    assert "id-gender" in rules("360426199101010071", xb="女")  # 17th digit 7: male
    assert "id-gender" not in rules("360426199101010071", xb="男")
    assert "id-gender" in rules("120103198806018241", xb="1")  # 4: female


def test_format_includes_legacy_15_digit_numbers():
    assert rules("360426910101007") == {"id-format"}
    assert rules("36042619910101007") == {"id-format"}
    assert rules("36042619910101007A") == {"id-format"}


def test_unknown_region_is_only_a_warning():
    first17 = "99000019910101007"
    v = first17 + idcard.check_char(first17)
    found = idcard.problems(v)
    assert [(r, s) for r, s, _ in found] == [("id-region", "warning")]


def test_lower_case_x_and_full_width_digits_normalise():
    assert idcard.normalise(" １１０１０５１９４９１２３１００２x ") == "11010519491231002X"
    assert check_value("SFZH", "11010519491231002x") == "11010519491231002X"


def test_mask_keeps_region_and_last_four():
    assert idcard.mask("220302199001011234") == "220302********1234"


@given(st.from_regex(r"\d{6}(19[5-9]\d|200\d)(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}", fullmatch=True))
def test_computed_check_char_always_validates(first17):
    v = first17 + idcard.check_char(first17)
    assert idcard.is_well_formed(v)
    found = {r for r, s, _ in idcard.problems(v) if s == "error"}
    assert found == set()


@given(st.from_regex(r"\d{6}(19[5-9]\d)(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}", fullmatch=True),
       st.sampled_from("0123456789X"))
def test_any_other_check_char_is_refused_at_the_edge(first17, c):
    good = idcard.check_char(first17)
    if c == good:
        return
    with pytest.raises(InvalidInput, match="校验位"):
        check_value("SFZH", first17 + c)
