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
    code, obj = precheck_json(grads)
    assert code == 1  # nobody has a certificate number yet
    assert list(obj) == ["year", "checked", "registered", "errors", "warnings", "findings"]
    assert obj["checked"] == 24 and obj["errors"] == 24
    assert {(f["rule"], f["field"]) for f in obj["findings"]} == {("missing-field", "ZSBH")}
    assert xueji(grads, "certno", "assign", "--year", YEAR).exit_code == 0
    code, obj = precheck_json(grads)
    assert (code, obj["errors"], obj["findings"]) == (0, 0, [])


def test_precheck_human_output_groups_by_rule(grads):
    edit(grads, ksh(1), XM="王 五")
    r = xueji(grads, "precheck", "--year", YEAR)
    assert r.exit_code == 1
    out = r.stdout
    assert "检查 24 人" in out and "错误 24 条，警告 1 条" in out
    assert out.index("missing-field") < out.index("name-format")
    assert "missing-field  必填项为空  24 条" in out
    assert "name-format  姓名写法可疑  1 条" in out


def test_college_clerk_sees_only_its_college(grads):
    code, obj = precheck_json(grads, clerk="wenxue")
    assert obj["checked"] == 6
    wen = {s["KSH"] for s in (graduate(i) for i in range(24)) if s["FY"] == "文学院"}
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
    assert len(rows) == 1 + 25
    head = [str(h) for h in rows[0]]
    assert any("KSH" in h for h in head) and any("姓名" in h for h in head)
    body = [dict(zip(head, r)) for r in rows[1:]]
    rule_col = next(h for h in head if "RULE" in h)
    assert sorted({b[rule_col] for b in body}) == ["missing-field", "photo-unchecked"]
    assert oct(out.stat().st_mode & 0o777) in ("0o640", "0o660", "0o600")


def test_export_precheck_service_is_the_same_report(office_g, tmp_path):
    out = tmp_path / "r.xlsx"
    result = graduation.export_precheck(office_g, out, YEAR)
    assert result.errors == 24
    assert openpyxl.load_workbook(out).active.max_row == 25


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
    assert "24 条错误" in e.value.message and "missing-field" in e.value.message
    assert not (tmp_path / "g.dbf").exists()
    assert digest(grads) == before


def test_export_skip_invalid_round_trips_through_dbfread(grads, office_g, tmp_path):
    xueji(grads, "certno", "assign", "--year", YEAR)
    edit(grads, ksh(3), SFZH=graduate(3)["SFZH"][:17] + "Y")
    office_g.store.cache = type(office_g.store.cache)()
    before = digest(grads)
    out = tmp_path / "2026毕业生.dbf"
    done = graduation.export_graduates(office_g, out, "dbf", YEAR, skip_invalid=True)
    assert digest(grads) == before  # exporting changes nothing
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
def test_graduate_records_conclusions_and_precheck_counts_them_registered(grads):
    assert xueji(grads, "conclusion", ksh(0), "结业", "--note", "未修满学分").exit_code == 0
    xueji(grads, "certno", "assign", "--year", YEAR)
    edit(grads, ksh(7), photo={"check": "未校对"})
    r = xueji(grads, "graduate", "--year", YEAR)
    assert r.exit_code == 0, r.output
    store = open_store(grads)
    s0, s1, s7 = store.get(ksh(0)), store.get(ksh(1)), store.get(ksh(7))
    assert (s0["status"], s0["history"][-1]["code"], s0["BJYJL"]) == ("结业", "6201", "结业")
    assert (s1["status"], s1["history"][-1]["code"], s1["BJYJL"], s1["BYRQ"]) == ("毕业", "6101", "毕业", "20260630")
    assert s7["status"] == "注册学籍"  # still failing: not registered
    audit = [json.loads(x) for x in (grads / "audit.jsonl").read_text().splitlines()]
    assert sum(1 for a in audit if a["action"] == "graduate") == 23
    code, obj = precheck_json(grads)
    assert (obj["checked"], obj["registered"]) == (1, 23)
    assert {f["KSH"] for f in obj["findings"]} == {ksh(7)}


def test_graduate_from_file_limits_to_listed_students(grads, tmp_path):
    xueji(grads, "certno", "assign", "--year", YEAR)
    listed = tmp_path / "accepted.csv"
    listed.write_text("KSH,XM\n" + f"{ksh(1)},x\n{ksh(2)},y\n99999999999999,z\n", encoding="utf-8")
    r = xueji(grads, "graduate", "--year", YEAR, "--from", listed)
    assert r.exit_code == 1 and "99999999999999" in r.stderr  # one listed student could not be recorded
    store = open_store(grads)
    assert {s["KSH"] for s in store.students() if s["status"] == "毕业"} == {ksh(1), ksh(2)}


def test_graduate_is_office_only_and_needs_passing_students(grads):
    assert xueji(grads, "graduate", "--year", YEAR, clerk="wenxue").exit_code == 3
    r = xueji(grads, "graduate", "--year", YEAR)  # nobody has a number yet
    assert r.exit_code == 1 and "没有可登记" in r.stderr


def test_jieye_reissue_keeps_the_number_and_notes_it(grads, office_g, tmp_path):
    xueji(grads, "conclusion", ksh(0), "结业")
    xueji(grads, "certno", "assign", "--year", YEAR)
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
    assert r.exit_code == 1 and "24 条错误" in r.stderr and not out.exists()
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
