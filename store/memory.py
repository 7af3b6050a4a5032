"""The store in one process's memory (store.api.Store): the fast tests run on it, and it is the shape
a server database would take if a province ever ran one store for many schools.

It keeps the disk store's promises: reads return copies (or read-only records), a transaction
commits all of its changes or none, every change is in a hash-chained trail, and the invariants of
store/common.py hold. What it does not have is a data directory: no files, no lock between
processes, no crash recovery.
"""

from __future__ import annotations

import copy
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from xueji_tui.domain.record import copy_record, roster_row
from xueji_tui.store.audit import GENESIS, line_hash
from xueji_tui.store.common import PLACED, audit_line, audit_lines, check_unique, index_keys, stamp
# txn.now_iso looked up per transaction, not imported: the one clock of both stores (tests pin it)
from xueji_tui.store import txn as _clock


class _State:
    """Everything a memory store holds; a transaction works on a copy-on-write overlay of it."""

    def __init__(self) -> None:
        self.settings: dict = {}
        self.clerks: dict[str, dict] = {}
        self.majors: list[dict] = []
        self.corrections: dict[str, dict] = {}
        self.proposals: dict[str, dict] = {}
        self.imports: list[dict] = []
        self.exports: list[dict] = []
        self.students: dict[str, dict] = {}
        self.index: dict[str, set[str]] = {}
        self.rows: dict[str, dict[str, list]] = {}  # group (college) -> KSH -> roster row
        self.versions: dict[str, int] = {}          # group -> commits that touched it
        self.lines: list[dict] = []


def _group(student: dict) -> str:
    return student.get("FY") or ""


