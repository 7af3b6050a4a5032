"""What the precheck keeps between runs (precheck/verdicts.py) never changes its answer.

Each student's own findings are kept by the sha256 of the file the record was read from, and the
whole result by every file's, the rules, the settings and the open corrections. These tests change
each of those — through xueji, and behind its back — and compare every warm run with a cold one
(the engine with nothing kept), counting how many students the warm run really checked.
"""

from __future__ import annotations

import random
import stat

import orjson
import pytest

from grad_factory import YEAR, graduate
from grad_kit import edit
from xueji_tui.domain.clerks import Clerk
from xueji_tui.precheck import engine, run, verdicts
from xueji_tui.services import certnos, graduation
from xueji_tui.services.session import Session
from xueji_tui.store import open_store


def ksh(i: int) -> str:
    return graduate(i)["KSH"]


@pytest.fixture
def checked(monkeypatch) -> list[str]:
    """The 考生号 of every student whose own findings were worked out (not taken from what was kept)."""
    seen: list[str] = []
    own = engine._Checker.own

    def counting(self, s):
        seen.append(s["KSH"])
        return own(self, s)

    monkeypatch.setattr(engine._Checker, "own", counting)
    return seen


def session(root) -> Session:
    return Session(open_store(root), Clerk("office1", "office"))


def answer(result) -> tuple:
    """Everything a clerk or a file gets from a precheck."""
    return (orjson.dumps(result.to_json()), [s["KSH"] for s in result.students],
            [s["KSH"] for s in result.registered_students], [s["KSH"] for s in result.excluded],
            result.pending, [(f.XM, f.FY) for f in result.findings])


def cold(root, year: int = YEAR):
    """The precheck with nothing kept: the engine on the school as it is on disk."""
    store = open_store(root)
    return run(list(store.students()), year=year, settings=store.settings, list_imported=None,
               corrections=store.corrections(), widths=graduation._widths(session(root)))


def warm(root, year: int = YEAR):
    return graduation.precheck(session(root), year)


def kept_file(root):
    return root / "cache" / verdicts.NAME


def test_the_second_run_checks_nobody_and_gives_the_same_answer(grads, checked):
    first = warm(grads)
    assert sorted(checked) == sorted(ksh(i) for i in range(24))
    assert stat.S_IMODE(kept_file(grads).stat().st_mode) == 0o600  # findings name students
    checked.clear()
    again = warm(grads)
    assert checked == []
    assert answer(again) == answer(first) == answer(cold(grads))


def test_a_student_changed_through_xueji_is_checked_again(grads, checked):
    warm(grads)
    checked.clear()
    bad = graduate(3)["SFZH"][:17] + ("0" if graduate(3)["SFZH"][17] != "0" else "1")
    edit(grads, ksh(3), SFZH=bad)
    result = warm(grads)
    assert ksh(3) in checked and len(checked) < 24  # the students of that one file
    assert [f.rule for f in result.findings if f.KSH == ksh(3)] == ["id-checksum"]
    assert answer(result) == answer(cold(grads))


def test_a_file_changed_behind_xuejis_back_is_checked_again(grads, checked):
    """The kept findings follow the bytes, not the trail: an edited shard is never judged by its past."""
    warm(grads)
    checked.clear()
    shard = next(p for p in sorted((grads / "students").rglob("[0-9][0-9].json"))
                 if any(s["KSH"] == ksh(7) for s in orjson.loads(p.read_bytes())["students"].values()))
    data = orjson.loads(shard.read_bytes())
    for s in data["students"].values():
        if s["KSH"] == ksh(7):
            s["photo"]["check"] = "有异议"
    shard.write_bytes(orjson.dumps(data))
    result = warm(grads)
    assert ksh(7) in checked
    assert [f.rule for f in result.findings if f.KSH == ksh(7)] == ["photo-unchecked"]
    assert answer(result) == answer(cold(grads))


