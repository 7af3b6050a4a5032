"""Bulk work: turning 100,000 rows into records allocates millions of small objects and no cycles.

The cyclic garbage collector's repeated full passes over them cost a quarter to a third of an import
or a bulk transaction; pausing it for the duration and letting it run once afterwards is the fix.
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
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
