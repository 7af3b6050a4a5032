"""ctrl+p: every action of the current screen and of the app, and a student lookup."""

from __future__ import annotations

from functools import partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from xueji_tui.domain.errors import NotAllowed, XuejiError
from xueji_tui.domain.idcard import mask
from xueji_tui.domain.record import ROW
from xueji_tui.screens.areas import AREAS


def declared(cls) -> set[tuple[str, str]]:
    """(action, description) of the bindings xueji's own classes declare (not Textual's defaults)."""
    out = set()
    for c in cls.__mro__:
        if c.__module__.startswith("xueji_tui"):
            for b in c.__dict__.get("BINDINGS", []):
                if not isinstance(b, tuple):
                    out.add((b.action, b.description))
    return out


def our_bindings(screen) -> list[tuple[str, str, str, object]]:
    """(description, key display, action, node) of the xueji bindings active on ``screen``.

    Only our own widgets' bindings: they carry Chinese descriptions; Textual's editing keys do not.
    """
    app = screen.app
    out: dict[tuple[int, str], list] = {}
    for key, active in screen.active_bindings.items():
        b = active.binding
        if not b.description or (b.action, b.description) not in declared(type(active.node)):
            continue
        if not active.enabled:
            continue
        slot = out.setdefault((id(active.node), b.action), [b.description, [], b.action, active.node])
        slot[1].append(app.get_key_display(b))
    return [(d, "/".join(dict.fromkeys(keys)), a, n) for d, keys, a, n in out.values()]


class Palette(CommandPalette):
    """Textual's palette with Chinese words."""

    PLACEHOLDER = "输入命令，或学号、考生号、姓名、拼音首字母"
    NO_MATCHES = "没有符合的命令或学生"

    def __init__(self) -> None:
        super().__init__(id="--command-palette", placeholder=self.PLACEHOLDER)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own says "No matches found"; same timing, our words
        self._stop_no_matches_countdown()

        def show() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(self.NO_MATCHES, style="not bold")), disabled=True,
                           id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)


class ActionsProvider(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        app = self.app
        out = []
        listed = set()
        for desc, keys, action, node in our_bindings(self.screen):
            if action.startswith("area(") or action == "command_palette":
                continue
            listed.add(action)
            out.append((f"{desc}（{keys}）", f"按 {keys}", partial(app.run_action, action, node)))
        # the app's own keys (帮助, 筛选, 返回/退出) are off while the palette has the keyboard: listed
        # from the app's bindings, they run once it has closed
        for b in app.BINDINGS:
            if b.action in app.NAVIGATION and b.action not in listed and b.description:
                keys = app.get_key_display(b)
                out.append((f"{b.description}（{keys}）", f"按 {keys}", partial(app.run_action, b.action, app)))
        for key, area in AREAS.items():
            out.append((f"转到 {key} {area.title}", f"按 {key}", partial(app.switch_area, key)))
        return out

    async def discover(self) -> Hits:
        for text, help_, run in self._commands():
            yield DiscoveryHit(text, run, help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_, run in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), run, text=text, help=help_)


class StudentProvider(Provider):
    """A 学号, 考生号, 身份证号, name or pinyin initials -> open that student."""

    async def search(self, query: str) -> Hits:
        q = query.strip()
        app = self.app
        if not q or not app.feed.loaded:
            return
        rows = app.feed.model.search(q, limit=20)
        exact = {r[ROW["KSH"]] for r in app.feed.model.exact_all(q)}
        for r in rows:
            ksh = r[ROW["KSH"]]
            text = (f"{r[ROW['XM']]}  学号 {r[ROW['XH']]}  {r[ROW['FY']]} {r[ROW['BH']]}  "
                    f"{r[ROW['status']]}  {mask(r[ROW['SFZH']] or '')}")
            yield Hit(1.0 if ksh in exact else 0.8, text, partial(app.open_student, ksh, replace=True),
                      text=text, help="打开学生")
        if not rows and q[:1].isdigit() and len(q) >= 6:
            from xueji_tui.services import find

            try:
                find.lookup(app.session, q)
            except NotAllowed as e:
                yield Hit(0.5, e.message, partial(app.show_error, e), text=e.message)
            except XuejiError:
                return
