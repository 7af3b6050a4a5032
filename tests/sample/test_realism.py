"""What a clerk would notice if the sample school were wrong: numbers, names, histories, structure."""

import re
from collections import Counter
from datetime import date

import pytest

from xueji_tui.domain import idcard
from xueji_tui.domain.codes import codes
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.validate import unencodable_chars
from xueji_tui.sample import generate
from xueji_tui.sample.school import COLLEGES

from .conftest import REF

pytestmark = pytest.mark.xdist_group("sample")  # its module fixture made once, on one worker


def planted(school, *rules):
    m = school.manifest
    return {f["KSH"] for f in m["findings"] + m["freshman_flaws"] if not rules or f["rule"] in rules}


def test_same_seed_and_date_give_the_same_school_and_another_seed_does_not():
    a, b = generate(600, 42, REF), generate(600, 42, REF)
    assert a.to_json() == b.to_json()
    assert generate(600, 43, REF).to_json()["students"] != a.to_json()["students"]
    assert generate(600, 42, date(2027, 10, 1)).manifest["year"] == 2028


def test_every_id_number_is_valid_and_agrees_with_birth_date_and_gender(sample_school):
    flawed = planted(sample_school, "id-format", "id-checksum", "id-birthdate", "id-gender", "id-region",
                     "duplicate")
    bad = [s["KSH"] for s in sample_school.students
           if idcard.problems(s["SFZH"], s["CSRQ"], s["XB"]) and s["KSH"] not in flawed]
    assert bad == []
    for field in ("SFZH", "XH"):  # the store refuses a shared number: none is planted
        counts = Counter(s[field] for s in sample_school.students if s.get(field))
        assert [v for v, n in counts.items() if n > 1] == [], field
    jilin = sum(1 for s in sample_school.students if s["SFZH"].startswith("22"))
    assert jilin / len(sample_school.students) > 0.85


def test_ksh_is_14_digits_of_the_entry_year(sample_school):
    odd = planted(sample_school, "ksh-format")
    for s in sample_school.students:
        if s["KSH"] in odd:
            continue
        assert re.fullmatch(r"\d{14}", s["KSH"]), s["KSH"]
        assert s["KSH"][:2] == s["RXRQ"][2:4], s
    assert len({s["KSH"] for s in sample_school.students}) == len(sample_school.students)


def test_histories_follow_the_state_machine(sample_school):
    c = codes()
    for s in sample_school.students:
        history = s["history"]
        state = history[0]["from"] if history else s["status"]
        assert state in ("待注册", "注册学籍"), s["KSH"]
        when = ""
        for i, e in enumerate(history, 1):
            reason = c.reason(e["code"])
            assert e["id"] == f"E{i}"
            assert e["from"] == state, (s["KSH"], e)
            assert state in reason.starts, (s["KSH"], e)
            assert e["to"] == (reason.to or state)
            assert e["type"] == reason.type.name and e["reason"] == reason.name
            if reason.type.needs_doc:
                assert re.fullmatch(r"吉师大[学教]字〔\d{4}〕\d+号", e["doc"]), e
            assert e["date"] >= when and e["date"] <= REF.strftime("%Y%m%d")
            assert e["clerk"] and e["date"] <= e["at"][:10].replace("-", "") <= REF.strftime("%Y%m%d")
            state, when = e["to"], e["date"]
        assert state == s["status"], s["KSH"]


def test_statuses_are_spread_realistically(sample_school):
    by = Counter(s["status"] for s in sample_school.students)
    n = len(sample_school.students)
    assert by["注册学籍"] / n > 0.8
    for status in ("待注册", "暂缓注册", "休学(病休)", "保留学籍", "退学"):
        assert by[status] > 0, status
    newest = [s for s in sample_school.students if s["RXRQ"].startswith("2026")]
    assert {s["status"] for s in newest} >= {"待注册", "注册学籍"}
    assert all(s["status"] != "待注册" for s in sample_school.students if not s["RXRQ"].startswith("2026"))
    verified = [s for s in newest if s["verification"]]
    assert verified and all(set(s["verification"]) <= set(ART6_FIELDS) for s in verified)
    assert all(set(s["verification"]) == set(ART6_FIELDS) for s in newest if s["status"] == "注册学籍")


