"""Writing a transaction: the order of writes that makes a save all-or-nothing and its trail evidence.

1. Under the writers' lock the trail's end was checked (``Store._recover_locked``); every data file
   the transaction replaces must still be what the trail last recorded for it (``audit.head``'s
   digests), or the save stops: saving over a file changed outside xueji would launder the change.
2. Each file goes to a temporary ``NAME.{txn}.tmp`` (fsync), ``audit.head``'s last; their directories
   are fsync'd, so the temporaries exist before the commit point.
3. The transaction's audit lines are appended and fsync'd: the commit point. The last line records
   every file's sha256 before and after, so ``audit --verify`` can replay the trail against the data.
4. The temporaries are renamed into place, ``audit.head`` last, and the directories fsync'd.

An operating-system error before 3 completes (disk full …) leaves the data directory as it was: the
temporaries are deleted and a partial append is cut back. A process killed anywhere is finished or
undone by ``store/recovery.py``.
"""

from __future__ import annotations

import errno
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from xueji_tui.domain.errors import TrailBroken, WriteFailed, WriteUnfinished, os_reason
from xueji_tui.store.audit import RollbackFailed, file_sha256, sha256
from xueji_tui.store.files import dumps, fsync_dir, make_dir, write_durable

if TYPE_CHECKING:
    from xueji_tui.store.db import Store


def stopped(what: str, scope: str = "一切保存") -> TrailBroken:
    return TrailBroken(
        f"{what}。为保护证据，{scope}已停止（查询照常），未写入任何数据。"
        f"请运行 xueji doctor 查看详情；由学生工作处处理：从备份恢复，或核实后登记确认（doctor 会说明怎么做）"
    )


def _advice(e: OSError) -> str:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return "请腾出磁盘空间后重试"
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "请检查数据目录的属主和权限（xueji doctor）后重试"
    return "请稍后重试；仍然失败时请运行 xueji doctor"


def failed(rel: str, e: OSError) -> WriteFailed:
    return WriteFailed(f"保存失败：写入 {rel} 时{os_reason(e)}。未写入任何数据，数据目录保持原样；{_advice(e)}")


def write(store: "Store", staged: dict[str, object], bodies: list[dict],
          read: dict[str, str] | None = None) -> None:
    """``read``: the sha256 of files as the transaction read them under the lock (not read again)."""
    root = store.root
    head = store._committed_head()
    txn = head.txn + 1
    known = dict(head.files or {})
    files: dict[str, list] = {}
    read = read or {}
    for rel in staged:
        before = read.get(rel) or file_sha256(root / rel)
        if rel in known and before != known[rel]:
            raise stopped(f"数据文件 {rel} 与审计记录不符：上次保存之后在 xueji 之外被改动或删除",
                          "涉及该文件的保存")
        files[rel] = [before, None]

    temps: list[tuple[Path, Path]] = []
    dirs: set[Path] = set()
    made: list[Path] = []
    rel = ""
    try:
        for rel in [*staged, "audit.head"]:
            path = root / rel
            if path.parent not in dirs and not path.parent.exists():
                made += _missing(path.parent)
                make_dir(path.parent)
            dirs.add(path.parent)
            temps.append((path.with_name(f"{path.name}.{txn}.tmp"), path))
        try:
            # each file serialised and handed to the writers, which digest and write it: the digests
            # and the disk's flushes overlap the serialising of the next files, and no more than a
            # few files' bytes are held
            with _temp_writer() as put:
                digests = [put(rel, tmp, dumps(obj)) for (rel, obj), (tmp, _) in zip(staged.items(), temps)]

                def written() -> dict[str, list]:  # the last line's: the lines before it are chained meanwhile
                    for rel, digest in zip(staged, digests):
                        files[rel][1] = known[rel] = digest.result()
                    return files

                data, new_head = store.audit.seal(head, txn, bodies, written)
            new_head.files = known
            _write_one("audit.head", temps[-1][0], new_head.dumps())  # audit.head's is the last
        except _Failed as e:
            rel = e.rel
            raise e.cause from None
        rel = "数据目录"
        _fsync_dirs(dirs)  # the temporaries' names are durable before the commit point
        rel = "audit.jsonl"
        store.audit.append(data, head.size or 0)  # the commit point
    except RollbackFailed as e:
        # the partial lines and our temporaries stay for recovery, which recognises and cuts them
        raise failed("audit.jsonl", e.cause) from e
    except BaseException as e:
        _undo(temps, made)
        if isinstance(e, OSError):
            raise failed(rel, e) from e
        raise
    try:
        for tmp, path in temps:  # audit.head is the last
            rel = str(path.relative_to(root))
            os.replace(tmp, path)
        _fsync_dirs(dirs)
    except OSError as e:
        raise WriteUnfinished(
            f"已保存（审计记录已写入），但换入 {rel} 时{os_reason(e)}；下次打开数据目录时会自动完成。"
            f"{_advice(e)}") from e
    store._note_head(new_head)
    for rel, obj in staged.items():
        store.cache.put(root / rel, obj)
    store._seen_audit = None


class _Failed(Exception):
    def __init__(self, rel: str, cause: OSError):
        super().__init__(rel)
        self.rel, self.cause = rel, cause


def _write_one(rel: str, tmp: Path, blob: bytes) -> None:
    try:
        write_durable(tmp, blob)
    except OSError as e:
        raise _Failed(rel, e) from e


def _digest_and_write(rel: str, tmp: Path, blob: bytes) -> str:
    digest = sha256(blob)  # hashlib lets the other threads run meanwhile
    _write_one(rel, tmp, blob)
    return digest


_POOL: tuple[int, ThreadPoolExecutor] | None = None


def _pool() -> ThreadPoolExecutor:
    """The process's writer threads (made again in a forked child, which has none of them)."""
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid():
        _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=8, thread_name_prefix="xueji-write"))
    return _POOL[1]


@contextmanager
def _temp_writer():
    """``put(rel, tmp, blob)`` digests, writes and fsyncs a temporary, a few at a time in threads: fsync waits
    for the disk with the interpreter's lock released, and the disk completes several flushes at once
    sooner than one after another (a save's three or four files in about half the time; an import's
    1,100 in 2/5). Leaving the block waits for every temporary, so a failure's undo finds all of
    them; then the first failure, in the files' order, is raised."""
    pool = _pool()
    room = threading.BoundedSemaphore(32)  # files serialised but not yet written
    futures = []

    def put(rel: str, tmp: Path, blob: bytes) -> Future:
        """The temporary's future: its sha256 once written."""
        room.acquire()
        f = pool.submit(_digest_and_write, rel, tmp, blob)
        f.add_done_callback(lambda _: room.release())
        futures.append(f)
        return f

    try:
        yield put
    finally:
        wait(futures)
    for f in futures:
        f.result()


def _fsync_dirs(dirs: set[Path]) -> None:
    """Each directory fsync'd (at once, in the writer threads); the first failure raised."""
    if len(dirs) < 2:
        for d in dirs:
            fsync_dir(d)
        return
    futures = [_pool().submit(fsync_dir, d) for d in dirs]
    wait(futures)
    for f in futures:
        f.result()


def _missing(path: Path) -> list[Path]:
    """The directories ``make_dir(path)`` is about to create, deepest first."""
    out = []
    while not path.exists():
        out.append(path)
        path = path.parent
    return out


def _undo(temps: list[tuple[Path, Path]], made: list[Path]) -> None:
    for tmp, _ in temps:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
    for d in made:
        try:
            d.rmdir()
        except OSError:
            pass
