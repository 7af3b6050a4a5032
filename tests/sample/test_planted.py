"""The precheck finds exactly the planted defects, and nothing on the clean graduates."""

from datetime import date

import pytest

from xueji_tui.precheck import RULES, run
from xueji_tui.sample import generate

pytestmark = pytest.mark.xdist_group("sample")  # its module fixture made once, on one worker


def _run(school):
    m = school.manifest
    corrections = [dict(c, id=str(i)) for i, c in enumerate(school.corrections, 1)]
    return run(school.students, year=m["year"], settings=school.settings, list_imported=True,
               corrections=corrections)


def _compare(school):
    m = school.manifest
    result = _run(school)
    got = {(f.rule, f.KSH, f.field) for f in result.findings if (f.rule, f.field) != ("missing-field", "ZSBH")}
    want = {(f["rule"], f["KSH"], f["field"]) for f in m["findings"]}
    assert got - want == set(), "findings on students that should be clean"
    assert want - got == set(), "planted defects the precheck did not find"
    assert result.checked == m["checked"]
    assert not [f for f in result.findings if (f.rule, f.field) == ("missing-field", "ZSBH")]  # stage 1
    assert set(result.pending) == {s["KSH"] for s in result.students} - set(m["has_zsbh"])
    assert result.pending_certno == m["pending_certno"]


def test_precheck_finds_exactly_the_planted_defects(sample_school):
    _compare(sample_school)


@pytest.mark.parametrize("n,seed,ref", [(400, 1, date(2026, 9, 1)), (1200, 77, date(2027, 6, 20)),
                                        (800, 5, date(2025, 3, 10))])
def test_other_seeds_sizes_and_dates_plant_just_as_cleanly(n, seed, ref):
    _compare(generate(n, seed, ref))


def test_manifest_covers_every_rule_of_the_catalogue(sample_school):
    m = sample_school.manifest
    assert m["rules"] == list(RULES)
    per_rule = {}
    for f in m["findings"]:
        per_rule.setdefault(f["rule"], []).append(f)
    for rule, found in per_rule.items():
        assert len(found) >= 2, rule
        assert len({f["FY"] for f in found}) >= 2, f"{rule} planted in one college only"
    assert {f["severity"] for f in m["findings"]} == {"error", "warning"}


def test_too_small_a_school_is_refused():
    with pytest.raises(ValueError):
        generate(100, 1, date(2026, 11, 28))
