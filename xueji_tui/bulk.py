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


_after_full_pass = [0]  # the frozen set's size after the last full pass


def freeze_long_lived() -> None:
    """Everything alive now joins the frozen set, which the collector never walks: the UI's roster
    (a full pass over 100,000 rows costs 50–80 ms, and the clerk is typing). Garbage frozen along
    with it — a student page open during a save and closed after — would stay for good: young garbage
    is collected first (a pass over what is not frozen: a few thousand objects), and whatever still
    got frozen is reclaimed in one full pass once the frozen set has grown by half since the last."""
    if not _after_full_pass[0]:  # the first (the app starting): no pass, its frames drawn sooner
        gc.freeze()
        _after_full_pass[0] = gc.get_freeze_count()
    elif gc.get_freeze_count() >= 1.5 * _after_full_pass[0]:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _after_full_pass[0] = gc.get_freeze_count()
    else:
        gc.collect()
        gc.freeze()

