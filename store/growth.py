"""The layout growing with the school (store/layout.py), and the migration of a version-1 store.

A transaction that adds students to a college first makes room: when the college's shards would
average more than ``SHARD_FILL`` students, their number doubles (as often as needed) and every
student whose shard changes moves, index entries and roster rows with it — nothing about the student
changes (no revision, no audit line of its own; the transaction's ``layout`` line says what moved).
The index buckets double the same way. Both happen in the transaction that brings the students, so a
big import into an empty store places its students once, in the layout they need.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from xueji_tui.store.layout import (INDEX_FILL, SHARD_FILL, college_dir, grown, index_bucket, index_buckets,
                                    index_file, rows_of, shard_buckets, shard_in)
from xueji_tui.store.tinystorage import tinydb_for

if TYPE_CHECKING:
    from xueji_tui.store.txn import Txn

STUDENTS = "students"


class Layout:
    """The shard count of each college and the index's bucket count, as this transaction sees them."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.shards: dict[str, int] = {}
        self.index = index_buckets(settings)
        self.changed: dict[str, object] = {}

    def of(self, cdir: str) -> int:
        if cdir not in self.shards:
            self.shards[cdir] = shard_buckets(self.settings, cdir)
        return self.shards[cdir]

    def settings_changes(self) -> dict:
        out = {}
        if "shards" in self.changed:
            out["college_shards"] = dict(self.settings.get("college_shards") or {}, **self.changed["shards"])
        if "index" in self.changed:
            out["index_buckets"] = self.index
        return out


def college_shards(tx: "Txn", cdir: str) -> list[str]:
    """The college's shard files, on disk or staged in this transaction."""
    prefix = f"students/{cdir}/"
    on_disk = [s for s in tx.store.shards_in(cdir)]
    staged = [r for r in tx.staged if r.startswith(prefix) and not r.endswith(".rows.json")]
    return sorted(set(on_disk) | set(staged))


def _count(tx: "Txn", shard: str) -> int:
    staged = tx.staged.get(shard)
    if staged is not None:
        return len(staged.get(STUDENTS) or {})
    return len(tx._load(rows_of(shard)) or ())


def make_room(tx: "Txn", arriving: Counter) -> bool:
    """Grow the layout for the students about to arrive (college dir -> how many). True when any
    student moved (locations looked up before are then stale)."""
    layout = tx.layout
    moved = False
    for cdir, n in arriving.items():
        b = layout.of(cdir)
        shards = college_shards(tx, cdir)
        count = sum(_count(tx, s) for s in shards) + n
        want = grown(count, b, SHARD_FILL)
        if want != b:
            moved |= reshard(tx, cdir, shards, b, want)
    total_new = sum(arriving.values())
    if total_new:
        estimate = _index_estimate(tx) + total_new
        want = grown(estimate, layout.index, INDEX_FILL)
        if want != layout.index:
            rebucket(tx, want)
    return moved


def _index_estimate(tx: "Txn") -> int:
    """Students in the store, estimated from the index buckets this transaction has read (a student
    has up to three keys); every bucket holds about the same share."""
    n = tx.layout.index
    seen = [rel for rel in {**tx._read, **tx.staged} if rel.startswith("index/")]
    if not seen:
        seen = [index_file(0)]
    keys = sum(len(tx._load(rel) or {}) for rel in seen)
    return keys * n // (3 * len(seen))


def reshard(tx: "Txn", cdir: str, shards: list[str], old: int, new: int) -> bool:
    """The college's students spread over ``new`` shards instead of ``old``."""
    moving: dict[str, list[dict]] = {}
    moved = 0
    for shard in shards:
        table = tinydb_for(tx, shard).table(STUDENTS, cache_size=0)
        going = []
        for doc in table.all():
            target = shard_in(cdir, doc.get("KSH", ""), new)
            if target != shard:
                going.append(doc)
                record = dict(doc)
                moving.setdefault(target, []).append(record)
                ksh = record.get("KSH", "")
                tx._rows_dirty[shard][ksh] = None
                tx._rows_dirty[target][ksh] = record
                tx._reindex(record, shard, record, target, ksh)
        if going:
            table.remove(doc_ids=[d.doc_id for d in going])
            moved += len(going)
    for target, docs in moving.items():
        tinydb_for(tx, target).table(STUDENTS, cache_size=0).insert_multiple(docs)
    tx.layout.shards[cdir] = new
    tx.layout.changed.setdefault("shards", {})[cdir] = new
    tx.log("layout", field="shards", old=old, new=new, why=f"学院目录 {cdir} 的分片由 {old} 个增至 {new} 个，移动 {moved} 名学生")
    return moved > 0


def rebucket(tx: "Txn", new: int) -> None:
    """Every index entry moved to ``new`` buckets (names of the old ones are kept: bucket 5 of 256 is
    ``index/05.json`` as bucket 5 of 512 is)."""
    old = tx.layout.index
    entries: dict[str, list] = {}
    for b in range(old):
        entries.update(tx._load(index_file(b)) or {})
    buckets: dict[str, dict] = {index_file(b): {} for b in range(new)}
    for key, found in entries.items():
        buckets[index_bucket(key, new)][key] = found
    tx.staged.update(buckets)
    tx.layout.index = new
    tx.layout.changed["index"] = new
    tx.log("layout", field="index", old=old, new=new, why=f"索引由 {old} 个分桶增至 {new} 个")


def arriving(tx: "Txn", students: dict[str, dict], before: dict[str, tuple]) -> Counter:
    """College dir -> students this write brings into it (new ones, and ones changing college)."""
    out: Counter = Counter()
    for ksh, s in students.items():
        cdir = college_dir(s.get("FY", ""))
        was = before.get(ksh, (None,))[0]
        if was is None or not was.startswith(f"students/{cdir}/"):
            out[cdir] += 1
    return out


def migrate_v1(tx: "Txn") -> None:
    """Version 1 → 2: write the layout down (every college keeps the shard count it had) and the
    roster rows by columns (the first wave's lists are read too, only more slowly)."""
    store = tx.store
    settings = store.settings
    legacy = int(settings.get("shard_buckets") or 32)
    shards = {}
    for shard in store.shards():
        shards[shard.split("/")[1]] = legacy
        rel = rows_of(shard)
        try:
            with open(store.root / rel, "rb") as f:
                first = f.read(1)
        except FileNotFoundError:
            continue
        if first == b"[":  # the first wave's row lists
            tx.staged[rel] = store._load(rel).to_json()
    tx.update_settings({"college_shards": shards, "index_buckets": index_buckets(settings)})
    tx.log("migrate", field="layout", new={"college_shards": len(shards), "index_buckets": index_buckets(settings)},
           why="数据格式升级：记录分片与索引的布局，名册行改为按列存放")
