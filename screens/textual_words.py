"""Textual's own key descriptions that reach the footer, in Chinese: every word a clerk sees is.

Textual merges a widget's BINDINGS into its class when the class is made, so a description is
changed by giving the class new bindings and merging them again. Only what the footer can show is
here (the others are declared ``show=False``); ``tests/tui/test_words.py`` opens a list and looks.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets._select import SelectOverlay  # the open list of a Select (its Esc is in the footer)


def install() -> None:
    SelectOverlay.BINDINGS = [Binding("escape", "dismiss", "关闭列表")]
    SelectOverlay._merged_bindings = SelectOverlay._merge_bindings()
