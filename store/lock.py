"""The writers' lock: one exclusive fcntl lock held across re-read -> change -> write."""

from __future__ import annotations

import fcntl
import os
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from xueji_tui.domain.errors import StoreBusy
from xueji_tui.store.files import FILE_MODE

LOCK_TIMEOUT = float(os.environ.get("XUEJI_LOCK_TIMEOUT", "15"))


class _TimedOut(Exception):
    pass


def _wait_in_kernel(fd: int, timeout: float) -> bool:
    """Block in the kernel's queue of waiters, with an alarm for the timeout.

    Polling with sleeps is unfair: the writer that just released the lock is awake and takes it
    again before a sleeping waiter notices, so under steady load one clerk can wait for ever.
    """
    def ring(signum, frame):
        raise _TimedOut

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return True
    except _TimedOut:
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _poll(fd: int, timeout: float) -> bool:
    """Outside the main thread no alarm can interrupt a blocked call: try, back off, try again."""
    deadline = time.monotonic() + timeout
    pause = 0.0005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 1.5, 0.004)


@contextmanager
def exclusive(root: Path, timeout: float | None = None):
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            got = True
        except BlockingIOError:
            main = threading.current_thread() is threading.main_thread()
            got = _wait_in_kernel(fd, timeout) if main else _poll(fd, timeout)
        if not got:
            raise StoreBusy(f"其他人正在保存，等待 {timeout:.0f} 秒后仍未轮到；未作任何修改，请稍后重试")
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
