"""Each college's roster rows in one file, so that the roster of a school is read from a dozen files
rather than hundreds (docs/design.md, "Where launch time goes").

``students/<college>/all.rows.json`` holds every row of the college by columns (domain/rowset.py,
sorted by 学号) with, for each row, the shard it comes from, and for each shard the sha256 of its
rows file when the snapshot was made. The shards' own rows files stay the record a save rewrites;
the snapshot is a copy made from them, and it is used only as far as it provably still agrees:

- a reader takes the snapshot only when its own digest is the one the trail's head recorded for it
  (a snapshot changed outside xueji is not believed), and takes a shard's rows from it only when the
  head's digest of that shard's rows file is the one the snapshot recorded; every other shard is read
  from its rows file. So a snapshot behind by a few saves costs a few small reads, never a wrong row.
- a writer remakes the snapshot in the transaction that changes a college's rows, once more than
  half of the college's shards have changed since it was made (a cheap look at the files' times; a
  wrong guess costs time, not correctness). A remake costs every clerk waiting for the lock (~100 ms
  for a college of 21,000 students); a stale shard costs a reader one small file (~0.2 ms), so the
  remake waits for half of them, not a quarter (8 clerks at 300,000 students: p95 232–258 ms
  instead of 273–316).

Like every file the store writes, the snapshot goes through the commit and its digest into the trail.
"""

from __future__ import annotations

import operator
import os
from typing import TYPE_CHECKING

import orjson

from xueji_tui.domain.rowset import CODED, RowSet
from xueji_tui.store.audit import file_sha256, sha256
from xueji_tui.store.files import dumps
from xueji_tui.store.layout import rows_of

if TYPE_CHECKING:
    from xueji_tui.store.txn import Txn

NAME = "all.rows.json"


def path_of(cdir: str) -> str:
    return f"students/{cdir}/{NAME}"


def shard_name(shard: str) -> str:
    return shard.rsplit("/", 1)[1]


class Snapshot(RowSet):
    """A college's rows; ``shard``: each row's shard file name; ``parts``: shard name -> the digest
    of its rows file the rows were taken from."""

    __slots__ = ("shard", "parts")

    def __init__(self, keys, search, cols, shard, parts) -> None:
        super().__init__(keys, search, cols)
        self.shard = shard
        self.parts = parts

    @classmethod
    def from_json(cls, data) -> "Snapshot":
        rows = RowSet.from_json(data)
        names, idx = data["shard"]  # (shard names, each row's) — looked at only when a shard is stale
        if len(idx) != len(rows) or not all(isinstance(n, str) for n in names):
            raise ValueError("shard column")
        parts = data["parts"]
        if not isinstance(parts, dict):
            raise ValueError("parts")
        return cls(rows.keys, rows.search, rows.cols, (names, idx), parts)

    def without(self, stale: frozenset[str]) -> RowSet:
        """The rows of the shards not in ``stale`` (those are read from their own files)."""
        names, idx = self.shard
        gone = {i for i, name in enumerate(names) if name in stale}
        if not gone:
            return self
        keep = [i for i, k in enumerate(idx) if k not in gone]
        if len(keep) < 2:
            return RowSet.from_rows([self.row(i) for i in keep])
        pick = operator.itemgetter(*keep)
        keys = list(pick(self.keys))
        search = keys if self.search is self.keys else list(pick(self.search))
        return RowSet(keys, search, {f: pick(self.cols[f]) for f in CODED})


def make(parts: dict[str, tuple[RowSet, str]]) -> dict:
    """The snapshot's content from each shard's rows and their file's digest."""
    keys: list[str] = []
    cols: dict[str, list] = {f: [] for f in CODED}
    shard: list[int] = []  # each row's part, by its place in ``parts``
    # a key with a lower-case letter makes a part's search keys a list of their own (domain/rowset.py)
    cased = any(rows.search is not rows.keys for rows, _ in parts.values())
    for i, (rows, _) in enumerate(parts.values()):
        keys += rows.keys
        for f, col in cols.items():
            col += rows.cols[f]
        shard += [i] * len(rows.keys)
    order = sorted(range(len(keys)), key=keys.__getitem__)
    if len(order) > 1:
        # the permuted columns stay tuples: they are only encoded (a remake holds every clerk's save)
        pick = operator.itemgetter(*order)
        keys, shard = pick(keys), pick(shard)
        cols = {f: pick(col) for f, col in cols.items()}
    out = RowSet(keys, [], cols).to_json(cased)
    out["shard"] = [list(parts), list(shard)]
    out["parts"] = {name: digest for name, (_, digest) in parts.items()}
    return out


