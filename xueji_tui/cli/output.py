"""Small helpers for what commands print: data to stdout, messages to stderr."""

from __future__ import annotations

import sys

import click
import orjson


def echo_json(obj) -> None:
    """JSON escapes C0 controls itself; C1 controls and the invisible direction marks it leaves raw,
    and a terminal may obey them: they are written as \\uXXXX too (the same JSON, safe to print)."""
    from xueji_tui.domain.text import CONTROL_RE

    text = orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode("utf-8")
    # the indentation's own newlines are C0 and stay; inside strings orjson already wrote C0 as \\uXXXX
    text = CONTROL_RE.sub(lambda m: m.group() if m.group() < " " else f"\\u{ord(m.group()):04x}", text)
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    sys.stdout.flush()


def echo(message) -> None:
    """Data to stdout; what it quotes (a name, a note, an audit line) cannot drive the terminal."""
    from xueji_tui.domain.text import shown

    text = str(message)
    if not text.replace("\n", "").isprintable():  # the rare text with a control character: line by line
        text = "\n".join(shown(line) for line in text.split("\n"))
    click.echo(text)


def echo_rows(rows) -> None:
    """Tab-separated lines to stdout, one per row; a tab, newline or other control character inside
    a value is written out (``\\x09``), so it can neither split a row nor drive the terminal."""
    from xueji_tui.domain.text import shown

    rows = list(rows)
    try:
        text = "\n".join(map("\t".join, rows))
    except TypeError:  # a value that is not text
        rows = [[str(v) for v in r] for r in rows]
        text = "\n".join(map("\t".join, rows))
    if not text.replace("\t", "").replace("\n", "").isprintable():
        text = "\n".join("\t".join(shown(v) for v in r) for r in rows)
    click.echo(text)


def note(message: str) -> None:
    """A message to stderr; what it quotes (a value, a file name) cannot drive the terminal."""
    from xueji_tui.domain.text import shown

    click.echo("\n".join(shown(line) for line in str(message).split("\n")), err=True)


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain text table aligned by display width (a CJK character takes two columns)."""
    from unicodedata import east_asian_width

    def width(s: str) -> int:
        return sum(2 if east_asian_width(c) in "WF" else 1 for c in s)

    from xueji_tui.domain.text import shown

    cells = [headers] + [[shown(c) for c in r] for r in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for r in cells:
        lines.append("  ".join(c + " " * (w - width(c)) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines)
