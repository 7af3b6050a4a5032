"""The status state machine of docs/codes.md: every allowed transition, and refusals that name the rule."""

from datetime import date

import pytest

from xueji_tui.domain.errors import InvalidInput, NotAllowed, Refused
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.status import ChangeRequest, allowed_reasons, plan_change, reachable

TODAY = date(2025, 3, 20)
CATALOGUE = [
    {"ZYDM": "050101", "ZYMC": "汉语言文学", "FY": "文学院", "XSH": "中文系", "CC": "本科", "XZ": "4"},
    {"ZYDM": "080901", "ZYMC": "计算机科学与技术", "FY": "数学与计算机学院", "XSH": "计算机系", "CC": "本科",
     "XZ": "4"},
    {"ZYDM": "570104K", "ZYMC": "语文教育", "FY": "文学院", "XSH": "中文系", "CC": "专科", "XZ": "3"},
]

# (from, reason code, to) — written from docs/codes.md, not from our data file, so the two are checked
ALLOWED = [
    ("待注册", "0101", "注册学籍"), ("待注册", "0501", "暂缓注册"), ("待注册", "1401", "保留入学资格"),
    ("待注册", "1501", "放弃入学资格"), ("待注册", "1502", "放弃入学资格"), ("待注册", "1601", "取消入学资格"),
    ("保留入学资格", "0102", "注册学籍"), ("保留入学资格", "1501", "放弃入学资格"),
    ("保留入学资格", "1601", "取消入学资格"),
    ("注册学籍", "0501", "暂缓注册"), ("注册学籍", "1901", "保留学籍"), ("注册学籍", "1101", "休学(病休)"),
    ("注册学籍", "1102", "休学(其他)"), ("注册学籍", "1199", "休学(其他)"), ("注册学籍", "3101", "退学"),
    ("注册学籍", "1801", "取消学籍"), ("注册学籍", "4204", "开除学籍"), ("注册学籍", "5101", "死亡"),
    ("注册学籍", "2101", "转出"), ("注册学籍", "6101", "毕业"), ("注册学籍", "6201", "结业"),
    ("暂缓注册", "0103", "注册学籍"), ("暂缓注册", "3105", "退学"), ("暂缓注册", "1101", "休学(病休)"),
    ("暂缓注册", "1901", "保留学籍"), ("暂缓注册", "5102", "死亡"),
    ("保留学籍", "1202", "注册学籍"), ("保留学籍", "1203", "注册学籍"), ("保留学籍", "3102", "退学"),
    ("保留学籍", "5101", "死亡"), ("保留学籍", "4202", "开除学籍"),
    ("休学(病休)", "1201", "注册学籍"), ("休学(其他)", "1201", "注册学籍"), ("休学(病休)", "3102", "退学"),
    ("休学(其他)", "5199", "死亡"), ("休学(病休)", "4206", "开除学籍"),
    ("结业", "6202", "毕业"),
    ("待注册", "2201", "注册学籍"),
]
STAYS = [("注册学籍", "0401", {"to_grade": "2021", "to_class": "汉语言211班"}),
         ("注册学籍", "0202", {"to_grade": "2023", "to_class": "汉语言231班"}),
         ("注册学籍", "2301", {"to_major": "080901", "to_class": "计科231班"}),
         ("注册学籍", "7101", {"note": "国家奖学金"}), ("休学(病休)", "7203", {"note": "考试作弊"}),
         ("待注册", "9999", {"note": "备注"})]
REFUSED = [("待注册", "1101"), ("待注册", "1201"), ("退学", "1201"), ("退学", "0101"), ("毕业", "1101"),
           ("开除学籍", "1202"), ("休学(病休)", "2301"), ("保留入学资格", "1101"), ("注册学籍", "0101"),
           ("注册学籍", "1201"), ("死亡", "7101"), ("转出", "2201"), ("结业", "1101"), ("注册学籍", "6202"),
           ("休学(其他)", "1202"), ("保留学籍", "1201"), ("放弃入学资格", "0102")]


