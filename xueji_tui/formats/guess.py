"""Which import kind a file's columns look like: a college workbook imported as students, or a
graduates list imported as freshmen, is said before the summary instead of columns silently ignored."""

from __future__ import annotations

from collections.abc import Callable

from xueji_tui.formats.profiles import IMPORT_KINDS, Profile, header_key


def hits(profile: Profile, columns: list[str]) -> int:
    """How many of the file's headings a profile claims (by name, as the readers match them)."""
    lookup = profile.lookup()
    codes = set(profile.codes)
    n = 0
    for h in columns:
        key = header_key(h)
        if key and (key in lookup or str(h).strip().split()[-1:] and str(h).strip().split()[-1].upper() in codes):
            n += 1
    return n


def likely_kind(columns: list[str], kind: str, load: Callable[[str], Profile]) -> tuple[str, int, int] | None:
    """(the kind the columns fit better, its hits, the chosen kind's hits), or None when ``kind`` fits
    at least as well as any other. ``load(kind)`` gives a kind's reading profile."""
    mine = hits(load(kind), columns)
    best, best_hits = None, mine
    for other in IMPORT_KINDS:
        if other == kind:
            continue
        n = hits(load(other), columns)
        if n > best_hits:
            best, best_hits = other, n
    return (best, best_hits, mine) if best else None
