"""precheck, certno assign, export graduates, graduate and conclusion on a real data directory."""

from __future__ import annotations

import json

import dbfread
import openpyxl
import pytest
from click.testing import CliRunner

from grad_kit import digest, edit, make_grads
from grad_factory import YEAR, graduate
from xueji_tui.cli import cli
from xueji_tui.domain.errors import Blocked, NotAllowed
from xueji_tui.precheck.graduates import UPLOAD_FIELDS, order_key
from xueji_tui.services import graduation
from xueji_tui.store import open_store


def xueji(root, *args, clerk="office1"):
    r = CliRunner().invoke(cli, ["--data", str(root), "--clerk", clerk, *[str(a) for a in args]])
    return r


def precheck_json(root, *args, clerk="office1"):
    r = xueji(root, "precheck", "--year", YEAR, "--json", *args, clerk=clerk)
    return r.exit_code, json.loads(r.stdout)


def ksh(i):
    return graduate(i)["KSH"]


# -- precheck ----------------------------------------------------------------------------------
def test_precheck_exit_codes_and_json(grads):
    """Stage 1: nobody has a number yet — one count, not 24 errors; stage 2 once numbers are given."""
    code, obj = precheck_json(grads)
    assert list(obj) == ["year", "checked", "registered", "errors", "warnings", "pending_certno", "findings"]
    assert (code, obj["checked"], obj["errors"], obj["pending_certno"], obj["findings"]) == (0, 24, 0, 24, [])
    r = xueji(grads, "precheck", "--year", YEAR)
    assert "24 名待分配证书编号" in r.stdout and "missing-field" not in r.stdout
    edit(grads, ksh(5), photo={"taken": False})
    assert xueji(grads, "certno", "assign", "--year", YEAR).exit_code == 0
    code, obj = precheck_json(grads)  # stage 2: the one left without a number is an error
    assert (code, obj["errors"], obj["pending_certno"]) == (1, 2, 0)
    assert {(f["rule"], f["KSH"], f["field"]) for f in obj["findings"]} == {
        ("photo-missing", ksh(5), "ZP"), ("missing-field", ksh(5), "ZSBH")}
    edit(grads, ksh(5), photo={"taken": True})
    assert xueji(grads, "certno", "assign", "--year", YEAR).exit_code == 0
    code, obj = precheck_json(grads)
    assert (code, obj["errors"], obj["findings"]) == (0, 0, [])


def test_findings_sorted_by_severity_then_rule_and_each_names_the_fix(grads):
    edit(grads, ksh(1), XM="王 五")                                   # warning name-format
    edit(grads, ksh(2), photo={"check": "有异议"})                     # error photo-unchecked
    edit(grads, ksh(0), SFZH=graduate(0)["SFZH"][:17] + ("0" if graduate(0)["SFZH"][17] != "0" else "1"))
    edit(grads, ksh(3), ZSBH="10202120260500001")                     # error certno-format
    edit(grads, ksh(6), ZSBH="102021202605000009")
    edit(grads, ksh(7), ZSBH="102021202605000009")                    # errors duplicate ×2
    _, obj = precheck_json(grads)
    from xueji_tui.precheck.rules import ORDER
    keys = [(f["severity"] != "error", ORDER[f["rule"]]) for f in obj["findings"]]
    assert keys == sorted(keys) and obj["findings"][-1]["rule"] == "name-format"
    fixes = {"id-checksum": "更正申请", "certno-format": "重新分配证书编号", "duplicate": "重新分配证书编号",
             "photo-unchecked": "督促学生", "name-format": "核对"}
    for f in obj["findings"]:
        assert fixes[f["rule"]] in f["message"], f


