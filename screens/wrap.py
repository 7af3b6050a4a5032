"""Chinese line breaking for messages and toasts: a line never starts with a closing mark (，。、）…)
and never ends with an opening one (（《“…), and a number or a Latin word is not split.

Textual wraps at spaces and breaks CJK text anywhere, so a toast or a message pane could start a line
with "，". Messages are wrapped here (kinsoku shori: the character before a closing mark moves down
with it), and the result is handed to Textual as lines that already fit.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

NO_START = set("，。、；：？！）》」』】〕〗〉”’…·%％,.;:?!)]}>")  # never first on a line
NO_END = set("（《「『【〔〖〈“‘([{<")  # never last on a line


def _units(line: str) -> list[str]:
    """The pieces a line may break between: one wide character, a run of spaces, or a run of
    narrow characters (a number, a Latin word, a path: never split unless wider than a line)."""
    out: list[list[str]] = []
    for ch in line:
        kind = "space" if ch == " " else ("narrow" if cell_len(ch) == 1 else "wide")
        if out and kind != "wide" and out[-1][0] == kind:
            out[-1][1] += ch
        else:
            out.append([kind, ch])
    return [u for _, u in out]


def _split_at(unit: str, room: int) -> tuple[str, str]:
    """A narrow run cut after ``room`` cells (a long path or number has no better place)."""
    return unit[:room], unit[room:]


def break_line(line: str, width: int) -> list[str]:
    """One paragraph broken into lines of at most ``width`` cells."""
    width = max(2, width)
    if cell_len(line) <= width:
        return [line]
    lines: list[list[str]] = [[]]
    used = 0
    units = _units(line)
    while units:
        u = units.pop(0)
        w = cell_len(u)
        cur = lines[-1]
        if w > width and u.strip():  # a path or number longer than a line: it starts where it is
            room = width - used
            if room < 4:
                lines.append([])
                used, room = 0, width
            head, rest = _split_at(u, room)
            lines[-1].append(head)
            used += cell_len(head)
            if rest:
                units.insert(0, rest)
            continue
        if used + w <= width or not cur:
            if cur or u.strip() or len(lines) == 1:  # spaces at the start of a wrapped line vanish
                cur.append(u)
                used += w
            continue
        if not u.strip():  # a break at spaces: the spaces vanish
            lines.append([])
            used = 0
            continue
        nxt = [u]
        # kinsoku: carry pieces down while the new line would start with a closing mark or the old
        # one would end with an opening mark, as long as something stays behind and it still fits
        while len(cur) > 1 and (nxt[0][:1] in NO_START or cur[-1][-1:] in NO_END) \
                and cell_len(cur[-1]) + sum(cell_len(x) for x in nxt) <= width:
            nxt.insert(0, cur.pop())
        while len(cur) > 1 and not cur[-1].strip():
            cur.pop()
        lines.append(nxt)
        used = sum(cell_len(x) for x in nxt)
    return ["".join(x).rstrip() if i < len(lines) - 1 else "".join(x) for i, x in enumerate(lines)]


def break_text(text: str, width: int) -> str:
    """``text`` with line breaks so that every line fits ``width`` cells (existing breaks kept)."""
    return "\n".join(out for para in text.split("\n") for out in break_line(para, width))


def break_rich(text: Text, width: int) -> list[Text]:
    """A styled Text broken the same way, styles kept."""
    out: list[Text] = []
    for para in text.split("\n", allow_blank=True):
        plain = para.plain
        offsets, pos = [], 0
        for piece in break_line(plain, width):
            start = plain.find(piece, pos) if piece else pos
            start = pos if start < 0 else start
            offsets.append((start, start + len(piece)))
            pos = start + len(piece)
        for a, b in offsets:
            out.append(para[a:b])
    return out


class Wrapped:
    """A message for a Static: Chinese line breaking at whatever width the widget has."""

    def __init__(self, text: Text | str, style: str = "") -> None:
        self.text = text if isinstance(text, Text) else Text(text, style=style)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = break_rich(self.text, options.max_width)
        joined = Text("\n").join(lines)
        joined.no_wrap = True
        joined.overflow = "crop"
        yield joined

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(x) for x in self.text.plain.split("\n")), default=0)
        return Measurement(min(4, widest), min(widest, options.max_width))

    @property
    def plain(self) -> str:
        return self.text.plain
