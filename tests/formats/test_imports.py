"""`xueji import`: the summary's exact counts, conflicts with local work, status rules, scope, atomicity."""

from __future__ import annotations

import csv

import orjson
import pytest

from filekit import chsi_file, run, students
from xueji_testkit import make_student, tree_digest
from xueji_tui.domain.clerks import Clerk
from xueji_tui.domain.errors import NotAllowed
from xueji_tui.domain.status import ChangeRequest
from xueji_tui.services import imports
from xueji_tui.services import changes
from xueji_tui.services import students as svc
from xueji_tui.services.session import Session
from xueji_tui.store import open_store


def audit(root):
    return [orjson.loads(ln) for ln in (root / "audit.jsonl").read_bytes().splitlines()]


def craft(office, folder):
    """A re-import of the 60-student school with every kind of difference planted once or twice."""
    s = {i: make_student(i) for i in range(60)}
    svc.verify(office, s[4]["KSH"], "MZ", "ok")                       # verified ...
    svc.verify(office, s[5]["KSH"], "XM", "wrong", value="王小五", note="身份证为准", evidence="公安证明")  # ... corrected
    rows = [dict(s[i]) for i in range(60) if i not in (7, 8)]          # 7, 8 missing from the file
    by = {r["KSH"]: r for r in rows}
    by[s[2]["KSH"]]["BH"] = "新编班级1班"                               # 1 changed field
    by[s[3]["KSH"]].update(BZ="身份核验不确定", ZYMC="汉语言文学（师范）")  # 2 changed fields
    by[s[4]["KSH"]]["MZ"] = "满族"                                     # conflict: verified 汉族
    by[s[5]["KSH"]]["XM"] = "王晓武"                                   # conflict: corrected to 王小五
    by[s[9]["KSH"]]["KSH"] = s[9]["KSH"].replace("2", "２")           # full-width digits: same student
    by[s[10]["KSH"]]["MZ"] = "01"                                      # GB code of 汉族: unchanged
    by[s[11]["KSH"]]["XM"] = " " + s[11]["XM"] + " "                   # spaces: unchanged
    rows.append(dict(s[6]))                                           # 6 twice: both rows rejected
    rows.append({"XM": "没有考生号"})                                   # rejected
    rows += students(3, start=100)                                    # 3 new
    return chsi_file(folder / "在校生.xlsx", rows), s


@pytest.fixture
def crafted(school, office, tmp_path):
    """``craft`` in a data directory: for the command line's tests (``--data``)."""
    return craft(office, tmp_path)


def test_reimport_summary_counts_exactly(any_school, tmp_path):
    path, s = craft(any_school.office, tmp_path)
    plan = imports.plan_import(any_school.office, "students", path)
    c = plan.counts()
    assert c["rows"] == 63
    assert (c["new"], c["changed"], c["changed_fields"], c["unchanged"], c["missing"], c["rejected"],
            c["conflicts"], c["conflicted"], c["identity"]) == (3, 2, 3, 53, 2, 3, 0, 2, 2)
    changed = {ch.ksh: ch.fields for ch in plan.changed}
    assert changed[s[2]["KSH"]] == [("BH", s[2]["BH"], "新编班级1班")]
    assert sorted(changed[s[3]["KSH"]]) == [("BZ", None, "身份核验不确定"), ("ZYMC", s[3]["ZYMC"], "汉语言文学（师范）")]
    # Art. 20: a registered student's 身份信息 is set apart, never applied by a plain import
    identity = {(x.ksh, x.field): x for x in plan.identity}
    assert identity[(s[4]["KSH"], "MZ")].local == "汉族" and identity[(s[4]["KSH"], "MZ")].chsi == "满族"
    assert identity[(s[5]["KSH"], "XM")].chsi == "王晓武"
    assert {m[0] for m in plan.missing} == {s[7]["KSH"], s[8]["KSH"]}
    reasons = sorted(r.reason for r in plan.rejected)
    assert sum("出现 2 次" in r for r in reasons) == 2 and sum("没有考生号" in r for r in reasons) == 1
    assert plan.normalised["去掉首尾空格"] >= 1 and plan.normalised["全角数字或 Ｘ/x 改为半角大写"] == 1
    assert plan.normalised["代码或别称改为代码表中的标准名称"] == 1
    text = "\n".join(imports.summary_lines(plan))
    assert "新增 3 人 · 变更 2 人（3 个字段）· 无变化 53 人 · 文件中没有的 2 人 · 拒收 3 行 · 冲突 0 处" in text
    assert "身份信息与学信网不同（第二十条" in text and "王晓武" in text
    assert f"班号 {s[2]['BH']} → 新编班级1班" in text


