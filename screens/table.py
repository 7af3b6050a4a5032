"""A virtual table on Textual's Line API: only the visible rows are ever rendered.

The source is anything with ``len()`` and ``row(pos)``; columns say how to show a row. Column widths
come from the caller (computed from display widths of a sample and of the distinct values), never
from measuring every row. The first ``fixed`` columns stay put when the table scrolls sideways.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from xueji_tui.domain.text import shown


class Source(Protocol):
    def __len__(self) -> int: ...

    def row(self, pos: int) -> list: ...


@dataclass(frozen=True)
class Column:
    title: str
    field: str  # the ROW field it shows (also its sort key)
    width: int
    text: Callable[[list], str]
    right: bool = False
    cell_style: Callable[[list], str] | None = None  # a row -> component class for this cell, or ''


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` padded or cut to exactly ``width`` cells (CJK characters are two cells wide); a
    control character in a value is written out as text, never sent to the terminal."""
    text = shown(text)
    n = cell_len(text)
    if n > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    pad = " " * (width - n)
    return pad + text if right else text + pad


def column_width(title: str, values, cap: int, floor: int = 2) -> int:
    """Display width for a column: its title and the widest of ``values``, at most ``cap``."""
    widest = max((cell_len(str(v)) for v in values), default=0)
    return max(floor, min(cap, max(cell_len(title), widest)))


class Empty:
    def __len__(self) -> int:
        return 0

    def row(self, pos: int) -> list:
        raise IndexError(pos)


class Rows:
    """A plain list as a table source."""

    def __init__(self, rows: list) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, pos: int) -> list:
        return self.rows[pos]


class _RowMessage(Message):
    """A table's row position, posted by the table (``control`` for ``@on`` selectors)."""

    def __init__(self, table: "VirtualTable", pos: int) -> None:
        super().__init__()
        self.table = table
        self.pos = pos

    @property
    def control(self) -> "VirtualTable":
        return self.table


