"""Many clerks: another clerk's process saves; this one shows it without restarting."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tui_kit import make_app, open_by_number, ready, rows_where, text_of, wait_until

from xueji_tui.domain.record import ROW
from xueji_tui.screens.student import StudentScreen

pytestmark = pytest.mark.slow  # another process (the CLI) changes the data meanwhile


def xueji(data_dir, *args: str) -> subprocess.CompletedProcess:
    """The real command line, in its own process, as another clerk at another terminal."""
    return subprocess.run([sys.executable, "-m", "xueji_tui", "--data", str(data_dir), "--clerk", "office2", *args],
                          capture_output=True, text=True, timeout=60)


async def test_another_processs_change_appears_in_roster_and_student(data_dir):
    app = make_app(data_dir, "office1", poll=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        row = rows_where(app, status="注册学籍")[2]
        await open_by_number(app, pilot, row[ROW["XH"]])
        assert isinstance(app.screen, StudentScreen)
        done = xueji(data_dir, "change", row[ROW["XH"]], "1101", "--date", "20250915", "--doc", "吉师大教字〔2025〕3号",
                     "--approved", "20250914")
        assert done.returncode == 0, done.stderr
        assert await wait_until(pilot, lambda: "休学(病休)" in text_of(app, "#student-head"))
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: app.feed.model.search(row[ROW["XH"]])[0][ROW["status"]] == "休学(病休)")
        table = app.screen.query_one("#roster")
        assert table.source.row(table.cursor_row)[ROW["status"]] == "休学(病休)"  # the cursor stays on them


async def test_verdicts_of_a_colleague_update_the_queue(data_dir):
    app = make_app(data_dir, "wenxue", poll=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("2")
        screen = app.screen
        before = len(screen.queue)
        target = screen.queue[0]
        missing = [f for f in ("KSH", "XM", "XB", "MZ", "CSRQ", "SFZH", "RXRQ", "XZ", "YXMC", "ZYMC", "CC", "LQLX", "ZP")]
        for f in missing:
            xueji(data_dir, "verify", target[ROW["XH"]], f, "ok")
        assert await wait_until(pilot, lambda: len(screen.queue) == before - 1, 8)
        assert "待核" in text_of(app, "#queue-head")
