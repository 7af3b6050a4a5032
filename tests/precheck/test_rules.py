"""Every rule of docs/precheck.md: a student that triggers it, and a near-miss that must not."""

from __future__ import annotations

import pytest

from grad_factory import SETTINGS, YEAR, graduate, school, sfzh
from xueji_tui.precheck import RULES, run


def findings_of(student: dict, *, others=None, settings=SETTINGS, list_imported=True, corrections=()):
    everyone = [student] + (others if others is not None else school(6))
    # the others must not collide with the student under test
    everyone = [s for i, s in enumerate(everyone) if i == 0 or s["KSH"] != student["KSH"]]
    result = run(everyone, year=YEAR, settings=settings, list_imported=list_imported,
                 corrections=corrections)
    return {(f.rule, f.field) for f in result.findings if f.KSH == student["KSH"]}, result


def rules_of(student, **kw):
    found, _ = findings_of(student, **kw)
    return {r for r, _ in found}


K = 100  # index of the student under test: far from the others' numbers


def test_a_clean_school_has_no_findings():
    result = run(school(200), year=YEAR, settings=SETTINGS, list_imported=True)
    assert result.checked == 200
    assert result.findings == []
    assert result.errors == 0 and result.warnings == 0


# (rule, field, the triggering student, the near miss)
def _young(born: str) -> dict:
    return graduate(K, CSRQ=born, SFZH=sfzh(born, 1, True))


CASES = [
    ("missing-field", "XM", graduate(K, XM=""), graduate(K, MZ="")),
    ("missing-field", "ZSBH", graduate(K, ZSBH=""), graduate(K)),
    ("missing-field", "BYRQ", graduate(K, BYRQ="", YJBYRQ=""), graduate(K, BYRQ="", YJBYRQ="20260701")),
    ("bad-date", "RXRQ", graduate(K, RXRQ="20220931"), graduate(K, RXRQ="20220930")),
    ("bad-date", "BYRQ", graduate(K, BYRQ="20260631"), graduate(K, BYRQ="20260630")),
    ("date-order", "BYRQ", graduate(K, RXRQ="20260901", KSH="26220000000100"),
     graduate(K, RXRQ="20220901")),
    ("date-order", "CSRQ", _young("20080902"), _young("20080901")),
    ("bad-code", "MZ", graduate(K, MZ="火星族"), graduate(K, MZ="03")),
    ("bad-code", "XB", graduate(K, XB="未知的性别"), graduate(K, XB="1")),
    ("bad-code", "BJYJL", graduate(K, BJYJL="肄业"), graduate(K, BJYJL="结业")),
    ("bad-code", "XZ", graduate(K, XZ="4.2"), graduate(K, XZ="4")),
    ("id-format", "SFZH", graduate(K, SFZH="22010220030101123"), graduate(K)),
    ("id-format", "SFZH", graduate(K, SFZH="220102030101123"), graduate(K)),
    ("id-checksum", "SFZH", None, graduate(K)),
    ("id-birthdate", "SFZH", None, graduate(K)),
    ("id-gender", "SFZH", None, graduate(K)),
    ("certno-format", "ZSBH", graduate(K, ZSBH="102021202606000101"), graduate(K, ZSBH="102021202605000101")),
    ("certno-format", "ZSBH", graduate(K, ZSBH="10202120260500010"), graduate(K, ZSBH="102021202605000101")),
    ("certno-format", "ZSBH", graduate(K, ZSBH="102021202505000101"), graduate(K, ZSBH="102021202605000101")),
    ("certno-format", "ZSBH", graduate(K, ZSBH="102025202605000101"), graduate(K, ZSBH="102021202605000101")),
    ("not-encodable", "XM", graduate(K, XM="王\U00020000"), graduate(K, XM="王喆")),
    ("lost-character", "XM", graduate(K, XM="王?"), graduate(K, XM="王喆")),
    ("lost-character", "XM", graduate(K, XM="王\ufffd"), graduate(K, XM="王喆")),
    ("lost-character", "ZYMC", graduate(K, ZYMC="汉语?文学"), graduate(K, ZYMC="汉语言文学", BZ="ok?")),
    ("too-long", "ZYMC", graduate(K, ZYMC="汉" * 26), graduate(K, ZYMC="汉" * 25)),
    ("too-long", "BZ", graduate(K, BZ="备" * 51), graduate(K, BZ="备" * 50)),
    ("status", "", graduate(K, status="休学(病休)"), graduate(K, status="注册学籍")),
    ("status", "", graduate(K, status="退学"), graduate(K, status="注册学籍")),
    ("photo-missing", "ZP", graduate(K, photo={"taken": False, "linked": False, "check": "未校对"}),
     graduate(K, photo={"taken": True, "linked": True})),
    ("photo-missing", "ZP", graduate(K, photo={"linked": False}), graduate(K)),
    ("photo-unchecked", "ZP", graduate(K, photo={"check": "未校对", "checked_on": ""}), graduate(K, photo={"check": "无误"})),
    ("photo-unchecked", "ZP", graduate(K, photo={"check": "有异议"}), graduate(K)),
    ("identity-flag", "BZ", graduate(K, BZ="身份核验未通过"), graduate(K, BZ="身份核验未通过", identity_cleared=True)),
    ("identity-flag", "BZ", graduate(K, photo={"identity": "身份核验异常"}), graduate(K, photo={"identity": "已核验"})),
    ("study-length", "BYRQ", graduate(K, RXRQ="20210901", KSH="21220000000100"),
     graduate(K, RXRQ="20210901", KSH="21220000000100",
              history=[{"id": "1", "code": "1101", "type": "休学", "kind": "status"}])),
    ("study-length", "BYRQ", graduate(K, XZ="5"), graduate(K, XZ="4.5", BYRQ="20261231")),
    ("ksh-format", "KSH", graduate(K, KSH="2222000000100"), graduate(K, KSH="2222000000100", XXXS="函授")),
    ("ksh-format", "KSH", graduate(K, KSH="21220000000100"), graduate(K, KSH="22220000000100")),
    ("id-region", "SFZH", None, graduate(K)),
    ("photo-early-check", "ZP", graduate(K, photo={"taken_on": "20251010", "checked_on": "20251118"}),
     graduate(K, photo={"taken_on": "20251010", "checked_on": "20251119"})),
    ("name-format", "XM", graduate(K, XM="王 伟"), graduate(K, XM="阿依古丽·买买提")),
    ("name-format", "XM", graduate(K, XM="王伟2"), graduate(K, XM="王伟")),
]


