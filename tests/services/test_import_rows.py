"""An import's rows taken whole when nothing in them needs normalising (services/import_prepare.py,
``_Clean``) give exactly the summary the value-by-value reading gives: the values stored, what was
normalised and in which order, the examples, the flags and the rejected rows."""

from __future__ import annotations

import csv
import random

import pytest

from xueji_testkit import build_school, make_student
from xueji_tui.domain.clerks import Clerk
from xueji_tui.services import import_prepare, imports
from xueji_tui.services.session import Session

CODES = ["KSH", "XH", "XM", "XB", "CSRQ", "SFZH", "ZZMM", "MZ", "ZYDM", "ZYMC", "FY", "XSH", "BH", "CC", "XXXS",
         "XZ", "RXRQ", "YJBYRQ", "YXDM", "YXMC", "LQLX", "DQSZJ", "XJZT", "BZ"]
# what a clerk's file may hold: spaces around values, control characters, full-width digits, codes
# for names, a lower-case x, non-breaking and ideographic spaces, the | the whole-row check joins by
DAMAGE = [lambda v: " " + v, lambda v: v + " ", lambda v: v + "\x1b[31m", lambda v: "\r" + v + "\t",
          lambda v: v.translate(str.maketrans("0123456789", "０１２３４５６７８９")), lambda v: "",
          lambda v: v.lower(), lambda v: "1", lambda v: "01", lambda v: v + "x", lambda v: v + "\u200b",
          lambda v: " \x07 ", lambda v: v + " |x", lambda v: "\u3000" + v, lambda v: v + "\u00a0",
          lambda v: "| " + v, lambda v: v + "|", lambda v: "是", lambda v: "女 "]


def _file(path, n: int, seed: int):
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        s = make_student(1000 + i)
        r = {c: str(s.get(c, "") or "") for c in CODES}
        r["XJZT"] = "注册学籍"
        for _ in range(rnd.choice([0, 0, 0, 1, 2, 3])):
            c = rnd.choice(CODES)
            r[c] = rnd.choice(DAMAGE)(r[c])
        rows.append(r)
    rows[7]["KSH"] = rows[8]["KSH"]  # a 考生号 twice: both rows rejected
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(CODES)
        w.writerows([r[c] for c in CODES] for r in rows)
    return path


def _summary(root, path, kind):
    from xueji_tui.store import open_store

    plan = imports.plan_import(Session(open_store(root), Clerk("office1", "office")), kind, path)
    return (imports.summary_lines(plan, 10_000), plan.normalised_examples, dict(plan.flagged), plan.new,
            [(r.row, r.reason, r.values) for r in plan.rejected],
            [{k: v for k, v in r.items() if k not in ("_src", "_read", "_extra")} for r in plan.prepared])


@pytest.mark.parametrize("kind", ["students", "graduates", "freshmen"])
def test_rows_taken_whole_read_as_value_by_value(tmp_path, monkeypatch, kind):
    root = tmp_path / "data"
    build_school(root, n=5)
    path = _file(tmp_path / "messy.csv", 400, seed=len(kind))
    whole = _summary(root, path, kind)
    monkeypatch.setattr(import_prepare._Clean, "__call__", lambda self, r: False)
    one_by_one = _summary(root, path, kind)
    assert whole == one_by_one
    assert any("去掉首尾空格" in line for line in whole[0]) and any("控制字符" in line for line in whole[0])


def test_the_students_left_with_problems_are_counted(any_school, tmp_path):
    """The closing line's "其中 N 人有待核对的问题": new and changed students the roster marks, on both stores."""
    rows = []
    for i in range(60, 90):  # 30 new students, three with a wrong check character
        s = make_student(i)
        r = {c: str(s.get(c, "") or "") for c in CODES}
        if i in (61, 70, 88):
            r["SFZH"] = r["SFZH"][:17] + ("0" if r["SFZH"][17] != "0" else "1")
        rows.append(r)
    old = make_student(5)  # already in the school: its entry date changed to one that is no date
    rows.append({**{c: str(old.get(c, "") or "") for c in CODES}, "RXRQ": "20221341"})
    path = tmp_path / "more.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(CODES)
        w.writerows([r[c] for c in CODES] for r in rows)
    office = any_school.office
    counts = imports.apply_import(office, imports.plan_import(office, "students", path))
    assert (counts["new"], counts["changed"], counts["with_problems"]) == (30, 1, 4)


def test_summary_lists_equal_counts_in_one_order_every_run():
    """The flags are gathered from sets, whose order follows the process's hash seed: equal counts are
    listed by rule name, so two runs on one file print the same summary."""
    from collections import Counter
    from pathlib import Path

    from xueji_tui.services.import_plan import ImportPlan

    lines = []
    for order in (["name-format", "bad-code", "id-checksum"], ["id-checksum", "name-format", "bad-code"]):
        plan = ImportPlan("students", Path("x.dbf"), "", "")
        plan.flagged = Counter({rule: 2 for rule in order})
        plan.normalised = Counter({field: 1 for field in reversed(order)})
        lines.append(imports.summary_lines(plan))
    assert lines[0] == lines[1]
    assert any("代码不在代码表中（bad-code） 2 人；身份证号校验位错误（id-checksum） 2 人；姓名写法可疑（name-format） 2 人"
               in line for line in lines[0])
