"""7 复核: the office reviews what the colleges reported (Art. 15, 18), from the keyboard."""

from __future__ import annotations

from tui_kit import fill, messages, ready, text_of

from xueji_tui.domain.status import ChangeRequest
from xueji_tui.screens.review import ReviewScreen
from xueji_tui.screens.student import StudentScreen
from xueji_tui.services import changes, reviews


def report(school, n: int = 2) -> list[dict]:
    """文学院 reports a 休学 for ``n`` of its students; returns them as stored."""
    college = school.elsewhere("wenxue")
    mine = [s for s in college.store.students("文学院") if s["status"] == "注册学籍"][:n]
    for s in mine:
        got = changes.change(college, s["KSH"], ChangeRequest(code="1101", date="20250910", doc="吉师大学字〔2025〕3号",
                                                                  approved="20250908"))
        assert got.get("proposal")
    return mine


def stored(school, ksh: str) -> dict:
    """The student as saved (on disk: read back from the data directory)."""
    return school.reopened().get(ksh)


async def test_the_office_accepts_one_rejects_one_with_a_reason(office_app, seeded):
    a, b = report(seeded)
    app = office_app
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("7")
        await ready(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert "待复核 2 条" in text_of(app, "#review-head")
        await pilot.press("a")
        await pilot.pause()
        assert "接受报送" in text_of(app, "#confirm-title")
        await pilot.press("y")
        await ready(app, pilot)
        assert stored(seeded, a["KSH"])["status"] == "休学(病休)"
        assert stored(seeded, a["KSH"])["history"][-1]["proposed_by"] == "wenxue"
        assert any("已接受" in m for m in messages(app))
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("ctrl+s")  # a rejection needs its reason: refused, the form stays
        await pilot.pause()
        assert "驳回原因" in text_of(app, "#form-error")
        await fill(app, pilot, "reason", "缺少医院证明")
        await pilot.press("ctrl+s")
        await ready(app, pilot)
        assert stored(seeded, b["KSH"])["status"] == "注册学籍"
        (decided,) = [p for p in reviews.list_proposals(seeded.elsewhere("office1")) if p["KSH"] == b["KSH"]]
        assert (decided["status"], decided["reason"]) == ("已驳回", "缺少医院证明")


async def test_accept_every_open_report_of_a_college(office_app, seeded):
    mine = report(seeded, 3)
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("7")
        await ready(app, pilot)
        await pilot.press("A")
        await pilot.pause()
        assert "3 条" in text_of(app, "#confirm-title")
        await pilot.press("y")
        await ready(app, pilot)
    assert all(stored(seeded, s["KSH"])["status"] == "休学(病休)" for s in mine)


async def test_a_college_sees_its_reports_and_cannot_decide_them(college_app, seeded):
    (a,) = report(seeded, 1)
    app = college_app
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("7")
        await ready(app, pilot)
        assert "待复核 1 条" in text_of(app, "#review-head")
        # the office's keys are not offered to a college (was: listed in the footer, doing nothing)
        assert not {"a", "A", "d"} & set(app.screen.active_bindings)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)  # no question: the key does nothing for a college
        assert stored(seeded, a["KSH"])["status"] == "注册学籍"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StudentScreen)
        assert "报送 #1" in text_of(app, "#student-recent") and "待学生工作处复核" in text_of(app, "#student-recent")