CHECKED = {f: {"v": "ok", "by": "c", "at": "2025-02-01T10:00:00"} for f in ART6_FIELDS}


def student(status, **kw):
    """A student whose Art. 6 check is complete (registration needs it), unless ``verification`` says."""
    return {"KSH": "22220102030405", "XM": "张三", "status": status, "RXRQ": "20220901",
            "YJBYRQ": "20260630", "ZYDM": "050101", "ZYMC": "汉语言文学", "FY": "文学院", "XSH": "中文系",
            "BH": "汉语言221班", "CC": "本科", "XZ": "4", "verification": CHECKED, **kw}


def plan(status, code, office=True, **kw):
    kw.setdefault("to_class", "汉语言241班" if code == "0102" else "")
    req = ChangeRequest(code=code, date="20250301", doc="吉师大教字〔2025〕1号", approved="20250228", **kw)
    return plan_change(student(status), req, office=office, clerk="c", at="2025-03-01T10:00:00", entry_id="E1",
                       today=TODAY, catalogue=CATALOGUE)


@pytest.mark.parametrize("start,code,end", ALLOWED)
def test_allowed(start, code, end):
    p = plan(start, code)
    assert p.updates.get("status", start) == end
    assert p.entry["from"] == start and p.entry["to"] == end and p.entry["code"] == code


@pytest.mark.parametrize("start,code,extra", STAYS)
def test_changes_that_keep_the_status(start, code, extra):
    p = plan(start, code, **extra)
    assert "status" not in p.updates and p.entry["to"] == start


@pytest.mark.parametrize("start,code", REFUSED)
def test_refused_with_the_rule_named(start, code):
    with pytest.raises(Refused) as e:
        plan(start, code, note="x", to_grade="2023", to_major="080901", to_class="x")
    assert "只能从" in e.value.message or "已终结" in e.value.message


def test_allowed_reasons_match_the_machine():
    for start, code, _ in ALLOWED:
        assert code in {r.code for r in allowed_reasons(start, office=True)}
    assert "6101" not in {r.code for r in allowed_reasons("注册学籍", office=False)}
    assert "9801" not in {r.code for r in allowed_reasons("注册学籍", office=False)}
    assert allowed_reasons("退学", office=False) == []


def test_graduation_is_office_only():
    with pytest.raises(NotAllowed):
        plan("注册学籍", "6101", office=False)


# the codes whose upload rows carry 文号 and 批准日期 (changes and cancellations, 取消入学资格): docs/codes.md
DOC_AND_DATE = ["1601", "1101", "1102", "1901", "1201", "0401", "0202", "2301", "2201", "2101", "3101", "1801",
                "4204", "5101"]
START = {"1601": "待注册", "1201": "休学(病休)", "2201": "待注册"}
MOVE = {"0401": {"to_grade": "2021", "to_class": "x"}, "0202": {"to_grade": "2023", "to_class": "x"},
        "2301": {"to_major": "080901", "to_class": "x"}}


@pytest.mark.parametrize("code", DOC_AND_DATE)
def test_doc_number_and_approval_date_required(code):
    s = student(START.get(code, "注册学籍"))
    for missing, match in (("doc", "文号"), ("approved", "批准日期")):
        req = ChangeRequest(code=code, date="20250301", doc="吉师大教字〔2025〕1号", approved="20250228",
                            **MOVE.get(code, {}))
        setattr(req, missing, "")
        with pytest.raises(InvalidInput, match=match):
            plan_change(s, req, office=True, clerk="c", at="t", entry_id="E1", today=TODAY, catalogue=CATALOGUE)


