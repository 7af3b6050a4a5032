"""A write transaction: the lock is held from the re-read to the last rename.

Everything a transaction changes is staged in memory; ``commit`` writes each touched file once, in
the order ``store/commit.py`` explains (temporaries, audit lines as the commit point, renames).
Recovery (``store/recovery.py``) finishes or discards an interrupted commit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Iterable, Iterator

from tinydb import Query
from tinydb.table import Table

from xueji_tui.bulk import BULK, gc_paused
from xueji_tui.domain.record import copy_record, roster_row, row_may_change
from xueji_tui.domain.rowset import RowSet
from xueji_tui.store import commit
from xueji_tui.store.audit import file_sha256
from xueji_tui.store.common import AuditBatch, Bodies, audit_line, check_unique, same_keys, stamp
from xueji_tui.store import growth, inplace, snapshot
from xueji_tui.store.layout import (CLERKS, CORRECTIONS, EXPORTS, IMPORTS, MAJORS, PROPOSALS, SETTINGS, college_dir,
                                    index_bucket, index_keys, rows_of, shard_in)
from xueji_tui.store.tinystorage import tinydb_for

if TYPE_CHECKING:
    from xueji_tui.store.db import DiskStore

STUDENTS = "students"


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _keys_memo():
    """``index_keys`` remembered per record object (kept alive with its keys, so an id is never
    reused): a bulk write asks for each record's keys in the uniqueness check and again for the index.
    The key fields do not change in between (``stamp`` sets only the revision and the initials)."""
    memo: dict[int, tuple[dict, list[str]]] = {}

    def keys_of(d: dict | None) -> list[str]:
        if d is None:
            return []
        hit = memo.get(id(d))
        if hit is None or hit[0] is not d:
            hit = memo[id(d)] = (d, index_keys(d))
        return hit[1]

    return keys_of


def _doc_id(rid) -> int | None:
    text = str(rid or "").strip().lstrip("#")
    return int(text) if text.isdigit() else None


class Txn:
    def __init__(self, store: "DiskStore", clerk: str, why: str = ""):
        self.store = store
        self.clerk = clerk
        self.why = why
        self.at = now_iso()
        self.staged: dict[str, object] = {}
        self.lines: list[dict] = []
        self._dbs: dict[str, object] = {}
        self._read: dict[str, object] = {}
        self._digests: dict[str, str] = {}  # file -> sha256 of the bytes read (``student_groups``)
        self._own: dict[str, None] = {}  # shards read for this transaction alone (not the process's cache)
        self._bulk = False
        self._rows_dirty: dict[str, dict[str, dict | None]] = defaultdict(dict)  # shard -> KSH -> doc
        self.rowsets: dict[str, RowSet] = {}  # rows file -> the rows staged for it (for the snapshot)
        self._layout: growth.Layout | None = None
        self._ids: dict[str, dict[str, str]] = {}  # shard -> 考生号 -> document id (``_ids_in``)

    @property
    def layout(self) -> growth.Layout:
        """Shards per college and index buckets (store/layout.py), grown by this transaction if needed."""
        if self._layout is None:
            self._layout = growth.Layout(self.store.settings)
        return self._layout

    # -- the school: small TinyDB files (settings, clerks, corrections, catalogue) -------------
    def _table(self, where: tuple[str, str]) -> Table:
        file, name = where
        db = self._dbs.get(file)
        if db is None:
            db = self._dbs[file] = tinydb_for(self, file)
        return db.table(name, cache_size=0)

    def update_settings(self, changes: dict) -> None:
        table = self._table(SETTINGS)
        if table.all():
            table.update(dict(changes))
        else:
            table.insert(dict(changes))

    def add_clerk(self, clerk: dict) -> None:
        self._table(CLERKS).insert(dict(clerk))

    def majors(self) -> list[dict]:
        return [dict(d) for d in self._table(MAJORS).all()]

    def add_majors(self, majors: list[dict]) -> None:
        self._table(MAJORS).insert_multiple([dict(m) for m in majors])

    def update_major(self, code: str, changes: dict) -> None:
        self._table(MAJORS).update(dict(changes), Query().ZYDM == code)

    # numbered documents: correction requests (Art. 20), a college's proposals (Art. 18)
    def _numbered(self, where) -> list[dict]:
        return [dict(d, id=str(d.doc_id)) for d in self._table(where).all()]

    def _one(self, where, rid) -> dict | None:
        doc_id = _doc_id(rid)
        doc = self._table(where).get(doc_id=doc_id) if doc_id else None
        return dict(doc, id=str(doc_id)) if doc else None

    def _add(self, where, doc: dict) -> str:
        return str(self._table(where).insert({k: v for k, v in doc.items() if k != "id"}))

    def _update(self, where, rid, changes: dict) -> None:
        self._table(where).update({k: v for k, v in changes.items() if k != "id"}, doc_ids=[_doc_id(rid)])

    def corrections(self) -> list[dict]:
        return self._numbered(CORRECTIONS)

    def correction(self, rid: str) -> dict | None:
        return self._one(CORRECTIONS, rid)

    def add_correction(self, request: dict) -> str:
        return self._add(CORRECTIONS, request)

    def update_correction(self, rid: str, changes: dict) -> None:
        self._update(CORRECTIONS, rid, changes)

    def proposals(self) -> list[dict]:
        return self._numbered(PROPOSALS)

    def proposal(self, pid: str) -> dict | None:
        return self._one(PROPOSALS, pid)

    def add_proposal(self, proposal: dict) -> str:
        return self._add(PROPOSALS, proposal)

    def update_proposal(self, pid: str, changes: dict) -> None:
        self._update(PROPOSALS, pid, changes)

    def record_import(self, entry: dict) -> None:
        self._table(IMPORTS).insert(dict(entry))

    def exports(self) -> list[dict]:
        return [dict(d) for d in self._table(EXPORTS).all()]

    def record_export(self, entry: dict) -> None:
        self._table(EXPORTS).insert(dict(entry))

    # -- students ----------------------------------------------------------------------------
    def _index(self, key: str) -> list[list[str]]:
        bucket = self._load(index_bucket(key, self.layout.index)) or {}
        return bucket.get(key, [])

    def _load(self, rel: str):
        if rel in self.staged:
            return self.staged[rel]
        # under the lock nobody else writes: one stat per file per transaction is enough
        if rel not in self._read:
            self._read[rel] = self.store._load(rel)
        return self._read[rel]

    def student_groups(self) -> Iterator[tuple[str, Iterable[dict]]]:
        """Every student as this transaction sees them (read-only), file by file with the sha256 of
        the file ('' for a file this transaction changed): ``Store.student_groups`` under the lock.
        The files stay read for the rest of the transaction: a bulk write after the scan reads
        nothing twice."""
        for shard in self.store.shards():
            if shard in self.staged:
                token = ""
            elif shard in self._read:
                token = self._digests.get(shard) or file_sha256(self.store.root / shard) or ""
            else:  # under the lock nobody else writes: the commit need not digest it again
                data, token = self.store.cache.read_digested(self.store.root / shard)
                self._read[shard] = data
                self._own[shard] = None
            if token:
                self._digests[shard] = token
            yield token, ((self._load(shard) or {}).get(STUDENTS) or {}).values()

    def _stagecopy_record(self, rel: str) -> dict:
        """The staged (mutable) version of an index bucket: a copy of the mapping, sharing its entry
        lists with the cache, which ``_reindex`` replaces and never edits (a deep copy of a bucket
        cost more than the rest of a save)."""
        if rel not in self.staged:
            self.staged[rel] = dict(self._load(rel) or {})
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
                return copy_record(doc)
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

    def set_fields(self, changes: dict[str, dict]) -> dict[str, dict]:
        """Set fields that neither name nor place a student (not 考生号, 学号, 身份证号 or 学院):
        考生号 -> {field: value}; the records as written, by 考生号 in the order given. No index or
        uniqueness work is needed, and the roster row is remade only when a field it shows changed.

        A student in a file read by ``student_groups`` (this transaction's alone) is found by one
        pass over that file and changed where it is; any other is found by the index and replaced by
        a changed copy. Either way its revision is raised. ``certno assign``: 30,000 numbers in a
        few tens of milliseconds."""
        self._bulk = self._bulk or len(changes) >= BULK
        with gc_paused(len(changes) >= BULK):
            return inplace.set_fields(self, changes)

    def _holders(self):
        """``holders(key)``: the 考生号 holding an index key (each bucket looked up once per call)."""
        n = self.layout.index
        seen: dict[str, dict] = {}

        def holders(key: str) -> list[str]:
            rel = index_bucket(key, n)
            bucket = seen.get(rel)
            if bucket is None:
                bucket = seen[rel] = self._load(rel) or {}
            found = bucket.get(key)
            return [k for k, _ in found] if found else []

        return holders

    def _where(self, now: dict[str, dict], renamed: dict[str, str]) -> dict[str, tuple[str, dict | None]]:
        """Where each one is now (under its old key when it was renamed): a record read from the store
        (it has a revision) first in the shard the layout gives its college and 考生号 — no index file
        read when it has not moved: certno assign rewrites 30,000 records in place — else, and for a
        new student, where the index says."""
        before: dict[str, tuple[str, dict | None]] = {}
        layout = self.layout
        for ksh, s in now.items():
            was = renamed.get(ksh, ksh)
            if was == ksh and s.get("rev"):
                cdir = college_dir(s.get("FY", ""))
                home = shard_in(cdir, ksh, layout.of(cdir))
                if ksh in self._ids_in(home):
                    before[ksh] = (home, None)
                    continue
            for k, shard in self._index(f"K:{was.upper()}"):
                if k == was:
                    before[ksh] = (shard, None)
        return before

    def _ids_in(self, shard: str) -> dict[str, str]:
        """考生号 -> document id in a shard's students table as this transaction sees it (made once per
        shard and kept up to date by ``_put_many``; dropped when the layout moves students)."""
        ids = self._ids.get(shard)
        if ids is None:
            table = (self._load(shard) or {}).get(STUDENTS) or {}
            ids = self._ids[shard] = {d.get("KSH"): i for i, d in table.items()}
        return ids

    def _put_many(self, students: list[dict], renamed: dict[str, str] | None) -> None:
        renamed = renamed or {}
        now = {}
        for s in students:
            now[s["KSH"]] = s
        before = self._where(now, renamed)
        old_docs: dict[str, dict] = {}
        for ksh, (shard, _) in before.items():
            was = renamed.get(ksh, ksh)
            table = (self._load(shard) or {}).get(STUDENTS) or {}
            old_docs[ksh] = table[self._ids_in(shard)[was]]
        keys_of = _keys_memo()  # each record's index keys made once for the check and the index
        check_unique(((s, old_docs.get(ksh), renamed.get(ksh, ksh)) for ksh, s in now.items()),
                     self._holders(), self.get, keys_of)
        if growth.make_room(self, growth.arriving(self, now, before)):
            self._ids.clear()
            before = self._where(now, renamed)  # students of a college whose shards doubled have moved
        updates: dict[str, list[dict]] = defaultdict(list)
        inserts: dict[str, list[dict]] = defaultdict(list)
        removals: dict[str, list[str]] = defaultdict(list)
        for ksh, s in now.items():
            old = old_docs.get(ksh)
            stamp(s, old)
            cdir = college_dir(s.get("FY", ""))
            target = shard_in(cdir, ksh, self.layout.of(cdir))
            old_shard = before.get(ksh, (None, None))[0]
            was = renamed.get(ksh, ksh)
            if old_shard == target and was == ksh:
                updates[target].append(s)
                # the row stays as it is when only fields it is not made from changed (certno assign:
                # 30,000 rows and their files neither remade nor rewritten)
                if row_may_change(old, s) or ksh in self._rows_dirty.get(target, ()):
                    self._rows_dirty[target][ksh] = s
            else:
                inserts[target].append(s)
                if old_shard:
                    removals[old_shard].append(was)
                    self._rows_dirty[old_shard][was] = None
                self._rows_dirty[target][ksh] = s
            self._reindex(old, old_shard, s, target, was, keys_of)
        # the shards' TinyDB tables edited directly (TinyDB's own insert and remove convert every id of
        # the table twice per call): the same file, ids given as TinyDB gives them
        for shard, kshs in removals.items():
            table = self._students_table(shard)
            ids = self._ids_in(shard)
            for was in kshs:
                del table[ids.pop(was)]
        for shard, docs in updates.items():
            # replace whole documents under their ids (never edit one in place: see TxnStorage.read)
            table = self._students_table(shard)
            ids = self._ids_in(shard)
            for d in docs:
                table[ids[d["KSH"]]] = dict(d)
        for shard, docs in inserts.items():
            table = self._students_table(shard)
            ids = self._ids_in(shard)
            next_id = max(map(int, table), default=0) + 1
            for n, d in enumerate(docs, next_id):
                table[str(n)] = dict(d)
                ids[d["KSH"]] = str(n)

    def _students_table(self, shard: str) -> dict:
        """A shard's students table as staged in this transaction (TinyDB's layout: document id as
        text -> record). The tables are copied, not the records: a write replaces whole records."""
        data = self.staged.get(shard)
        if data is None:
            data = self.staged[shard] = {name: dict(t) for name, t in (self._load(shard) or {}).items()}
        table = data.get(STUDENTS)
        if table is None:
            table = data[STUDENTS] = {}
        return table  # type: ignore[return-value]

    def _reindex(self, old: dict | None, old_shard: str | None, new: dict, new_shard: str,
                 was: str, keys_of=index_keys) -> None:
        ksh = new["KSH"]
        if old_shard == new_shard and was == ksh and same_keys(new, old):
            return
        if not old:  # a new student: each of its keys added (they differ by their prefix), none dropped
            drop, add = (), keys_of(new)
        else:
            old_keys, new_keys = set(keys_of(old)), set(keys_of(new))
            if old_shard != new_shard or was != ksh:
                drop, add = old_keys, new_keys
            else:
                drop, add = old_keys - new_keys, new_keys - old_keys
        if not drop and not add:
            return
        n = self.layout.index
        for key in drop:
            bucket = self._stagecopy_record(index_bucket(key, n))
            entries = [e for e in bucket.get(key, ()) if e[0] != was]
            if entries:
                bucket[key] = entries
            else:
                bucket.pop(key, None)
        for key in add:
            bucket = self._stagecopy_record(index_bucket(key, n))
            found = bucket.get(key)
            entries = [e for e in found if e[0] != ksh] if found else []
            entries.append([ksh, new_shard])
            bucket[key] = entries

    # -- the audit trail ---------------------------------------------------------------------
    def log(self, action: str, *, ksh: str = "", xh: str = "", field: str = "", old=None, new=None,
            why: str = "", **extra) -> None:
        self.lines.append(audit_line(self.at, self.clerk, self.why, action, ksh=ksh, xh=xh, field=field,
                                     old=old, new=new, why=why, **extra))

    def log_many(self, action: str, rows, why: str = "") -> None:
        """One audit line per (KSH, XH, field, old, new) row: 30,000 numbers without 30,000 calls."""
        self.lines.append(AuditBatch(self.at, self.clerk, self.why, action, list(rows), why))

    # -- commit ------------------------------------------------------------------------------
    def _refresh_rows(self) -> None:
        for shard, changed in self._rows_dirty.items():
            rel = rows_of(shard)
            before = self._load(rel)
            rows = {r[0]: r for r in (before.lists() if before else ())}
            for ksh, doc in changed.items():
                if doc is None:
                    rows.pop(ksh, None)
                else:
                    rows[ksh] = roster_row(doc)
            made = self.rowsets[rel] = RowSet.from_rows(rows.values())
            self.staged[rel] = made.to_json(made.search is not made.keys)

    def commit(self) -> None:
        with gc_paused(self._bulk):
            self._commit()

    def _commit(self) -> None:
        if not self.staged and not self.lines:
            return
        if not self.lines:
            raise RuntimeError("a transaction that changes files must say what it did (audit lines)")
        if self._layout is not None and self._layout.changed:
            self.update_settings(self._layout.settings_changes())
        self._refresh_rows()
        snapshot.remake_if_due(self)
        commit.write(self.store, self.staged, Bodies(self.lines), self._digests)
