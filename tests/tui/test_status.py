"""s and r on the student screen: each kind of change, what it needs, and a refused one."""

from __future__ import annotations

import pytest
from tui_kit import fill, filtered, wait_until, memory_only, messages, open_by_number, ready, rows_where, text_of, type_text

from xueji_tui.domain.status import ChangeRequest
from xueji_tui.screens.confirm import ConfirmModal
from xueji_tui.screens.status_form import StatusModal
from xueji_tui.screens.student import StudentScreen
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.services import changes, reviews, students

pytestmark = pytest.mark.slow  # long keyboard flows, one per kind of change


def stored(school, ksh: str) -> dict:
    """The student as saved (on disk: read back from the data directory)."""
    return school.reopened().get(ksh)


async def change(app, pilot, reason: str, confirm: bool = False, **fields) -> StatusModal:
    """s (or r), the reason typed into the search box, the other fields filled, ctrl+s (and y when
    the change cannot be undone: the form asks first)."""
    await pilot.press("r" if reason[:2] in ("71", "72") else "s")
    modal = app.screen
    assert isinstance(modal, StatusModal)
    await type_text(pilot, reason)
    await pilot.pause()
    for wid, text in fields.items():
        if wid == "major":
            select = modal.query_one("#major")
            select.focus()
            await pilot.press("enter")
            await pilot.pause()
            options = [o[1] for o in select._options]
            for _ in range(options.index(text)):
                await pilot.press("down")
            await pilot.press("enter")
            await pilot.pause()
        else:
            await fill(app, pilot, wid, text)
    await pilot.press("ctrl+s")
    await pilot.pause()
    if confirm:
        assert isinstance(app.screen, ConfirmModal), "an irreversible change asks before saving"
        modal.asked = text_of(app, "#confirm-title") + "\n" + text_of(app, "#confirm-body")
        await pilot.press("y")
        await pilot.pause()
    return modal


async def test_freshman_paths_of_scenario_one(office_app, seeded):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        await pilot.press("slash")
        await type_text(pilot, "2025")  # this year's freshmen, walked with J
        await filtered(pilot)
        await pilot.press("down", "enter")
        # never arrived: 放弃入学资格 1502
        ksh = office_app.screen.ksh
        await change(office_app, pilot, "1502")
        assert isinstance(office_app.screen, StudentScreen)
        s = stored(seeded, ksh)
        assert s["status"] == "放弃入学资格" and s["history"][-1]["code"] == "1502"
        assert s["history"][-1]["date"] == "20250920"  # today's date is offered
        assert "放弃入学资格" in text_of(office_app, "#student-head")
        # enlisted: 保留入学资格 1401, found by words
        await pilot.press("J")
        ksh = office_app.screen.ksh
        await change(office_app, pilot, "应征入伍")
        assert stored(seeded, ksh)["status"] == "保留入学资格"
        # failed the re-check: 取消入学资格 1601 needs the 文号 and 批准日期 — refused without, form kept
        await pilot.press("J")
        ksh = office_app.screen.ksh
        modal = await change(office_app, pilot, "1601", note="复查不合格")
        assert office_app.screen is modal and "文号" in text_of(office_app, "#form-error")
        assert "须填文号，须填批准日期" in text_of(office_app, "#reason-chosen")  # read from codes.json
        assert modal.query_one("#note").value == "复查不合格"
        await fill(office_app, pilot, "doc", "吉师大教字2025-7号")
        await fill(office_app, pilot, "approved", "20250918")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(office_app.screen, ConfirmModal) and stored(seeded, ksh)["status"] == "待注册"
        await pilot.press("y")
        await pilot.pause()
        s = stored(seeded, ksh)
        assert s["status"] == "取消入学资格" and s["history"][-1]["doc"] == "吉师大教字2025-7号"
        # the rest are registered: 0101 — only once the Art. 6 check is complete
        await pilot.press("J")
        ksh = office_app.screen.ksh
        modal = await change(office_app, pilot, "0101")
        assert office_app.screen is modal and "尚未核对" in text_of(office_app, "#form-error")
        assert stored(seeded, ksh)["status"] == "待注册"
        await pilot.press("escape")
        college = seeded.elsewhere("wenxue" if stored(seeded, ksh)["FY"] == "文学院" else "office2")
        for f in ART6_FIELDS:
            students.verify(college, ksh, f, "ok")
        await change(office_app, pilot, "0101")
        assert stored(seeded, ksh)["status"] == "注册学籍"


