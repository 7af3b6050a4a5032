"""Helpers of the graduation tests: a graduating class in a real data directory (unique module name)."""

from __future__ import annotations

from pathlib import Path

from grad_factory import SETTINGS, graduate
from xueji_tui.store import create_store, open_store

N = 24  # six per college of the factory


def make_grads(root: Path, students: list[dict] | None = None, settings: dict = SETTINGS) -> Path:
    store = create_store(root, school_code=settings["school_code"], school_name=settings["school_name"],
                         president=settings.get("president", ""), clerk="office1")
    if students is None:
        students = [graduate(i, ZSBH="") for i in range(N)]
    with store.write("office1", "测试数据") as tx:
        tx.put_many(students)
        tx.add_clerk({"name": "wenxue", "role": "college", "college": "文学院", "added_by": "office1", "at": tx.at})
        tx.log("import", why="测试数据", new=len(students))
    return root


from xueji_testkit import tree_digest as digest  # noqa: E402,F401  (the shared helper, by its old name here)


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
