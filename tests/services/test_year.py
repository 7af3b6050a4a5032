"""The annual round, the 暂缓注册 list and the bulk register (Art. 6, 17, 18), on both stores."""

from __future__ import annotations

import pytest

from xueji_testkit import make_student
from xueji_tui.domain.errors import InvalidInput, NotAllowed, Refused
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.record import ROW
from xueji_tui.domain.status import ChangeRequest
from xueji_tui.services import campaign, changes, imports, registration, reviews, students
from xueji_tui.services.workbooks import export_workbook


def add_freshmen(kit, n: int = 8) -> list[dict]:
    got = [make_student(500 + i, year=2026, status="待注册", XH=f"2026{500 + i:06d}") for i in range(n)]
    with kit.store.write("office1", "新生") as tx:
        tx.put_many(got)
        tx.log("import", why="新生")
    return got


def verify_all(session, key: str) -> None:
    for f in ART6_FIELDS:
        students.verify(session, key, f, "ok")


def row(kit, ksh: str) -> list:
    return next(r for r in kit.store.rows() if r[ROW["KSH"]] == ksh)


def test_an_earlier_round_than_the_verdicts_is_refused_and_moves_nothing(any_school):
    """Was: with no round opened yet, `campaign start` of last school year moved this year's verdicts
    into the history, and rounds only go forward, so they could not be brought back."""
    from datetime import date

    from xueji_tui.domain.progress import school_year_of

    office = any_school.office
    s, _ = add_freshmen(any_school, 2)
    verify_all(office, s["KSH"])
    before = any_school.store.get(s["KSH"])
    this = school_year_of(date.today())
    with pytest.raises(InvalidInput, match=f"已有 {this} 学年的核对结论.*不能开启更早的 {this - 1} 学年"):
        campaign.start(office, this - 1)
    assert any_school.store.get(s["KSH"]) == before and not any_school.store.settings.get("rounds")
    assert campaign.start(office, this).opened  # this year's round keeps them
    assert any_school.store.get(s["KSH"])["verification"] == before["verification"]


def test_verdicts_of_the_previous_round_do_not_count_in_the_new_one(any_school, tmp_path):
    office, wenxue = any_school.office, any_school.wenxue
    s, t = add_freshmen(any_school, 2)
    assert campaign.start(office, 2025).opened
    verify_all(wenxue if s["FY"] == "文学院" else office, s["KSH"])
    assert row(any_school, s["KSH"])[ROW["verified"]] == 13
    assert all(v["year"] == 2025 for v in any_school.store.get(s["KSH"])["verification"].values())
    book = tmp_path / "核对表.xlsx"
    export_workbook(office, book, imports.profile_for(office, "workbook"), None, 2026, "2026-01-01T00:00:00+08:00")

    got = campaign.start(office, 2026)
    assert got.opened and got.students == 1 and got.verdicts == {"2025": 13}
    after = any_school.store.get(s["KSH"])
    assert after["verification"] == {} and len(after["rounds"]["2025"]) == 13  # kept, never deleted
    assert row(any_school, s["KSH"])[ROW["verified"]] == 0  # the queue sees this round only
    with pytest.raises(Refused, match="尚未核对 13 项"):
        changes.change(office, s["KSH"], ChangeRequest(code="0101", date="20260920"))
    assert campaign.start(office, 2026).opened is False
    with pytest.raises(InvalidInput, match="更早"):
        campaign.start(office, 2025)
    with pytest.raises(InvalidInput, match="尚未到来"):
        campaign.start(office, 2099)
    with pytest.raises(NotAllowed):
        campaign.start(wenxue, 2027)

    # a workbook exported in the previous round is not applied in this one
    import openpyxl
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    col = next(i for i, h in enumerate(head, 1) if h and "姓名" in str(h) and "核对" in str(h))
    for r in range(2, ws.max_row + 1):
        ws.cell(r, col).value = "无误"
    wb.save(book)
    plan = imports.plan_import(office, "workbook", book)
    assert not plan.verdicts and any("上一轮" in r.reason for r in plan.rejected)

    verify_all(office, s["KSH"])  # this round's verdicts count
    entry = changes.change(office, s["KSH"], ChangeRequest(code="0101", date="20260920"))
    assert entry["to"] == "注册学籍"


def deferrals_file(tmp_path, rows) -> str:
    p = tmp_path / "暂缓注册名单.csv"
    p.write_text("考生号,学号,原因\n" + "".join(f"{k},{x},{w}\n" for k, x, w in rows), "utf-8-sig")
    return p


