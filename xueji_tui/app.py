"""The xueji terminal app: areas, global keys, the refresh timer. Screens hold the handlers."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import date
from pathlib import Path
from typing import Callable

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Select

import xueji_tui.screens as screens_package
from xueji_tui.bulk import freeze_long_lived
from xueji_tui.domain.errors import XuejiError
from xueji_tui.screens import textual_words, wide
from xueji_tui.screens.areas import AREAS
from xueji_tui.screens.feed import RosterFeed
from xueji_tui.screens.messages import error_title, toast_width
from xueji_tui.screens.palette import ActionsProvider, Palette, StudentProvider
from xueji_tui.screens.words import for_screen
from xueji_tui.screens.wrap import break_text
from xueji_tui.services import roster as roster_service

POLL_SECONDS = 1.0
IN_ORDER_SECONDS = 5.0  # how long a key waits for the field before it (a field that went away)
wide.apply()
textual_words.install()


class XuejiApp(App[None]):
    CSS_PATH = str(Path(screens_package.__file__).parent / "xueji.tcss")
    TITLE = "xueji 学籍学历电子注册"
    COMMANDS = {ActionsProvider, StudentProvider}
    MODES = {key: area.make for key, area in AREAS.items()}  # each area's screen, made when first shown
    DEFAULT_MODE = "1"  # start in the roster's area: no blank default screen is drawn first
    ENABLE_COMMAND_PALETTE = True
    # The navigation keys are priority bindings: they act the moment they arrive, so the keys typed
    # after them already go to the area, the filter or the form they opened. ``check_action`` hands
    # them to a text box while one is focused.
    BINDINGS = [
        Binding("ctrl+q", "quit", "退出", show=False, priority=True, id="app.quit"),
        Binding("ctrl+p", "command_palette", "命令", show=False, id="app.palette"),
        Binding("question_mark", "help", "帮助", priority=True, id="app.help"),
        Binding("slash", "filter", "筛选", priority=True, id="app.filter"),
        Binding("q", "back_or_quit", "返回/退出", show=False, priority=True, id="app.q"),
        Binding("escape", "back", "返回", show=False, id="app.back"),
        *(Binding(k, f"area('{k}')", f"{a.title}", show=False, priority=True, id=f"app.area{k}")
          for k, a in AREAS.items()),
    ]
    NAVIGATION = ("area", "help", "filter", "back_or_quit")

    generation: reactive[int] = reactive(0, init=False)

    def __init__(self, session, *, today: Callable[[], date] = date.today, poll: bool = True,
                 feed: RosterFeed | None = None) -> None:
        super().__init__()
        self.session = session
        self.today = today  # the forms' default dates; tests pin it
        self.school = roster_service.school_name(session)
        self.feed = feed or RosterFeed(session)  # ``open_tui`` starts reading the rows before Textual loads
        self._poll = poll

    # -- start and areas -------------------------------------------------------------------
    def on_load(self) -> None:
        if self.feed.ready():  # read while the app was starting: the first frame shows the rows
            self._rows_loaded(self.feed.build())

    def on_mount(self) -> None:
        self.title = self.school or self.TITLE
        roster_service.poll(self.session)  # the baseline: commits after this are noticed
        if not self.feed.loaded:
            self.run_worker(self._load_rows, thread=True, name="load-rows", exit_on_error=False)
        self.switch_area("1")
        if self._poll:
            self.set_interval(POLL_SECONDS, self.poll_store)

    def _load_rows(self) -> None:
        model = self.feed.build()
        self.call_from_thread(self._rows_loaded, model)

    def _rows_loaded(self, model) -> None:
        self.feed.install(model)
        freeze_long_lived()  # the rows: the collector need not walk them while the clerk types
        self.generation += 1

    def switch_area(self, key: str) -> None:
        """The area's main list: its first screen (not a student page left open there), focused."""
        if self.current_mode != key:
            self.switch_mode(key)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        if self.screen.is_mounted:
            self.screen.go_home()  # a new area focuses its list itself when mounted

    def action_area(self, key: str) -> None:
        self.switch_area(key)

    def typing(self) -> bool:
        """A text box (or a select's open list, which searches as one types) has the keys."""
        focused = self.focused
        # TextArea's module (8 ms to import at start) is loaded only by a screen that shows one
        text_area = sys.modules.get("textual.widgets._text_area")
        return isinstance(focused, Input) or (text_area is not None and isinstance(focused, text_area.TextArea)) or (
            isinstance(focused, OptionList) and isinstance(focused.parent, Select))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.NAVIGATION and (isinstance(self.screen, ModalScreen) or self.typing()):
            return False  # a form or a text box is open: the key is for it
        return True

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def action_back_or_quit(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
            return
        from xueji_tui.screens.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmModal("退出 xueji？", ["已保存的内容不受影响；再按 q 或 y 退出。"], yes="退出",
                                      extra_yes="q"), answered)

    def action_help_quit(self) -> None:
        self.notify("退出请按 ctrl+q（或在各区的首页按 q）；ctrl+c 不会退出", title="要退出吗？")

    def action_filter(self) -> None:
        """/ from anywhere: the roster's filter, ready to type."""
        self.switch_area("1")
        roster = self.screen
        if roster.is_mounted:
            roster.action_focus_filter()

    def action_help(self) -> None:
        from xueji_tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not Palette.is_open(self):
            self.push_screen(Palette())

    KEY_NAMES = {"esc": "Esc", "tab": "Tab", "shift+tab": "shift+Tab", "space": "空格", "⏎": "Enter",
                 "pgdn": "PgDn", "pgup": "PgUp", "home": "Home", "end": "End"}

    def get_key_display(self, binding: Binding) -> str:
        """Keys as printed on the keyboard (Esc, Enter, Tab), 空格 for the space bar."""
        shown = super().get_key_display(binding)
        return self.KEY_NAMES.get(shown, shown)

    # -- keys in order -----------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and await self._key_in_order(event):
            return
        await super().on_event(event)

    async def _key_in_order(self, event: events.Key) -> bool:
        """Enter, Esc or Tab in one of our text fields: the field acts on it after the keys queued
        before it, and the keys after it wait until it has (then go where it moved the focus)."""
        field = self.focused
        if event.key not in getattr(field, "IN_ORDER", ()):
            return False
        done = asyncio.Event()

        def act() -> None:
            try:
                field.key_in_order(event.key)
            finally:
                done.set()

        if not field.call_later(act):
            return False
        try:
            await asyncio.wait_for(done.wait(), IN_ORDER_SECONDS)
        except asyncio.TimeoutError:
            pass
        return True

    # -- students --------------------------------------------------------------------------
    def open_student(self, ksh: str, walk=None, field: str | None = None, *, replace: bool = False) -> None:
        """Push the student page; ``replace`` (the palette) first closes the student pages on top."""
        from xueji_tui.screens.history import HistoryScreen
        from xueji_tui.screens.student import StudentScreen

        if replace:
            while len(self.screen_stack) > 1 and isinstance(self.screen, (StudentScreen, HistoryScreen)):
                self.pop_screen()
        self.push_screen(StudentScreen(ksh, walk=walk, field=field))

    # -- the store changing under us -------------------------------------------------------
    def poll_store(self) -> None:
        if roster_service.poll(self.session):
            self.data_saved()

    def data_saved(self) -> None:
        """Rows changed (our save or another clerk's): re-read them and tell every screen."""
        if self.feed.refresh():
            freeze_long_lived()
        self.generation += 1

    def _handle_exception(self, error: Exception) -> None:
        # a clerk never sees a traceback (tests run headless and XUEJI_DEBUG=1 keep Textual's)
        if self.is_headless or os.environ.get("XUEJI_DEBUG"):
            super()._handle_exception(error)
            return
        what = error.message if isinstance(error, XuejiError) else f"{type(error).__name__}: {error}"
        self.exit(return_code=1, message=f"xueji 内部错误，已退出：{what}。已保存的内容不受影响；"
                                         f"设置 XUEJI_DEBUG=1 可查看详细信息。")

    def show_error(self, error: XuejiError, title: str | None = None) -> None:
        """A refusal or failure as a toast; ``title`` says what did not happen (default: by the kind of
        error — a lookup is never called "未保存")."""
        self.notify(error.message, title=error_title(error) if title is None else title, severity="error",
                    timeout=8)

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False, **kw) -> None:
        """Every toast in the clerk's words, broken into lines the Chinese way, never as markup."""
        width = toast_width(self.size.width)
        super().notify(break_text(for_screen(message), width), title=break_text(title, width),
                       severity=severity, timeout=timeout, markup=False, **kw)


def run_app(session, feed: RosterFeed | None = None) -> None:
    """``xueji`` and ``xueji demo`` open the UI here."""
    app = XuejiApp(session, feed=feed)
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)
