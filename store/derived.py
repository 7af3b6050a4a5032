"""Derived files: worked out from the data and kept to save the work — never data themselves.

``<data>/cache/<name>``, owner only like everything in the data directory. They are written outside
every transaction and never enter the trail: ``doctor`` and ``audit --verify`` do not look at them,
and deleting the folder loses nothing (the precheck's kept verdicts, ``precheck/verdicts.py``, are
worked out again). A reader must expect one to be missing, damaged or from another version.
"""

from __future__ import annotations

import os
from pathlib import Path

from xueji_tui.store.files import FILE_MODE, make_dir, write_new

FOLDER = "cache"


def read(root: Path, name: str) -> bytes | None:
    """The file's bytes, or None (absent or unreadable: the caller works it out again)."""
    try:
        return (root / FOLDER / name).read_bytes()
    except OSError:
        return None


def keep(root: Path, name: str, data: bytes) -> None:
    """Replace the file whole (a reader sees the old or the new one). A failure to keep it is not
    the clerk's problem: nothing is lost but the time it would have saved."""
    folder = root / FOLDER
    part = folder / f"{name}.{os.getpid()}.part"  # never *.tmp: those are a commit's (recovery)
    try:
        make_dir(folder)
        write_new(part, data, FILE_MODE)
        os.replace(part, folder / name)
    except OSError:
        try:
            part.unlink()
        except OSError:
            pass