def _id_variant(rule: str) -> dict:
    s = graduate(K)
    v = s["SFZH"]
    if rule == "id-checksum":
        s["SFZH"] = v[:17] + ("0" if v[17] != "0" else "1")
    elif rule == "id-birthdate":
        s["CSRQ"] = s["CSRQ"][:6] + f"{(int(s['CSRQ'][6:]) % 27) + 1:02d}"
    elif rule == "id-gender":
        s["XB"] = "女" if s["XB"] == "男" else "男"
    elif rule == "id-region":
        s["SFZH"] = sfzh(v[6:14], 0, s["XB"] == "男", region="990102")
    return s


@pytest.mark.parametrize("rule,field,bad,near", CASES, ids=[f"{c[0]}:{c[1]}:{i}" for i, c in enumerate(CASES)])
def test_rule_triggers_and_near_miss_does_not(rule, field, bad, near):
    bad = bad or _id_variant(rule)
    found, result = findings_of(bad)
    assert (rule, field) in found, found
    finding = next(f for f in result.findings if f.KSH == bad["KSH"] and f.rule == rule)
    assert finding.severity == RULES[rule][0]
    assert finding.message and not finding.message.isascii()  # Chinese, for a clerk
    assert finding.XH == bad["XH"]
    near_rules = rules_of(near)
    assert rule not in near_rules, near_rules


