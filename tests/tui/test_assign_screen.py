"""新生编班 from the keyboard: 5 文件, b, the placement as a table, ctrl+y, a question, one save."""

from datetime import date

from textual.widgets import DataTable

from tui_kit import make_app
from xueji_testkit import make_student
from xueji_tui.services import majors


async def test_assign_preview_table_then_write(any_school):
    office = any_school.office
    with office.store.write("office1", "新生") as tx:
        tx.put_many([make_student(800 + i, year=2026, college="文学院", XH="", BH="", status="待注册",
                                  ZYDM="050101", ZYMC="汉语言文学") for i in range(12)])
        tx.log("import", why="新生")
    majors.edit_major(office, "050101", college_no="01", major_no="01", short="汉文")
    app = make_app(office, today=date(2026, 9, 10))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        await pilot.press("b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert len(rows) == 12 and all(r[0].startswith("2026010101") and r[5] == "汉文2601" for r in rows)
        assert not any(s.get("XH") for s in any_school.reopened().students() if s["RXRQ"] == "20260901")
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        got = {s["KSH"]: s["XH"] for s in any_school.reopened().students() if s["RXRQ"] == "20260901"}
        assert sorted(got.values()) == sorted(r[0] for r in rows)


async def test_a_college_clerk_is_told_it_is_the_office_s(any_school):
    app = make_app(any_school.wenxue, today=date(2026, 9, 10))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("5")
        await pilot.press("b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        from rich.console import Console
        from textual.widgets import Static

        console = Console(width=200, record=True, file=open("/dev/null", "w"))
        console.print(app.screen.query_one("#assign-text", Static).content)
        assert "学生工作处" in console.export_text()