def test_apply_keeps_local_work_and_audits(school, office, crafted):
    path, s = crafted
    before = audit(school)
    r = run(school, "import", "students", str(path), "--yes")
    assert r.exit_code == 0, r.output
    store = open_store(school)
    assert store.get(s[4]["KSH"])["MZ"] == "汉族"          # the verified value stays
    assert store.get(s[5]["KSH"])["XM"] == s[5]["XM"]      # CHSI's new spelling did not overwrite
    assert store.get(s[2]["KSH"])["BH"] == "新编班级1班"
    assert store.get(s[11]["KSH"])["XM"] == s[11]["XM"]
    assert store.get(make_student(100)["KSH"])["status"] == "注册学籍"
    assert store.get(s[7]["KSH"]) is not None              # missing from the file: never deleted
    lines = audit(school)[len(before):]
    summary = [ln for ln in lines if ln["action"] == "import"]
    assert len(summary) == 1 and summary[0]["file"] == "在校生.xlsx" and len(summary[0]["sha256"]) == 64
    assert summary[0]["new"]["new"] == 3
    assert sum(ln["action"] == "import-new" for ln in lines) == 3
    assert sorted((ln["KSH"], ln["field"]) for ln in lines if ln["action"] == "import-change") == sorted(
        [(s[2]["KSH"], "BH"), (s[3]["KSH"], "BZ"), (s[3]["KSH"], "ZYMC")])
    with open(path.with_name("在校生.rejects.csv"), encoding="utf-8-sig") as f:
        rejects = list(csv.DictReader(f))
    assert [r["行号"] for r in rejects] == ["8", "60", "61"]
    assert rejects[2]["姓名 XM"] == "没有考生号" and "考生号" in rejects[2]["拒收原因"]


def test_conflict_with_a_change_entry_and_an_approved_correction(any_school, tmp_path):
    office, office2 = any_school.office, any_school.office2
    s0, s1 = make_student(0), make_student(1)
    changes.change(office, s0["KSH"], ChangeRequest(code="2301", date="20250301", doc="吉师大教字〔2025〕31号",
                                               approved="20250226", to_major="050201", to_class="英语251班"))
    from xueji_tui.services import corrections

    rid = corrections.file(office, s1["KSH"], "SFZH", "360426199101010071", reason="身份证号有误",
                           evidence="公安证明 2025-1", also={"CSRQ": "19910101", "XB": "男"})
    corrections.submit(office, rid)
    corrections.approve(office2, rid, "吉教学字〔2025〕3号")
    path = chsi_file(tmp_path / "s.dbf", [s0, s1])
    plan = imports.plan_import(office, "students", path)
    fields = sorted((c.ksh, c.field) for c in plan.conflicts)
    assert (s0["KSH"], "ZYDM") in fields and (s0["KSH"], "ZYMC") in fields and (s0["KSH"], "BH") in fields
    held = {(d.ksh, d.field): d.held for d in plan.identity}
    assert "批准的更正申请" in held[(s1["KSH"], "SFZH")]  # not even --accept-identity takes it back
    assert not imports.plan_import(office, "students", path, accept_identity=True).changed
    assert not plan.changed
    assert "转专业" in next(c.why for c in plan.conflicts if c.field == "ZYDM")


def test_status_rules(any_school, tmp_path):
    office = any_school.office
    fresh = students(2, start=200, year=2025)
    fresh[1]["XJZT"] = "保留入学资格"
    plan = imports.plan_import(office, "freshmen", chsi_file(tmp_path / "f.dbf", fresh, "freshmen"))
    imports.apply_import(office, plan)
    store = any_school.reopened()
    a, b = store.get(fresh[0]["KSH"]), store.get(fresh[1]["KSH"])
    assert a["status"] == "待注册" and b["status"] == "保留入学资格"
    assert a["FY"] == fresh[0]["FY"] and a["XSH"] == fresh[0]["XSH"] and not a.get("XH")  # from the catalogue
    again = [dict(make_student(0), XJZT="退学")]
    plan = imports.plan_import(office, "students", chsi_file(tmp_path / "s.dbf", again))
    assert plan.counts()["changed"] == 0 and any("不改变学籍状态" in n for n in plan.notes)
    imports.apply_import(office, plan)
    assert store.get(make_student(0)["KSH"])["status"] == "注册学籍"