def test_certno_reassign_fixes_a_duplicate_or_malformed_number_only(grads):
    xueji(grads, "certno", "assign", "--year", YEAR)
    numbers = {s["KSH"]: s["ZSBH"] for s in open_store(grads).students()}
    edit(grads, ksh(7), ZSBH=numbers[ksh(6)])  # given twice
    edit(grads, ksh(3), ZSBH="10202120260500001")  # 17 digits
    before = digest(grads)
    r = xueji(grads, "certno", "reassign", ksh(8), "--reason", "核对")
    assert r.exit_code == 2 and "不与他人重复" in r.stderr and digest(grads) == before  # a right number stays
    assert xueji(grads, "certno", "reassign", ksh(7), "--reason", "x", clerk="wenxue").exit_code == 3
    assert xueji(grads, "certno", "reassign", ksh(7)).exit_code == 2  # the reason is required
    r = xueji(grads, "certno", "reassign", ksh(7), "--reason", "与另一名学生证书编号重复")
    assert r.exit_code == 0, r.output
    assert xueji(grads, "certno", "reassign", ksh(3), "--reason", "少一位").exit_code == 0
    store = open_store(grads)
    got = {s["KSH"]: s["ZSBH"] for s in store.students()}
    assert got[ksh(7)] == "102021202605000025" and got[ksh(3)] == "102021202605000026"  # new serials
    assert got[ksh(6)] == numbers[ksh(6)] and len(set(got.values())) == 24
    audit = [json.loads(x) for x in (grads / "audit.jsonl").read_text().splitlines()]
    moved = [a for a in audit if a["action"] == "certno-reassign"]
    assert [(a["KSH"], a["new"]) for a in moved] == [(ksh(7), got[ksh(7)]), (ksh(3), got[ksh(3)])]
    assert "与另一名学生证书编号重复" in moved[0]["why"]
    assert precheck_json(grads)[1]["errors"] == 0


def test_precheck_exclude_keeps_a_student_out_and_is_audited(grads, tmp_path):
    """退学 on record while CHSI's list still names them: excluded, not checked, not uploaded."""
    edit(grads, ksh(4), status="退学")
    xueji(grads, "certno", "assign", "--year", YEAR)
    _, obj = precheck_json(grads)
    assert {(f["rule"], f["KSH"]) for f in obj["findings"] if f["rule"] == "status"} == {("status", ksh(4))}
    assert "precheck exclude" in next(f["message"] for f in obj["findings"] if f["rule"] == "status")
    assert xueji(grads, "precheck", "exclude", ksh(4), "--reason", "已退学", clerk="wenxue").exit_code == 3
    assert xueji(grads, "precheck", "exclude", ksh(4)).exit_code == 2
    r = xueji(grads, "precheck", "exclude", ksh(4), "--reason", "已退学，学信网名单待更正")
    assert r.exit_code == 0, r.output
    code, obj = precheck_json(grads)
    assert (code, obj["checked"], obj["errors"]) == (0, 23, 0)
    assert "已排除出上报 1 人" in xueji(grads, "precheck", "--year", YEAR).stdout
    s = open_store(grads).get(ksh(4))
    assert s["status"] == "退学" and s["history"] == [] and s["excluded"]["reason"] == "已退学，学信网名单待更正"
    assert xueji(grads, "precheck", "exclude", ksh(4), "--reason", "again").exit_code == 2
    out = tmp_path / "g.dbf"
    assert xueji(grads, "export", "graduates", "-o", out, "--year", YEAR).exit_code == 0
    assert ksh(4) not in {r["KSH"] for r in dbfread.DBF(str(out), encoding="gbk")}
    audit = [json.loads(x) for x in (grads / "audit.jsonl").read_text().splitlines()]
    assert [a["KSH"] for a in audit if a["action"] == "precheck-exclude"] == [ksh(4)]
    assert xueji(grads, "precheck", "--year", YEAR, "exclude", ksh(5), "--reason", "x").exit_code == 2


def test_precheck_human_output_groups_by_rule(grads):
    edit(grads, ksh(1), XM="王 五")
    edit(grads, ksh(2), photo={"check": "有异议"})
    r = xueji(grads, "precheck", "--year", YEAR)
    assert r.exit_code == 1
    out = r.stdout
    assert "检查 24 人" in out and "错误 1 条，警告 1 条" in out and "24 名待分配证书编号" in out
    assert out.index("photo-unchecked") < out.index("name-format")
    assert "photo-unchecked  照片未校对或有异议  1 条" in out
    assert "name-format  姓名写法可疑  1 条" in out