@pytest.mark.parametrize("code", ["0501", "1401", "1501", "0101", "7101"])
def test_codes_without_doc_need_neither(code):
    s = student("待注册" if code[:2] in ("14", "15", "01") else "注册学籍")
    p = plan_change(s, ChangeRequest(code=code, date="20250301", note="校级奖学金"), office=True, clerk="c", at="t",
                    entry_id="E1", today=TODAY)
    assert p.entry["doc"] == "" and p.entry["approved"] == ""


def test_transfer_of_major_takes_the_catalogue_entry():
    p = plan("注册学籍", "2301", to_major="计算机科学与技术", to_class="计科231班")
    assert (p.updates["ZYDM"], p.updates["ZYMC"], p.updates["FY"], p.updates["XSH"]) == (
        "080901", "计算机科学与技术", "数学与计算机学院", "计算机系")
    assert p.entry["fields"]["ZYMC"] == ["汉语言文学", "计算机科学与技术"]
    assert "CC" not in p.updates and "YJBYRQ" not in p.updates  # same level, same 学制: nothing else moves
    with pytest.raises(InvalidInput, match="不在专业目录"):
        plan("注册学籍", "2301", to_major="999999", to_class="x")
    with pytest.raises(Refused, match="属于数学与计算机学院"):
        plan("注册学籍", "2301", to_major="080901", to_class="x", to_college="文学院")


def test_transfer_across_levels_is_refused_with_the_reason():
    with pytest.raises(Refused, match="不能跨层次") as e:
        plan("注册学籍", "2301", to_major="570104K", to_class="语教专221班")
    assert "本科" in e.value.message and "专科" in e.value.message


def test_repeat_year_moves_grade_class_and_expected_graduation():
    p = plan("注册学籍", "0202", to_grade="2023", to_class="汉语言231班")
    assert (p.updates["DQSZJ"], p.updates["BH"], p.updates["YJBYRQ"]) == ("2023", "汉语言231班", "20270630")
    assert plan("注册学籍", "0201", to_grade="2024", to_class="x").updates["YJBYRQ"] == "20280630"


@pytest.mark.parametrize("code,grade", [("0202", "2021"), ("0202", "2022"), ("0202", "2025"), ("0202", "2031"),
                                        ("0401", "2022"), ("0401", "2020"), ("0401", "2023")])
def test_grade_moves_are_bounded(code, grade):
    """留降级 1–2 years later, 跳级 1 year earlier: anything else is refused, naming the grades allowed."""
    with pytest.raises(Refused, match="只能编入") as e:
        plan("注册学籍", code, to_grade=grade, to_class="x")
    assert ("2023、2024" if code == "0202" else "2021") in e.value.message


def test_moves_need_grade_and_class_and_refuse_what_they_do_not_take():
    with pytest.raises(InvalidInput, match="新班号"):
        plan("注册学籍", "0202", to_grade="2023")
    with pytest.raises(InvalidInput, match="编入的年级"):
        plan("注册学籍", "0401", to_class="x")
    with pytest.raises(InvalidInput, match="不改变"):
        plan("注册学籍", "1101", to_grade="2023")


def test_all_states_reachable_from_a_freshman():
    assert reachable() == {"待注册", "注册学籍", "暂缓注册", "保留入学资格", "保留学籍", "休学(病休)", "休学(其他)",
                           "放弃入学资格", "取消入学资格", "退学", "取消学籍", "开除学籍", "死亡", "转出", "毕业", "结业"}


def test_reversal_restores_the_previous_state():
    s = student("休学(病休)", history=[{"id": "E1", "code": "1101", "kind": "status", "from": "注册学籍",
                                      "to": "休学(病休)", "fields": {}}])
    p = plan_change(s, ChangeRequest(code="9801", date="20250302", note="录错了"), office=True, clerk="c",
                    at="t", entry_id="E2")
    assert p.updates["status"] == "注册学籍" and p.entry["reverses"] == "E1"
    with pytest.raises(NotAllowed):
        plan_change(s, ChangeRequest(code="9801", date="20250302", note="x"), office=False, clerk="c",
                    at="t", entry_id="E2")
