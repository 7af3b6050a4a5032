"""Who the precheck looks at, who is counted as registered, and the JSON of docs/precheck.md."""

from __future__ import annotations

import json

from grad_factory import SETTINGS, YEAR, graduate, school
from xueji_tui.precheck import run
from xueji_tui.precheck.graduates import conclusion, grad_date, upload_row

K = 100


def checked_kshs(students, **kw):
    r = run(students, year=YEAR, settings=SETTINGS, list_imported=kw.pop("list_imported", True), **kw)
    return {s["KSH"] for s in r.students}, r


def test_on_the_list_or_expected_this_year():
    on_list = graduate(1)
    by_date_only = graduate(2, grad_year=None)
    next_year = graduate(3, grad_year=None, YJBYRQ="20270630")
    on_list_other_year = graduate(4, grad_year=YEAR, BYRQ="20250630", YJBYRQ="20250630")
    byrq_wins = graduate(5, grad_year=YEAR, BYRQ="20260115", YJBYRQ="20270630")
    undated_on_list = graduate(6, YJBYRQ="", BYRQ="")
    got, r = checked_kshs([on_list, by_date_only, next_year, on_list_other_year, byrq_wins, undated_on_list])
    assert got == {on_list["KSH"], by_date_only["KSH"], byrq_wins["KSH"], undated_on_list["KSH"]}
    assert r.checked == 4


def test_registered_students_are_counted_apart_and_not_checked():
    done = graduate(1, status="毕业", photo={"taken": False})  # would fail photo-missing if checked
    ended = graduate(2, status="结业")
    waiting = graduate(3)
    got, r = checked_kshs([done, ended, waiting])
    assert got == {waiting["KSH"]}
    assert (r.checked, r.registered) == (1, 2)
    assert r.findings == []


def test_a_student_who_left_is_not_expected_unless_chsi_still_lists_them():
    left = graduate(1, status="退学", grad_year=None)
    listed = graduate(2, status="退学")
    got, r = checked_kshs([left, listed])
    assert got == {listed["KSH"]}
    assert [(f.KSH, f.rule) for f in r.findings] == [(listed["KSH"], "status")]


def test_suspended_students_expected_this_year_get_status():
    s = graduate(1, status="休学(其他)", grad_year=None)
    _, r = checked_kshs([s], list_imported=False)
    assert [f.rule for f in r.findings] == ["status"]
    assert "休学(其他)" in r.findings[0].message


def test_reissue_of_a_jieye_student_is_checked_again_and_noted_in_bz():
    s = graduate(1, status="结业", BJYJL="结业", conclusion={"v": "毕业", "by": "office", "at": "x"})
    got, r = checked_kshs([s])
    assert got == {s["KSH"]} and r.registered == 0 and r.findings == []
    row = upload_row(s, SETTINGS)
    assert row["BJYJL"] == "毕业" and row["ZSBH"] == s["ZSBH"] and "结业换发毕业证书" in row["BZ"]


def test_graduation_date_and_conclusion_defaults():
    s = graduate(1)
    assert grad_date(s) == "20260630" and conclusion(s) == "毕业"
    s.update(BYRQ="20260701", BJYJL="结业")
    assert grad_date(s) == "20260701" and conclusion(s) == "结业"
    s["conclusion"] = {"v": "毕业"}
    assert conclusion(s) == "毕业"


def test_upload_row_takes_the_school_from_settings():
    s = graduate(1, YXDM="99999", YXMC="别的学校", CC="专科(高职)")
    row = upload_row(s, SETTINGS)
    assert list(row) == ["KSH", "XM", "XB", "CSRQ", "SFZH", "YXDM", "YXMC", "ZYDM", "ZYMC", "XZ", "XXXS",
                         "CC", "RXRQ", "BYRQ", "BJYJL", "ZSBH", "XZXM", "BZ"]
    assert (row["YXDM"], row["YXMC"], row["XZXM"]) == ("10202", "吉林师范大学", "王校长")
    assert row["CC"] == "专科" and row["BYRQ"] == "20260630"


def test_college_limits_what_is_checked_but_duplicates_are_school_wide():
    a, b = graduate(0), graduate(1)  # different colleges in the factory
    assert a["FY"] != b["FY"]
    b["XH"] = a["XH"]
    r = run([a, b], year=YEAR, settings=SETTINGS, list_imported=True, college=a["FY"])
    assert r.checked == 1
    assert [(f.KSH, f.rule, f.field) for f in r.findings] == [(a["KSH"], "duplicate", "XH")]


def test_json_shape_is_exactly_the_spec():
    students = school(5)
    students[1]["SFZH"] = students[1]["SFZH"][:17] + ("1" if students[1]["SFZH"][17] != "1" else "2")
    students[2]["XM"] = "王 五"
    students.append(graduate(9, status="毕业"))
    r = run(students, year=YEAR, settings=SETTINGS, list_imported=True)
    obj = json.loads(json.dumps(r.to_json(), ensure_ascii=False))
    assert list(obj) == ["year", "checked", "registered", "errors", "warnings", "pending_certno", "findings"]
    assert (obj["year"], obj["checked"], obj["registered"], obj["errors"], obj["warnings"]) == (YEAR, 5, 1, 1, 1)
    assert obj["pending_certno"] == 0
    for f in obj["findings"]:
        assert list(f) == ["rule", "severity", "KSH", "XH", "field", "message"]
    assert [(f["rule"], f["severity"], f["KSH"], f["field"]) for f in obj["findings"]] == [
        ("id-checksum", "error", students[1]["KSH"], "SFZH"),
        ("name-format", "warning", students[2]["KSH"], "XM"),
    ]


def test_stage_one_counts_the_missing_numbers_and_keeps_them_out_of_the_upload():
    """Before ``certno assign`` ran for the year a missing 证书编号 is one count, not a finding; the
    students waiting for one still do not pass (they are not uploaded)."""
    students = school(5)
    for s in students[:3]:
        s["ZSBH"] = ""
    students[4]["XM"] = "王 五"
    before = {k: v for k, v in SETTINGS.items() if k != "certno_years"}
    r = run(students, year=YEAR, settings=before, list_imported=True)
    assert (r.pending_certno, r.errors, [f.rule for f in r.findings]) == (3, 0, ["name-format"])
    assert [s["KSH"] for s in r.passing()] == [s["KSH"] for s in students[3:]]
    assert r.to_json()["pending_certno"] == 3
    later = run(students, year=YEAR, settings=SETTINGS, list_imported=True)  # the year's numbers begun
    assert (later.pending_certno, later.errors) == (0, 3)
    assert {(f.rule, f.field) for f in later.findings if f.severity == "error"} == {("missing-field", "ZSBH")}


def test_progress_is_reported_up_to_the_total():
    calls = []
    run(school(250), year=YEAR, settings=SETTINGS, list_imported=True, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (250, 250)
    assert all(t == 250 for _, t in calls) and len(calls) > 2


def test_default_year_is_the_current_school_years_class():
    from datetime import date

    from xueji_tui.services.graduation import default_year

    assert default_year(date(2026, 6, 1)) == 2026
    assert default_year(date(2026, 8, 31)) == 2026
    assert default_year(date(2026, 9, 1)) == 2027
    assert default_year(date(2026, 11, 28)) == 2027
