"""A question before something that cannot be taken back: quitting, an irreversible status change,
overwriting a file. ``y`` confirms; ``n`` or Esc returns to where the clerk was, nothing done."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from xueji_tui.screens.wrap import Wrapped


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "确认"),
        Binding("n,escape", "answer(False)", "取消"),
    ]
    DEFAULT_CSS = """
    ConfirmModal { align: center middle; }
    ConfirmModal > Vertical { width: 64; max-width: 100%; height: auto; max-height: 100%;
                              border: round $warning; background: $surface; padding: 0 1; }
    ConfirmModal .confirm-title { text-style: bold; color: $warning; }
    ConfirmModal .confirm-keys { color: $text-muted; }
    """

    def __init__(self, title: str, lines: list[str], *, yes: str = "确认", extra_yes: str = "") -> None:
        super().__init__()
        self.title_text, self.lines, self.yes = title, lines, yes
        if extra_yes:  # 'q' again confirms quitting
            self._bindings.bind(extra_yes, "answer(True)", yes, show=False)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Wrapped(self.title_text), classes="confirm-title", id="confirm-title")
            yield Static(Wrapped(Text("\n".join(self.lines))), id="confirm-body")
            yield Static(f"y {self.yes} · n 或 Esc 取消", classes="confirm-keys", id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
