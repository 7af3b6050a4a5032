"""The store: reads without a lock (every file is replaced atomically), writes in transactions."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import orjson
from xueji_tui.bulk import collector_held
from xueji_tui.domain.errors import InvalidInput, NoData
from xueji_tui.domain.record import copy_record
from xueji_tui.domain.rowset import RowSet
from xueji_tui.store import derived, growth, guard, lock, recovery, snapshot
from xueji_tui.store.audit import AuditLog, Head
from xueji_tui.store.commit import stopped
from xueji_tui.store.files import FileCache, dumps, fsync_dir, make_dir, private_umask
from xueji_tui.store.layout import (CLERKS, CORRECTIONS, EXPORTS, IMPORTS, INDEX_BUCKETS, MAJORS, PROPOSALS,
                                    SCHEMA_VERSION, SETTINGS, college_dir, index_bucket, index_buckets, rows_of)
from xueji_tui.store.tinystorage import tinydb_read
from xueji_tui.store.txn import STUDENTS, Txn, now_iso

META = SETTINGS[0]
DERIVED = derived.FOLDER
EMPTY = RowSet.from_rows([])

# schema_version -> function(txn) bringing a store from that version to the next
MIGRATIONS: dict[int, object] = {1: growth.migrate_v1}


class DiskStore:
    """The data directory (store.api.Store)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.cache = FileCache()
        self.audit = AuditLog(self.root)
        self._seen_audit: tuple | None = None
        self._settings: dict | None = None
        self._snapshots = snapshot.Reader(self.root)

    # -- files -------------------------------------------------------------------------------
    def _load(self, rel: str, default=None):
        return self.cache.load(self.root / rel, default)

    def _docs(self, where: tuple[str, str]) -> list[dict]:
        file, name = where
        data = self._load(file) or {}
        if not data:
            return []
        return [dict(d, id=str(d.doc_id)) if where in (CORRECTIONS, PROPOSALS) else dict(d)
                for d in tinydb_read(data).table(name, cache_size=0).all()]

    # -- the school --------------------------------------------------------------------------
    @property
    def settings(self) -> dict:
        docs = self._docs(SETTINGS)
        return docs[0] if docs else {}

    @property
    def index_buckets(self) -> int:
        return index_buckets(self.settings)

    def clerks(self) -> list[dict]:
        return sorted(self._docs(CLERKS), key=lambda d: d["name"])

    def clerk(self, name: str) -> dict | None:
        return next((c for c in self._docs(CLERKS) if c.get("name") == name), None)

    def corrections(self) -> list[dict]:
        return self._docs(CORRECTIONS)

    def majors(self) -> list[dict]:
        return self._docs(MAJORS)

    def imports(self) -> list[dict]:
        return self._docs(IMPORTS)

    def proposals(self) -> list[dict]:
        return self._docs(PROPOSALS)

    def exports(self) -> list[dict]:
        return self._docs(EXPORTS)

    def exports_folder(self, make: bool = False) -> Path | None:
        """``<data>/exports``: where a clerk without a writable home gets the files they export;
        made (owner only) by the first export that goes there."""
        path = (self.root / "exports").resolve()
        if make and not path.exists():
            path.mkdir(mode=0o700)
        return path

    def format_override(self, name: str) -> dict | None:
        """``<data>/formats/<name>.json``: the office's edit of a shipped file profile, or None."""
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name or ""):
            return None
        path = self.root / "formats" / f"{name}.json"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            raise InvalidInput(f"格式配置文件 {path} 不是有效的 JSON（{e}）；请改正或删除该文件") from None
        if not isinstance(data, dict):
            raise InvalidInput(f"格式配置文件 {path} 应为 JSON 对象 {{…}}")
        return data

    # -- students ----------------------------------------------------------------------------
    def locate(self, key: str) -> list[tuple[str, str]]:
        k = (key or "").strip().upper()
        n = self.index_buckets
        hits: dict[str, str] = {}
        for prefix in ("K", "X", "S"):
            full = f"{prefix}:{k}"
            for ksh, shard in (self._load(index_bucket(full, n)) or {}).get(full, []):
                hits.setdefault(ksh, shard)
        if not hits and n != self._index_seen(n):
            return self.locate(key)  # the index was re-bucketed while we read: read it again
        return list(hits.items())

    def _index_seen(self, n: int) -> int:
        """The bucket count now, after any commit in flight (a miss is rare: this costs a lock only
        when the directory holds a commit's temporaries)."""
        if self._temp_files():
            self.recover()
        return self.index_buckets

    def _doc(self, shard: str, ksh: str) -> dict | None:
        data = self._load(shard) or {}
        for doc in (data.get(STUDENTS) or {}).values():
            if doc.get("KSH") == ksh:
                return copy_record(doc)
        return None

    def find(self, key: str) -> list[dict]:
        """Students whose 考生号, 学号 or 身份证号 is exactly ``key`` (copies)."""
        out = []
        for ksh, shard in self.locate(key):
            doc = self._doc(shard, ksh)
            if doc is None:  # a writer is between renames, or was killed there: look again safely
                self.recover()
                found = [(k, s) for k, s in self.locate(key) if k == ksh]
                doc = self._doc(found[0][1], ksh) if found else None
            if doc is not None:
                out.append(doc)
        return out

    def get(self, ksh: str) -> dict | None:
        """The student with this 考生号 (one index bucket and one shard read)."""
        key = f"K:{(ksh or '').strip().upper()}"
        n = self.index_buckets
        for k, shard in (self._load(index_bucket(key, n)) or {}).get(key, []):
            if k == ksh:
                doc = self._doc(shard, ksh)
                if doc is None:  # between a writer's renames: the careful path
                    return next((s for s in self.find(ksh) if s.get("KSH") == ksh), None)
                return doc
        if n != self._index_seen(n):
            return self.get(ksh)
        return None

    def shards_in(self, cdir: str) -> list[str]:
        d = self.root / "students" / cdir
        if not d.exists():
            return []
        return sorted(f"students/{cdir}/{n}" for n in os.listdir(d) if n.endswith(".json") and not n.endswith(".rows.json"))

    def shards(self, college: str | None = None) -> list[str]:
        base = self.root / "students"
        dirs = [base / college_dir(college)] if college is not None else (
            sorted(p for p in base.iterdir() if p.is_dir()) if base.exists() else [])
        out = []
        for d in dirs:
            if d.exists():
                out += sorted(f"students/{d.name}/{n}" for n in os.listdir(d)
                              if n.endswith(".json") and not n.endswith(".rows.json"))
        return out

    def rows(self, college: str | None = None) -> list[list]:
        """Roster rows (domain.record.ROW_FIELDS) of every student, or of one college."""
        out: list[list] = []
        for shard in self.shards(college):
            got = self._load(rows_of(shard))
            if got:
                out += got.lists()
        return out

    def rows_by_shard(self, college: str | None = None) -> dict[str, RowSet]:
        """Group -> roster rows held by columns (``domain.rowset``): a college's snapshot where the
        trail vouches for it, and the shards it is behind on (store/snapshot.py). The same object
        while nothing changed, so a reader can tell what another process rewrote."""
        digests = self._snapshots.digests(self.audit)
        out: dict[str, RowSet] = {}
        for cdir in self._college_dirs(college):
            out.update(self._snapshots.rows(cdir, self.shards_in(cdir), digests,
                                            lambda s: self._load(rows_of(s)) or EMPTY))
        return out

    def _college_dirs(self, college: str | None) -> list[str]:
        if college is not None:
            return [college_dir(college)]
        base = self.root / "students"
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.exists() else []

    def students(self, college: str | None = None, keep: bool = True) -> Iterator[dict]:
        """Every student record (read-only: do not modify what this yields).

        ``keep=False`` streams shard by shard without caching them: a whole-school scan in a
        long-lived process (the UI) then costs time, not memory.
        """
        for shard in self.shards(college):
            path = self.root / shard
            data = (self.cache.load(path) if keep else self.cache.peek(path)) or {}
            yield from (data.get(STUDENTS) or {}).values()

    def student_groups(self, college: str | None = None) -> Iterator[tuple[str, Iterable[dict]]]:
        """Every student record (read-only), file by file, each group with the sha256 of the bytes
        it was read from: what was worked out from a group stays true while its token is the same.
        Streams like ``students(keep=False)``."""
        for shard in self.shards(college):
            data, token = self.cache.read_digested(self.root / shard)
            if data:
                yield token, (data.get(STUDENTS) or {}).values()

    # -- derived files: worked out from the data, kept to save the work; never data themselves ----
    def derived(self, name: str) -> bytes | None:
        return derived.read(self.root, name)

    def keep_derived(self, name: str, data: bytes) -> None:
        derived.keep(self.root, name, data)

    def count(self, college: str | None = None) -> int:
        return sum(len(self._load(rows_of(shard)) or ()) for shard in self.shards(college))

    # -- changes by other processes ----------------------------------------------------------
    def changed(self) -> bool:
        """True once after any process committed since the last call (one stat of the trail's head,
        which a commit renames last: once it changed, every file of the commit is in place)."""
        try:
            st = os.stat(self.audit.head_path)
        except FileNotFoundError:
            try:  # a first-wave store, without a head file
                st = os.stat(self.audit.path)
            except FileNotFoundError:
                st = None
        sig = (st.st_ino, st.st_size, st.st_mtime_ns) if st is not None else None
        if sig != self._seen_audit:
            first = self._seen_audit is None
            self._seen_audit = sig
            return not first
        return False

    def stale_shards(self, shards) -> list[str]:
        return [s for s in shards if not self.cache.is_fresh(self.root / (s if s.endswith(".rows.json") else rows_of(s)))]

    def state(self) -> tuple:
        """A token that differs after every commit (a plan made on one state is re-made on another)."""
        h = self.audit.head()
        return (h.seq, h.hash)

    # -- the audit trail ---------------------------------------------------------------------
    def audit_lines(self, ksh: str | None = None) -> Iterator[dict]:
        """The trail's lines, oldest first: all, or one student's (a byte search skips the rest)."""
        needle = orjson.dumps(ksh) if ksh else None
        for _, d in self.audit.lines(needle):
            if d is not None and (ksh is None or d.get("KSH") == ksh):
                yield d

    def verify_trail(self) -> list[str]:
        from xueji_tui.store.integrity import verify

        return verify(self.root).problems

    # -- writing -----------------------------------------------------------------------------
    @contextmanager
    def write(self, clerk: str, why: str = "") -> Iterator[Txn]:
        """``with store.write(clerk) as tx:`` — changes commit together when the block ends.

        The cyclic collector waits while the lock is held: a save makes tens of thousands of objects
        (a shard parsed and written again) while the process keeps the files it read, so a full
        collection in the middle of a save walked all of them with every other clerk waiting. It is
        held back from before the lock is taken until after it is released: re-enabled inside, the
        collection it owed ran in the lock's own release (8 clerks at 300,000 students, snapshots
        remade as now: p95 209–216 ms; 266–305 ms with the collector re-enabled inside the lock)."""
        with collector_held(), lock.exclusive(self.root):  # the lock released before it runs again
            self._recover_locked(tidy=False)
            tx = Txn(self, clerk, why)
            try:
                yield tx
            except BaseException:
                for rel in tx.staged:
                    self.cache.forget(self.root / rel)
                raise
            try:
                tx.commit()
            except BaseException:
                for rel in tx.staged:
                    self.cache.forget(self.root / rel)
                raise

    # -- recovery ----------------------------------------------------------------------------
    def _temp_files(self) -> list[Path]:
        out = []
        dirs = [self.root, self.root / "index"]
        students = self.root / "students"
        if students.exists():
            dirs += [p for p in students.iterdir() if p.is_dir()]
        for d in dirs:
            try:
                names = os.listdir(d)
            except FileNotFoundError:
                continue
            out += [d / n for n in names if n.endswith(".tmp")]
        return out

    def recover(self) -> None:
        """Finish or discard an interrupted commit (under the writers' lock). A trail that is not
        what was committed is left exactly as it is: reads go on, writes stop (``write``)."""
        with lock.exclusive(self.root):
            self._recover_locked(strict=False)

    def recover_if_needed(self) -> None:
        if self._temp_files() or not self._audit_tail_clean():
            self.recover()

    def _audit_tail_clean(self) -> bool:
        try:
            with open(self.audit.path, "rb") as f:
                f.seek(-1, os.SEEK_END)
                return f.read(1) == b"\n"
        except (FileNotFoundError, OSError):
            return True

    def _recover_locked(self, strict: bool = True, tidy: bool = True) -> Head | None:
        """Under the lock: finish or undo our own interrupted commit, then make sure the trail's end
        is what was committed. ``strict`` (before a write): anything else raises TrailBroken.

        Without ``tidy`` (before each write) the directories are listed for temporaries only when
        the trail says a commit is unfinished: when it ends where audit.head says, a temporary can
        only be left from a writer killed before its commit point — nothing to finish, deleted at
        the next start or recovery (listing every college's directory cost more than a save's own
        reading at 300,000 students)."""
        plan = None
        if not tidy:
            plan = recovery.examine(self.root, self.audit, [])
            if plan.broken or not plan.idle or plan.head is None or plan.head.size != self.audit.size():
                plan = None
        if plan is None:
            plan = recovery.examine(self.root, self.audit, self._temp_files())
        if plan.broken:
            if strict:
                raise stopped(f"审计记录异常：{plan.problem}")
            return None
        if not plan.idle:
            for d in recovery.apply(plan, self.audit, self.cache.forget):
                fsync_dir(d)
        self._note_head(plan.head)
        self._migrate_locked()
        return plan.head

    def _note_head(self, head: Head | None) -> None:
        """Remember the checked head with the trail's signature: a commit under the same lock uses it."""
        try:
            st = os.stat(self.audit.path)
            sig = (st.st_ino, st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            sig = None
        self._write_head = (sig, head)

    def _committed_head(self) -> Head:
        """The head a commit chains to (under the lock; re-checked if the trail moved since)."""
        try:
            st = os.stat(self.audit.path)
            sig = (st.st_ino, st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            sig = None
        known = getattr(self, "_write_head", None)
        if known and known[0] == sig and known[1] is not None:
            return known[1]
        return self._recover_locked()

    def _migrate_locked(self) -> None:
        version = self.settings.get("schema_version", SCHEMA_VERSION)
        while version < SCHEMA_VERSION:
            tx = Txn(self, "xueji", f"数据格式升级 {version} → {version + 1}")
            MIGRATIONS[version](tx)  # type: ignore[operator]
            version += 1
            tx.update_settings({"schema_version": version})
            tx.log("migrate", new=version)
            tx.commit()


def unchecked_store(root: Path) -> DiskStore:
    """The data directory as it is, neither guarded nor recovered: for ``doctor``, which must read a
    directory that ``open_store`` would refuse."""
    return DiskStore(Path(root))


def is_store(root: Path) -> bool:
    return (Path(root) / META).exists()


def open_store(root: Path) -> DiskStore:
    root = Path(root)
    private_umask()
    if not is_store(root):
        raise NoData(
            f"数据目录 {root} 不存在或不是 xueji 数据目录。"
            f"新建：xueji --data {root} init --school-code 10202 --school-name 吉林师范大学；"
            f"或试用示例学校：xueji --data {root} demo --no-tui"
        )
    guard.check(root)  # before recovery: a directory others can change is neither read nor written
    store = DiskStore(root)
    store.recover_if_needed()
    return store


def create_store(root: Path, *, school_code: str, school_name: str, president: str, clerk: str) -> DiskStore:
    """A new, empty data directory; ``clerk`` becomes its first office clerk."""
    root = Path(root)
    private_umask()
    if (root / "audit.head.1.tmp").exists() and not is_store(root):
        DiskStore(root).recover()  # an earlier init killed mid-commit: finish or undo it first
        trail = root / "audit.jsonl"
        if trail.exists() and trail.stat().st_size == 0:
            trail.unlink()  # undone: it held no committed line
    if is_store(root):
        raise InvalidInput(f"{root} 已经是 xueji 数据目录，未作任何修改")
    if root.exists() and any(p.name not in (".lock",) for p in root.iterdir()):
        raise InvalidInput(f"{root} 不是空目录；请指定一个新的或空的目录")
    make_dir(root)
    os.chmod(root, 0o700)
    store = DiskStore(root)
    with store.write(clerk, "新建数据目录") as tx:
        tx.update_settings({
            "schema_version": SCHEMA_VERSION, "school_code": school_code, "school_name": school_name,
            "president": president, "created_at": now_iso(), "created_by": clerk,
            "college_shards": {}, "index_buckets": INDEX_BUCKETS,  # grown with the school (store/layout.py)
        })
        tx.add_clerk({"name": clerk, "role": "office", "college": "", "added_by": clerk, "at": tx.at})
        tx.log("init", new={"school_code": school_code, "school_name": school_name, "president": president})
        tx.log("users-add", field="clerk", new={"name": clerk, "role": "office"})
    return store


__all__ = ["DiskStore", "open_store", "create_store", "dumps", "is_store", "unchecked_store"]
