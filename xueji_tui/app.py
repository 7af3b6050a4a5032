"""The xueji terminal app: areas, global keys, the refresh timer. Screens hold the handlers."""

from __future__ import annotations

import gc
import os
from datetime import date
from pathlib import Path
from typing import Callable

from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen

import xueji_tui.screens as screens_package
from xueji_tui.domain.errors import XuejiError
from xueji_tui.screens.areas import AREAS
from xueji_tui.screens.feed import RosterFeed
from xueji_tui.screens.palette import ActionsProvider, StudentProvider
from xueji_tui.services import roster as roster_service

POLL_SECONDS = 1.0


class XuejiApp(App[None]):
    CSS_PATH = str(Path(screens_package.__file__).parent / "xueji.tcss")
    TITLE = "xueji 学籍学历电子注册"
    COMMANDS = {ActionsProvider, StudentProvider}
    MODES = {key: area.make for key, area in AREAS.items()}  # each area's screen, made when first shown
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "退出", show=False, priority=True, id="app.quit"),
        Binding("ctrl+p", "command_palette", "命令", show=False, id="app.palette"),
        Binding("question_mark", "help", "帮助", id="app.help"),
        Binding("escape", "back", "返回", show=False, id="app.back"),
        *(Binding(k, f"area('{k}')", f"{a.title}", show=False, id=f"app.area{k}") for k, a in AREAS.items()),
    ]

    generation: reactive[int] = reactive(0, init=False)

    def __init__(self, session, *, today: Callable[[], date] = date.today, poll: bool = True) -> None:
        super().__init__()
        self.session = session
        self.today = today  # the forms' default dates; tests pin it
        self.school = roster_service.school_name(session)
        self.feed = RosterFeed(session)
        self._poll = poll

    # -- start and areas -------------------------------------------------------------------
    def on_mount(self) -> None:
        self.title = self.school or self.TITLE
        self.switch_area("1")
        roster_service.poll(self.session)  # the baseline: commits after this are noticed
        self.run_worker(self._load_rows, thread=True, name="load-rows", exit_on_error=False)
        if self._poll:
            self.set_interval(POLL_SECONDS, self.poll_store)

    def _load_rows(self) -> None:
        model = self.feed.build()
        self.call_from_thread(self._rows_loaded, model)

    def _rows_loaded(self, model) -> None:
        self.feed.install(model)
        # 100,000 rows are millions of long-lived objects: keep the cyclic GC from walking them
        # again and again while the clerk types (a full pass costs tens of milliseconds)
        gc.freeze()
        self.generation += 1

    def switch_area(self, key: str) -> None:
        self.switch_mode(key)

    def action_area(self, key: str) -> None:
        if self.current_mode != key:
            self.switch_area(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("area", "help") and isinstance(self.screen, ModalScreen):
            return False  # a form is open: keys are for the form
        return True

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        from xueji_tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    # -- students --------------------------------------------------------------------------
    def open_student(self, ksh: str, walk=None, field: str | None = None) -> None:
        from xueji_tui.screens.student import StudentScreen

        self.push_screen(StudentScreen(ksh, walk=walk, field=field))

    # -- the store changing under us -------------------------------------------------------
    def poll_store(self) -> None:
        if roster_service.poll(self.session):
            self.data_saved()

    def data_saved(self) -> None:
        """Rows changed (our save or another clerk's): re-read them and tell every screen."""
        if self.feed.refresh():
            gc.freeze()
        self.generation += 1

    def _handle_exception(self, error: Exception) -> None:
        # a clerk never sees a traceback (tests run headless and XUEJI_DEBUG=1 keep Textual's)
        if self.is_headless or os.environ.get("XUEJI_DEBUG"):
            super()._handle_exception(error)
            return
        what = error.message if isinstance(error, XuejiError) else f"{type(error).__name__}: {error}"
        self.exit(return_code=1, message=f"xueji 内部错误，已退出：{what}。已保存的内容不受影响；"
                                         f"设置 XUEJI_DEBUG=1 可查看详细信息。")

    def show_error(self, error: XuejiError) -> None:
        self.notify(error.message, title="未保存" if error.exit_code != 1 else "", severity="error", timeout=8,
                    markup=False)


def run_app(session) -> None:
    """``xueji`` and ``xueji demo`` open the UI here."""
    app = XuejiApp(session)
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)
