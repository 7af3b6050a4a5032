"""The writers' lock: one exclusive fcntl lock held across re-read -> change -> write."""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

from xueji_tui.domain.errors import StoreBusy
from xueji_tui.store.files import FILE_MODE

LOCK_TIMEOUT = float(os.environ.get("XUEJI_LOCK_TIMEOUT", "15"))


@contextmanager
def exclusive(root: Path, timeout: float | None = None):
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        deadline = time.monotonic() + timeout
        pause = 0.0005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusy(f"其他人正在保存，等待 {timeout:.0f} 秒后仍未轮到；未作任何修改，请稍后重试")
                time.sleep(pause)
                pause = min(pause * 1.5, 0.004)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
