"""Durable file writes shared by the store and the file writers: a file is on disk whole or not at all.

Temporaries of exported files get a random name and are created with O_EXCL|O_NOFOLLOW: the output
directory may be shared, and a name another user can predict is a name they can plant a symlink at.
An existing output is kept unless the caller says ``force`` (the link-then-unlink commit cannot
clobber a file that appeared meanwhile); an OS error is reported in Chinese with the file.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

from xueji_tui.domain.errors import InvalidInput, OutputExists, WriteFailed, os_reason  # noqa: F401

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
def write_failed(path: Path, err: OSError) -> WriteFailed:
    """The operating system refused the write (disk full, no permission …): nothing was written."""
    return WriteFailed(f"无法写出 {path}：{os_reason(err)}，未写入任何数据。请换一个位置或腾出空间后重试")


def write_all(fd: int, data: bytes) -> None:
    """os.write may write less than asked (signals, pipes): loop until every byte is written."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_new(path: Path, data: bytes, mode: int) -> None:
    """Create (or truncate) ``path`` with ``mode``, write ``data`` and fsync it. For the store's
    temporaries (named by transaction, recovered after a crash); a symlink there is never followed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, mode)
    _fill(fd, data, mode)


def _fill(fd: int, data, mode: int) -> None:
    """``data``: the bytes, or a function writing them to a binary file (a file too big to hold in
    memory first: the college workbook of a whole school)."""
    try:
        os.fchmod(fd, mode)  # the umask must not widen or narrow what we chose
        if callable(data):
            with os.fdopen(os.dup(fd), "wb") as f:
                data(f)
        else:
            write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def create_temp(parent: Path, stem: str, data, mode: int) -> Path:
    """A new file with a random name in ``parent``, created exclusively, written and fsync'd."""
    for _ in range(16):
        tmp = Path(parent) / f".{stem}.{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, mode)
        except FileExistsError:
            continue
        try:
            _fill(fd, data, mode)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp
    raise FileExistsError(errno.EEXIST, "temporary name collision", str(parent))


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (the directory entry is data too)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _commit(tmp: Path, path: Path, force: bool) -> None:
    if force:
        os.replace(tmp, path)  # replaces a symlink at ``path`` itself, never the file it points to
        return
    try:
        os.link(tmp, path, follow_symlinks=False)  # fails if anything (a file, a symlink) is there
    except FileExistsError:
        raise OutputExists(path) from None
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if os.path.lexists(path):  # a file system without hard links: check, then rename
            raise OutputExists(path) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def replace_file(path: Path, data, mode: int, force: bool = True) -> None:
    """Write a whole file atomically: a temporary beside it, fsync, rename over, fsync the directory.

    Without ``force`` an existing ``path`` (even a dangling symlink) is left alone: ``OutputExists``.
    OS errors become ``WriteFailed`` naming the file; in every failure no temporary is left behind.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not force and os.path.lexists(path):
        raise OutputExists(path)
    tmp = None
    try:
        tmp = create_temp(parent, path.name, data, mode)
        _commit(tmp, path, force)
    except OutputExists:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    except OSError as e:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise write_failed(path, e) from None
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    try:
        fsync_dir(parent)
    except OSError:  # some file systems (network shares) refuse a directory fsync; the rename stands
        pass
