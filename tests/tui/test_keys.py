"""Keys that always work (pilot): Esc leaves a text box first, / from anywhere, q back and quit with a
question, 1–6 on the area's list, the 文件 tabs' keys, the palette replacing the student, ctrl+c in
Chinese, and keys sent fast landing where they were meant."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Tabs
from tui_kit import burst, memory_only, messages, open_by_number, palette_listed, ready, rows_where, text_of, type_text, wait_until

from xueji_tui.domain.record import ROW
from xueji_tui.domain.status import ChangeRequest
from xueji_tui.screens.confirm import ConfirmModal
from xueji_tui.screens.files import FilesScreen
from xueji_tui.screens.help import HelpScreen
from xueji_tui.screens.history import HistoryScreen
from xueji_tui.screens.queue import QueueScreen
from xueji_tui.screens.roster import RosterScreen
from xueji_tui.screens.status_form import StatusModal
from xueji_tui.screens.student import StudentScreen
from xueji_tui.services import changes

pytestmark = pytest.mark.slow  # the keyboard traps, each a long flow


def stored(school, ksh: str) -> dict:
    """The student as saved (on disk: read back from the data directory)."""
    return school.reopened().get(ksh)


@memory_only
async def test_files_area_opens_on_its_tabs_and_the_area_keys_still_work(office_app):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("5")
        await wait_until(pilot, lambda: isinstance(app.screen, FilesScreen) and app.focused is not None)
        assert isinstance(app.focused, Tabs)  # not the path box
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "1")
        assert isinstance(app.screen, RosterScreen)
        await pilot.press("5")
        assert app.screen.query_one("#import-path", Input).value == ""


@memory_only
async def test_escape_leaves_a_text_box_first_then_goes_back(office_app):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("5", "tab", "tab")
        path = app.screen.query_one("#import-path", Input)
        assert app.focused is path
        await type_text(pilot, "a1?")
        await pilot.press("escape")  # leaves the box, keeps what was typed
        assert isinstance(app.focused, Tabs) and path.value == "a1?"
        await pilot.press("6")  # the area keys work again at once
        assert app.current_mode == "6"
        await pilot.press("1", "enter")
        assert isinstance(app.screen, StudentScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, RosterScreen)


@memory_only
async def test_slash_from_anywhere_goes_to_the_roster_filter(office_app):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("enter")  # a student page in 名册
        await pilot.press("2")
        assert isinstance(app.screen, QueueScreen)
        row = app.feed.model.rows[7]
        await burst(app, pilot, ["slash", row[ROW["XH"]], "enter"])  # the keys right after / are typed into it
        await wait_until(pilot, lambda: isinstance(app.screen, StudentScreen))
        assert app.current_mode == "1" and app.screen.ksh == row[ROW["KSH"]]
        assert len(app.screen_stack) == 2  # the old student page was closed, not stacked
        await pilot.press("escape", "f")  # the list has the keys when the page closes (not the filter)
        assert app.screen.__class__.__name__ == "FacetsModal"
        await pilot.press("escape")
        assert app.screen.query_one("#filter", Input).value == row[ROW["XH"]]


@memory_only
async def test_q_goes_back_and_asks_before_quitting(office_app):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("enter", "h")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("q")
        assert isinstance(app.screen, StudentScreen)
        await pilot.press("q")
        assert isinstance(app.screen, RosterScreen)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmModal) and "退出 xueji" in text_of(app, "#confirm-title")
        await pilot.press("n")
        assert isinstance(app.screen, RosterScreen) and app.is_running
        await pilot.press("q", "y")
        await pilot.pause()
    assert app.return_code == 0


@memory_only
async def test_area_keys_land_on_the_area_list(office_app):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, StudentScreen)
        await pilot.press("2", "enter")  # a student from the queue
        assert isinstance(app.screen, StudentScreen)
        await pilot.press("1")
        assert isinstance(app.screen, RosterScreen) and app.focused is app.screen.query_one("#roster")
        await pilot.press("2")
        assert isinstance(app.screen, QueueScreen) and app.focused is app.screen.query_one("#queue")


@memory_only
async def test_files_tab_keys_and_ctrl_o_shows_the_form_first(office_app, home):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("5")
        tabs = app.screen.query_one("#files-tabs")
        await pilot.press("o")
        assert tabs.active == "tab-export"
        await pilot.press("i")
        assert tabs.active == "tab-import"
        await pilot.press("ctrl+o")  # on 导入: shows the export form, writes nothing
        await pilot.pause()
        assert tabs.active == "tab-export" and app.focused is app.screen.query_one("#export-kind")
        assert list(home.iterdir()) == []
        assert str(home) in text_of(app, "#export-path")  # where it will go, in full


@memory_only
async def test_a_student_from_the_palette_replaces_the_one_open(office_app):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        for r in app.feed.model.rows[:3]:
            await pilot.press("ctrl+p")
            await type_text(pilot, r[ROW["XH"]])
            await palette_listed(pilot)
            await pilot.press("enter")
            await wait_until(pilot, lambda r=r: isinstance(app.screen, StudentScreen) and app.screen.ksh == r[0])
            assert len(app.screen_stack) == 2
        await pilot.press("escape")
        assert isinstance(app.screen, RosterScreen)


@memory_only
async def test_ctrl_c_says_how_to_quit_in_chinese(office_app):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+c")
        note = app._notifications
        last = list(note)[-1]
        assert last.title == "要退出吗？" and "ctrl+q" in last.message and app.is_running


async def test_status_form_chooses_nothing_until_asked_and_confirms_an_expulsion(office_app, seeded):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        row = rows_where(app, status="注册学籍")[4]
        await open_by_number(app, pilot, row[ROW["XH"]])
        await pilot.press("s")
        modal = app.screen
        assert isinstance(modal, StatusModal) and modal.chosen is None
        assert "尚未选择原因" in text_of(app, "#reason-chosen")
        await pilot.press("ctrl+s")
        assert app.screen is modal and "请先选择原因代码" in text_of(app, "#form-error")
        assert stored(seeded, row[0])["status"] == "注册学籍"
        await type_text(pilot, "开除")
        assert {r.type.name for r in modal.shown} == {"开除学籍"}
        await type_text(pilot, " 作弊")
        assert modal.chosen.code == "4204"
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
        assert modal.chosen is None  # cleared: nothing chosen again
        await type_text(pilot, "4204")
        modal.query_one("#doc").focus()
        await pilot.pause()
        await type_text(pilot, "吉师大教字2025-40号")
        modal.query_one("#approved").focus()
        await pilot.pause()
        await type_text(pilot, "20250919")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        body = text_of(app, "#confirm-body")
        assert "注册学籍 → 开除学籍" in body and "吉师大教字2025-40号" in body and row[ROW["XM"]] in body
        assert "生效日期 20250920" in body
        await pilot.press("n")
        assert app.screen is modal and stored(seeded, row[0])["status"] == "注册学籍"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, StudentScreen)
        assert stored(seeded, row[0])["status"] == "开除学籍"


@memory_only
async def test_a_missing_doc_is_said_before_the_question(office_app):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        row = rows_where(app, status="注册学籍")[6]
        await open_by_number(app, pilot, row[ROW["XH"]])
        await pilot.press("s")
        await type_text(pilot, "3106")  # 退学·本人申请: irreversible, needs a 文号
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StatusModal) and "文号" in text_of(app, "#form-error")


async def test_keys_sent_fast_after_enter_land_in_their_fields(office_app, seeded):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        row = rows_where(app, status="注册学籍")[8]
        await burst(app, pilot, ["slash", row[ROW["XH"]], "enter", "s"])
        await wait_until(pilot, lambda: isinstance(app.screen, StatusModal))
        await burst(app, pilot, ["1101", "enter", "20250915", "enter", "20250914", "enter", "吉师大教字2025-3号",
                                 "enter", "病休", "ctrl+s"])
        await wait_until(pilot, lambda: isinstance(app.screen, StudentScreen))
        entry = stored(seeded, row[0])["history"][-1]
        assert (entry["code"], entry["date"], entry["approved"], entry["doc"], entry["note"]) == \
            ("1101", "20250915", "20250914", "吉师大教字2025-3号", "病休")


async def test_the_page_closes_when_the_student_leaves_the_college(college_app, seeded):
    app = college_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        row = rows_where(app, status="注册学籍", FY="文学院")[1]
        await open_by_number(app, pilot, row[ROW["XH"]])
        assert isinstance(app.screen, StudentScreen)
        office = seeded.elsewhere("office2")
        changes.change(office, row[ROW["XH"]], ChangeRequest(code="2301", date="20250915", doc="吉师大教字〔2025〕31号",
                                                             approved="20250914", to_major="080901",
                                                             to_class="计算机2502"))
        app.poll_store()
        assert await wait_until(pilot, lambda: isinstance(app.screen, RosterScreen))
        assert any("已不属于文学院" in m and "学生页已关闭" in m for m in messages(app))


@memory_only
async def test_the_id_is_masked_again_when_the_page_is_left(office_app):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        row = rows_where(app, status="注册学籍")[0]
        await open_by_number(app, pilot, row[ROW["XH"]])
        await pilot.press("v")
        assert row[ROW["SFZH"]] in text_of(app, "#student-head")
        await pilot.press("h")
        await pilot.press("escape")
        assert isinstance(app.screen, StudentScreen)
        head = text_of(app, "#student-head")
        assert row[ROW["SFZH"]] not in head and "********" in head


async def test_the_page_shows_recent_entries_and_open_requests(office_app, seeded):
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        row = rows_where(app, status="休学(病休)")[0]
        from xueji_tui.services import corrections

        rid = corrections.file(seeded.elsewhere("wenxue" if row[ROW["FY"]] == "文学院" else "office2"),
                               row[ROW["XH"]], "MZ", "满族", "录取数据民族有误", "吉公户证〔2025〕9号")
        await open_by_number(app, pilot, row[ROW["XH"]])
        recent = text_of(app, "#student-recent")
        assert "最近异动" in recent and "1101 休学·因病休学" in recent and "注册学籍 → 休学(病休)" in recent
        assert f"更正申请 #{rid} 民族：汉族 → 满族" in recent or f"更正申请 #{rid} 民族" in recent


async def test_an_existing_file_is_replaced_only_when_the_clerk_says_so(office_app, home):
    app = office_app
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("5", "o")
        app.screen.query_one("#export-name", Input).value = "注册.dbf"
        target = home / "注册.dbf"
        target.write_bytes(b"old")
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert str(target) in text_of(app, "#confirm-body")
        await pilot.press("n")
        await pilot.pause()
        assert target.read_bytes() == b"old" and "未覆盖" in text_of(app, "#export-text")
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        assert await wait_until(pilot, lambda: "已写出" in text_of(app, "#export-text"))
        assert target.read_bytes() != b"old" and str(target) in text_of(app, "#export-text")


async def test_the_output_folder_is_the_home_until_the_clerk_picks_another(office_app, seeded, home, tmp_path):
    from xueji_tui.services import settings

    app = office_app
    elsewhere = tmp_path / "上报文件"
    elsewhere.mkdir()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        assert settings.output_folder(app.session) == home
        await pilot.press("5", "o")
        folder = app.screen.query_one("#export-dir", Input)
        assert folder.value == str(home)
        folder.value = str(elsewhere)
        await pilot.press("ctrl+o")
        assert await wait_until(pilot, lambda: "已写出" in text_of(app, "#export-text"))
        written = list(elsewhere.iterdir())
        assert len(written) == 1 and str(written[0]) in text_of(app, "#export-text")
    assert settings.output_folder(seeded.elsewhere("office1")) == elsewhere  # remembered for this clerk
    assert settings.output_folder(seeded.elsewhere("office2")) == home


@memory_only
async def test_at_80_columns_the_status_comes_before_the_exam_number(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        titles = [c.title for c in office_app.screen.query_one("#roster").columns]
        assert titles.index("学籍状态") < titles.index("考生号")


async def test_error_titles_say_what_happened(college_app, seeded):
    """A lookup that finds nobody is not called "未保存"; a refused save is."""
    app = college_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        other = [r for r in seeded.store.rows() if r[ROW["FY"]] != "文学院"][0]
        for query, title in (("20990000123", "没有找到"), (other[ROW["XH"]], "不在权限范围内")):
            await pilot.press("slash")
            await type_text(pilot, query)
            await pilot.press("enter")
            await pilot.pause()
            assert list(app._notifications)[-1].title == title
            await pilot.press("escape")
        row = rows_where(app, status="注册学籍")[0]
        await open_by_number(app, pilot, row[ROW["XH"]])
        changes.change(seeded.elsewhere("office1"), row[ROW["XH"]],
                        ChangeRequest(code="3106", date="20250915", doc="吉师大教字2025-8号", approved="20250914"))
        await pilot.press("space")  # a verdict on a record that just ended elsewhere: refused
        await pilot.pause()
        last = list(app._notifications)[-1]
        assert last.title == "未保存" and "已终结" in last.message.replace("\n", "")