class MemoryTxn:
    def __init__(self, store: "MemoryStore", clerk: str, why: str) -> None:
        self.store = store
        self.clerk = clerk
        self.why = why
        self.at = _clock.now_iso()
        st = store._state
        self._settings = dict(st.settings)
        self._clerks = {k: dict(v) for k, v in st.clerks.items()}
        self._majors = [dict(m) for m in st.majors]
        self._corrections = {k: copy_record(v) for k, v in st.corrections.items()}
        self._proposals = {k: copy_record(v) for k, v in st.proposals.items()}
        self._imports: list[dict] = []
        self._exports: list[dict] = []
        self._students: dict[str, dict | None] = {}  # KSH -> record written (None: moved away)
        self._index: dict[str, set[str] | None] = {}
        self.lines: list[dict] = []
        self.touched_school = False

    # -- students ----------------------------------------------------------------------------
    def _student(self, ksh: str) -> dict | None:
        if ksh in self._students:
            return self._students[ksh]
        return self.store._state.students.get(ksh)

    def _holders(self, key: str) -> list[str]:
        got = self._index.get(key) if key in self._index else self.store._state.index.get(key)
        return sorted(got or ())

    def student_groups(self) -> Iterator[tuple[str, Iterable[dict]]]:
        seen = self.store._state.students
        yield "", [s for s in ({**seen, **self._students}).values() if s is not None]

    def get(self, key: str) -> dict | None:
        k = (key or "").strip().upper()
        for ksh in self._holders(f"K:{k}"):
            s = self._student(ksh)
            return copy_record(s) if s else None
        found = self.find(key)
        return found[0] if len(found) == 1 else None

    def find(self, key: str) -> list[dict]:
        k = (key or "").strip().upper()
        kshs: list[str] = []
        for prefix in ("K", "X", "S"):
            kshs += [x for x in self._holders(f"{prefix}:{k}") if x not in kshs]
        return [copy_record(s) for x in kshs if (s := self._student(x)) is not None]

    def put(self, student: dict) -> None:
        self.put_many([student])

    def put_many(self, students: list[dict], renamed: dict[str, str] | None = None) -> None:
        renamed = renamed or {}
        now = {s["KSH"]: s for s in students}
        olds = {ksh: self._student(renamed.get(ksh, ksh)) for ksh in now}
        check_unique(((s, olds[ksh], renamed.get(ksh, ksh)) for ksh, s in now.items()), self._holders, self.get)
        for ksh, s in now.items():
            old, was = olds[ksh], renamed.get(ksh, ksh)
            stamp(s, old)
            for key in index_keys(old):
                holders = set(self._holders(key)) - {was}
                self._index[key] = holders
            if was != ksh:
                self._students[was] = None
            self._students[ksh] = copy_record(s)
            for key in index_keys(s):
                self._index[key] = set(self._holders(key)) | {ksh}

    def set_fields(self, changes: dict[str, dict]) -> dict[str, dict]:
        written = {}
        for ksh, fields in changes.items():
            if not PLACED.isdisjoint(fields):
                raise ValueError(f"set_fields cannot change {sorted(PLACED & fields.keys())}: use put_many")
            old = self._student(ksh)
            if old is None:
                raise ValueError(f"set_fields: no student {ksh}")
            new = dict(copy_record(old), **fields)
            stamp(new, old)
            self._students[ksh] = written[ksh] = new
        return written

    # -- the school --------------------------------------------------------------------------
    def update_settings(self, changes: dict) -> None:
        self._settings.update(changes)
        self.touched_school = True

    def add_clerk(self, clerk: dict) -> None:
        self._clerks[clerk["name"]] = dict(clerk)
        self.touched_school = True

    def majors(self) -> list[dict]:
        return [dict(m) for m in self._majors]

    def add_majors(self, majors: list[dict]) -> None:
        self._majors += [dict(m) for m in majors]
        self.touched_school = True

    def update_major(self, code: str, changes: dict) -> None:
        for m in self._majors:
            if m.get("ZYDM") == code:
                m.update(changes)
        self.touched_school = True

    # numbered documents: correction requests, proposals
    @staticmethod
    def _numbered(docs: dict) -> list[dict]:
        return [dict(copy_record(v), id=k) for k, v in docs.items()]

    @staticmethod
    def _one(docs: dict, rid) -> dict | None:
        key = str(rid or "").strip().lstrip("#")
        doc = docs.get(key)
        return dict(copy_record(doc), id=key) if doc else None

    def _add(self, docs: dict, doc: dict) -> str:
        rid = str(max((int(k) for k in docs), default=0) + 1)
        docs[rid] = {k: v for k, v in copy_record(doc).items() if k != "id"}
        self.touched_school = True
        return rid

    def _update(self, docs: dict, rid, changes: dict) -> None:
        docs[str(rid).lstrip("#")].update({k: v for k, v in copy_record(changes).items() if k != "id"})
        self.touched_school = True

    def corrections(self) -> list[dict]:
        return self._numbered(self._corrections)

    def correction(self, rid: str) -> dict | None:
        return self._one(self._corrections, rid)

    def add_correction(self, request: dict) -> str:
        return self._add(self._corrections, request)

    def update_correction(self, rid: str, changes: dict) -> None:
        self._update(self._corrections, rid, changes)

    def proposals(self) -> list[dict]:
        return self._numbered(self._proposals)

    def proposal(self, pid: str) -> dict | None:
        return self._one(self._proposals, pid)

    def add_proposal(self, proposal: dict) -> str:
        return self._add(self._proposals, proposal)

    def update_proposal(self, pid: str, changes: dict) -> None:
        self._update(self._proposals, pid, changes)

    def record_import(self, entry: dict) -> None:
        self._imports.append(copy_record(entry))
        self.touched_school = True

    def exports(self) -> list[dict]:
        return copy_record(self.store._state.exports + self._exports)

    def record_export(self, entry: dict) -> None:
        self._exports.append(copy_record(entry))
        self.touched_school = True

    # -- the audit trail ---------------------------------------------------------------------
    def log(self, action: str, *, ksh: str = "", xh: str = "", field: str = "", old=None, new=None,
            why: str = "", **extra) -> None:
        self.lines.append(audit_line(self.at, self.clerk, self.why, action, ksh=ksh, xh=xh, field=field,
                                     old=old, new=new, why=why, **extra))

    def log_many(self, action: str, rows, why: str = "") -> None:
        """One audit line per (KSH, XH, field, old, new) row: 30,000 numbers without 30,000 calls."""
        self.lines += audit_lines(self.at, self.clerk, self.why, action, rows, why)

    # -- commit ------------------------------------------------------------------------------
    def commit(self) -> None:
        if not (self._students or self.touched_school or self.lines):
            return
        if not self.lines:
            raise RuntimeError("a transaction that changes data must say what it did (audit lines)")
        st = self.store._state
        prev = st.lines[-1]["hash"] if st.lines else GENESIS
        seq = len(st.lines)
        txn = (st.lines[-1]["txn"] + 1) if st.lines else 1
        sealed = []
        for n, body in enumerate(copy_record(self.lines), 1):
            seq += 1
            line = {"seq": seq, "txn": txn, "n": n, "of": len(self.lines), **body, "prev": prev}
            line["hash"] = prev = line_hash(line["prev"], line)
            sealed.append(line)
        # nothing above can fail half-way through what follows: plain dict assignments
        st.settings, st.clerks, st.majors = self._settings, self._clerks, self._majors
        st.corrections, st.proposals = self._corrections, self._proposals
        st.imports += self._imports
        st.exports += self._exports
        for key, holders in self._index.items():
            if holders:
                st.index[key] = holders
            else:
                st.index.pop(key, None)
        for ksh, s in self._students.items():
            old = st.students.get(ksh)
            if old is not None:
                st.rows.get(_group(old), {}).pop(ksh, None)
                st.versions[_group(old)] = st.versions.get(_group(old), 0) + 1
            if s is None:
                st.students.pop(ksh, None)
                continue
            st.students[ksh] = s
            st.rows.setdefault(_group(s), {})[ksh] = roster_row(s)
            st.versions[_group(s)] = st.versions.get(_group(s), 0) + 1
        st.lines += sealed


