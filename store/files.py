"""Files on disk: atomic writes, private permissions, and a parse cache validated by stat.

Every file is replaced as a whole (temporary file, fsync, rename, fsync of the directory), so a
reader without a lock always sees a complete version; the cache keys each parsed file by inode,
size and mtime, so another process's rename is noticed on the next read.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from pathlib import Path

import orjson

from xueji_tui.domain.errors import StoreDamaged
from xueji_tui.domain.rowset import RowSet
from xueji_tui.durable import fsync_dir, write_new  # noqa: F401  (fsync_dir is re-exported)

FILE_MODE = 0o600  # owner only: one service account owns the data (clerks come in through SSH)
DIR_MODE = 0o700


def private_umask() -> None:
    os.umask(0o077)


def make_dir(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def write_durable(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (which must not be a live file: a temporary) and fsync it."""
    write_new(path, data, FILE_MODE)


def dumps(obj) -> bytes:
    try:  # the same bytes: orjson takes a slower path for every mapping when non-text keys are allowed
        return orjson.dumps(obj)
    except orjson.JSONEncodeError:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)


def damaged(path: Path, what: str) -> StoreDamaged:
    """A data file that cannot be read, named (relative to the data directory), with what to do."""
    rel = str(path)
    for parent in path.parents:
        if (parent / "meta.json").exists() or (parent / "audit.jsonl").exists():
            rel = str(path.relative_to(parent))
            break
    shard = path.parent.parent.name == "students"
    rest = "；其他学院的学生照常可查" if shard else ""
    return StoreDamaged(f"数据文件 {rel} 已损坏（{what}），无法读取{rest}。请运行 xueji doctor 检查，"
                        f"并由学生工作处从备份恢复该文件", rel)


def parse(path: Path, raw: bytes):
    """A data file's JSON; a store never writes an empty or invalid file, so either is damage."""
    if not raw:
        raise damaged(path, "文件为空")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        cut = "，文件可能被截断" if e.pos >= len(raw) - 1 else ""
        raise damaged(path, f"不是有效的 JSON：第 {e.pos} 字节处出错{cut}") from None


# Parsed student shards and index buckets are big (about 1 MB and 0.45 MB each, at any school size:
# the layout grows their number, not their size): a clerk walking student after student in the UI
# would otherwise keep every one of them, past the 150 MB a process may use at 100,000 students
# (docs/quality.md). These two kinds are kept least-recently-used, a few of each (students a clerk
# walks through are spread over every shard, so more would hardly be hit; re-reading one costs a
# few milliseconds); the rest (settings, roster rows: read as a whole) stay cached.
BOUNDED = {"shard": 8, "index": 8}


def _bounded_kind(path: Path) -> str | None:
    if path.parent.name == "index":
        return "index"
    if path.parent.parent.name == "students" and not is_rows(path):
        return "shard"
    return None


def is_rows(path: Path) -> bool:
    return path.name.endswith(".rows.json")


def decode_rows(path: Path, data) -> RowSet:
    """A rows file's content as a ``RowSet`` (either format); anything else is damage."""
    try:
        return RowSet.from_json(data)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        raise damaged(path, "不是名册行文件的格式") from None


class _Written:
    """A rows file's content as this process wrote it, not yet decoded."""

    __slots__ = ("data",)

    def __init__(self, data) -> None:
        self.data = data


def _decoded(path: Path, data):
    return decode_rows(path, data.data) if isinstance(data, _Written) else data


class FileCache:
    """Parsed JSON files, re-read only when the file on disk changed (inode, size, mtime)."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[tuple, object]] = {}
        self._recent: dict[str, OrderedDict[Path, None]] = {kind: OrderedDict() for kind in BOUNDED}

    def _touch(self, path: Path) -> None:
        kind = _bounded_kind(path)
        if kind is None:
            return
        recent = self._recent[kind]
        recent[path] = None
        recent.move_to_end(path)
        while len(recent) > BOUNDED[kind]:
            # OrderedDict: a plain dict's first key is found by skipping every slot deleted before it
            oldest, _ = recent.popitem(last=False)
            self._entries.pop(oldest, None)

    @staticmethod
    def _sig(st: os.stat_result) -> tuple:
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def peek(self, path: Path, default=None):
        """The file's content without keeping it (a whole-school scan must not grow the cache)."""
        hit = self._entries.get(path)
        if hit and self.is_fresh(path):
            if isinstance(hit[1], _Written):
                hit = self._entries[path] = (hit[0], _decoded(path, hit[1]))
            return hit[1]
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            return default
        data = parse(path, raw)
        return decode_rows(path, data) if is_rows(path) else data

    @staticmethod
    def read_digested(path: Path) -> tuple[object, str]:
        """The file's content and the sha256 of the very bytes it was parsed from (not kept: a
        whole-school scan must not grow the cache); (None, "") when the file is gone."""
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            return None, ""
        return parse(path, raw), hashlib.sha256(raw).hexdigest()

    def load(self, path: Path, default=None):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self._entries.pop(path, None)
            return default
        sig = self._sig(st)
        hit = self._entries.get(path)
        if hit and hit[0] == sig:
            self._touch(path)
            if isinstance(hit[1], _Written):
                hit = self._entries[path] = (sig, _decoded(path, hit[1]))
            return hit[1]
        with open(path, "rb") as f:
            raw = f.read()
        data = parse(path, raw)
        if is_rows(path):
            # kept decoded and by columns: 100,000 rows as 100,000 strings, not 1.7 million objects
            data = decode_rows(path, data)
        self._entries[path] = (sig, data)
        self._touch(path)
        return data

    def is_fresh(self, path: Path) -> bool:
        hit = self._entries.get(path)
        try:
            return bool(hit) and hit[0] == self._sig(os.stat(path))
        except FileNotFoundError:
            return hit is None

    def put(self, path: Path, data) -> None:
        """Remember what this process just wrote (its stat is read after the rename). A rows file is
        decoded when it is first read (an import writes hundreds that the process may never read)."""
        if is_rows(path) and not isinstance(data, RowSet):
            data = _Written(data)
        try:
            self._entries[path] = (self._sig(os.stat(path)), data)
            self._touch(path)
        except FileNotFoundError:
            self._entries.pop(path, None)

    def forget(self, path: Path) -> None:
        self._entries.pop(path, None)
        kind = _bounded_kind(path)
        if kind is not None:
            self._recent[kind].pop(path, None)
