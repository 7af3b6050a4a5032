"""A verdict 有误 on 专业名称 picks a catalogue major and sets the pair (ZYDM with ZYMC, and the entry's
层次 and 学制): never a name the catalogue does not have, never one code with another major's name."""

from __future__ import annotations

import pytest

from xueji_tui.domain import majors
from xueji_tui.domain.errors import InvalidInput, Refused
from xueji_tui.services import corrections, students

WEN = "文学院"


def first(kit, college: str) -> dict:
    return next(s for s in kit.store.students() if s["FY"] == college)


def test_a_name_outside_the_catalogue_is_refused_and_nothing_changes(any_school):
    s = first(any_school, WEN)
    before = any_school.snapshot()
    with pytest.raises(InvalidInput, match="不在专业目录中"):
        students.verify(any_school.office, s["XH"], "ZYMC", "wrong", "体育学", note="录入错误")
    with pytest.raises(InvalidInput, match="专业目录"):
        corrections.file(any_school.office, s["XH"], "ZYMC", "体育学", reason="x", evidence="x")
    assert any_school.snapshot() == before


def test_the_office_corrects_the_pair_by_name(any_school):
    s = next(x for x in any_school.store.students() if x["FY"] == WEN and x["ZYDM"] == "050101")
    out = students.verify(any_school.office, s["XH"], "ZYMC", "wrong", "秘书学", note="录入错误")
    after = any_school.store.get(s["KSH"])
    assert (after["ZYDM"], after["ZYMC"]) == ("050107T", "秘书学") and out.kind == "edited"
    assert majors.is_pair(any_school.store.majors(), after["ZYDM"], after["ZYMC"])
    lines = [d for d in any_school.store.audit_lines(s["KSH"]) if d["action"] == "edit"]
    assert {(d["field"], d["new"]) for d in lines} == {("ZYMC", "秘书学"), ("ZYDM", "050107T")}


def test_another_colleges_major_is_a_transfer_not_a_correction(any_school):
    s = first(any_school, WEN)
    before = any_school.snapshot()
    with pytest.raises(Refused, match="转专业"):
        students.verify(any_school.office, s["XH"], "ZYMC", "wrong", "080901", note="录入错误")
    assert any_school.snapshot() == before


def test_a_college_files_the_pair_as_one_request(any_school):
    s = next(x for x in any_school.store.students() if x["FY"] == WEN and x["ZYDM"] == "050107T")
    out = students.verify(any_school.wenxue, s["XH"], "ZYMC", "wrong", "050101 汉语言文学", note="录入错误")
    assert out.kind == "request" and any_school.store.get(s["KSH"])["ZYMC"] == "秘书学"  # kept until decided
    (req,) = [r for r in any_school.store.corrections() if r["KSH"] == s["KSH"]]
    assert (req["field"], req["new"], [(a["field"], a["new"]) for a in req["also"]]) == (
        "ZYMC", "汉语言文学", [("ZYDM", "050101")])
    corrections.approve(any_school.office, req["id"], "无须教育厅批文")
    after = any_school.store.get(s["KSH"])
    assert (after["ZYDM"], after["ZYMC"]) == ("050101", "汉语言文学")