def remake_if_due(tx: "Txn") -> None:
    """In a commit, after the rows files are staged: remake the snapshot of each college whose rows
    this transaction changes when it is missing or too far behind."""
    from xueji_tui.store.growth import college_shards

    staged_rows = [rel for rel in tx.staged if rel.startswith("students/") and rel.endswith(".rows.json")
                   and not rel.endswith("/" + NAME)]
    colleges = sorted({rel.split("/")[1] for rel in staged_rows})
    if not colleges:
        return
    root = tx.store.root
    known: dict | None = None
    for cdir in colleges:
        shards = college_shards(tx, cdir)
        if not shards:
            continue
        try:
            made = os.stat(root / path_of(cdir)).st_mtime_ns
        except FileNotFoundError:
            made = None
        if made is not None:
            behind = 0
            for s in shards:
                rel = rows_of(s)
                if rel in tx.staged:
                    behind += 1
                    continue
                try:
                    behind += os.stat(root / rel).st_mtime_ns > made
                except FileNotFoundError:
                    pass
            if behind * 2 <= len(shards):  # half behind at most: see the module's docstring
                continue
        if known is None:
            known = dict(tx.store._committed_head().files or {})
        parts = {}
        for s in shards:
            rel = rows_of(s)
            if rel in tx.staged:
                data = tx.staged[rel]
                rows = tx.rowsets.get(rel)  # the rows this file was just made from, else read back
                parts[shard_name(s)] = (rows if rows is not None else RowSet.from_json(data), sha256(dumps(data)))
            else:
                rows = tx._load(rel)
                if rows is None:
                    continue
                parts[shard_name(s)] = (rows, known.get(rel) or file_sha256(root / rel))
        tx.staged[path_of(cdir)] = make(parts)


class Reader:
    """A process's view of the snapshots, each checked against the trail's head."""

    def __init__(self, root) -> None:
        self.root = root
        self._head: tuple | None = None          # (stat signature of audit.head, its file digests)
        self._snaps: dict[str, tuple] = {}      # cdir -> (stat signature, Snapshot or None, its digest)
        self._views: dict[str, tuple] = {}      # cdir -> (snapshot, stale names, the rows without them)

    @staticmethod
    def _sig(path) -> tuple | None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def digests(self, audit) -> dict[str, str]:
        sig = self._sig(audit.head_path)
        if self._head is None or self._head[0] != sig:
            try:
                head = audit.read_head()
            except Exception:  # a damaged head: no snapshot is believed (doctor says what to do)
                head = None
            self._head = (sig, dict(head.files or {}) if head is not None else {})
        return self._head[1]

    def snapshot(self, cdir: str, digests: dict[str, str]) -> Snapshot | None:
        rel = path_of(cdir)
        path = self.root / rel
        sig = self._sig(path)
        hit = self._snaps.get(cdir)
        if hit is None or hit[0] != sig:
            snap, digest = None, None
            if sig is not None:
                try:
                    with open(path, "rb") as f:
                        raw = f.read()
                    snap, digest = Snapshot.from_json(orjson.loads(raw)), sha256(raw)
                except (OSError, ValueError, KeyError, TypeError, IndexError):
                    snap = None  # unusable: every shard is read from its own file
            hit = self._snaps[cdir] = (sig, snap, digest)
        _, snap, digest = hit
        if snap is None or digests.get(rel) != digest:
            return None
        return snap

    def rows(self, cdir: str, shards: list[str], digests: dict[str, str], load) -> dict[str, RowSet]:
        """Group -> rows for a college: the snapshot (less the shards it is behind on) and those shards."""
        snap = self.snapshot(cdir, digests)
        if snap is None:
            return {s: load(s) for s in shards}
        names = {shard_name(s): s for s in shards}
        parts = snap.parts
        stale = frozenset([n for n, s in names.items() if (d := digests.get(rows_of(s))) is None or d != parts.get(n)]
                          + [n for n in parts if n not in names])
        view = self._views.get(cdir)
        if view is None or view[0] is not snap or view[1] != stale:
            view = self._views[cdir] = (snap, stale, snap.without(stale))
        out: dict[str, RowSet] = {path_of(cdir): view[2]}
        for n in stale:
            if n in names:
                out[names[n]] = load(names[n])
        return out