def test_new_settings_check_everyone_again(grads, checked):
    warm(grads)
    checked.clear()
    store = open_store(grads)
    with store.write("office1", "测试") as tx:
        tx.update_settings({"school_code": "10203"})  # every number's school part, every certno-format
        tx.log("settings", field="school_code", old="10202", new="10203")
    result = warm(grads)
    assert sorted(checked) == sorted(ksh(i) for i in range(24))
    assert answer(result) == answer(cold(grads))


def test_an_open_correction_is_never_taken_from_the_last_run(grads, checked):
    warm(grads)
    store = open_store(grads)
    with store.write("office1", "测试") as tx:
        tx.add_correction({"KSH": ksh(2), "field": "XM", "status": "申请", "old": "甲", "new": "乙"})
        tx.log("correction", ksh=ksh(2), field="XM", new="乙")
    checked.clear()
    result = warm(grads)
    assert checked == []  # nobody's own findings changed: only what depends on the requests
    assert [(f.rule, f.field) for f in result.findings if f.KSH == ksh(2)] == [("pending-correction", "XM")]
    assert answer(result) == answer(cold(grads))


def test_the_stage_is_never_taken_from_the_last_run(grads, checked):
    warm(grads)
    store = open_store(grads)
    with store.write("office1", "测试") as tx:
        tx.update_settings({"certno_years": [YEAR]})  # stage 2: a missing number is an error
        tx.log("settings", field="certno_years", new=[YEAR])
    checked.clear()
    result = warm(grads)
    assert checked == []
    assert result.errors == 24 and {(f.rule, f.field) for f in result.findings} == {("missing-field", "ZSBH")}
    assert answer(result) == answer(cold(grads))


def test_a_damaged_kept_file_is_ignored_and_replaced(grads, checked):
    warm(grads)
    kept_file(grads).write_bytes(b'{"v":1,"context":')
    checked.clear()
    result = warm(grads)
    assert len(checked) == 24
    assert answer(result) == answer(cold(grads))
    assert orjson.loads(kept_file(grads).read_bytes())["v"] == verdicts.VERSION


def test_any_sequence_of_fixes_and_breakages_agrees_with_a_cold_run(grads):
    rng = random.Random(20261201)
    breakages = [
        {"XB": "未知"}, {"XM": ""}, {"photo": {"check": "未校对"}}, {"photo": {"taken": False}},
        {"RXRQ": "20221301"}, {"status": "休学"}, {"ZSBH": "102021202605999999"}, {"BYRQ": "20200630"},
        {"excluded": {"why": "测试"}},
    ]
    for step in range(12):
        i = rng.randrange(24)
        change = rng.choice(breakages) if rng.random() < 0.7 else {
            k: graduate(i)[k] for k in ("XB", "XM", "photo", "RXRQ", "status", "ZSBH", "BYRQ")}
        edit(grads, ksh(i), **change)
        assert answer(warm(grads)) == answer(cold(grads)), (step, i, change)
        assert answer(warm(grads)) == answer(cold(grads)), (step, "again")


def test_certno_assign_right_after_a_precheck_skips_a_student_broken_since(grads):
    """The usual order — precheck until clean, then numbers — with one student broken in between."""
    warm(grads)
    edit(grads, ksh(5), photo={"taken": False})
    done = certnos.assign_numbers(session(grads), YEAR)
    assert len(done.numbers) == 23 and done.waiting == 1 and "photo-missing" in done.blocked_by
    assert open_store(grads).get(ksh(5))["ZSBH"] == ""


def test_a_college_clerks_precheck_leaves_the_offices_result_kept(grads, checked, monkeypatch):
    """Each scope (year, college) keeps its own last result: the office's whole-school one is taken
    as it was after a college clerk checked their college in between."""
    office = warm(grads)
    college = graduation.precheck(Session(open_store(grads), Clerk("wenxue", "college", "文学院")), YEAR)
    assert 0 < college.checked < office.checked
    worked_out = []
    real = engine._Checker.count_duplicates
    monkeypatch.setattr(engine._Checker, "count_duplicates", lambda self, s: worked_out.append(1) or real(self, s))
    checked.clear()
    again = warm(grads)
    assert checked == [] and worked_out == []  # taken, not worked out again
    assert answer(again) == answer(office) == answer(cold(grads))
