"""The record after a change is true (docs/codes.md, "What a change sets"): grade, class, RXRQ,
YJBYRQ and the major pair move together; impossible moves and unbelievable dates are refused."""

from datetime import date

import pytest

from xueji_tui.domain import majors
from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import InvalidInput, Refused
from xueji_tui.domain.status import ChangeRequest, plan_change, status_on
from xueji_tui.domain.validate import check_value

TODAY = date(2026, 11, 30)
CATALOGUE = [
    {"ZYDM": "050101", "ZYMC": "汉语言文学", "FY": "文学院", "XSH": "中文系", "CC": "本科", "XZ": "4"},
    {"ZYDM": "050107T", "ZYMC": "秘书学", "FY": "文学院", "XSH": "中文系", "CC": "本科", "XZ": "4"},
    {"ZYDM": "100201K", "ZYMC": "临床医学", "FY": "医学院", "XSH": "临床系", "CC": "本科", "XZ": "5"},
    {"ZYDM": "570104K", "ZYMC": "语文教育", "FY": "文学院", "XSH": "中文系", "CC": "专科", "XZ": "3"},
    {"ZYDM": "570105K", "ZYMC": "汉语言文学", "FY": "文学院", "XSH": "中文系", "CC": "专科", "XZ": "3"},
]


def student(status="注册学籍", year=2023, **kw):
    return {"KSH": f"{year % 100}22010203040", "XM": "张三", "status": status, "CSRQ": f"{year - 18}0315",
            "RXRQ": f"{year}0901", "YJBYRQ": f"{year + 4}0630", "ZYDM": "050101", "ZYMC": "汉语言文学",
            "FY": "文学院", "XSH": "中文系", "BH": f"汉文{year % 100}01", "CC": "本科", "XZ": "4", "history": [], **kw}


def apply(s, code, day="20261015", approved="20261010", **kw):
    """Plan ``code`` on ``s`` and apply it as the service does; returns the new record."""
    req = ChangeRequest(code=code, date=day, approved=approved, doc="吉师大教字〔2026〕3号", **kw)
    p = plan_change(s, req, office=True, clerk="c", at="t", entry_id=f"E{len(s['history']) + 1}", today=TODAY,
                    catalogue=CATALOGUE)
    out = dict(s, **p.updates)
    out["history"] = [*s["history"], p.entry]
    assert majors.record_problems(out, CATALOGUE) == []  # whatever moved, the record holds together
    return out


def test_0102_joins_the_cohort_of_the_return():
    """恢复入学资格: the cohort, class, entry date and expected graduation of the return, not the left one."""
    s = apply(student("待注册", 2025), "1401", day="20250910", approved="20250905")
    s = apply(s, "0102", day="20260905", approved="20260901", to_class="汉文2603")
    assert (s["status"], s["RXRQ"], s["DQSZJ"], s["BH"], s["YJBYRQ"]) == (
        "注册学籍", "20260901", "2026", "汉文2603", "20300630")
    assert s["history"][-1]["fields"]["RXRQ"] == ["20250901", "20260901"]
    # returning in the spring term: that day is the entry date; a grade given explicitly is bounded
    late = apply(apply(student("待注册", 2025), "1401", day="20250910", approved="20250905"), "0102",
                 day="20270302", approved="20261120", to_class="汉文2603")
    assert (late["RXRQ"], late["DQSZJ"]) == ("20270302", "2026")
    kept = apply(student("待注册", 2025), "1401", day="20250910", approved="20250905")
    with pytest.raises(Refused, match="2026–2029 级"):
        apply(kept, "0102", day="20260905", approved="20260901", to_class="x", to_grade="2025")


def test_0102_uses_the_schools_term_start():
    s = apply(student("待注册", 2025), "1401", day="20250910", approved="20250905")
    p = plan_change(s, ChangeRequest(code="0102", date="20260903", to_class="汉文2601"), office=True, clerk="c",
                    at="t", entry_id="E2", today=TODAY, term_start="20260907")
    assert p.updates["RXRQ"] == "20260907"


def test_0201_moves_the_graduating_class_out_of_the_list_year():
    """留降级 of a student on CHSI's 2027 list: grade, class and YJBYRQ a year later, and the stale
    list's BYRQ and year leave the record (the entry keeps them for a reversal)."""
    s = student(grad_year=2027, BYRQ="20270630", BJYJL="毕业")
    after = apply(s, "0201", to_grade="2024", to_class="汉文2402")
    assert (after["DQSZJ"], after["BH"], after["YJBYRQ"], after["grad_year"], after["BYRQ"]) == (
        "2024", "汉文2402", "20280630", None, "")
    assert after["history"][-1]["fields"]["grad_year"] == [2027, None]
    undone = plan_change(after, ChangeRequest(code="9801", date="20261016", note="录入错误"), office=True, clerk="c",
                         at="t", entry_id="E2", today=TODAY)
    assert {f: undone.updates[f] for f in ("DQSZJ", "YJBYRQ", "grad_year", "BYRQ")} == {
        "DQSZJ": "", "YJBYRQ": "20270630", "grad_year": 2027, "BYRQ": "20270630"}


