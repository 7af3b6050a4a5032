"""Helpers of the graduation tests: a graduating class in a real data directory (unique module name)."""

from __future__ import annotations

from pathlib import Path

from grad_factory import SETTINGS, graduate
from xueji_testkit import CLERKS, build_school
from xueji_testkit import tree_digest as digest  # noqa: F401  (the shared helper, by its old name here)
from xueji_tui.store import open_store

N = 24  # six per college of the factory


def make_grads(root: Path, students: list[dict] | None = None, settings: dict = SETTINGS) -> Path:
    """A data directory of graduates (by default N who pass everything but have no number yet); no
    majors catalogue, one college clerk."""
    if students is None:
        students = [graduate(i, ZSBH="") for i in range(N)]
    build_school(root, students=students, majors=[], clerks=CLERKS[:1],
                 school={k: settings.get(k, "") for k in ("school_code", "school_name", "president")})
    return root


def edit(root: Path, ksh: str, **changes) -> None:
    """Change a student the way an import or a clerk's fix would (through the store)."""
    store = open_store(root)
    with store.write("office1", "测试修改") as tx:
        s = tx.get(ksh)
        for k, v in changes.items():
            if k == "photo":
                s["photo"] = {**(s.get("photo") or {}), **v}
            else:
                s[k] = v
        tx.put(s)
        tx.log("edit", ksh=ksh, field=",".join(changes), why="测试修改")