def test_names_have_realistic_surnames_and_minority_forms(sample_school):
    names = [s["XM"] for s in sample_school.students]
    first = Counter(n[:1] for n in names)
    top = [c for c, _ in first.most_common(6)]
    assert {"王", "李", "张"} <= set(top)
    assert 0.04 < first["王"] / len(names) < 0.12
    assert first.most_common(1)[0][1] / len(names) < 0.15
    assert any(n[:2] in ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容") for n in names)
    assert sum("·" in n for n in names) >= 5
    odd = planted(sample_school, "not-encodable")
    assert [n for s in sample_school.students if (n := s["XM"]) and unencodable_chars(n) and s["KSH"] not in odd] == []
    assert Counter(s["MZ"] for s in sample_school.students)["汉族"] / len(names) > 0.8
    assert 0.55 < sum(s["XB"] == "女" for s in sample_school.students) / len(names) < 0.8


def test_every_college_has_majors_classes_and_a_clerk(sample_school):
    catalog = {m["ZYDM"]: m for m in sample_school.majors}
    for college in COLLEGES:
        mine = [s for s in sample_school.students if s["FY"] == college.name]
        assert len({s["ZYDM"] for s in mine}) >= 2 and len({s["BH"] for s in mine}) >= 4, college.name
        assert any(c["name"] == college.clerk and c["college"] == college.name for c in sample_school.clerks)
    for s in sample_school.students:
        m = catalog[s["ZYDM"]]
        assert re.fullmatch(r"\d{6}[TK]?", s["ZYDM"])
        assert s["FY"] == m["FY"] and s["XSH"] == m["XSH"] and s["CC"] == m["CC"]
        assert s["ZYMC"] in (m["ZYMC"], "")
    assert any(c["role"] == "office" for c in sample_school.clerks)
    assert all(re.fullmatch(r"[a-z]+", c["name"]) for c in sample_school.clerks)


def test_the_graduating_class_is_on_the_list_with_photos_done(sample_school):
    m = sample_school.manifest
    grads = [s for s in sample_school.students if s["grad_year"] == m["year"]]
    assert len(grads) >= m["checked"] - 4
    concl = Counter(s["BJYJL"] for s in grads)
    assert concl["毕业"] > 0.9 * len(grads) and concl["结业"] > 0
    dodgy = planted(sample_school, "photo-missing", "photo-unchecked", "photo-early-check")
    for s in grads:
        assert s["BYRQ"] == f"{m['year']}0630"
        if s["KSH"] in dodgy:
            continue
        p = s["photo"]
        assert p["taken"] and p["linked"] and p["check"] == "无误"
        assert (date.fromisoformat(_iso(p["checked_on"])) - date.fromisoformat(_iso(p["taken_on"]))).days >= 40
    assert all(s["photo"] is None for s in sample_school.students if not s["YJBYRQ"].startswith(str(m["year"])))


def _iso(d):
    return f"{d[:4]}-{d[4:6]}-{d[6:]}"


def test_students_delayed_or_moved_carry_the_entries_that_explain_it(sample_school):
    m = sample_school.manifest
    moved = [s for s in sample_school.students if s["DQSZJ"]]
    assert moved
    for s in moved:
        codes = {e["code"] for e in s["history"]}
        assert codes & {"0201", "0202", "0299", "0401", "0102"}  # 留降级, 跳级, 恢复入学资格后注册
        assert int(s["YJBYRQ"][:4]) - int(s["DQSZJ"]) == int(float(s["XZ"]))
    assert any(s["RXRQ"][:4] == str(m["school_year"] - 4) and s["grad_year"] == m["year"] for s in moved)


def test_coded_values_are_spelled_as_an_import_would_store_them(sample_school):
    from xueji_tui.formats import profiles
    from xueji_tui.formats.normalise import coded_name

    widths = {f.code: f.width for f in profiles.load("import-students").fields if f.transform == "code"}
    odd = planted(sample_school, "bad-code", "missing-field")
    for s in sample_school.students:
        if s["KSH"] in odd:
            continue
        for code, width in widths.items():
            assert coded_name(code, s[code], width) == s[code], (s["KSH"], code, s[code])