async def test_leave_return_and_repeat_a_grade(office_app, seeded):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = [r for r in rows_where(office_app, status="注册学籍") if r[7] == "2023"][0]
        await open_by_number(office_app, pilot, row[1])
        await change(office_app, pilot, "1101", doc="吉师大教字2025-3号", approved="20250915")
        assert stored(seeded, row[0])["status"] == "休学(病休)"
        await change(office_app, pilot, "1201", doc="吉师大教字2025-9号", approved="20250919")
        assert stored(seeded, row[0])["status"] == "注册学籍"
        modal = await change(office_app, pilot, "0202", to_grade="2026", doc="吉师大教字2025-9号", approved="20250919",
                             to_class="汉语言242班")
        assert office_app.screen is modal and "晚 1–2 年" in text_of(office_app, "#form-error")  # 2023 → 2025 at most
        modal.query_one("#to_grade").value = ""
        await fill(office_app, pilot, "to_grade", "2024")
        await pilot.press("ctrl+s")
        await pilot.pause()
        s = stored(seeded, row[0])
        assert s["DQSZJ"] == "2024" and s["YJBYRQ"] == "20280630" and s["BH"] == "汉语言242班"
        assert [e["code"] for e in s["history"]] == ["1101", "1201", "0202"]


async def test_change_of_major_asks_for_the_major_and_class(office_app, seeded):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = [r for r in rows_where(office_app, status="注册学籍", FY="文学院")][0]
        await open_by_number(office_app, pilot, row[1])
        modal = await change(office_app, pilot, "2301", doc="吉师大教字〔2025〕31号", approved="20250918")
        assert office_app.screen is modal and "新专业" in text_of(office_app, "#form-error")
        assert modal.query_one("#extra-major").display and not modal.query_one("#extra-grade").display
        await pilot.press("escape")
        await change(office_app, pilot, "2301", doc="吉师大教字〔2025〕31号", approved="20250918", major="080901",
                     to_class="计算机2502")
        s = stored(seeded, row[0])
        assert (s["ZYDM"], s["ZYMC"], s["FY"], s["BH"]) == ("080901", "计算机科学与技术", "数学与计算机学院", "计算机2502")
        assert s["status"] == "注册学籍"


async def test_expulsion_then_nothing_more(office_app, seeded):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = rows_where(office_app, status="注册学籍")[3]
        await open_by_number(office_app, pilot, row[1])
        form = await change(office_app, pilot, "4204", confirm=True, doc="吉师大教字〔2025〕40号", approved="20250919",
                            note="替考")
        assert "确认办理 4204" in form.asked and "9801" in form.asked
        assert isinstance(office_app.screen, StudentScreen)
        assert stored(seeded, row[0])["status"] == "开除学籍"
        await pilot.press("s")  # only the office's reversal is left (a record entered by mistake)
        assert [r.code for r in office_app.screen.shown] == ["9801"]
        await pilot.press("escape")
        await pilot.press("space")  # a verdict on an ended record is refused, with the reason
        assert any("已终结" in m for m in messages(office_app)[-1:])
        await change(office_app, pilot, "9801", note="录入错误，应为他人")
        s = stored(seeded, row[0])
        assert s["status"] == "注册学籍" and s["history"][-1]["reverses"] == s["history"][0]["id"]