class MemoryStore:
    """store.api.Store in memory."""

    def __init__(self) -> None:
        self._state = _State()
        self._lock = threading.Lock()
        self.formats: dict[str, dict] = {}  # the office's profile overrides, by name
        self._seen_commits: int | None = None
        self._row_cache: dict[str, tuple[int, list]] = {}
        self._derived: dict[str, bytes] = {}

    def clone(self) -> "MemoryStore":
        """Another store holding what this one holds and sharing nothing with it: the tests build a
        school once and give each test its own copy, as they copy a data directory on disk."""
        other = MemoryStore()
        with self._lock:
            other._state = copy.deepcopy(self._state)
            other.formats = copy.deepcopy(self.formats)
        return other

    # -- the school --------------------------------------------------------------------------
    @property
    def settings(self) -> dict:
        return dict(self._state.settings)

    def clerk(self, name: str) -> dict | None:
        c = self._state.clerks.get(name)
        return dict(c) if c else None

    def clerks(self) -> list[dict]:
        return [dict(c) for _, c in sorted(self._state.clerks.items())]

    def corrections(self) -> list[dict]:
        return [dict(copy_record(v), id=k) for k, v in self._state.corrections.items()]

    def proposals(self) -> list[dict]:
        return [dict(copy_record(v), id=k) for k, v in self._state.proposals.items()]

    def majors(self) -> list[dict]:
        return [dict(m) for m in self._state.majors]

    def imports(self) -> list[dict]:
        return copy_record(self._state.imports)

    def exports(self) -> list[dict]:
        return copy_record(self._state.exports)

    def exports_folder(self, make: bool = False) -> Path | None:
        return None  # no data directory: exports go to the clerk's home or the current directory

    def format_override(self, name: str) -> dict | None:
        got = self.formats.get(name)
        return copy_record(got) if got is not None else None

    # -- students ----------------------------------------------------------------------------
    def find(self, key: str) -> list[dict]:
        k = (key or "").strip().upper()
        kshs: list[str] = []
        for prefix in ("K", "X", "S"):
            kshs += [x for x in sorted(self._state.index.get(f"{prefix}:{k}", ())) if x not in kshs]
        return [copy_record(self._state.students[x]) for x in kshs if x in self._state.students]

    def get(self, ksh: str) -> dict | None:
        s = self._state.students.get((ksh or "").strip().upper()) or self._state.students.get(ksh)
        return copy_record(s) if s else None

    def students(self, college: str | None = None, keep: bool = True) -> Iterator[dict]:
        for s in list(self._state.students.values()):
            if college is None or _group(s) == college:
                yield s

    def student_groups(self, college: str | None = None) -> Iterator[tuple[str, Iterable[dict]]]:
        """One group without a token: nothing here outlives the process, so nothing is kept."""
        yield "", list(self.students(college))

    def derived(self, name: str) -> bytes | None:
        return self._derived.get(name)

    def keep_derived(self, name: str, data: bytes) -> None:
        self._derived[name] = bytes(data)

    def count(self, college: str | None = None) -> int:
        return len(self.rows(college))

    def _rows_of(self, group: str) -> list:
        version = self._state.versions.get(group, 0)
        hit = self._row_cache.get(group)
        if hit is None or hit[0] != version:
            hit = self._row_cache[group] = (version, list(self._state.rows.get(group, {}).values()))
        return hit[1]

    def rows_by_shard(self, college: str | None = None) -> dict[str, list]:
        groups = [college] if college is not None else sorted(self._state.rows)
        return {g: self._rows_of(g) for g in groups if g in self._state.rows}

    def rows(self, college: str | None = None) -> list[list]:
        return [r for rows in self.rows_by_shard(college).values() for r in rows]

    def stale_shards(self, shards) -> list[str]:
        return [g for g in shards
                if self._row_cache.get(g, (None,))[0] != self._state.versions.get(g, 0)]

    # -- changes and the trail ---------------------------------------------------------------
    def changed(self) -> bool:
        n = len(self._state.lines)
        if n != self._seen_commits:
            first = self._seen_commits is None
            self._seen_commits = n
            return not first
        return False

    def state(self) -> tuple:
        lines = self._state.lines
        return (len(lines), lines[-1]["hash"] if lines else GENESIS)

    def audit_lines(self, ksh: str | None = None) -> Iterator[dict]:
        for d in list(self._state.lines):
            if ksh is None or d.get("KSH") == ksh:
                yield copy_record(d)

    def verify_trail(self) -> list[str]:
        problems = []
        prev = GENESIS
        for d in self._state.lines:
            body = {k: v for k, v in d.items() if k != "hash"}
            if d.get("prev") != prev or line_hash(prev, body) != d.get("hash"):
                problems.append(f"序号 {d.get('seq')} 的审计记录与哈希链不符")
            prev = d.get("hash")
        return problems

    @contextmanager
    def write(self, clerk: str, why: str = "") -> Iterator[MemoryTxn]:
        with self._lock:
            tx = MemoryTxn(self, clerk, why)
            yield tx
            tx.commit()


def memory_store(*, school_code: str, school_name: str, president: str, clerk: str) -> MemoryStore:
    """A new, empty store in memory; ``clerk`` becomes its first office clerk."""
    store = MemoryStore()
    with store.write(clerk, "新建数据目录") as tx:
        tx.update_settings({"schema_version": 1, "school_code": school_code, "school_name": school_name,
                            "president": president, "created_at": tx.at, "created_by": clerk})
        tx.add_clerk({"name": clerk, "role": "office", "college": "", "added_by": clerk, "at": tx.at})
        tx.log("init", new={"school_code": school_code, "school_name": school_name, "president": president})
        tx.log("users-add", field="clerk", new={"name": clerk, "role": "office"})
    return store
