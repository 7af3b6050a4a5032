"""Text fields whose Enter, Esc and Tab act in order with the keys typed before them.

Textual hands a key to the focused widget's queue and runs most bindings only when the key comes
back up to the app, so keys sent fast (a paste, a script, a quick typist) after Enter could land in
the field that was just left, and a character typed just before Enter could be missing when the
form moved on. The app hands these keys to the field itself, after everything queued before them,
and takes the next key only when the field has acted (XuejiApp.on_event).
"""

from __future__ import annotations

from textual.widgets import Input


class TextField(Input):
    """A text box in an area (the roster filter, the 文件 paths): Enter does the screen's action for
    it, Esc leaves it for the area's main list."""

    IN_ORDER = frozenset({"enter", "escape"})

    def key_in_order(self, key: str) -> None:
        screen = self.screen
        if key == "escape":
            screen.leave_field(self)
        else:
            screen.field_entered(self)


class FormField(Input):
    """A text box in a form: Enter and Tab go to the next field (Enter on the last one saves), shift+Tab
    back. Esc is the form's: it cancels."""

    IN_ORDER = frozenset({"enter", "tab", "shift+tab"})

    def key_in_order(self, key: str) -> None:
        form = self.screen
        if key == "enter":
            form.field_entered(self)
        elif key == "tab":
            form.focus_next()
        else:
            form.focus_previous()
