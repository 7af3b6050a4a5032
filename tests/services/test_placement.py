"""编班 and 学号: the school's pattern as data, stable plans, unique numbers, nothing changed twice."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from xueji_testkit import make_student, tree_digest
from xueji_tui.cli import cli
from xueji_tui.domain.errors import InvalidInput, NotAllowed
from xueji_tui.domain.majors import expected_graduation
from xueji_tui.domain.placement import parse_pattern, plan_placement, render
from xueji_tui.services import majors, placement, settings

CAT = {"050101": {"ZYDM": "050101", "ZYMC": "汉语言文学", "FY": "文学院", "XSH": "中文系", "CC": "本科", "XZ": "4",
                  "college_no": "01", "major_no": "01", "short": "汉文"},
       "050201": {"ZYDM": "050201", "ZYMC": "英语", "FY": "外国语学院", "XSH": "英语系", "CC": "本科", "XZ": "4",
                  "college_no": "06", "major_no": "01", "short": "英语"}}
XH = parse_pattern("{year}{college:2}{major:2}{class:2}{seq:2}")
BH = parse_pattern("{short}{year:2}{class:2}", "bh")


def fresh(n: int, zydm: str = "050101", start: int = 0) -> list[dict]:
    return [{"KSH": f"26220{i:09d}", "XM": f"学生{i}", "ZYDM": zydm, "XZ": "4"} for i in range(start, start + n)]


@pytest.mark.parametrize("bad, words", [
    ("{year}{college:2}", "须含序号"), ("{year}{dept:2}{seq:3}", "不认识"), ("{year:3}{seq:3}", "2 或 4"),
    ("{year}{college:4}{major:4}{seq:4}", "超过"), ("{year}-{seq:4}", "数字或字母"), ("{seq:3}{seq:2}", "两次"),
    ("{year}{seq:3", "花括号"),
])
def test_a_bad_pattern_says_what_is_wrong(bad, words):
    with pytest.raises(InvalidInput, match=words):
        parse_pattern(bad)


def test_classes_by_major_and_size_and_numbers_in_the_pattern():
    plan = plan_placement(2026, fresh(85) + fresh(30, "050201", 100), [], set(), CAT, 40, XH, BH)
    assert not plan.problems and len(plan.placed) == 115
    by_class = {}
    for p in plan.placed:
        by_class.setdefault(p.values["BH"], []).append(p)
    assert sorted((bh, len(ps)) for bh, ps in by_class.items()) == [
        ("汉文2601", 29), ("汉文2602", 28), ("汉文2603", 28), ("英语2601", 30)]
    numbers = [p.values["XH"] for p in plan.placed]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"2026(01|06)01(0[1-3])(\d\d)", x) for x in numbers)
    first = [p.values["XH"] for p in by_class["汉文2602"]]
    assert first[0] == "2026010102" + "01" and first[-1] == "2026010102" + "28"  # seq counts within the class
    assert {p.values["FY"] for p in plan.placed} == {"文学院", "外国语学院"}
    assert all(p.values["YJBYRQ"] == "20300630" for p in plan.placed)
    # stable: the same students, in any order, get the same numbers
    again = plan_placement(2026, list(reversed(fresh(85) + fresh(30, "050201", 100))), [], set(), CAT, 40, XH, BH)
    assert {p.ksh: p.values["XH"] for p in again.placed} == {p.ksh: p.values["XH"] for p in plan.placed}


def test_late_arrivals_fill_classes_and_never_take_a_number_twice():
    first = plan_placement(2026, fresh(38), [], set(), CAT, 40, XH, BH)
    taken = {p.values["XH"] for p in first.placed}
    placed = [dict(KSH=p.ksh, ZYDM="050101", BH=p.values["BH"], XH=p.values["XH"]) for p in first.placed]
    taken.add("2026010101" + "45")  # a number someone typed by hand
    late = plan_placement(2026, fresh(5, start=500), placed, set(taken), CAT, 40, XH, BH)
    got = [(p.values["BH"], p.values["XH"]) for p in late.placed]
    assert got[:2] == [("汉文2601", "202601010146"), ("汉文2601", "202601010147")]  # after the highest
    assert got[2:] == [("汉文2602", "202601010201"), ("汉文2602", "202601010202"), ("汉文2602", "202601010203")]
    assert not {x for _, x in got} & taken


def test_who_cannot_be_placed_is_named_with_why():
    cat = {"050101": dict(CAT["050101"], college_no="")}
    plan = plan_placement(2026, fresh(2) + fresh(1, "999999", 9), [], set(), cat, 40, XH, BH)
    assert not plan.placed
    why = {k: w for k, _, w in plan.problems}
    assert "不在专业目录中" in why["26220000000009"] and "学院编号" in why["26220000000000"]
    small = parse_pattern("{year}{college:2}{seq:1}")
    plan = plan_placement(2026, fresh(12), [], set(), CAT, 40, small, BH)
    assert len(plan.placed) == 9 and len(plan.problems) == 3 and "超出" in plan.problems[0][2]


def test_render_and_graduation_dates():
    assert render(parse_pattern("{year:2}{college:2}{seq:3}"), {"year": 2026, "college": "3", "seq": 7}) == "2603007"
    assert expected_graduation(2026, "4") == "20300630" and expected_graduation(2026, "2.5") == "20290131"


# -- the catalogue and the command, on both stores ---------------------------------------------------

def freshmen(kit, n=45):
    with kit.store.write("office1", "新生") as tx:
        tx.put_many([make_student(1000 + i, year=2026, college="文学院", XH="", FY="", BH="", XSH="", YJBYRQ="",
                                  status="待注册", ZYDM="050101", ZYMC="汉语言文学") for i in range(n)])
        tx.log("import", why="新生")


def test_majors_add_edit_and_who_may(any_school):
    office, wenxue = any_school.office, any_school.wenxue
    before = any_school.snapshot()
    with pytest.raises(NotAllowed):
        majors.add_major(wenxue, "050102", ZYMC="汉语言", FY="文学院", CC="本科", XZ="4")
    with pytest.raises(InvalidInput, match="已在专业目录中"):
        majors.add_major(office, "050101", ZYMC="x", FY="文学院", CC="本科", XZ="4")
    with pytest.raises(InvalidInput, match="层次"):
        majors.add_major(office, "050102", ZYMC="汉语言", FY="文学院", CC="硕士", XZ="4")
    with pytest.raises(InvalidInput, match="6 位数字"):
        majors.add_major(office, "05010", ZYMC="汉语言", FY="文学院", CC="本科", XZ="4")
    assert any_school.snapshot() == before
    majors.edit_major(office, "050101", college_no="01", major_no="01", short="汉文")
    m = majors.add_major(office, "050102", ZYMC="汉语言", FY="文学院", CC="本科", XZ="4", major_no="02")
    assert m["college_no"] == "01"  # shared by the college
    majors.edit_major(office, "050107T", college_no="1")
    assert {x["ZYDM"]: x.get("college_no") for x in majors.list_majors(wenxue, "文学院")} == \
        {"050101": "1", "050102": "1", "050107T": "1"}
    assert any(line["action"] == "majors-edit" for line in any_school.store.audit_lines())


def test_assign_places_once_and_a_second_run_changes_nothing(any_school):
    office = any_school.office
    freshmen(any_school)
    settings.update(office, class_size="20", xh_pattern="{year}{college:2}{major:2}{class:2}{seq:2}")
    plan = placement.plan_assign(office, 2026)
    assert len(plan.placed) == 0 and len(plan.problems) == 45  # the catalogue has no numbers yet
    majors.edit_major(office, "050101", college_no="01", major_no="01", short="汉文")
    plan = placement.plan_assign(office, 2026)
    assert len(plan.placed) == 45 and [c.new for c in plan.classes] == [15, 15, 15]
    with pytest.raises(NotAllowed):
        placement.plan_assign(any_school.wenxue, 2026)
    placement.apply_assign(office, plan)
    got = [s for s in any_school.store.students() if (s.get("RXRQ") or "").startswith("2026")]
    numbers = [s["XH"] for s in got]
    assert len(set(numbers)) == 45 and all(re.fullmatch(r"20260101(0[1-3])\d\d", x) for x in numbers)
    assert {s["FY"] for s in got} == {"文学院"} and {s["BH"] for s in got} == {"汉文2601", "汉文2602", "汉文2603"}
    before = any_school.snapshot()
    again = placement.plan_assign(office, 2026)
    assert not again.placed and again.already == 45
    assert any_school.snapshot() == before


def test_cli_assign_preview_then_apply(school):
    def x(*args, clerk="office1"):
        return CliRunner().invoke(cli, ["--data", str(school), "--clerk", clerk, *args])

    from xueji_testkit import SchoolKit
    from xueji_tui.store import open_store
    freshmen(SchoolKit(open_store(school), school), 10)
    assert x("majors", "edit", "050101", "--college-no", "01", "--major-no", "01", "--short", "汉文").exit_code == 0
    before = tree_digest(school)
    r = x("assign", "--year", "2026", "--dry-run")
    assert r.exit_code == 0 and "汉文2601" in r.output and "分配 10 人" in r.output
    assert tree_digest(school) == before
    r = x("assign", "--year", "2026")  # a script without --yes: told how, nothing written
    assert "未应用" in r.output and tree_digest(school) == before
    assert x("assign", "--year", "2026", clerk="wenxue").exit_code == 3
    r = x("assign", "--year", "2026", "--yes")
    assert r.exit_code == 0 and "已写入" in r.output
    after = tree_digest(school)
    r = x("assign", "--year", "2026", "--yes")
    assert r.exit_code == 0 and "无需分配" in r.output and tree_digest(school) == after
    r = x("settings", "--xh-pattern", "{year}{college:2}")
    assert r.exit_code == 2 and "序号" in r.output and tree_digest(school) == after


def test_an_import_learns_an_unknown_major_and_reports_it(school, tmp_path):
    s = make_student(950, year=2025, ZYDM="071001", ZYMC="生物科学", FY="生命科学学院", XSH="生物科学系")
    heads = ["KSH", "XH", "XM", "XB", "CSRQ", "SFZH", "MZ", "ZYDM", "ZYMC", "FY", "XSH", "BH", "CC", "XZ", "RXRQ"]
    f = tmp_path / "在校生.csv"
    f.write_text(",".join(heads) + "\n" + ",".join(s[h] for h in heads) + "\n", "utf-8-sig")
    r = CliRunner().invoke(cli, ["--data", str(school), "--clerk", "office1", "import", "students", str(f), "--yes"])
    assert r.exit_code == 0 and "071001 生物科学（生命科学学院，本科，4）" in r.output
    r = CliRunner().invoke(cli, ["--data", str(school), "--clerk", "wenxue", "majors", "list", "--json"])
    got = {m["ZYDM"]: m for m in __import__("json").loads(r.output)}
    assert got["071001"]["FY"] == "生命科学学院" and got["071001"]["CC"] == "本科" and got["071001"]["XZ"] == "4"
