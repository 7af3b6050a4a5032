"""Pausing the cyclic collector for bulk work (xueji_tui/bulk.py), in a process of its own: the
collector's state is the process's, and the test must not change the suite's."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import gc, sys
from xueji_tui.bulk import gc_paused
if sys.argv[1] == "frozen":
    keep = [[i] for i in range(1000)]
    gc.freeze()
before = gc.get_freeze_count()
with gc_paused():
    made = [{"a": [i]} for i in range(300_000)]
young = len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1))
print(before, gc.get_freeze_count(), young)
"""


def _run(mode: str) -> list[int]:
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True)
    return [int(x) for x in out.stdout.split()]


def test_objects_of_bulk_work_are_not_left_young():
    """Left in the youngest generation, 600,000 objects would all be walked at the next allocation."""
    before, after, young = _run("plain")
    assert before == after == 0
    assert young < 10_000


def test_a_process_that_froze_its_own_objects_keeps_them_frozen():
    """The UI freezes its roster's rows; bulk work in the UI must not hand them back to the collector."""
    before, after, _ = _run("frozen")
    assert before > 0 and after >= before


SAVE = r"""
import gc, sys
from xueji_tui.store import open_store
store = open_store(sys.argv[1])
ksh = store.rows()[0][0]
seen = []
with store.write("office1", "测试") as tx:
    seen.append(gc.isenabled())
    s = tx.get(ksh)
    s["BZ"] = "备注"
    tx.put(s)
    tx.log("test", ksh=ksh, field="BZ", new="备注")
try:
    with store.write("office1", "测试") as tx:
        raise RuntimeError("中途出错")
except RuntimeError:
    pass
print(seen[0], gc.isenabled(), open_store(sys.argv[1]).get(ksh)["BZ"])
"""


def test_a_save_holds_the_collector_back_only_while_it_holds_the_lock(school):
    """Every clerk waits while a save holds the lock: no collection runs then. After the save, and
    after a transaction that failed, the collector runs again (a UI open all day would otherwise grow)."""
    out = subprocess.run([sys.executable, "-c", SAVE, str(school)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "备注"]


NESTED = r"""
import gc
from xueji_tui.bulk import collector_held, gc_paused
with collector_held():          # a save holding the writers' lock
    with gc_paused():           # its bulk transaction
        made = [{"a": [i]} for i in range(300_000)]
    young = len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1))
    inside = gc.isenabled()
print(young, inside, gc.isenabled())
"""


def test_bulk_work_inside_a_save_still_leaves_its_objects_old():
    """An import's 100,000 records are written inside a save: the save holding the collector must not
    stop them from joining the oldest generation (the first collection after would walk them all)."""
    out = subprocess.run([sys.executable, "-c", NESTED], capture_output=True, text=True, check=True)
    young, inside, after = out.stdout.split()
    assert int(young) < 10_000 and inside == "False" and after == "True"


PAGES = r"""
import gc, sys, weakref
from xueji_tui.bulk import freeze_long_lived

class Page:  # a student page: widgets that point back at it, a cycle only the collector frees
    def __init__(self):
        self.widgets = [{"page": self, "n": i} for i in range(2000)]

rows = [[str(i)] for i in range(20_000)]  # the roster the UI keeps for good
freeze = freeze_long_lived if sys.argv[1] == "policy" else gc.freeze
freeze()
pages = []
for _ in range(60):
    page = Page()
    pages.append(weakref.ref(page))
    freeze()  # a save while the page is open
    del page  # the page closed
print(sum(1 for p in pages if p() is not None), len(rows))
"""


def test_pages_frozen_during_a_save_are_reclaimed():
    """The UI freezes what is alive after each save; a page open then and closed after must not stay
    for good (a clerk saves hundreds of times a day). With a plain freeze every one of them stays."""
    def alive(mode: str) -> int:
        out = subprocess.run([sys.executable, "-c", PAGES, mode], capture_output=True, text=True, check=True)
        return int(out.stdout.split()[0])

    assert alive("plain") == 60
    assert alive("policy") <= 8