def test_2301_into_a_five_year_major_moves_the_expected_graduation():
    after = apply(student(), "2301", to_major="100201K", to_class="临床2301")
    assert (after["ZYDM"], after["ZYMC"], after["FY"], after["XZ"], after["YJBYRQ"]) == (
        "100201K", "临床医学", "医学院", "5", "20280630")


def test_2301_by_a_name_two_levels_share_asks_for_the_code():
    with pytest.raises(InvalidInput, match="请用专业代码指明"):
        apply(student(), "2301", to_major="汉语言文学", to_class="x")


def test_1101_sets_the_status_only():
    after = apply(student(), "1101")
    assert after["status"] == "休学(病休)" and after["history"][-1]["fields"] == {}
    assert {k: v for k, v in after.items() if k not in ("status", "history")} == {
        k: v for k, v in student().items() if k not in ("status", "history")}


def test_2201_and_1201_keep_the_record():
    after = apply(apply(student(), "1102"), "1201", day="20261101")
    assert after["status"] == "注册学籍" and after["YJBYRQ"] == "20270630"


@pytest.mark.parametrize("day,approved,match", [
    ("19990101", "19981230", "早于该生入学日期"),     # before enrolment
    ("20990101", "20261001", "1 年以后"),             # more than a year ahead
    ("20271201", "20261001", "1 年以后"),
    ("20261015", "20261201", "晚于今天"),             # approval in the future
    ("２０２６１０１５", "20261010", "半角"),          # full-width digits
    ("٢٠٢٦١٠١٥", "20261010", "半角"),                 # Arabic-Indic digits
])
def test_unbelievable_dates_are_refused(day, approved, match):
    with pytest.raises(InvalidInput, match=match):
        apply(student(), "1101", day=day, approved=approved)


def test_a_year_ahead_is_still_accepted():
    assert apply(student(), "1101", day="20271130")["history"][-1]["date"] == "20271130"


@pytest.mark.parametrize("csrq,ok", [("20050315", True), ("20150101", False), ("19400101", False),
                                      ("19460902", True), ("20110901", True), ("20110902", False)])
def test_typed_birth_dates_give_an_age_at_enrolment_from_12_to_80(csrq, ok):
    record = student()  # entered 20230901
    if ok:
        assert check_value("CSRQ", csrq, record) == csrq
    else:
        with pytest.raises(InvalidInput, match="周岁"):
            check_value("CSRQ", csrq, record)


def test_the_calendar_is_data():
    cal = codes().calendar
    assert (cal["min_entry_age"], cal["max_entry_age"], cal["max_ahead_years"]) == (12, 80, 1)
    assert majors.expected_graduation("2024", "3") == "20270630"
    assert majors.expected_graduation("2024", "2.5") == "20270131"
    assert majors.expected_graduation("", "4") == "" and majors.expected_graduation("2024", "9") == ""


def test_the_pair_is_one_catalogue_entry():
    """The function imports call: is (ZYDM, ZYMC) one entry, and which."""
    assert majors.pair_entry(CATALOGUE, "050101", "汉语言文学")["FY"] == "文学院"
    assert majors.pair_entry(CATALOGUE, "050101 ", " 汉语言文学")["ZYDM"] == "050101"
    assert majors.pair_entry(CATALOGUE, "050101", "体育学") is None
    assert majors.pair_entry(CATALOGUE, "570105K", "汉语言文学")["CC"] == "专科"
    assert majors.pair_entry(CATALOGUE, "999999", "汉语言文学") is None
    assert not majors.is_pair(CATALOGUE, "050107T", "汉语言文学")
    problems = dict(majors.record_problems(student(ZYMC="体育学"), CATALOGUE))
    assert "ZYMC" in problems and "汉语言文学" in problems["ZYMC"]
    assert dict(majors.record_problems(student(CC="专科"), CATALOGUE))["CC"]
    assert dict(majors.record_problems(student(YJBYRQ="20280630"), CATALOGUE))["YJBYRQ"]


def test_status_on_a_day_follows_the_history():
    s = apply(apply(student(), "1101", day="20261001"), "1201", day="20261101")
    assert [status_on(s, d) for d in ("20260930", "20261001", "20261031", "20261101")] == [
        "注册学籍", "休学(病休)", "休学(病休)", "注册学籍"]