def test_every_rule_of_the_catalogue_is_tested():
    tested = {c[0] for c in CASES} | {"duplicate", "pending-correction", "not-on-list"}
    assert tested == set(RULES)


def test_duplicate_one_finding_per_student_and_field():
    a, b, c = graduate(K), graduate(K + 1), graduate(K + 2)
    b["XH"] = a["XH"]
    b["SFZH"] = a["SFZH"]
    result = run([a, b, c], year=YEAR, settings=SETTINGS, list_imported=True)
    dups = sorted((f.KSH, f.field) for f in result.findings if f.rule == "duplicate")
    assert dups == sorted([(a["KSH"], "XH"), (b["KSH"], "XH"), (a["KSH"], "SFZH"), (b["KSH"], "SFZH")])
    assert all("********" in f.message for f in result.findings if f.rule == "duplicate" and f.field == "SFZH")
    # near miss: the same values on students that are not expected graduates this year
    b2 = graduate(K + 1, XH=a["XH"], grad_year=None, YJBYRQ="20270630")
    assert "duplicate" not in {f.rule for f in run([a, b2, c], year=YEAR, settings=SETTINGS,
                                                  list_imported=True).findings}


def test_duplicate_certificate_number_with_a_registered_graduate():
    done = graduate(K + 1, status="毕业")
    new = graduate(K, ZSBH=done["ZSBH"])
    result = run([new, done], year=YEAR, settings=SETTINGS, list_imported=True)
    assert result.registered == 1 and result.checked == 1
    assert [(f.rule, f.field, f.KSH) for f in result.findings] == [("duplicate", "ZSBH", new["KSH"])]


def test_pending_correction_until_approved():
    s = graduate(K)
    open_ = [{"id": "3", "KSH": s["KSH"], "field": "SFZH", "status": "申请"},
             {"id": "4", "KSH": s["KSH"], "field": "MZ", "status": "已报教育厅"}]
    found, _ = findings_of(s, corrections=open_)
    assert {("pending-correction", "SFZH"), ("pending-correction", "MZ")} <= found
    closed = [{"id": "3", "KSH": s["KSH"], "field": "SFZH", "status": "批准"},
              {"id": "4", "KSH": s["KSH"], "field": "MZ", "status": "驳回"}]
    assert "pending-correction" not in rules_of(s, corrections=closed)
    not_identity = [{"id": "5", "KSH": s["KSH"], "field": "ZYMC", "status": "申请"}]
    assert "pending-correction" not in rules_of(s, corrections=not_identity)


def test_not_on_list_only_when_a_list_was_imported():
    s = graduate(K, grad_year=None)  # YJBYRQ in the year: an expected graduate by our own data
    assert ("not-on-list", "") in findings_of(s, list_imported=True)[0]
    assert "not-on-list" not in rules_of(s, list_imported=False)
    assert "not-on-list" not in rules_of(graduate(K), list_imported=True)


def test_missing_school_settings_is_one_finding_per_field():
    result = run(school(5), year=YEAR, settings={"school_code": "10202", "school_name": "吉林师范大学"},
                 list_imported=True)
    assert [(f.rule, f.field, f.KSH) for f in result.findings] == [("missing-field", "XZXM", "")]
    assert "校长" in result.findings[0].message
    assert result.passing() == []  # nobody can be uploaded without the president's name


def test_bad_csrq_is_reported_once_not_also_as_id_birthdate():
    s = graduate(K, CSRQ="20030231")
    rules = rules_of(s)
    assert "bad-date" in rules and "id-birthdate" not in rules


def test_id_format_message_masks_the_number():
    s = graduate(K, SFZH="22010220030101123")
    _, result = findings_of(s)
    msg = next(f.message for f in result.findings if f.rule == "id-format")
    assert "22010220030101123" not in msg


def test_the_precheck_never_edits_the_students():
    import copy

    students = school(20) + [graduate(K, SFZH="bad", XM="王 伟", BYRQ="", photo={"taken": False})]
    before = copy.deepcopy(students)
    run(students, year=YEAR, settings=SETTINGS, list_imported=True)
    assert students == before