def test_college_clerk_sees_only_its_college(grads):
    wen = {s["KSH"] for s in (graduate(i) for i in range(24)) if s["FY"] == "文学院"}
    for k in wen:
        edit(grads, k, photo={"check": "未校对"})
    edit(grads, next(graduate(i) for i in range(24) if graduate(i)["FY"] != "文学院")["KSH"], photo={"linked": False})
    code, obj = precheck_json(grads, clerk="wenxue")
    assert (obj["checked"], obj["pending_certno"]) == (6, 6)
    assert {f["KSH"] for f in obj["findings"]} == wen
    r = xueji(grads, "precheck", "--year", YEAR, "--college", "数学学院", clerk="wenxue")
    assert r.exit_code == 3
    r = xueji(grads, "precheck", "--year", YEAR, "--college", "文学")
    assert r.exit_code == 2 and "文学院" in r.stderr  # says which colleges exist
    assert precheck_json(grads, "--college", "数学学院")[1]["checked"] == 6


def test_precheck_out_writes_one_row_per_finding(grads, tmp_path):
    edit(grads, ksh(2), photo={"check": "有异议"})
    out = tmp_path / "预审.xlsx"
    r = xueji(grads, "precheck", "--year", YEAR, "--out", out)
    assert r.exit_code == 1
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 + 1  # no number yet is one count (stage 1), not a row per student
    head = [str(h) for h in rows[0]]
    assert any("KSH" in h for h in head) and any("姓名" in h for h in head)
    body = [dict(zip(head, r)) for r in rows[1:]]
    rule_col = next(h for h in head if "RULE" in h)
    assert sorted({b[rule_col] for b in body}) == ["photo-unchecked"]
    assert oct(out.stat().st_mode & 0o777) in ("0o640", "0o660", "0o600")
    # the same file again: refused before the precheck runs, saying the command that replaces it
    kept = out.read_bytes()
    r = xueji(grads, "precheck", "--year", YEAR, "--out", out)
    assert r.exit_code == 2 and "已存在" in r.output and f"xueji export precheck -o {out} --force" in r.output
    assert out.read_bytes() == kept
    r = xueji(grads, "export", "precheck", "--year", YEAR, "-o", out, "--force")
    assert r.exit_code == 0, r.output


def test_export_precheck_service_is_the_same_report(office_g, tmp_path):
    out = tmp_path / "r.xlsx"
    result = graduation.export_precheck(office_g, out, YEAR)
    assert (result.errors, result.pending_certno) == (0, 24)
    assert openpyxl.load_workbook(out).active.max_row == 1


# -- certificate numbers -----------------------------------------------------------------------
def test_certno_assign_order_layout_and_stability(grads):
    edit(grads, ksh(5), photo={"taken": False})  # fails another error rule: no number
    r = xueji(grads, "certno", "assign", "--year", YEAR)
    assert r.exit_code == 0, r.output
    store = open_store(grads)
    students = sorted((s for s in store.students() if s["KSH"] != ksh(5)), key=order_key)
    numbers = [s["ZSBH"] for s in students]
    assert numbers == [f"10202120260500{i:04d}" for i in range(1, 24)]
    assert store.get(ksh(5))["ZSBH"] == ""
    assert "另有 1 名" in r.stderr and "photo-missing" in r.stderr
    audit = [json.loads(x) for x in (grads / "audit.jsonl").read_text().splitlines()]
    assert sum(1 for a in audit if a["action"] == "certno") == 23
    # fixed and rerun: the new student continues the serials, nobody else's number changes
    edit(grads, ksh(5), photo={"taken": True})
    assert xueji(grads, "certno", "assign", "--year", YEAR).exit_code == 0
    store = open_store(grads)
    assert store.get(ksh(5))["ZSBH"] == "102021202605000024"
    assert [s["ZSBH"] for s in sorted((s for s in store.students() if s["KSH"] != ksh(5)), key=order_key)] == numbers
    # nothing left to number: a no-op
    before = digest(grads)
    r = xueji(grads, "certno", "assign", "--year", YEAR)
    assert r.exit_code == 0 and "0 名" in r.stderr
    assert digest(grads) == before


