"""What every screen shares: the area bar on top, the footer below, the acting session, errors."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from xueji_tui.domain.errors import XuejiError
from xueji_tui.screens.areas import AREAS


class AreaBar(Widget):
    """One line: the areas (the current one highlighted), the clerk and scope, the school."""

    DEFAULT_CSS = """
    AreaBar { height: 1; background: $panel; color: $text; }
    """

    def render(self) -> Text:
        app = self.app
        session = app.session
        current = getattr(app, "current_mode", "")
        school = getattr(app, "school", "")
        compact = self.size.width < 100  # 80 columns: '1名册' and the school in place of 'xueji'
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f" {school or 'xueji'} " if compact else " xueji ", "bold reverse")
        for key, area in AREAS.items():
            label = f" {key}{area.title} " if compact else f" {key} {area.title} "
            if key == current:
                line.append(label, "bold reverse")
            elif area.available():
                line.append(label, "bold")
            else:
                line.append(label, "dim")
        room = self.size.width - line.cell_len
        tail = session.clerk.title
        extras = ("" if session.clerk.college else " · 全校", "" if compact else f"  {school}")
        for extra in extras:
            if extra.strip() and Text(tail + extra).cell_len + 2 <= room:
                tail += extra
        line.append(" " * max(1, room - Text(tail).cell_len - 1))
        line.append(tail + " ")
        return line


class XuejiScreen(Screen):
    """A screen with the area bar and the footer; subclasses yield their body."""

    HELP_TITLE = ""  # how help names this screen
    BINDINGS = [
        Binding("tab", "app.focus_next", "下一项", show=False),
        Binding("shift+tab", "app.focus_previous", "上一项", show=False),
    ]

    @property
    def session(self):
        return self.app.session

    def compose(self) -> ComposeResult:
        yield AreaBar()
        yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        yield from ()

    _stale = False

    def on_mount(self) -> None:
        self.watch(self.app, "generation", self._data_changed, init=False)

    def _data_changed(self, _generation: int) -> None:
        if self.is_current:
            self.data_changed()
        else:  # under another screen or in another area: catch up when shown again
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.data_changed()

    def data_changed(self) -> None:
        """The store changed (another clerk, or this one): show the new state."""

    def fail(self, error: XuejiError) -> None:
        self.app.show_error(error)
