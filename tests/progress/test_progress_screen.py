"""The 6 进度 area from the keyboard: deadlines with days left and a row per college."""

import asyncio
from datetime import date

from textual.widgets import Static

from xueji_tui.app import XuejiApp


async def _text(app, wid):
    from rich.console import Console

    console = Console(width=100, record=True, file=open("/dev/null", "w"))
    console.print(app.screen.query_one(wid, Static).content)
    return console.export_text()


def test_progress_area_shows_deadlines_and_colleges(office):
    asyncio.run(_progress_area(office))


async def _progress_area(office):
    app = XuejiApp(office, today=lambda: date(2022, 10, 1), poll=False)
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
