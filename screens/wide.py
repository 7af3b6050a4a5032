"""Wide characters through Textual's compositor, never cut in half.

Textual (8.2.8) paints a line as "chops" between the edges of every widget on it, and a partial update
writes each chop cropped to the changed span. Where an edge of a widget *underneath* a toast, a select
list or a form falls in the middle of a Chinese character of the widget on top, the character is
divided there and both halves become spaces ("请先更正  些学生的"); where a changed span ends in the
middle of a character (a select list closing over a Chinese label), half of the old character stays
on the terminal. Upstream: Textualize/textual#6357 (open).

The repair, applied once when the app is imported:
- a partial update repaints whole lines (the changed lines, full width), so that every widget on
  them is rendered and no update starts or stops inside a character;
- a chop boundary that would divide a wide character of the widget that shows on both sides of it is
  not used: the left chop keeps the whole character, the right one becomes empty.
"""

from __future__ import annotations

from typing import cast

from rich.cells import cell_len
from textual import _compositor
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

_EMPTY = Strip([], 0)


def _inner_cells(strip: Strip) -> set[int]:
    """Cell positions of ``strip`` that are the right half of a wide character."""
    inner: set[int] = set()
    x = 0
    for segment in strip:
        text = segment.text
        if text.isascii():
            x += len(text)
            continue
        for ch in text:
            w = cell_len(ch)
            if w == 2:
                inner.add(x + 1)
            x += w
    return inner


def _render_chops(self: Compositor, crop: Region, is_rendered_line) -> list[dict[int, Strip | None]]:
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    # cuts inside the crop are safe to merge: every widget covering them was rendered
    trusted_left, trusted_right = crop.x, crop.right
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            # only a strip that spans another widget's edge can be divided inside a character
            inner = _inner_cells(strip) if len(final_cuts) > 2 and not strip.text.isascii() else ()
            skip: set[int] = set()
            if inner:
                for i in range(1, len(final_cuts) - 1):
                    cut = final_cuts[i]
                    if (cut - render_x) in inner and trusted_left < cut < trusted_right \
                            and line.get(final_cuts[i - 1]) is None and line.get(cut) is None:
                        skip.add(cut)
            kept = [cut for cut in final_cuts if cut not in skip]
            pieces = strip.divide([cut - render_x for cut in kept[1:]])
            for cut, piece in zip(kept, pieces):
                if line.get(cut) is None:
                    line[cut] = piece
            for cut in skip:  # the character lives in the chop on the left; keep lower layers out
                line[cut] = _EMPTY
    return cast("list[dict[int, Strip | None]]", chops)


def _render_partial_update(self: Compositor) -> ChopsUpdate | None:
    screen_region = self.size.region
    width = screen_region.width
    update_regions = {Region(0, r.y, width, r.height) for r in self._dirty_regions}
    self._dirty_regions.clear()
    if not update_regions:
        return None
    crop = Region.from_union(update_regions).intersection(screen_region)
    spans = list(self._regions_to_spans(update_regions))
    is_rendered_line = {y for y, _, _ in spans}.__contains__
    chops = self._render_chops(crop, is_rendered_line)
    chop_ends = []
    for cut_set, line in zip(self.cuts, chops):
        ends = []
        for (x, strip), nominal in zip(line.items(), cut_set[1:]):
            ends.append(nominal if strip is None else x + strip.cell_length)
        chop_ends.append(ends)
    return ChopsUpdate(chops, spans, chop_ends)


def _stop(strip: Strip, stop: int) -> int:
    """``stop`` moved past the right half of a wide character it would otherwise cut."""
    if 0 < stop < strip.cell_length and stop in _inner_cells(strip):
        return stop + 1
    return stop


def _render_segments(self: ChopsUpdate, console) -> str:
    sequences: list[str] = []
    append = sequences.append
    move_to = _compositor.Control.move_to
    chops = self.chops
    chop_ends = self.chop_ends
    last_y = self.spans[-1][0]
    for y, x1, x2 in self.spans:
        line = chops[y]
        ends = chop_ends[y]
        for end, (x, strip) in zip(ends, line.items()):
            if strip is None or not strip.cell_length:
                continue
            if x > x2 or end <= x1:
                continue
            if x2 > x >= x1 and end <= x2:
                append(move_to(x, y).segment.text)
                append(strip.render(console))
                continue
            strip = strip.crop(0, _stop(strip, min(end, x2) - x))
            append(move_to(x, y).segment.text)
            append(strip.render(console))
        if y != last_y:
            append("\n")
    return "".join(sequences)


def apply() -> None:
    """Install the repair (idempotent)."""
    if getattr(Compositor, "_xueji_wide", False):
        return
    Compositor._render_chops = _render_chops
    Compositor.render_partial_update = _render_partial_update
    ChopsUpdate.render_segments = _render_segments
    Compositor._xueji_wide = True
