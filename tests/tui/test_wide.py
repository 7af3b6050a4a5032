"""Chinese characters through Textual's compositor (screens/wide.py): an overlay over widget edges keeps
its characters whole, and a partial repaint never writes half a character. The terminal is emulated
cell by cell, the way xterm and tmux treat a wide character that is half overwritten (both cells
blank)."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.widgets import Static

from xueji_tui.screens import wide

CONT = "\0"  # the right half of a wide character
OVERLAY = "请先更正这些学生的数据，再导出：阿卜杜热合曼江·麦麦提吐尔荪"


class Grid:
    """A terminal screen: cursor moves and text, wide characters taking two cells."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.cells = [[" "] * width for _ in range(height)]

    def _clear_at(self, y: int, x: int) -> None:
        row = self.cells[y]
        if row[x] == CONT and x > 0:
            row[x - 1] = " "
        if x + 1 < self.width and row[x + 1] == CONT:
            row[x + 1] = " "
        row[x] = " "

    def write(self, data: str) -> None:
        x = y = 0
        for token in re.split(r"(\x1b\[[0-9;?]*[A-Za-z])", data):
            if not token:
                continue
            move = re.fullmatch(r"\x1b\[(\d+);(\d+)H", token)
            if move:
                y, x = int(move.group(1)) - 1, int(move.group(2)) - 1
                continue
            if token.startswith("\x1b"):
                continue
            for ch in token:
                if ch == "\n":
                    x, y = 0, y + 1
                    continue
                w = cell_len(ch)
                for dx in range(w):
                    if x + dx < self.width:
                        self._clear_at(y, x + dx)
                if x < self.width:
                    self.cells[y][x] = ch
                if w == 2 and x + 1 < self.width:
                    self.cells[y][x + 1] = CONT
                x += w

    def lines(self) -> list[str]:
        return ["".join(c for c in row if c != CONT).rstrip() for row in self.cells]


class Overlaid(App):
    """Three widgets side by side (edges at odd columns under the overlay) and an overlay on top."""

    CSS = """
    Screen { layers: base top; }
    Horizontal { height: 3; }
    #a { width: 7; } #b { width: 9; } #c { width: 1fr; }
    #over { layer: top; offset: 4 1; width: 40; height: 1; background: red; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("学号学号学号学号\n" * 3, id="a")
            yield Static("姓名姓名姓名姓名\n" * 3, id="b")
            yield Static("学籍状态学籍状态学籍状态学籍状态学籍状态学籍状态\n" * 3, id="c")
        yield Static(OVERLAY, id="over")


def _console() -> Console:
    return Console(width=80, height=24, file=open("/dev/null", "w"), force_terminal=True, color_system=None,
                   legacy_windows=False)


async def test_an_overlay_keeps_its_characters_over_widget_edges():
    wide.apply()
    app = Overlaid()
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        compositor = app.screen._compositor
        line = compositor.render_strips()[1].text
        assert OVERLAY[:18] in line, line  # cut at the overlay's width, every character whole
        grid = Grid(80, 6)
        grid.write(compositor.render_update(full=True).render_segments(_console()))
        assert OVERLAY[:18] in grid.lines()[1]


async def test_a_partial_repaint_never_writes_half_a_character():
    wide.apply()
    app = Overlaid()
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        compositor = app.screen._compositor
        grid = Grid(80, 6)
        grid.write(compositor.render_update(full=True).render_segments(_console()))
        before = grid.lines()
        # a changed region whose edges fall inside characters, under and beside the overlay
        for region in (Region(5, 0, 10, 3), Region(3, 1, 14, 1), Region(20, 1, 7, 2)):
            compositor._dirty_regions.add(region)
            update = compositor.render_partial_update()
            grid.write(update.render_segments(_console()))
            assert grid.lines() == before, region
