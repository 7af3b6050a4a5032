"""?: the keys of the current screen, generated from its real bindings."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from xueji_tui.screens.palette import our_bindings

GROUPS = {"app": "全局", "screen": "本屏"}


def help_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(group, keys, what) for every xueji binding active on ``screen``, screen keys first."""
    rows = []
    for desc, keys, _action, node in our_bindings(screen):
        if node is screen.app:
            group = GROUPS["app"]
        elif node is screen:
            group = GROUPS["screen"]
        else:
            group = getattr(node, "HELP_GROUP", "") or GROUPS["screen"]
        rows.append((group, keys, desc))
    order = {g: i for i, g in enumerate(dict.fromkeys([*(r[0] for r in rows if r[0] != "全局"), "全局"]))}
    return sorted(rows, key=lambda r: order[r[0]])


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "关闭帮助"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 72; max-width: 100%; height: auto; max-height: 100%;
                            border: round $accent; background: $surface; padding: 0 1; }
    HelpScreen .help-title { text-style: bold; }
    HelpScreen VerticalScroll { height: auto; max-height: 100%; }
    """

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under
        self.rows = help_rows(under)

    def compose(self) -> ComposeResult:
        title = getattr(self.under, "HELP_TITLE", "") or "帮助"
        text = Text()
        group = None
        for g, keys, desc in self.rows:
            if g != group:
                text.append(("\n" if group is not None else "") + g + "\n", "bold")
                group = g
            text.append("  " + keys.ljust(14), "bold")
            text.append(f" {desc}\n")
        with Vertical():
            yield Static(f"{title} · 按键（按 Esc 或 ? 关闭）", classes="help-title", markup=False)
            with VerticalScroll():
                yield Static(text)

    def action_close(self) -> None:
        self.dismiss(None)
