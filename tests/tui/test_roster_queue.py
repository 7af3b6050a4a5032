"""1 名册 and 2 核对 as a clerk uses them: filter as you type, facets, sort, the queue, scope."""

from __future__ import annotations

from tui_kit import filtered, make_app, memory_only, messages, ready, rows_where, text_of, type_text

from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.record import ROW
from xueji_tui.screens.forms import FacetsModal
from xueji_tui.screens.queue import QueueScreen
from xueji_tui.screens.roster import RosterScreen
from xueji_tui.screens.student import StudentScreen


@memory_only
async def test_filter_as_you_type_and_escape_clears(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        await pilot.press("slash")
        await type_text(pilot, "2023")
        await filtered(pilot)
        n = len([r for r in office_app.feed.model.rows if r[1].startswith("2023")])
        assert f"显示 {n} / 60" in text_of(office_app, "#count") and "筛选“2023”" in text_of(office_app, "#count")
        await pilot.press("escape")
        await pilot.pause()
        assert "显示 60 / 60" in text_of(office_app, "#count")
        assert office_app.screen.query_one("#filter").value == ""
        name = office_app.feed.model.rows[0][ROW["XM"]]
        await pilot.press("slash")
        await type_text(pilot, name)
        await filtered(pilot)
        assert all(name in office_app.feed.model.row(i)[ROW["XM"]] for i in range(len(office_app.feed.model)))
        await pilot.press("escape")
        await pilot.press("slash")
        initials = office_app.feed.model.rows[4][ROW["py"]]
        await type_text(pilot, initials)  # zs finds 张三
        await filtered(pilot)
        model = office_app.feed.model
        assert len(model) and all(model.row(i)[ROW["py"]].startswith(initials) for i in range(len(model)))


@memory_only
async def test_enter_on_a_unique_match_opens_it(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = office_app.feed.model.rows[9]
        await pilot.press("slash")
        await type_text(pilot, row[ROW["SFZH"]])  # 身份证号 typed in full
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(office_app.screen, StudentScreen) and office_app.screen.ksh == row[0]


@memory_only
async def test_facets_filter_by_college_and_problems(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        await pilot.press("f")
        modal = office_app.screen
        assert isinstance(modal, FacetsModal)
        await pilot.press("enter")  # open the college list
        await pilot.press("down", "enter")  # the first college
        await pilot.pause()
        college = str(modal.query_one("#college").value)
        modal.query_one("#problems").focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(office_app.screen, RosterScreen)
        model = office_app.feed.model
        want = [r for r in model.rows if r[ROW["FY"]] == college and (r[ROW["problems"]] or r[ROW["wrong"]])]
        assert len(model) == len(want) and college in text_of(office_app, "#count")
        await pilot.press("escape")  # Esc clears the facets too
        await pilot.pause()
        assert len(model) == 60


@memory_only
async def test_sort_by_the_current_column(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        await pilot.press("l")  # 姓名 (80 columns: 学号 姓名 学籍状态 核对 come first)
        await pilot.press("right_square_bracket")
        model = office_app.feed.model
        pys = [model.row(i)[ROW["py"]] for i in range(len(model))]
        assert pys == sorted(pys, reverse=True) and "排序：姓名↓" in text_of(office_app, "#count")
        await pilot.press("left_square_bracket")
        assert [model.row(i)[ROW["py"]] for i in range(len(model))] == sorted(pys)


@memory_only
async def test_moving_keys(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        table = office_app.screen.query_one("#roster")
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_row == 2
        await pilot.press("pagedown")
        assert table.cursor_row == 2 + table.page and table.scroll_y > 0
        await pilot.press("G")
        assert table.cursor_row == 59
        await pilot.press("pageup", "g")
        assert table.cursor_row == 0 and table.scroll_y == 0


@memory_only
async def test_college_clerk_typing_another_colleges_number(seeded):
    app = make_app(seeded.session("wenxue"))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        other = [r for r in seeded.store.rows() if r[ROW["FY"]] != "文学院"][0]
        await pilot.press("slash")
        await type_text(pilot, other[ROW["XH"]])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RosterScreen)
        assert any("不属于文学院" in m for m in messages(app))
        assert "显示 0 /" in text_of(app, "#count")
        # what to do next, whole at 80 columns (was cut after "（Esc")
        from rich.cells import cell_len

        assert text_of(app, "#count").endswith("没有符合条件的学生（Esc 清除筛选）") and cell_len(text_of(app, "#count")) <= 80


async def test_queue_counts_and_opens_on_the_first_open_field(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        await pilot.press("2")
        screen = office_app.screen
        assert isinstance(screen, QueueScreen)
        rows = office_app.feed.model.rows
        open_ = [r for r in rows if r[ROW["verified"]] < 13 or r[ROW["wrong"]]]
        open_ = [r for r in open_ if r[ROW["status"]] not in ("退学",)]
        assert f"待核 {len(screen.queue)} 名" in text_of(office_app, "#queue-head")
        assert {r[0] for r in screen.queue} <= {r[0] for r in open_}
        first = screen.queue[0]
        await pilot.press("enter")
        student = office_app.screen
        assert isinstance(student, StudentScreen) and student.ksh == first[0]
        ver = student.student["verification"]
        expect = next(f for f in ART6_FIELDS if (ver.get(f) or {}).get("v") != "ok")
        assert student.field == expect
        # confirm everything left: the student leaves the queue, J goes on to the next one
        while any((student.student["verification"].get(f) or {}).get("v") != "ok" for f in ART6_FIELDS):
            f = student.field
            if (student.student["verification"].get(f) or {}).get("v") == "ok":
                await pilot.press("j")
                continue
            await pilot.press("space")
        await pilot.press("J")
        assert student.ksh == screen.queue[0][0] != first[0]
        await pilot.press("escape")
        assert first[0] not in {r[0] for r in office_app.screen.queue}


@memory_only
async def test_queue_class_list_jumps_to_a_class(office_app):
    app = office_app
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("2", "c")
        screen = app.screen
        await pilot.press("down", "down", "down")
        chosen = screen.groups[screen.query_one("#classes").cursor_row]
        await pilot.press("enter")
        table = screen.query_one("#queue")
        assert app.focused is table
        assert table.cursor_row == chosen[3]
        first = table.source.row(table.cursor_row)  # the first open student of that college or class
        assert first[ROW["FY" if chosen[0] == "college" else "BH"]] == chosen[1].strip()


@memory_only
async def test_queue_of_a_college_clerk(college_app):
    app = college_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("2")
        assert {r[ROW["FY"]] for r in app.screen.queue} <= {"文学院"}
        assert text_of(app, "#queue-head").startswith("文学院：")
        assert rows_where(app, FY="数学与计算机学院") == []
