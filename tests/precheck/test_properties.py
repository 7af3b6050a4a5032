"""Property tests of the 身份证号 and 证书编号 checks (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from grad_factory import SETTINGS, YEAR, graduate
from xueji_tui.domain import idcard
from xueji_tui.precheck import certno, run

births = st.dates(min_value=date(1960, 1, 1), max_value=date(2008, 12, 31))
regions = st.sampled_from(["220102", "220302", "110101", "360426", "120103", "650102"])


def make_id(region: str, born: date, seq: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + idcard.check_char(first17)


def id_rules(s: dict) -> set[str]:
    r = run([s], year=YEAR, settings=SETTINGS, list_imported=True)
    return {f.rule for f in r.findings if f.rule.startswith("id-")}


@settings(max_examples=150, deadline=None)
@given(regions, births, st.integers(0, 999))
def test_a_well_made_number_agreeing_with_the_record_passes(region, born, seq):
    v = make_id(region, born, seq)
    s = graduate(7, SFZH=v, CSRQ=f"{born:%Y%m%d}", XB="男" if seq % 2 else "女", RXRQ="20220901")
    assert id_rules(s) == set()


@settings(max_examples=200, deadline=None)
@given(regions, births, st.integers(0, 999), st.integers(0, 17), st.integers(1, 10))
def test_any_single_character_change_is_caught(region, born, seq, pos, delta):
    v = make_id(region, born, seq)
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    new = alphabet[(alphabet.index(v[pos]) + delta) % len(alphabet)]
    if new == v[pos]:
        return
    bad = v[:pos] + new + v[pos + 1:]
    s = graduate(7, SFZH=bad, CSRQ=f"{born:%Y%m%d}", XB="男" if seq % 2 else "女", RXRQ="20220901")
    # MOD 11-2 detects every single substitution
    assert "id-checksum" in id_rules(s)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=0, max_size=20).filter(lambda t: not idcard.is_well_formed(t) and t.strip() == t and t))
def test_anything_not_shaped_like_a_number_is_id_format(text):
    s = graduate(7, SFZH=text)
    assert "id-format" in id_rules(s)


@settings(max_examples=100, deadline=None)
@given(births)
def test_birthdate_inside_the_number_must_equal_csrq(born):
    v = make_id("220102", born, 11)
    other = born + timedelta(days=1)
    s = graduate(7, SFZH=v, CSRQ=f"{other:%Y%m%d}", XB="男", RXRQ="20220901")
    assert "id-birthdate" in id_rules(s)


levels = st.sampled_from([("本科", "05"), ("专科", "06"), ("第二学士学位", "04")])


@settings(max_examples=200, deadline=None)
@given(levels, st.integers(2000, 2099), st.integers(1, 999999))
def test_composed_numbers_parse_back_and_agree(level, year, serial):
    cc, code = level
    n = certno.compose("10202", year, code, serial)
    assert len(n) == 18 and n.isdigit()
    assert certno.disagreements(n, school_code="10202", year=str(year), cc=cc) == []
    assert int(n[12:]) == serial and n[6:10] == str(year) and n[10:12] == code


@settings(max_examples=200, deadline=None)
@given(levels, st.integers(1, 999999), st.integers(0, 17), st.integers(1, 9))
def test_a_changed_part_is_reported(level, serial, pos, delta):
    cc, code = level
    n = certno.compose("10202", 2026, code, serial)
    if pos >= 12 or (pos in (10, 11)):
        return  # the serial is free; level changes are covered below
    bad = n[:pos] + str((int(n[pos]) + delta) % 10) + n[pos + 1:]
    assert certno.disagreements(bad, school_code="10202", year="2026", cc=cc)


@settings(max_examples=100, deadline=None)
@given(st.lists(levels, min_size=1, max_size=40), st.sets(st.integers(1, 60), max_size=20))
def test_plan_never_reuses_and_continues_after_the_highest(lvls, used_serials):
    used = {certno.compose("10202", 2026, "05", n) for n in used_serials}
    students = [{"KSH": f"k{i}", "CC": cc} for i, (cc, _) in enumerate(lvls)]
    plan = certno.plan(students, used=used, school_code="10202", year=2026)
    numbers = [n for _, n in plan]
    assert len(set(numbers)) == len(numbers)
    assert not set(numbers) & used
    top = max(used_serials, default=0)
    bachelor = [int(n[12:]) for n in numbers if n[10:12] == "05"]
    assert bachelor == list(range(top + 1, top + 1 + len(bachelor)))
    for (s, n) in plan:
        assert certno.disagreements(n, school_code="10202", year="2026", cc=s["CC"]) == []
