"""A write transaction: the lock is held from the re-read to the last rename.

Everything a transaction changes is staged in memory; ``commit`` writes each touched file once, in
the order ``store/commit.py`` explains (temporaries, audit lines as the commit point, renames).
Recovery (``store/recovery.py``) finishes or discards an interrupted commit.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import orjson
from tinydb.table import Document
from tinydb.table import Table

from xueji_tui.domain import idcard
from xueji_tui.domain.record import initials, roster_row
from xueji_tui.store import commit
from xueji_tui.store.layout import index_bucket, index_keys, rows_of, shard_of
from xueji_tui.store.tinystorage import tinydb_for

if TYPE_CHECKING:
    from xueji_tui.store.db import Store

STUDENTS = "students"
_PRIVATE_FIELDS = {"SFZH", "ZJHM"}


BULK = 2000  # from this many records on, a transaction pauses the garbage collector


@contextmanager
def gc_paused(bulk: bool):
    """Building 100,000 records allocates millions of small objects and no cycles: the collector's
    repeated full passes cost a quarter of an import; run it once afterwards instead."""
    if not bulk or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _copy(obj):
    return orjson.loads(orjson.dumps(obj))


def _audit_value(field: str, value):
    if field in _PRIVATE_FIELDS and isinstance(value, str):
        return idcard.mask(value)
    return value


class Txn:
    def __init__(self, store: "Store", clerk: str, why: str = ""):
        self.store = store
        self.clerk = clerk
        self.why = why
        self.at = now_iso()
        self.staged: dict[str, object] = {}
        self.lines: list[dict] = []
        self._dbs: dict[str, object] = {}
        self._read: dict[str, object] = {}
        self._bulk = False
        self._rows_dirty: dict[str, dict[str, dict | None]] = defaultdict(dict)  # shard -> KSH -> doc

    # -- small TinyDB files (settings, clerks, corrections, catalog) ---------------------------
    def table(self, file: str, name: str = "_default") -> Table:
        db = self._dbs.get(file)
        if db is None:
            db = self._dbs[file] = tinydb_for(self, file)
        return db.table(name, cache_size=0)

    # -- students ----------------------------------------------------------------------------
    def _index(self, key: str) -> list[list[str]]:
        bucket = self._load(index_bucket(key)) or {}
        return bucket.get(key, [])

    def _load(self, rel: str):
        if rel in self.staged:
            return self.staged[rel]
        # under the lock nobody else writes: one stat per file per transaction is enough
        if rel not in self._read:
            self._read[rel] = self.store._load(rel)
        return self._read[rel]

    def _stage_copy(self, rel: str) -> dict:
        """The staged (mutable) version of a plain JSON file: index buckets."""
        if rel not in self.staged:
            self.staged[rel] = _copy(self.store._load(rel) or {})
        return self.staged[rel]  # type: ignore[return-value]

    def locate(self, key: str) -> list[tuple[str, str]]:
        """(KSH, shard) of the students a 考生号, 学号 or 身份证号 names."""
        k = (key or "").strip().upper()
        hits: dict[str, str] = {}
        for prefix in ("K", "X", "S"):
            for ksh, shard in self._index(f"{prefix}:{k}"):
                hits.setdefault(ksh, shard)
        return list(hits.items())

    def get(self, key: str) -> dict | None:
        """A private copy of the student a key names uniquely (KSH first)."""
        for ksh, shard in self._index(f"K:{(key or '').strip().upper()}"):
            return self._get_in(shard, ksh)
        found = self.locate(key)
        if len(found) == 1:
            return self._get_in(found[0][1], found[0][0])
        return None

    def find(self, key: str) -> list[dict]:
        return [s for ksh, shard in self.locate(key) if (s := self._get_in(shard, ksh))]

    def _get_in(self, shard: str, ksh: str) -> dict | None:
        for doc in ((self._load(shard) or {}).get(STUDENTS) or {}).values():
            if doc.get("KSH") == ksh:
                return _copy(doc)
        return None

    def put(self, student: dict, reason: str = "") -> None:
        self.put_many([student])

    def put_many(self, students: list[dict], renamed: dict[str, str] | None = None) -> None:
        """Insert or replace whole records, moving them between shards and updating the index.

        ``renamed`` maps a new 考生号 to the old one when an approved correction changed the key.
        """
        self._bulk = self._bulk or len(students) >= BULK
        with gc_paused(len(students) >= BULK):
            self._put_many(students, renamed)

    def _put_many(self, students: list[dict], renamed: dict[str, str] | None) -> None:
        renamed = renamed or {}
        buckets = self.store.buckets
        now = {}
        for s in students:
            now[s["KSH"]] = s
        # where each one is now (under its old key when it was renamed)
        before: dict[str, tuple[str, dict | None]] = {}
        for ksh in now:
            was = renamed.get(ksh, ksh)
            for k, shard in self._index(f"K:{was.upper()}"):
                if k == was:
                    before[ksh] = (shard, None)
        by_shard_old: dict[str, list[str]] = defaultdict(list)
        for ksh, (shard, _) in before.items():
            by_shard_old[shard].append(renamed.get(ksh, ksh))
        back = {old: new for new, old in renamed.items()}
        old_docs: dict[str, dict] = {}
        for shard, kshs in by_shard_old.items():
            data = self._load(shard) or {}
            want = set(kshs)
            for doc in (data.get(STUDENTS) or {}).values():
                if doc.get("KSH") in want:
                    old_docs[back.get(doc["KSH"], doc["KSH"])] = doc
        updates: dict[str, list[dict]] = defaultdict(list)
        inserts: dict[str, list[dict]] = defaultdict(list)
        removals: dict[str, list[str]] = defaultdict(list)
        for ksh, s in now.items():
            s["rev"] = (old_docs.get(ksh) or {}).get("rev", 0) + 1
            if not s.get("py") or (old_docs.get(ksh) or {}).get("XM") != s.get("XM"):
                s["py"] = initials(s.get("XM", ""))
            target = shard_of(s.get("FY", ""), ksh, buckets)
            old_shard = before.get(ksh, (None, None))[0]
            was = renamed.get(ksh, ksh)
            if old_shard == target and was == ksh:
                updates[target].append(s)
            else:
                inserts[target].append(s)
                if old_shard:
                    removals[old_shard].append(was)
                    self._rows_dirty[old_shard][was] = None
            self._rows_dirty[target][ksh] = s
            self._reindex(old_docs.get(ksh), old_shard, s, target, was)
        for shard, kshs in removals.items():
            gone = set(kshs)
            tinydb_for(self, shard).table(STUDENTS, cache_size=0).remove(lambda d: d.get("KSH") in gone)
        for shard, docs in updates.items():
            # replace whole documents under their ids (never edit one in place: see TxnStorage.read)
            fresh = {d["KSH"] for d in docs}
            raw = (self._load(shard) or {}).get(STUDENTS) or {}
            ids = {d["KSH"]: int(i) for i, d in raw.items() if d.get("KSH") in fresh}
            table = tinydb_for(self, shard).table(STUDENTS, cache_size=0)
            table.remove(doc_ids=list(ids.values()))
            table.insert_multiple([Document(d, doc_id=ids[d["KSH"]]) for d in docs])
        for shard, docs in inserts.items():
            tinydb_for(self, shard).table(STUDENTS, cache_size=0).insert_multiple(docs)

    def _reindex(self, old: dict | None, old_shard: str | None, new: dict, new_shard: str,
                 was: str) -> None:
        ksh = new["KSH"]
        old_keys = set(index_keys(old)) if old else set()
        new_keys = set(index_keys(new))
        if old_shard != new_shard or was != ksh:
            drop, add = old_keys, new_keys
        else:
            drop, add = old_keys - new_keys, new_keys - old_keys
        for key in drop:
            bucket = self._stage_copy(index_bucket(key))
            entries = [e for e in bucket.get(key, []) if e[0] != was]
            if entries:
                bucket[key] = entries
            else:
                bucket.pop(key, None)
        for key in add:
            bucket = self._stage_copy(index_bucket(key))
            entries = [e for e in bucket.get(key, []) if e[0] != ksh]
            entries.append([ksh, new_shard])
            bucket[key] = entries

    # -- the audit trail ---------------------------------------------------------------------
    def log(self, action: str, *, ksh: str = "", xh: str = "", field: str = "", old=None, new=None,
            why: str = "", **extra) -> None:
        line = {"at": self.at, "clerk": self.clerk, "action": action, "KSH": ksh, "XH": xh,
                "field": field, "old": _audit_value(field, old), "new": _audit_value(field, new),
                "why": why or self.why}
        line.update(extra)
        self.lines.append(line)

    # -- commit ------------------------------------------------------------------------------
    def _refresh_rows(self) -> None:
        for shard, changed in self._rows_dirty.items():
            rel = rows_of(shard)
            rows = self._load(rel) or []
            pos = {r[0]: i for i, r in enumerate(rows)}
            rows = list(rows)
            for ksh, doc in changed.items():
                i = pos.get(ksh)
                if doc is None:
                    if i is not None:
                        rows[i] = None
                elif i is None:
                    rows.append(roster_row(doc))
                else:
                    rows[i] = roster_row(doc)
            self.staged[rel] = [r for r in rows if r is not None]

    def commit(self) -> None:
        with gc_paused(self._bulk):
            self._commit()

    def _commit(self) -> None:
        if not self.staged and not self.lines:
            return
        if not self.lines:
            raise RuntimeError("a transaction that changes files must say what it did (audit lines)")
        self._refresh_rows()
        commit.write(self.store, self.staged, self.lines)