def test_certno_assign_prints_one_tab_separated_line_per_number(grads, capsys):
    r = xueji(grads, "certno", "assign", "--year", YEAR)
    lines = r.stdout.splitlines()
    store = open_store(grads)
    assert len(lines) == 24
    for line in lines:
        k, xh, xm, number = line.split("\t")
        s = store.get(k)
        assert (xh, xm, number) == (s["XH"], s["XM"], s["ZSBH"])
    from xueji_tui.cli.output import echo_rows

    echo_rows([["1", "张\t三", "\x1b[2J", 7]])  # a value can neither split a row nor drive the terminal
    assert capsys.readouterr().out == "1\t张\\x09三\t\\x1b[2J\t7\n"


def test_certno_levels_and_start(tmp_path):
    students = [graduate(i, ZSBH="") for i in range(4)]
    students[1]["CC"] = "专科"
    students[1]["XZ"] = "3"
    students[1]["RXRQ"] = "20230901"
    students[1]["KSH"] = "23220000000001"
    students.append(graduate(9, ZSBH="102021202605000100"))  # a number given earlier
    root = make_grads(tmp_path / "d", students)
    before = digest(root)
    r = xueji(root, "certno", "assign", "--year", YEAR, "--start", 50)
    assert r.exit_code == 2 and "000100" in r.stderr
    assert digest(root) == before  # nothing written
    r = xueji(root, "certno", "assign", "--year", YEAR, "--start", 200)
    assert r.exit_code == 0, r.output
    store = open_store(root)
    got = {s["KSH"]: s["ZSBH"] for s in store.students()}
    assert got[students[1]["KSH"]] == "102021202606000200"  # 专科: level 06, its own serials
    bachelors = sorted(v for k, v in got.items() if k != students[1]["KSH"])
    assert bachelors == ["102021202605000100", "102021202605000200", "102021202605000201", "102021202605000202"]


def test_certno_is_office_only(grads):
    before = digest(grads)
    assert xueji(grads, "certno", "assign", "--year", YEAR, clerk="wenxue").exit_code == 3
    assert digest(grads) == before


# -- export graduates --------------------------------------------------------------------------
def test_export_refuses_while_errors_remain_and_changes_nothing(grads, office_g, tmp_path):
    before = digest(grads)
    with pytest.raises(Blocked) as e:
        graduation.export_graduates(office_g, tmp_path / "g.dbf", "dbf", YEAR)
    assert e.value.exit_code == 1
    assert "24 名毕业生尚未分配证书编号" in e.value.message and "certno assign" in e.value.message
    assert not (tmp_path / "g.dbf").exists()
    assert digest(grads) == before


def test_export_skip_invalid_round_trips_through_dbfread(grads, office_g, tmp_path):
    xueji(grads, "certno", "assign", "--year", YEAR)
    edit(grads, ksh(3), SFZH=graduate(3)["SFZH"][:17] + "Y")
    office_g.store.cache = type(office_g.store.cache)()
    before = list(open_store(grads).students())
    out = tmp_path / "2026毕业生.dbf"
    done = graduation.export_graduates(office_g, out, "dbf", YEAR, skip_invalid=True)
    assert list(open_store(grads).students()) == before  # exporting changes no student
    [log] = open_store(grads).exports()  # the file is logged: what each student was sent
    assert (log["file"], log["rows"], len(log["students"])) == (str(out.resolve()), 23, 23)
    assert {r["BJYJL"] for r in log["students"]} == {"毕业"} and ksh(3) not in {r["KSH"] for r in log["students"]}
    assert done.written == 23
    assert [(s["KSH"], rules) for s, rules in done.excluded] == [(ksh(3), ["id-format"])]
    table = dbfread.DBF(str(out), encoding="gbk")
    assert table.field_names == list(UPLOAD_FIELDS)
    rows = list(table)
    store = open_store(grads)
    expected = sorted((s for s in store.students() if s["KSH"] != ksh(3)), key=order_key)
    assert [r["KSH"] for r in rows] == [s["KSH"] for s in expected]
    for r, s in zip(rows, expected):
        for f in ("XM", "XB", "CSRQ", "SFZH", "ZYDM", "ZYMC", "XZ", "XXXS", "CC", "RXRQ", "ZSBH"):
            assert r[f] == s[f], (f, r[f], s[f])
        assert (r["YXDM"], r["YXMC"], r["XZXM"]) == ("10202", "吉林师范大学", "王校长")
        assert (r["BYRQ"], r["BJYJL"]) == ("20260630", "毕业")
    assert len({r["ZSBH"] for r in rows}) == 23
    # the same as XLSX
    x = graduation.export_graduates(office_g, tmp_path / "g.xlsx", "xlsx", YEAR, skip_invalid=True)
    ws = openpyxl.load_workbook(tmp_path / "g.xlsx").active
    assert ws.max_row == 1 + x.written == 24