def test_bulk_register_skips_exactly_the_deferred_and_the_unchecked(any_school, tmp_path):
    office = any_school.office
    fresh = add_freshmen(any_school, 6)
    old = [s for s in any_school.store.students() if s["KSH"] not in {f["KSH"] for f in fresh}][:3]
    checked = fresh[:4] + old[:2]
    for s in checked:
        verify_all(office, s["KSH"])
    # 暂缓注册 by the arrears list: one freshman by 考生号, one returning student by 学号
    before = any_school.snapshot()
    path = deferrals_file(tmp_path, [(fresh[0]["KSH"], "", "欠缴学费"), ("", old[0]["XH"], ""), ("99", "", "")])
    plan = imports.plan_import(office, "deferrals", path)
    assert len(plan.changed) == 2 and [r.row for r in plan.rejected] == [4]
    assert any_school.snapshot() == before
    imports.apply_import(office, plan)
    for k in (fresh[0]["KSH"], old[0]["KSH"]):
        got = any_school.store.get(k)
        assert got["status"] == "暂缓注册" and got["history"][-1]["code"] == "0501"
    assert imports.plan_import(office, "deferrals", path).unchanged == [fresh[0]["KSH"], old[0]["KSH"]]

    today = __import__("datetime").date.today().strftime("%Y%m%d")
    single = changes.change(office, fresh[3]["KSH"], ChangeRequest(code="0101", date=today))
    plan = registration.plan_register(office, 2026)
    assert {b["KSH"] for b in plan.freshmen} == {s["KSH"] for s in fresh[1:3]}
    assert [b["KSH"] for b in plan.returning] == [old[1]["KSH"]]
    why = {b["KSH"]: w for b, w in plan.skipped}
    assert set(why) == {fresh[0]["KSH"], old[0]["KSH"], *(s["KSH"] for s in fresh[4:])} | {
        s["KSH"] for s in any_school.store.students() if s["KSH"] not in {x["KSH"] for x in fresh + old[:2]}}
    assert "暂缓注册（0501" in why[fresh[0]["KSH"]] and "0103" in why[old[0]["KSH"]]
    assert "尚未核对 13 项" in why[fresh[4]["KSH"]]
    before = any_school.snapshot()
    done = registration.apply_register(office, plan)
    assert len(done.freshmen) == 2
    one = any_school.store.get(fresh[1]["KSH"])["history"][-1]
    same = lambda e: {k: v for k, v in e.items() if k not in ("at",)}  # noqa: E731
    assert same(one) == same(single)  # a bulk entry is exactly a single entry
    assert any_school.store.get(old[1]["KSH"])["annual"]["2026"]["by"] == "office1"
    lines = [d for d in any_school.store.audit_lines() if d.get("batch") == "register-2026"]
    assert {d["KSH"] for d in lines} == {s["KSH"] for s in fresh[1:3]}
    assert before != any_school.snapshot()
    again = registration.plan_register(office, 2026)
    assert not again.todo and again.done >= 4


def test_a_college_reports_and_the_office_accepts(any_school):
    office, wenxue = any_school.office, any_school.wenxue
    fresh = [s for s in add_freshmen(any_school, 6) if s["FY"] == "文学院"]
    old = [s for s in any_school.store.students() if s["FY"] == "文学院" and s["status"] == "注册学籍"][:1]
    for s in fresh + old:
        verify_all(wenxue, s["KSH"])
    plan = registration.plan_register(wenxue, 2026)
    assert plan.propose and {b["KSH"] for b in plan.freshmen} == {s["KSH"] for s in fresh}
    assert all(b["FY"] == "文学院" for b, _ in plan.skipped)
    with pytest.raises(NotAllowed):
        registration.plan_register(wenxue, 2026, "外国语学院")
    registration.apply_register(wenxue, plan)
    assert any_school.store.get(fresh[0]["KSH"])["status"] == "待注册"  # a report, not a registration
    again = registration.plan_register(wenxue, 2026)
    assert not again.todo and all("待学生工作处复核" in w for b, w in again.skipped
                                  if b["KSH"] in {s["KSH"] for s in fresh + old})
    got = reviews.accept_all(office, "文学院")
    assert len(got.entries) == len(fresh) + 1 and not got.refused
    assert any_school.store.get(fresh[0]["KSH"])["status"] == "注册学籍"
    assert "2026" in any_school.store.get(old[0]["KSH"])["annual"]


def test_round_rules_without_a_store():
    from xueji_tui.domain.verification import close_rounds, current_verdicts, opened_since, registration_gaps

    old = {f: {"v": "ok", "at": "2023-10-01T09:00:00+08:00"} for f in ART6_FIELDS}
    s = make_student(1, verification=dict(old))
    assert current_verdicts(s, {}) == old and not registration_gaps(s, {})  # no round yet: all count
    rounds = {"rounds": [{"year": 2026, "at": "2026-09-01T08:00:00+08:00", "by": "x"}]}
    assert current_verdicts(s, rounds) == {} and registration_gaps(s, rounds)
    s["verification"]["XM"] = {"v": "ok", "at": "2026-09-02T08:00:00+08:00"}  # given in the open round
    assert list(current_verdicts(s, rounds)) == ["XM"]
    moved = close_rounds(s, 2026, rounds["rounds"])
    assert moved == {"2023": 12} and list(s["verification"]) == ["XM"] and len(s["rounds"]["2023"]) == 12
    assert opened_since(rounds, "2026-08-30T10:00:00+08:00")["year"] == 2026
    assert opened_since(rounds, "2026-09-01T08:00:00+08:00") is None


def test_the_registration_of_a_school_year_that_has_not_come_is_refused(any_school):
    """Was: `register --year 2027` in December 2026 gave 618 students the 2027 学年注册."""
    from datetime import date

    from xueji_tui.domain.progress import school_year_of

    office = any_school.office
    this = school_year_of(date.today())
    with pytest.raises(InvalidInput, match=f"{this + 1} 学年尚未开始注册：现在是 {this} 学年"):
        registration.plan_register(office, this + 1)
    assert registration.plan_register(office, this).year == this
    campaign.start(office, this)
    with pytest.raises(InvalidInput, match=f"当前核对轮次为 {this} 学年.*campaign start --year {this + 1}"):
        registration.plan_register(office, this + 1)
