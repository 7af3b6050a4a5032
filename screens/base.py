"""What every screen shares: the area bar on top, the footer below, the acting session, errors."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.worker import Worker, get_current_worker

from xueji_tui.domain.errors import XuejiError, explain
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
            label = f" {key}{area.title}" if compact else f" {key} {area.title} "  # 80 columns: 7 areas and the clerk
            line.append(label, "bold reverse" if key == current else "bold")
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

    # -- where the keyboard goes --------------------------------------------------------------
    def home(self) -> Widget | None:
        """The screen's main list: focused on entry, by the area key, and by Esc from a text box."""
        return None

    def go_home(self) -> None:
        widget = self.home()
        if widget is not None and widget.focusable:
            self.set_focus(widget)  # now, not later: the next key must already go there

    def leave_field(self, field) -> None:
        """Esc in a text box of this screen (a second Esc then goes back)."""
        self.go_home()

    def field_entered(self, field) -> None:
        """Enter in a text box of this screen."""
        field.post_message(field.Submitted(field, field.value))

    def fail(self, error: XuejiError, title: str | None = None) -> None:
        self.app.show_error(error, title)

    # -- background work: the one way a screen runs something slow --------------------------
    def run_job(self, job: Callable[[], object], done: Callable[[object], None], *, group: str,
                failed: Callable[[XuejiError], None] | None = None) -> Worker:
        """Run ``job`` in a thread; ``done(result)`` runs on the UI thread when it succeeds.

        Whatever goes wrong — a refusal, a file that cannot be written, a defect — reaches
        ``failed(error)`` (default: the error toast) as the message the CLI would print, so that a
        screen always leaves its busy state and the clerk always learns what happened.
        """
        def work() -> None:
            worker = get_current_worker()
            try:
                result = job()
            except Exception as e:  # noqa: BLE001 - every failure must reach the clerk
                error = explain(e)
                if not worker.is_cancelled:
                    self.app.call_from_thread(failed or self.fail, error)
                return
            if not worker.is_cancelled:
                self.app.call_from_thread(done, result)

        return self.run_worker(work, thread=True, exclusive=True, group=group, exit_on_error=False)

    def from_job(self, show: Callable[..., None]) -> Callable[..., None]:
        """``show`` made callable from inside a job (progress reports): runs on the UI thread, and
        not at all once the job was cancelled."""
        def report(*args) -> None:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(show, *args)

        return report