def test_export_is_office_only(grads, wenxue_g, tmp_path):
    with pytest.raises(NotAllowed):
        graduation.export_graduates(wenxue_g, tmp_path / "g.dbf", "dbf", YEAR, skip_invalid=True)


# -- graduate and conclusion -------------------------------------------------------------------
def test_graduate_records_conclusions_and_precheck_counts_them_registered(grads, tmp_path):
    assert xueji(grads, "conclusion", ksh(0), "结业", "--note", "未修满学分").exit_code == 0
    xueji(grads, "certno", "assign", "--year", YEAR)
    edit(grads, ksh(7), photo={"check": "未校对"})
    assert xueji(grads, "export", "graduates", "-o", tmp_path / "g.dbf", "--year", YEAR, "--skip-invalid").exit_code == 0
    r = xueji(grads, "graduate", "--year", YEAR)
    assert r.exit_code == 0, r.output
    store = open_store(grads)
    s0, s1, s7 = store.get(ksh(0)), store.get(ksh(1)), store.get(ksh(7))
    assert (s0["status"], s0["history"][-1]["code"], s0["BJYJL"]) == ("结业", "6201", "结业")
    assert (s1["status"], s1["history"][-1]["code"], s1["BJYJL"], s1["BYRQ"]) == ("毕业", "6101", "毕业", "20260630")
    assert s7["status"] == "注册学籍"  # still failing: not registered
    audit = [json.loads(x) for x in (grads / "audit.jsonl").read_text().splitlines()]
    assert sum(1 for a in audit if a["action"] == "graduate") == 23
    assert all(a["file"].endswith("g.dbf") for a in audit if a["action"] == "graduate")
    # fixed later, but never uploaded: not recorded, and said so
    edit(grads, ksh(7), photo={"check": "无误"})
    r = xueji(grads, "graduate", "--year", YEAR)
    assert r.exit_code == 1 and "1 名通过预审的学生不在已导出的学历注册文件中" in r.stderr, r.stderr
    assert open_store(grads).get(ksh(7))["status"] == "注册学籍"
    edit(grads, ksh(7), photo={"check": "未校对"})
    code, obj = precheck_json(grads)
    assert (obj["checked"], obj["registered"]) == (1, 23)
    assert {f["KSH"] for f in obj["findings"]} == {ksh(7)}


def test_graduate_from_file_limits_to_listed_students(grads, tmp_path):
    xueji(grads, "certno", "assign", "--year", YEAR)
    assert xueji(grads, "export", "graduates", "-o", tmp_path / "g.dbf", "--year", YEAR).exit_code == 0
    listed = tmp_path / "accepted.csv"
    listed.write_text("KSH,XM\n" + f"{ksh(1)},x\n{ksh(2)},y\n99999999999999,z\n", encoding="utf-8")
    r = xueji(grads, "graduate", "--year", YEAR, "--from", listed)
    assert r.exit_code == 1 and "99999999999999" in r.stderr  # one listed student could not be recorded
    store = open_store(grads)
    assert {s["KSH"] for s in store.students() if s["status"] == "毕业"} == {ksh(1), ksh(2)}


def test_graduate_is_office_only_and_refused_without_a_logged_export(grads):
    assert xueji(grads, "graduate", "--year", YEAR, clerk="wenxue").exit_code == 3
    xueji(grads, "certno", "assign", "--year", YEAR)  # every one passes: still nothing was uploaded
    before = digest(grads)
    r = xueji(grads, "graduate", "--year", YEAR)
    assert r.exit_code == 2 and "没有 2026 届学历注册上报文件的导出记录" in r.stderr
    assert digest(grads) == before
    assert {s["status"] for s in open_store(grads).students()} == {"注册学籍"}