class VirtualTable(ScrollView, can_focus=True):
    """Rows of a source, a row cursor and a column cursor, keyboard first."""

    COMPONENT_CLASSES = {
        "vtable--header", "vtable--header-current", "vtable--cursor", "vtable--problem",
        "vtable--ended", "vtable--cursor-blur", "vtable--ok", "vtable--wrong", "vtable--todo",
    }
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; overflow-x: hidden; scrollbar-size-vertical: 1; }
    VirtualTable > .vtable--header { text-style: bold; background: $panel; }
    VirtualTable > .vtable--header-current { text-style: bold reverse; }
    VirtualTable > .vtable--cursor { background: $accent; color: $text; text-style: bold; }
    VirtualTable > .vtable--cursor-blur { background: $accent 40%; }
    VirtualTable > .vtable--problem { color: $error; text-style: bold; }
    VirtualTable > .vtable--ended { color: $text-muted; }
    VirtualTable > .vtable--ok { color: $success; }
    VirtualTable > .vtable--wrong { color: $error; text-style: bold; }
    VirtualTable > .vtable--todo { color: $warning; }
    """
    BINDINGS = [
        Binding("down,j", "cursor(1)", "下移", show=False),
        Binding("up,k", "cursor(-1)", "上移", show=False),
        Binding("pagedown", "page(1)", "下一页", show=False),
        Binding("pageup", "page(-1)", "上一页", show=False),
        Binding("home,g", "to_end(0)", "第一行", show=False),
        Binding("end,G", "to_end(1)", "最后一行", show=False),
        Binding("left,h", "column(-1)", "左一列", show=False),
        Binding("right,l", "column(1)", "右一列", show=False),
        Binding("enter", "select", "打开", show=True),
    ]

    class Selected(_RowMessage):
        """Enter on a row."""

    class Moved(_RowMessage):
        """The cursor moved to another row."""

    def __init__(self, columns: list[Column], source: Source | None = None, *, fixed: int = 1,
                 style_of: Callable[[list], str] | None = None, marker: Callable[[int], str] | None = None,
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = columns
        self.source: Source = source if source is not None else Empty()
        self.fixed = fixed
        self.style_of = style_of  # a row -> component class ('' for none): problems, ended ...
        self.marker = marker  # the sorted column -> '↑' / '↓' / ''
        self.hscroll = 0
        self.cursor_row = 0
        self.cursor_col = 0
        self.render_seconds = 0.0  # render work, for the benchmark

    # -- data ------------------------------------------------------------------------------
    def set_source(self, source: Source, keep: int | None = None) -> None:
        """Show ``source``; the cursor goes to ``keep`` (a position) or stays within bounds."""
        self.source = source
        self._sync_size()
        n = len(source)
        pos = self.cursor_row if keep is None else keep
        self.cursor_row = max(0, min(pos, n - 1))
        self._follow()
        self.refresh()

    def set_columns(self, columns: list[Column]) -> None:
        self.columns = columns
        self.hscroll = 0
        self.refresh()

    def _sync_size(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.source) + 1)

    def on_resize(self) -> None:
        self._sync_size()
        self._follow()

    @property
    def page(self) -> int:
        return max(1, self.size.height - 1)

    # -- moving ----------------------------------------------------------------------------
    def move_to(self, pos: int) -> None:
        n = len(self.source)
        if not n:
            return
        pos = max(0, min(pos, n - 1))
        old = self.cursor_row
        self.cursor_row = pos
        if not self._follow():
            self.refresh_line(old + 1)
            self.refresh_line(pos + 1)
        self.post_message(self.Moved(self, pos))

    def _follow(self) -> bool:
        """Scroll so the cursor row is visible; True when the view scrolled."""
        top = round(self.scroll_y)
        pos = self.cursor_row
        if pos < top:
            new = pos
        elif pos > top + self.page - 1:
            new = pos - self.page + 1
        else:
            return False
        self.scroll_to(y=new, animate=False, force=True)
        return True

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self.move_to(self.cursor_row + step * self.page)

    def action_to_end(self, last: int) -> None:
        self.move_to(len(self.source) - 1 if last else 0)

    def action_column(self, step: int) -> None:
        self.cursor_col = max(0, min(len(self.columns) - 1, self.cursor_col + step))
        self._follow_column()
        self.refresh()

    def _follow_column(self) -> None:
        fixed_w = sum(c.width + 1 for c in self.columns[: self.fixed])
        if self.cursor_col < self.fixed:
            return
        start = sum(c.width + 1 for c in self.columns[self.fixed: self.cursor_col])
        end = start + self.columns[self.cursor_col].width + 1
        room = max(1, self.size.width - fixed_w - 1)
        if start < self.hscroll:
            self.hscroll = start
        elif end > self.hscroll + room:
            self.hscroll = end - room

    def action_select(self) -> None:
        if len(self.source):
            self.post_message(self.Selected(self, self.cursor_row))

    def on_click(self, event) -> None:
        pos = round(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= pos < len(self.source):
            self.move_to(pos)
            if event.chain >= 2:
                self.action_select()

    @property
    def current_field(self) -> str:
        return self.columns[self.cursor_col].field if self.columns else ""

    # -- rendering -------------------------------------------------------------------------
    def _line(self, cells: list[tuple[str, Style]], width: int, base: Style) -> Strip:
        fixed = cells[: self.fixed]
        rest = cells[self.fixed:]
        head = [Segment(t + " ", s) for t, s in fixed]
        fixed_w = sum(cell_len(t) + 1 for t, _ in fixed)
        tail = Strip([Segment(t + " ", s) for t, s in rest])
        tail = tail.crop_extend(self.hscroll, self.hscroll + max(0, width - fixed_w), base)
        return Strip(head + list(tail), None).crop_extend(0, width, base)

    def render_line(self, y: int) -> Strip:
        from time import perf_counter

        t0 = perf_counter()
        width = self.size.width
        base = self.rich_style
        if y == 0:
            head = self.get_component_rich_style("vtable--header")
            cur = self.get_component_rich_style("vtable--header-current")
            cells = []
            for i, c in enumerate(self.columns):
                title = c.title + (self.marker(i) if self.marker else "")
                cells.append((fit(title, c.width, c.right), cur if i == self.cursor_col and self.has_focus else head))
            strip = self._line(cells, width, head)
        else:
            pos = round(self.scroll_y) + y - 1
            if pos >= len(self.source):
                strip = Strip.blank(width, base)
            else:
                row = self.source.row(pos)
                style = base
                if self.style_of is not None and (extra := self.style_of(row)):
                    style = base + self.get_component_rich_style(extra, partial=True)
                if pos == self.cursor_row:
                    style = base + self.get_component_rich_style(
                        "vtable--cursor" if self.has_focus else "vtable--cursor-blur")
                cells = []
                for c in self.columns:
                    cs = style
                    if c.cell_style is not None and (extra := c.cell_style(row)):
                        cs = style + self.get_component_rich_style(extra, partial=True)
                    cells.append((fit(c.text(row), c.width, c.right), cs))
                strip = self._line(cells, width, style if pos == self.cursor_row else base)
        self.render_seconds += perf_counter() - t0
        return strip

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
