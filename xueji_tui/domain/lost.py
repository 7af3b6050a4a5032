"""Characters lost in a conversion: ``?`` or U+FFFD where a name or a text once had a character.

A GBK CSV saved from a GB18030 name turns a rare character into ``?`` (王?); a decoder that gave up
leaves U+FFFD, and imports replace control characters with it. Neither is what the student's
documents say, so such a value is an error (precheck rule ``lost-character``) and never reaches an
upload file until a clerk restores the character from the source documents.
"""

from __future__ import annotations

LOST = "\ufffd"
NAME_FIELDS = frozenset({"XM", "XZXM", "XZM"})  # a name never holds a '?'


def is_lost(field: str, value) -> bool:
    """Whether ``value`` of ``field`` shows a character lost in a conversion.

    U+FFFD always; ``?`` always in a name, elsewhere only beside a Chinese character (汉语?文学), so
    that a note asking "why?" in Latin text is not taken for damage.
    """
    if not isinstance(value, str) or ("?" not in value and LOST not in value):
        return False
    if LOST in value or field in NAME_FIELDS:
        return True
    n = len(value)
    for i, ch in enumerate(value):
        if ch == "?" and ((i > 0 and not value[i - 1].isascii()) or (i + 1 < n and not value[i + 1].isascii())):
            return True
    return False


def message(label: str, value: str) -> str:
    return (f"{label}“{value}”中有“?”或“\ufffd”：原来的字在转换中丢失了（常见于另存为 GBK 的表格中的生僻字），"
            f"请按学生档案或身份证恢复原字后再上报")