def test_freshman_with_unknown_major_gets_no_college(any_school, tmp_path):
    f = students(1, start=300, year=2025)
    f[0]["ZYDM"] = "999999"
    plan = imports.plan_import(any_school.office, "freshmen", chsi_file(tmp_path / "f.csv", f, "freshmen"))
    assert plan.new[0]["FY"] == "" and any("999999" in n for n in plan.notes)


def test_graduates_list_sets_the_year_not_the_status(any_school, tmp_path):
    office = any_school.office
    g = [dict(make_student(i), BYRQ="", BJYJL="") for i in range(3)]
    g[0]["BYRQ"], g[0]["BJYJL"] = "20260620", "结业"
    plan = imports.plan_import(office, "graduates", chsi_file(tmp_path / "g.dbf", g, "graduates"))
    imports.apply_import(office, plan)
    store = any_school.reopened()
    first = store.get(g[0]["KSH"])
    assert first["grad_year"] == 2026 and first["BJYJL"] == "结业" and first["status"] == "注册学籍"
    assert store.get(g[1]["KSH"])["grad_year"] == 2026  # from YJBYRQ
    assert "BJYJL" not in store.get(g[1]["KSH"]) or not store.get(g[1]["KSH"])["BJYJL"]


def test_photos_by_chinese_headings(any_school, tmp_path):
    office = any_school.office
    s0, s1 = make_student(0), make_student(1)
    path = tmp_path / "photos.csv"
    path.write_text("身份证号,采集状态,采集日期,链接状态,校对结论,校对日期,身份核验\n"
                    f"{s0['SFZH']},是,20260301,是,无误,20260320,\n"
                    f"{s1['SFZH'][:-1]}9,是,20260301,否,未校对,,\n", "utf-8")
    plan = imports.plan_import(office, "photos", path)
    assert plan.counts()["changed"] == 1 and plan.counts()["rejected"] == 1
    imports.apply_import(office, plan)
    p = any_school.reopened().get(s0["KSH"])["photo"]
    assert p == {"taken": True, "taken_on": "20260301", "linked": True, "check": "无误", "checked_on": "20260320"}


def test_dry_run_and_non_tty_write_nothing(school, crafted):
    path, _ = crafted
    before = tree_digest(school)
    r = run(school, "import", "students", str(path), "--dry-run")
    assert r.exit_code == 0 and "新增 3 人" in r.output
    r = run(school, "import", "students", str(path))  # CliRunner's stdin is not a terminal
    assert r.exit_code == 0 and "未应用：加 --yes 应用" in r.output
    assert tree_digest(school) == before
    assert not path.with_name("在校生.rejects.csv").exists()


def test_college_clerk_may_not_import_chsi_files(school, crafted):
    path, _ = crafted
    before = tree_digest(school)
    r = run(school, "import", "students", str(path), "--yes", clerk="wenxue")
    assert r.exit_code == 3 and "学生工作处" in r.output
    assert tree_digest(school) == before
    with pytest.raises(NotAllowed):
        imports.plan_import(Session(open_store(school), Clerk("wenxue", "college", "文学院")), "freshmen", path)


def test_fresh_data_directory_import_then_reimport_is_quiet(tmp_path):
    from xueji_testkit import build_school

    root = tmp_path / "d2"
    build_school(root, n=0)
    path = chsi_file(tmp_path / "all.dbf", students(40))
    assert run(root, "import", "students", str(path), "--yes").exit_code == 0
    r = run(root, "import", "students", str(path), "--dry-run")
    assert "新增 0 人 · 变更 0 人（0 个字段）· 无变化 40 人" in r.output


def test_a_photo_date_that_is_no_date_is_not_imported(any_school, tmp_path):
    """Was: 采集日期 2026xx06 was listed as an ordinary change and stored."""
    office = any_school.office
    s0 = make_student(0)
    path = tmp_path / "photos.csv"
    path.write_text("身份证号,采集状态,采集日期,链接状态,校对结论,校对日期,身份核验\n"
                    f"{s0['SFZH']},是,2026xx06,是,无误,20260230,\n", "utf-8")
    plan = imports.plan_import(office, "photos", path)
    assert any("第 2 行 采集日期“2026xx06”不是有效日期" in n for n in plan.notes)
    assert any("第 2 行 校对日期“20260230”不是有效日期" in n for n in plan.notes)
    imports.apply_import(office, plan)
    p = any_school.reopened().get(s0["KSH"])["photo"]
    assert p.get("taken_on") in (None, "") and p.get("checked_on") in (None, "") and p["check"] == "无误"
