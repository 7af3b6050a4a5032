"""Bulk work: turning 100,000 rows into records allocates millions of small objects and no cycles.

The cyclic garbage collector's repeated full passes over them cost a quarter to a third of an import
or a bulk transaction; pausing it for the duration is the fix. When the pause ends, what survived it
(an import's plan, the store's parsed files) joins the oldest generation without a pass: otherwise
the first young collection afterwards walks every one of those objects at once (0.4 s each for the
summary and the apply of 100,000 students), though they are long-lived and hold no cycles.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager, nullcontext

BULK = 2000  # from this many records on, a transaction or an import pauses the collector


def gc_paused(active: bool = True):
    """The collector paused for bulk work; what survived it joins the oldest generation."""
    return collector_held(promote=True) if active else nullcontext()


@contextmanager
def collector_held(promote: bool = False):
    """No collection while the block runs. Without ``promote`` (a save holding the writers' lock:
    every clerk waits for it) the objects it made stay young, so the first collection after it frees
    what was garbage; promoting on every save kept that garbage until a full collection."""
    held_here = gc.isenabled()  # else an outer block (a save's lock) holds it, and re-enables it
    gc.disable()
    try:
        yield
    finally:
        if promote:
            _promote()
        if held_here:
            gc.enable()


def _promote() -> None:
    """Every tracked object into the oldest generation, which a full collection still walks (a
    process that froze its objects on purpose — the TUI, for its roster — keeps the new ones frozen
    too, as it does after each save)."""
    frozen = gc.get_freeze_count()
    gc.freeze()
    if not frozen:
        gc.unfreeze()
