"""Text that is safe to keep and to show: control characters never reach a terminal or a file raw.

A value a clerk types with a control character in it (ESC, CR, BEL …) is refused; a value read from a
file keeps its place but each control character becomes U+FFFD, which the precheck reports as a lost
character; whatever reaches a terminal or a file is passed through ``shown`` first, so that an escape
sequence is printed as text (``\\x1b``), never obeyed.
"""

from __future__ import annotations

import re

from xueji_tui.domain.errors import InvalidInput

# C0 and C1 controls (tab and newline included: every value we keep is one line), DEL, and the
# invisible direction and zero-width marks that can hide or reorder text on screen
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
LOST = "\ufffd"


def has_control(text: str) -> bool:
    return isinstance(text, str) and CONTROL_RE.search(text) is not None


def refuse_control(text: str, what: str) -> str:
    """A typed value, or InvalidInput naming the field when it holds a control character."""
    if has_control(text):
        raise InvalidInput(f"{what}中含有控制字符（如 ESC、回车、制表符），不能保存；请删除后重新输入")
    return text


def one_line(value) -> str:
    """A cell's text as one line: the line breaks and tabs Excel lets a clerk type inside a cell
    (Alt+Enter) become spaces; any other control character stays, for the caller to refuse."""
    return " ".join(str(value or "").replace("\t", " ").split("\n")).replace("\r", " ").strip()


def typed(value, what: str) -> str:
    """A value a clerk typed, without surrounding spaces, refused when it holds a control character."""
    return refuse_control(str(value or "").strip(), what)


def replace_control(text: str) -> tuple[str, int]:
    """An imported value with each control character replaced by U+FFFD, and how many there were."""
    if not has_control(text):
        return text, 0
    out, n = CONTROL_RE.subn(LOST, text)
    return out, n


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def shown(text) -> str:
    """``text`` for a terminal or a report: control characters written out as ``\\xNN``."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if CONTROL_RE.search(text) is None:
        return text
    return CONTROL_RE.sub(_escape, text)