def test_graduate_from_a_chsi_file_with_conclusions_needs_no_log(grads, tmp_path):
    xueji(grads, "certno", "assign", "--year", YEAR)
    listed = tmp_path / "学信网已接收.csv"
    listed.write_text(f"KSH,BJYJL\n{ksh(1)},毕业\n{ksh(2)},结业\n{ksh(3)},\n", encoding="utf-8")
    r = xueji(grads, "graduate", "--year", YEAR, "--from", listed)
    assert r.exit_code == 1 and ksh(3) in r.stderr  # no conclusion and no log: not recorded
    store = open_store(grads)
    assert (store.get(ksh(1))["status"], store.get(ksh(3))["status"]) == ("毕业", "注册学籍")
    # CHSI received 结业 but the record says 毕业: upload again before recording
    assert "须重新上报" in r.stderr and store.get(ksh(2))["status"] == "注册学籍"


def test_a_conclusion_changed_after_export_is_uploaded_again_before_it_is_recorded(grads, tmp_path):
    xueji(grads, "certno", "assign", "--year", YEAR)
    assert xueji(grads, "export", "graduates", "-o", tmp_path / "1.dbf", "--year", YEAR).exit_code == 0
    r = xueji(grads, "conclusion", ksh(1), "结业", "--note", "学分未修满")
    assert r.exit_code == 0 and "须重新上报" in r.stderr
    r = xueji(grads, "precheck", "--year", YEAR)
    assert "1 名导出后结论或证书编号已改变，须重新上报" in r.stdout and ksh(1) in r.stdout
    r = xueji(grads, "graduate", "--year", YEAR)
    assert r.exit_code == 1 and ksh(1) in r.stderr and "须重新上报" in r.stderr
    store = open_store(grads)
    assert store.get(ksh(1))["status"] == "注册学籍" and store.get(ksh(2))["status"] == "毕业"
    assert xueji(grads, "export", "graduates", "-o", tmp_path / "2.dbf", "--year", YEAR).exit_code == 0
    assert "须重新上报" not in xueji(grads, "precheck", "--year", YEAR).stdout
    assert xueji(grads, "graduate", "--year", YEAR).exit_code == 0
    s = open_store(grads).get(ksh(1))
    assert (s["status"], s["BJYJL"], s["history"][-1]["code"]) == ("结业", "结业", "6201")
    log = open_store(grads).exports()
    assert [len(e["students"]) for e in log] == [24, 1] and log[1]["students"][0]["BJYJL"] == "结业"
    assert all(len(e["sha256"]) == 64 and e["clerk"] == "office1" for e in log)


def test_jieye_reissue_keeps_the_number_and_notes_it(grads, office_g, tmp_path):
    xueji(grads, "conclusion", ksh(0), "结业")
    xueji(grads, "certno", "assign", "--year", YEAR)
    xueji(grads, "export", "graduates", "-o", tmp_path / "g.dbf", "--year", YEAR)
    xueji(grads, "graduate", "--year", YEAR)
    number = open_store(grads).get(ksh(0))["ZSBH"]
    assert xueji(grads, "conclusion", ksh(0), "毕业", clerk="wenxue").exit_code in (3,)
    r = xueji(grads, "conclusion", ksh(0), "毕业", "--note", "补考通过，吉师大教字〔2026〕9号")
    assert r.exit_code == 0, r.output
    code, obj = precheck_json(grads)
    assert (code, obj["checked"], obj["registered"]) == (0, 1, 23)
    done = graduation.export_graduates(office_g, tmp_path / "reissue.dbf", "dbf", YEAR)
    row = next(iter(dbfread.DBF(str(tmp_path / "reissue.dbf"), encoding="gbk")))
    assert (row["KSH"], row["BJYJL"], row["ZSBH"]) == (ksh(0), "毕业", number)
    assert "结业换发毕业证书" in row["BZ"] and done.written == 1
    assert xueji(grads, "graduate", "--year", YEAR).exit_code == 0
    s = open_store(grads).get(ksh(0))
    assert (s["status"], s["history"][-1]["code"], s["ZSBH"]) == ("毕业", "6202", number)


