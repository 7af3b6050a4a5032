"""A small synthetic school for tests: valid IDs, three colleges, an office and a college clerk."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

import orjson

from xueji_tui.domain.idcard import check_char
from xueji_tui.services.session import Session, clerk_from
from xueji_tui.store import create_store, memory_store

COLLEGES = {
    "文学院": [("050101", "汉语言文学", "中文系"), ("050107T", "秘书学", "中文系")],
    "数学与计算机学院": [("070101", "数学与应用数学", "数学系"), ("080901", "计算机科学与技术", "计算机系")],
    "外国语学院": [("050201", "英语", "英语系")],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


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


def build_school(root: Path | None, n: int = 60, year: int = 2022) -> "Store":  # noqa: F821
    """The test school in a data directory at ``root``, or in memory when ``root`` is None."""
    if root is None:
        store = memory_store(school_code="10202", school_name="吉林师范大学", president="测试校长", clerk="office1")
    else:
        store = create_store(root, school_code="10202", school_name="吉林师范大学", president="测试校长",
                             clerk="office1")
    students = [make_student(i, year=year) for i in range(n)]
    with store.write("office1", "测试数据") as tx:
        tx.put_many(students)
        tx.add_majors([{"ZYDM": zydm, "ZYMC": zymc, "FY": fy, "XSH": xsh}
                       for fy, ms in COLLEGES.items() for zydm, zymc, xsh in ms])
        tx.add_clerk({"name": "wenxue", "role": "college", "college": "文学院", "added_by": "office1", "at": tx.at})
        tx.add_clerk({"name": "office2", "role": "office", "college": "", "added_by": "office1", "at": tx.at})
        tx.log("import", why="测试数据", new=n)
    return store


@dataclass
class SchoolKit:
    """A school on either store, with its clerks' sessions and a way to prove nothing changed."""

    store: object
    root: Path | None = None

    def session(self, name: str) -> Session:
        return Session(self.store, clerk_from(self.store, name))

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
    """Every file's bytes under a directory, to assert 'byte-for-byte unchanged'."""
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = Path(dirpath) / n
            out[str(p.relative_to(root))] = p.read_bytes()
    return out