async def test_college_clerk_cannot_change_an_ended_record(college_app, seeded):
    app = college_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        row = rows_where(app, status="注册学籍")[0]
        await open_by_number(app, pilot, row[1])
        form = await change(app, pilot, "3106", confirm=True, doc="吉师大教字2025-8号", approved="20250919")
        # was: "确认办理 …？此变更不可撤回" for what is only a report
        assert "确认报送 3106" in form.asked and "复核接受后生效" in form.asked and "学生信息不变" in form.asked
        assert stored(seeded, row[0])["status"] == "注册学籍"  # a college reports; the office decides
        assert any("已报送" in m for m in messages(app))
        # the page lists the report at once (was: only after leaving and coming back)
        assert await wait_until(pilot, lambda: "报送 #" in text_of(app, "#student-recent"), seconds=10)
        (proposal,) = reviews.list_proposals(seeded.elsewhere("office1"), open_only=True)
        reviews.accept(seeded.elsewhere("office1"), proposal["id"])
        assert stored(seeded, row[0])["status"] == "退学"
        app.data_saved()
        await pilot.pause()
        await pilot.press("s")
        assert isinstance(app.screen, StudentScreen)
        assert any("已终结" in m and "9801" in m for m in messages(app))


async def test_refused_save_keeps_the_form(office_app, seeded):
    """Another clerk records a 休学 while this one fills a 暂缓注册: the state machine refuses."""
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = rows_where(office_app, status="注册学籍")[5]
        await open_by_number(office_app, pilot, row[1])
        await pilot.press("s")
        modal = office_app.screen
        await type_text(pilot, "0501")
        await fill(office_app, pilot, "note", "未缴学费")
        other = seeded.elsewhere("office2")
        changes.change(other, row[1], ChangeRequest(code="1101", date="20250918", doc="吉师大教字2025-3号",
                                                    approved="20250917"), today=office_app.today())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert office_app.screen is modal
        assert "不允许" in text_of(office_app, "#form-error")
        assert modal.query_one("#note").value == "未缴学费" and modal.query_one("#reason").value == "0501"
        await pilot.press("escape")
        await pilot.pause()
        assert "休学(病休)" in text_of(office_app, "#student-head")  # shows the other clerk's change


async def test_reward_and_punishment_records(office_app, seeded):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = rows_where(office_app, status="注册学籍")[1]
        await open_by_number(office_app, pilot, row[1])
        modal = await change(office_app, pilot, "7103")
        assert office_app.screen is modal and "奖励名称" in text_of(office_app, "#form-error")
        await fill(office_app, pilot, "note", "校级三好学生")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await change(office_app, pilot, "7201", note="旷课")
        s = stored(seeded, row[0])
        assert [(e["code"], e["note"]) for e in s["history"]] == [("7103", "校级三好学生"), ("7201", "旷课")]
        assert s["status"] == "注册学籍"
        await pilot.press("h")
        texts = [r[3] for r in office_app.screen.rows]
        assert any("7103" in t for t in texts) and any("7201" in t for t in texts)


@memory_only
async def test_reason_search_by_code_or_words_and_office_only_codes(college_app):
    app = college_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        row = rows_where(app, status="注册学籍")[0]
        await open_by_number(app, pilot, row[1])
        await pilot.press("s")
        modal = app.screen
        codes_shown = [r.code for r in modal.shown]
        assert "9801" not in codes_shown and "6101" not in codes_shown  # office only
        await type_text(pilot, "因病")
        await pilot.pause()
        assert modal.shown[0].code == "1101" and "1101" in text_of(app, "#reason-chosen")
        await pilot.press("down")
        assert modal.chosen.code != "1101"


async def test_postponed_registration_then_registered_and_skipping_a_grade(office_app, seeded):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = [r for r in rows_where(office_app, status="注册学籍") if r[7] == "2024"][0]
        await open_by_number(office_app, pilot, row[1])
        await change(office_app, pilot, "0501")  # fees unpaid
        assert stored(seeded, row[0])["status"] == "暂缓注册"
        await change(office_app, pilot, "0103")  # paid: registered
        assert stored(seeded, row[0])["status"] == "注册学籍"
        modal = await change(office_app, pilot, "0401", to_grade="2025", doc="吉师大教字2025-12号",
                             approved="20250919", to_class="汉语言231班")
        assert office_app.screen is modal and "跳级只能编入" in text_of(office_app, "#form-error")
        modal.query_one("#to_grade").value = ""
        await fill(office_app, pilot, "to_grade", "2023")
        await pilot.press("ctrl+s")
        await pilot.pause()
        s = stored(seeded, row[0])
        assert s["DQSZJ"] == "2023" and [e["code"] for e in s["history"]] == ["0501", "0103", "0401"]
