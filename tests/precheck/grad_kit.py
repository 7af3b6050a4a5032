"""Helpers of the graduation tests: a graduating class in a real data directory (unique module name)."""

from __future__ import annotations

from pathlib import Path

from grad_factory import SETTINGS, graduate
from xueji_testkit import CLERKS, build_school
from xueji_testkit import tree_digest as digest  # noqa: F401  (the shared helper, by its old name here)
from xueji_tui.store import open_store

N = 24  # six per college of the factory


def grad_school(root: Path | None, students: list[dict] | None = None, settings: dict = SETTINGS):
    """Graduates (by default N who pass everything but have no number yet), no majors catalogue, one
    college clerk: in a data directory at ``root``, or in memory when it is None. Returns the store."""
    if students is None:
        students = [graduate(i, ZSBH="") for i in range(N)]
    return build_school(root, students=students, majors=[], clerks=CLERKS[:1],
                        school={k: settings.get(k, "") for k in ("school_code", "school_name", "president")})


def make_grads(root: Path, students: list[dict] | None = None, settings: dict = SETTINGS) -> Path:
    """``grad_school`` in a data directory."""
    grad_school(root, students, settings)
    return root


def edit(where, ksh: str, **changes) -> None:
    """Change a student the way an import or a clerk's fix would (through the store): ``where`` is a
    data directory or an open store."""
    store = open_store(where) if isinstance(where, Path) else where
    with store.write("office1", "测试修改") as tx:
        s = tx.get(ksh)
        for k, v in changes.items():
            if k == "photo":
                s["photo"] = {**(s.get("photo") or {}), **v}
            else:
                s[k] = v
        tx.put(s)
        tx.log("edit", ksh=ksh, field=",".join(changes), why="测试修改")
