"""A small synthetic school for tests: valid IDs, three colleges, an office and a college clerk."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

import orjson

from xueji_tui.domain.idcard import check_char
from xueji_tui.services.session import Session, clerk_from
from xueji_tui.store import create_store, memory_store, open_store
from xueji_tui.store.db import DERIVED

COLLEGES = {
    "文学院": [("050101", "汉语言文学", "中文系"), ("050107T", "秘书学", "中文系")],
    "数学与计算机学院": [("070101", "数学与应用数学", "数学系"), ("080901", "计算机科学与技术", "计算机系")],
    "外国语学院": [("050201", "英语", "英语系")],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def copy_dir(src: Path, dst: Path) -> None:
    """A copy of a data directory, modes and times kept: ``cp -a`` takes 15 ms for a school of 268
    files where ``shutil.copytree`` takes 165 ms (a UI or CLI test copies one each)."""
    import shutil
    import subprocess

    if shutil.which("cp") is None:
        shutil.copytree(src, dst, symlinks=True)
        return
    subprocess.run(["cp", "-a", "--", str(src), str(dst)], check=True)


def make_id(region: str, birth: str, seq: int, male: bool) -> str:
    s = f"{seq % 100:02d}{(seq % 5) * 2 + (1 if male else 0)}"
    first17 = f"{region}{birth}{s}"
    return first17 + check_char(first17)


def make_student(i: int, *, year: int = 2022, college: str | None = None, **over) -> dict:
    rnd = random.Random(i)
    college = college or list(COLLEGES)[i % len(COLLEGES)]
    zydm, zymc, xsh = COLLEGES[college][i % len(COLLEGES[college])]
    male = i % 2 == 0
    birth = f"{year - 18}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
    s = {
        "KSH": f"{year % 100:02d}22{i:010d}", "XH": f"{year}{i:06d}",
        "XM": rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if i % 3 else ""),
        "XB": "男" if male else "女", "CSRQ": birth, "SFZH": make_id("220102", birth, i, male),
        "MZ": "汉族", "ZZMM": "共青团员", "YXDM": "10202", "YXMC": "吉林师范大学",
        "ZYDM": zydm, "ZYMC": zymc, "FY": college, "XSH": xsh, "BH": f"{zymc}{year % 100}{i % 2 + 1}班",
        "CC": "本科", "XXXS": "普通全日制", "XZ": "4", "RXRQ": f"{year}0901", "YJBYRQ": f"{year + 4}0630",
        "LQLX": "普通高考", "status": "注册学籍", "history": [], "verification": {},
    }
    s.update(over)
    return s


SCHOOL = {"school_code": "10202", "school_name": "吉林师范大学", "president": "测试校长"}
# the clerks besides office1 (the store's first): a college clerk, and a second office clerk (approvals
# need one who did not file the request)
CLERKS = ({"name": "wenxue", "role": "college", "college": "文学院"}, {"name": "office2", "role": "office", "college": ""})


def majors_of(colleges: dict) -> list[dict]:
    return [{"ZYDM": zydm, "ZYMC": zymc, "FY": fy, "XSH": xsh} for fy, ms in colleges.items() for zydm, zymc, xsh in ms]


def build_school(root: Path | None = None, n: int = 60, year: int = 2022, *, students: list[dict] | None = None,
                 majors: list[dict] | None = None, clerks=CLERKS, school: dict | None = None,
                 at: str | None = None) -> "Store":  # noqa: F821
    """The one way tests make a school: in a data directory at ``root``, or in memory when ``root`` is
    None. By default ``n`` students of entry ``year`` (``make_student``), this module's majors and
    ``CLERKS``; the UI's seeded school and the graduating classes pass their own ``students``. With
    ``at`` every audit line is stamped then (screens that show the trail look the same on every run)."""
    school = {**SCHOOL, **(school or {})}
    if at is not None:
        from xueji_tui.store import txn

        real, txn.now_iso = txn.now_iso, (lambda: at)
    try:
        if root is None:
            store = memory_store(**school, clerk="office1")
        else:
            store = create_store(root, **school, clerk="office1")
        if students is None:
            students = [make_student(i, year=year) for i in range(n)]
        with store.write("office1", "测试数据") as tx:
            tx.put_many(students)
            tx.add_majors(majors_of(COLLEGES) if majors is None else majors)
            for c in clerks:
                tx.add_clerk({**c, "added_by": "office1", "at": tx.at})
            tx.log("import", why="测试数据", new=len(students))
    finally:
        if at is not None:
            txn.now_iso = real
    return store


@dataclass
class SchoolKit:
    """A school on either store, with its clerks' sessions and a way to prove nothing changed."""

    store: object
    root: Path | None = None

    def session(self, name: str) -> Session:
        return Session(self.store, clerk_from(self.store, name))

    def reopened(self):
        """The store as another clerk's process finds it: the data directory opened afresh (what was
        saved, not what this process holds); in memory, the one store there is."""
        return self.store if self.root is None else open_store(self.root)

    def elsewhere(self, name: str) -> Session:
        """Clerk ``name`` working at another terminal, on the ``reopened`` store."""
        store = self.reopened()
        return Session(store, clerk_from(store, name))

    @property
    def office(self) -> Session:
        return self.session("office1")

    @property
    def office2(self) -> Session:
        return self.session("office2")

    @property
    def wenxue(self) -> Session:
        return self.session("wenxue")

    def snapshot(self):
        """Everything the store holds: equal before and after a refused command."""
        if self.root is not None:
            return tree_digest(self.root)
        st = self.store
        return orjson.dumps([st.state(), list(st.students()), st.corrections(), st.clerks(), st.majors(),
                             st.settings, st.imports(), st.exports()], option=orjson.OPT_SORT_KEYS)


def tree_digest(root: Path) -> dict[str, bytes]:
    """Every file's bytes under a directory, to assert 'byte-for-byte unchanged' — but for the
    store's derived files (``<data>/cache``: worked out from the data, never data themselves)."""
    out = {}
    for dirpath, dirs, names in os.walk(root):
        if DERIVED in dirs and os.path.exists(os.path.join(dirpath, "audit.jsonl")):
            dirs.remove(DERIVED)
        for n in names:
            p = Path(dirpath) / n
            out[str(p.relative_to(root))] = p.read_bytes()
    return out