def test_conclusion_validates_and_respects_scope(grads):
    assert xueji(grads, "conclusion", ksh(0), "肄业").exit_code == 2
    wen = next(graduate(i) for i in range(24) if graduate(i)["FY"] == "文学院")
    other = next(graduate(i) for i in range(24) if graduate(i)["FY"] != "文学院")
    assert xueji(grads, "conclusion", wen["KSH"], "结业", clerk="wenxue").exit_code == 0
    assert xueji(grads, "conclusion", other["KSH"], "结业", clerk="wenxue").exit_code == 3
    assert open_store(grads).get(wen["KSH"])["BJYJL"] == "结业"


def test_xueji_export_graduates_and_precheck_commands(grads, tmp_path):
    out = tmp_path / "g.dbf"
    r = xueji(grads, "export", "graduates", "-o", out, "--year", YEAR)
    assert r.exit_code == 1 and "24 名毕业生尚未分配证书编号" in r.stderr and not out.exists()
    xueji(grads, "certno", "assign", "--year", YEAR)
    edit(grads, ksh(4), photo={"linked": False})
    r = xueji(grads, "export", "graduates", "-o", out, "--year", YEAR)
    assert r.exit_code == 1 and "photo-missing" in r.stderr
    r = xueji(grads, "export", "graduates", "-o", out, "--year", YEAR, "--skip-invalid")
    assert r.exit_code == 0, r.output
    assert ksh(4) in r.stderr  # the excluded student is listed
    assert len(list(dbfread.DBF(str(out), encoding="gbk"))) == 23
    rep = tmp_path / "预审.xlsx"
    r = xueji(grads, "export", "precheck", "-o", rep, "--year", YEAR)
    assert r.exit_code == 0, r.output
    assert openpyxl.load_workbook(rep).active.max_row == 2
    assert xueji(grads, "export", "graduates", "-o", out, "--year", YEAR, "--skip-invalid",
                 clerk="wenxue").exit_code == 3


def test_certno_assign_refuses_a_year_without_graduates_and_a_start_out_of_range(grads):
    """Was: a typo'd year started its stage 2 (an audit line, certno_years) with no one to number, and
    --start 99999999 was found too long only after the precheck."""
    before = open_store(grads).settings.get("certno_years")
    r = xueji(grads, "certno", "assign", "--year", int(YEAR) + 5)
    assert r.exit_code == 2 and f"没有 {int(YEAR) + 5} 届的预计毕业生" in r.output, r.output
    r = xueji(grads, "certno", "assign", "--year", YEAR, "--start", 99999999)
    assert r.exit_code == 2 and "应为 1–999999 之间的整数" in r.output, r.output
    assert open_store(grads).settings.get("certno_years") == before
    assert not any(s.get("ZSBH") for s in open_store(grads).students())


def test_a_conclusion_is_only_for_a_graduate_in_good_standing(grads):
    """Was: 结业 recorded for a student on 休学 and for a 2025 entrant due in 2029."""
    edit(grads, ksh(3), status="休学(病休)")
    edit(grads, ksh(4), BYRQ="", YJBYRQ="20990630")
    before = digest(grads)
    r = xueji(grads, "conclusion", ksh(3), "结业", "--note", "未修满学分")
    assert r.exit_code == 2 and "休学(病休)" in r.output and "不是在籍的毕业生" in r.output, r.output
    r = xueji(grads, "conclusion", ksh(4), "结业", "--note", "未修满学分")
    assert r.exit_code == 2 and "预计 2099 年毕业" in r.output, r.output
    assert digest(grads) == before
    assert xueji(grads, "conclusion", ksh(5), "结业", "--note", "未修满学分").exit_code == 0


def test_rules_in_messages_are_named_in_chinese_with_their_ids(grads):
    """Was: "仍有其他预审错误（id-checksum 31、photo-unchecked 31）" — ids only."""
    edit(grads, ksh(2), photo={"check": "有异议"})
    r = xueji(grads, "certno", "assign", "--year", YEAR)
    assert r.exit_code == 0 and "照片未校对或有异议（photo-unchecked） 1 人" in r.output, r.output
    r = xueji(grads, "export", "graduates", "--year", YEAR, "--skip-invalid", "-o", grads.parent / "g.dbf")
    assert r.exit_code == 0 and "必填项为空（missing-field）、照片未校对或有异议（photo-unchecked））" in r.output, r.output
