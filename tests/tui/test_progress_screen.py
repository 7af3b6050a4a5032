"""The 6 进度 area from the keyboard: deadlines with days left and a row per college."""

from datetime import date

from textual.widgets import Static
from tui_kit import make_app


async def _text(app, wid):
    from rich.console import Console

    console = Console(width=100, record=True, file=open("/dev/null", "w"))
    console.print(app.screen.query_one(wid, Static).content)
    return console.export_text()


async def test_progress_area_shows_deadlines_and_colleges(any_school):
    await _progress_area(any_school.office)


async def _progress_area(office):
    app = make_app(office, today=date(2022, 10, 1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        deadlines = await _text(app, "#progress-deadlines")
        colleges = await _text(app, "#progress-colleges")
        assert "学年电子注册" in deadlines and "还有" in deadlines
        assert "文学院" in colleges and "合计" in colleges and "0/60" in colleges
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.press("1")
        assert app.current_mode == "1"


async def test_only_a_missed_deadline_says_passed(any_school):
    """A day from which something may be done (students may look themselves up, Art. 22) is not a
    deadline: once it is past it says 已开始, not '已过 N 天'."""
    await _passed(any_school.office)


async def _passed(office):
    app = make_app(office, today=date(2022, 11, 20))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        lines = (await _text(app, "#progress-deadlines")).splitlines()
        lookup = next(line for line in lines if "学生可登录学信网查询本人学籍" in line)
        table = next(line for line in lines if "统计表" in line)
        assert "已开始" in lookup and "已过" not in lookup
        assert "已过 21 天" in table
