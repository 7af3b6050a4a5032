"""The real ``xueji`` in a real terminal (tmux): start, find by 学号, record a 休学, see it in the
history and in a second clerk's terminal, quit. CI installs tmux (.ci/run)."""

from __future__ import annotations

from datetime import date

import pytest
from tmux_kit import TMUX, Terminal, command

from xueji_tui.domain.record import ROW
from xueji_tui.services.session import open_session

pytestmark = [pytest.mark.slow, pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)")]


def test_start_find_change_history_second_terminal_quit(data_dir, terminals):
    row = [r for r in open_session(data_dir, "office1").store.rows() if r[ROW["status"]] == "注册学籍"][0]
    xh, name = row[ROW["XH"]], row[ROW["XM"]]
    first = Terminal(terminals, "a", command(data_dir, "office1"))
    second = Terminal(terminals, "b", command(data_dir, "office2"))
    first.wait("显示 60 / 60")
    second.wait("显示 60 / 60")

    # the window: /, the 学号, Enter -> the student, status shown, 身份证号 masked
    second.keys("/")
    second.text(xh)
    second.keys("Enter")
    second.wait("注册学籍")
    first.keys("/")
    first.text(xh)
    first.keys("Enter")
    shown = first.wait(f"学号 {xh}")
    assert name in shown and row[ROW["SFZH"]] not in shown and "********" in shown

    # s -> 1101 因病休学 with its 批准日期 and 文号, saved with ctrl+s
    first.keys("s")
    first.wait("学籍异动")
    first.text("因病")
    first.wait("已选：1101")
    first.keys("Tab", "Tab")  # 生效日期 (today) -> 批准日期
    first.text(date.today().strftime("%Y%m%d"))
    first.keys("Tab")  # -> 文号
    first.text("吉师大教字〔2025〕3号")
    first.keys("C-s")
    first.wait("休学(病休)")

    # the history shows it
    first.keys("h")
    first.wait("1101 休学·因病休学")

    # the other clerk's terminal shows the change without restarting
    second.wait("休学(病休)", seconds=10)

    # back, back, quit
    first.keys("Escape", "Escape", "C-q")
    first.wait("XUEJI-EXITED-0")
    second.keys("C-q")
    second.wait("XUEJI-EXITED-0")
