"""Bulk work: turning 100,000 rows into records allocates millions of small objects and no cycles.

The cyclic garbage collector's repeated full passes over them cost a quarter to a third of an import
or a bulk transaction; pausing it for the duration is the fix. On resuming, the objects made meanwhile
are moved to the oldest generation (``gc.freeze``, then ``gc.unfreeze``) instead of being left young:
young, the first allocation after ``gc.enable`` would walk all of them at once (0.3 s for three million
objects, at the end of every import and of ``certno assign``). The oldest generation is still
collected, at its usual rare intervals. Not in a process that froze objects of its own (the UI freezes
its roster's rows): ``gc.unfreeze`` would hand those back to the collector too.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

BULK = 2000  # from this many records on, a transaction or an import pauses the collector


@contextmanager
def gc_paused(active: bool = True):
    if not active or not gc.isenabled():
        yield
        return
    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        if not frozen:
            gc.freeze()
            gc.unfreeze()
        gc.enable()
