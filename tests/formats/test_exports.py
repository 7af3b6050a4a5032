"""`xueji export` and `xueji stats`: every file read back by an independent reader (dbfread, openpyxl)
and compared value by value with the store; scope; unfit values; import → export → import."""

from __future__ import annotations

import os
import stat

import dbfread
import openpyxl
import pytest

from filekit import chsi_file, run, students
from xueji_testkit import make_student, tree_digest
from xueji_tui.domain.codes import codes
from xueji_tui.domain.status import ChangeRequest
from xueji_tui.services import corrections
from xueji_tui.services import changes
from xueji_tui.services import students as svc
from xueji_tui.store import open_store

S = {i: make_student(i) for i in range(60)}
F = {i: make_student(200 + i, year=2025, college="文学院", status="待注册") for i in range(3)}  # freshmen
DOC = "吉师大教字〔2025〕31号"


def dbf_rows(path):
    return [dict(r) for r in dbfread.DBF(str(path), encoding="gbk")]


def xlsx_rows(path, sheet=None):
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    values = list(ws.iter_rows(values_only=True))
    heads = [h.split()[-1] for h in values[0]]
    return [dict(zip(heads, ["" if v is None else v for v in row])) for row in values[1:]]


@pytest.fixture
def eventful(school, office):
    """The school after a term of work: leave, a change of major, an expulsion, freshmen decisions."""
    store = open_store(school)
    with store.write("office1", "测试：新生") as tx:
        tx.put_many([dict(f) for f in F.values()])
        tx.log("test", why="新生")
    changes.change(office, S[1]["KSH"], ChangeRequest(code="1101", date="20250310", approved="20250308", doc="吉师大学字〔2025〕5号"))
    changes.change(office, S[2]["KSH"], ChangeRequest(code="2301", date="20250301", approved="20250228", doc=DOC,
                                                  to_major="050101", to_class="汉语言251班", note="本人申请"))
    changes.change(office, S[3]["KSH"], ChangeRequest(code="4204", date="20250601", approved="20250530", doc="吉师大纪字〔2025〕2号"))
    changes.change(office, S[4]["KSH"], ChangeRequest(code="1102", date="20250401", approved="20250330", doc="x号"))
    changes.change(office, S[5]["KSH"], ChangeRequest(code="7103", date="20250320", note="校级三好学生"))
    changes.change(office, S[6]["KSH"], ChangeRequest(code="7201", date="20250420", note="无故旷课"))
    changes.change(office, S[4]["KSH"], ChangeRequest(code="9801", date="20250402", note="录入错误"))  # reversed
    changes.change(office, F[0]["KSH"], ChangeRequest(code="1401", date="20250910", doc="征兵〔2025〕1号"))
    changes.change(office, F[1]["KSH"], ChangeRequest(code="1502", date="20250915"))
    return school


def test_registration_dbf_matches_the_store(eventful, tmp_path):
    out = tmp_path / "reg.dbf"
    r = run(eventful, "export", "registration", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert "1 名学生仍为“待注册”" in r.output and str(out) in r.output
    assert stat.S_IMODE(os.stat(out).st_mode) & 0o007 == 0
    table = dbfread.DBF(str(out), encoding="gbk")
    assert [(f.name, f.type) for f in table.fields] == [(c, "C") for c in ("KSH", "XH", "XM", "SFZH", "ZCZT", "BZ")]
    rows = {r["KSH"]: r for r in dbf_rows(out)}
    store = open_store(eventful)
    expect = {"注册学籍": "注册学籍", "休学(病休)": "休学", "保留入学资格": "保留入学资格"}
    want = [s for s in store.students() if s["status"] in expect]
    assert len(rows) == len(want)
    for s in want:
        got = rows[s["KSH"]]
        assert (got["XH"], got["XM"], got["SFZH"], got["ZCZT"], got["BZ"]) == (
            s.get("XH", ""), s["XM"], s["SFZH"], expect[s["status"]], s.get("BZ", "") or "")
    assert rows[S[1]["KSH"]]["ZCZT"] == "休学"
    assert S[3]["KSH"] not in rows  # 开除学籍


def test_registration_xlsx_and_cohort(eventful, tmp_path):
    out = tmp_path / "reg.xlsx"
    assert run(eventful, "export", "registration", "--year", "2025", "-o", str(out)).exit_code == 0
    rows = xlsx_rows(out)
    assert sorted((r["KSH"], r["ZCZT"]) for r in rows) == sorted(
        [(F[0]["KSH"], "保留入学资格"), (F[1]["KSH"], "放弃入学资格")])
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws.freeze_panes == "A2" and ws["C1"].value == "姓名 XM"
    out = tmp_path / "all.xlsx"
    assert run(eventful, "export", "registration", "-o", str(out)).exit_code == 0
    got = {r["KSH"]: r for r in xlsx_rows(out)}
    zczt = {"注册学籍": "注册学籍", "休学(病休)": "休学", "保留入学资格": "保留入学资格"}
    want = [s for s in open_store(eventful).students() if s["status"] in zczt]
    assert len(got) == len(want)
    for s in want:
        assert got[s["KSH"]] == {"KSH": s["KSH"], "XH": s["XH"], "XM": s["XM"], "SFZH": s["SFZH"],
                                 "ZCZT": zczt[s["status"]], "BZ": s.get("BZ") or ""}
    r = run(eventful, "export", "registration", "-o", str(tmp_path / "x.xlsx"), "--format", "dbf")
    assert r.exit_code == 2 and "--format dbf" in r.output
    r = run(eventful, "export", "workbook", "--format", "dbf")
    assert r.exit_code == 2 and "xlsx" in r.output


def test_changes_carry_the_values_after_the_change(eventful, tmp_path):
    out = tmp_path / "ch.dbf"
    assert run(eventful, "export", "changes", "--year", "2025", "-o", str(out)).exit_code == 0
    rows = dbf_rows(out)
    by = {(r["KSH"], r["YDLX"]): r for r in rows}
    assert len(rows) == 2  # 1101 and 2301; the reversed 1102 and the reversal are left out
    major = by[(S[2]["KSH"], "转专业")]
    assert (major["ZYDM"], major["ZYMC"], major["BH"], major["FY"]) == ("050101", "汉语言文学", "汉语言251班", "文学院")
    assert (major["PZRQ"], major["WH"], major["YY"], major["SM"]) == ("20250228", DOC, "本人申请", "本人申请")
    leave = by[(S[1]["KSH"], "休学")]
    assert leave["YY"] == codes().reason("1101").name and leave["XM"] == S[1]["XM"] and leave["DQSZJ"] == "2022"
    assert all(r["PZRQ"] and r["WH"] for r in rows)  # every 异动 and 休学 row carries 批准日期 and 文号


def test_changes_recorded_without_an_approval_date_are_named(eventful, tmp_path):
    """An entry recorded before 批准日期 was required: the export says which, and what to do."""
    store = open_store(eventful)
    with store.write("office1", "测试：旧记录") as tx:
        s = tx.get(S[1]["KSH"])
        s["history"][-1]["approved"] = ""
        tx.put(s)
        tx.log("test", ksh=s["KSH"], why="旧记录")
    r = run(eventful, "export", "changes", "--year", "2025", "-o", str(tmp_path / "ch.dbf"))
    assert r.exit_code == 0 and "1 条异动记录没有批准日期" in r.stderr and S[1]["KSH"] in r.stderr
    assert "9801" in r.stderr


def test_cancellations_and_admission(eventful, tmp_path):
    out = tmp_path / "zx.xlsx"
    assert run(eventful, "export", "cancellations", "-o", str(out)).exit_code == 0
    rows = xlsx_rows(out)
    assert [(r["KSH"], r["ZXLX"], r["WH"], r["YY"], r["PZRQ"]) for r in rows] == [
        (S[3]["KSH"], "开除学籍", "吉师大纪字〔2025〕2号", "替考、组织作弊等严重作弊", "20250530")]
    out = tmp_path / "adm.dbf"
    r = run(eventful, "export", "admission", "-o", str(out))
    assert r.exit_code == 0, r.output
    keep, waive = tmp_path / "adm-保留入学资格.dbf", tmp_path / "adm-放弃入学资格.dbf"
    assert [(r["KSH"], r["YDYY"]) for r in dbf_rows(keep)] == [(F[0]["KSH"], "应征入伍")]
    assert [(r["KSH"], r["BZ"]) for r in dbf_rows(waive)] == [(F[1]["KSH"], "逾期未报到")]
    out = tmp_path / "adm.xlsx"
    assert run(eventful, "export", "admission", "-o", str(out)).exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames == ["保留入学资格", "放弃入学资格"]
    assert xlsx_rows(out, "放弃入学资格")[0]["XM"] == F[1]["XM"]


def test_corrections_export_then_reimport_is_lossless(school, office, office2, tmp_path):
    rid = corrections.file(office, S[5]["KSH"], "XM", "王小五", reason="改名", evidence="公安证明 2025-5")
    corrections.submit(office, rid)
    corrections.approve(office2, rid, "吉教学字〔2025〕5号")
    out = tmp_path / "corr.dbf"
    assert run(school, "export", "corrections", "-o", str(out)).exit_code == 0
    rows = dbf_rows(out)
    s = open_store(school).get(S[5]["KSH"])
    assert len(rows) == 1
    for code in ("KSH", "XH", "XM", "XB", "CSRQ", "ZZMM", "MZ", "ZYDM", "ZYMC", "XXXS", "CC", "XZ", "RXRQ", "FY",
                 "XSH", "BH", "YJBYRQ"):
        assert rows[0][code] == s.get(code, ""), code
    assert (rows[0]["XM"], rows[0]["ZJLX"], rows[0]["ZJHM"]) == ("王小五", "居民身份证", s["SFZH"])
    before = tree_digest(school)
    r = run(school, "import", "students", str(out), "--yes")
    assert r.exit_code == 0 and "新增 0 人 · 变更 0 人（0 个字段）· 无变化 1 人" in r.output
    assert tree_digest(school) == before


def test_import_export_import_roundtrip(tmp_path):
    from xueji_testkit import build_school

    root = tmp_path / "d"
    build_school(root, n=0)
    src = students(30)
    src[0]["XM"] = "阿依古丽·买买提"
    for fmt in ("dbf", "xlsx"):
        path = chsi_file(tmp_path / f"in.{fmt}", src)
        assert run(root, "import", "students", str(path), "--yes").exit_code == 0
        out = tmp_path / f"reg.{fmt}"
        assert run(root, "export", "registration", "-o", str(out)).exit_code == 0
        before = tree_digest(root)
        r = run(root, "import", "students", str(out), "--yes")
        assert "新增 0 人 · 变更 0 人（0 个字段）· 无变化 30 人" in r.output, r.output
        assert tree_digest(root) == before
    store = open_store(root)
    for s in src:
        got = store.get(s["KSH"])
        for f in ("KSH", "XH", "XM", "XB", "CSRQ", "SFZH", "MZ", "ZZMM", "ZYDM", "ZYMC", "FY", "XSH", "BH", "CC",
                  "XXXS", "XZ", "RXRQ", "YJBYRQ", "YXDM", "YXMC", "LQLX"):
            assert got[f] == s[f], f


def test_unfit_values_are_named_never_truncated(school, tmp_path):
    store = open_store(school)
    with store.write("office1", "测试") as tx:
        s = tx.get(S[6]["KSH"])
        s["XM"] = "欧阳" + "娜" * 19  # 21 characters = 42 bytes > C(40)
        tx.put(s)
        tx.log("test", why="超长姓名")
    out = tmp_path / "reg.dbf"
    r = run(school, "export", "registration", "-o", str(out))
    assert r.exit_code == 2 and S[6]["KSH"] in r.output and "XM" in r.output and "42 字节" in r.output
    assert not out.exists()
    r = run(school, "export", "registration", "-o", str(out), "--skip-invalid")
    assert r.exit_code == 0 and "已跳过 1 名学生" in r.output
    assert S[6]["KSH"] not in {x["KSH"] for x in dbf_rows(out)} and len(dbf_rows(out)) == 59


def test_college_clerk_scope(eventful, tmp_path):
    before = tree_digest(eventful)
    for kind in ("registration", "changes", "cancellations", "admission", "corrections", "graduates"):
        r = run(eventful, "export", kind, "-o", str(tmp_path / f"{kind}.dbf"), clerk="wenxue")
        assert r.exit_code == 3, (kind, r.output)
    r = run(eventful, "export", "workbook", "--college", "外国语学院", "-o", str(tmp_path / "w.xlsx"), clerk="wenxue")
    assert r.exit_code == 3
    out = tmp_path / "mine.xlsx"
    assert run(eventful, "export", "workbook", "-o", str(out), clerk="wenxue").exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames == ["文学院", "填写说明"]
    assert {r["FY"] for r in xlsx_rows(out)} == {"文学院"}
    r = run(eventful, "stats", "--year", "2025", "--json", clerk="wenxue")
    import json

    data = json.loads(r.output)
    assert {row["学院"] for row in data["rows"]} == {"文学院"}
    after = tree_digest(eventful)
    trail = after.pop("audit.jsonl")[len(before.pop("audit.jsonl")):].decode().splitlines()
    after.pop("audit.head"), before.pop("audit.head")
    assert after == before  # the workbook (whole 身份证号) is audited; nothing else changed
    assert [json.loads(x)["action"] for x in trail] == ["export"] and '"rows":' in trail[0]


STATES = ("注册学籍", "待注册", "暂缓注册", "保留学籍", "休学(病休)", "休学(其他)")


def stats_json(data, *args, clerk="office1"):
    import json

    r = run(data, "stats", "--json", *args, clerk=clerk)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_stats_add_up(eventful, tmp_path):
    data = stats_json(eventful, "--year", "2025")
    assert (data["changes_from"], data["changes_to"], data["school_year"]) == ("20240901", "20250831", "2025—2026学年")
    assert data["as_of"] == "20260831"  # a school year already over: its last day
    assert data["form"] == "普通高等学校学生学年电子注册情况统计表"
    for col in data["columns"][2:]:
        assert sum(row[col] for row in data["rows"]) == data["total"][col], col
    for row in [*data["rows"], data["total"]]:  # what became of 应注册人数, column by column
        assert row["应注册人数"] == sum(row[c] for c in STATES), row
    t = data["total"]
    assert (t["休学(病休)"], t["转专业"], t["开除学籍"], t["休学(其他)"], t["待注册"]) == (1, 1, 1, 0, 1)
    assert (t["奖励"], t["处分"]) == (1, 1)
    assert t["应注册人数"] == 60 - 1 + 1  # minus the expelled student, plus the freshman still 待注册
    assert data["groups"]["奖惩"] == ["奖励", "处分"] and "待注册" in data["groups"]["学籍注册"]


def test_stats_restricts_the_cohorts_and_takes_the_day_asked(eventful):
    """--year 2024 is the 2024—2025学年: the 2025 freshmen are not in it; --as-of gives each student's
    status on that day (S1 went on leave on 20250310)."""
    early = stats_json(eventful, "--year", "2024", "--as-of", "20250305")
    late = stats_json(eventful, "--year", "2024", "--as-of", "20250315")
    assert early["total"]["待注册"] == 0 and early["total"]["应注册人数"] == 60  # the 2025 cohort is not there
    assert (early["total"]["休学(病休)"], late["total"]["休学(病休)"]) == (0, 1)
    assert (early["total"]["注册学籍"], late["total"]["注册学籍"]) == (60, 59)
    assert early["school_year"] == "2024—2025学年" and early["as_of"] == "20250305"
    for args in (["--year", "2024", "--as-of", "20250905"], ["--as-of", "20250230"], ["--year", "2030"],
                 ["--as-of", "２０２５０３０１"]):
        r = run(eventful, "stats", *args)
        assert r.exit_code == 2, (args, r.output)


def test_stats_totals_equal_a_count_from_lookup(eventful):
    """The figures of today's form are the students lookup finds in each state."""
    import json

    from xueji_testkit import SURNAMES

    seen = {}
    for ch in SURNAMES:
        r = run(eventful, "lookup", ch, "--json")
        if r.exit_code == 0:
            seen.update({s["KSH"]: s for s in json.loads(r.stdout)})
    assert len(seen) == 63
    data = stats_json(eventful)
    for state in STATES:
        assert data["total"][state] == sum(1 for s in seen.values() if s["status"] == state), state
    assert data["total"]["应注册人数"] == sum(1 for s in seen.values() if s["status"] in STATES)


def test_stats_form_has_the_official_title_and_chinese_heads(eventful, tmp_path):
    out = tmp_path / "stats.xlsx"
    r = run(eventful, "export", "stats", "--year", "2025", "-o", str(out))
    assert r.exit_code == 0, r.output
    ws = openpyxl.load_workbook(out).active
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    assert grid[0][0].startswith("《普通高等学校学生学年电子注册情况统计表》2025—2026学年（截至 2026年08月31日）")
    groups, heads = grid[2], grid[3]
    assert [g for g in groups if g] == ["学院", "层次", "学籍注册", "学籍异动", "学籍注销", "奖惩"]
    heads = [h or g for h, g in zip(heads, groups)]
    assert heads[:5] == ["学院", "层次", "应注册人数", "注册学籍", "待注册"] and heads[-2:] == ["奖励", "处分"]
    assert not any(h.isascii() for h in heads)  # no made-up codes
    rows = [dict(zip(heads, r)) for r in grid[4:]]
    assert rows[-1]["学院"] == "合计" and rows[-1]["转专业"] == 1 and isinstance(rows[-1]["应注册人数"], int)
    for h in heads[2:]:
        assert sum(r[h] for r in rows[:-1]) == rows[-1][h], h
    dbf = tmp_path / "stats.dbf"
    assert run(eventful, "export", "stats", "--year", "2025", "-o", str(dbf)).exit_code == 0
    table = dbf_rows(dbf)
    assert table[-1]["FY"] == "合计" and table[-1]["DZC"] == "1" and table[-1]["JL"] == "1"


def test_workbook_sheets_validation_protection(eventful, tmp_path):
    out = tmp_path / "all.xlsx"
    assert run(eventful, "export", "workbook", "-o", str(out)).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["外国语学院", "数学与计算机学院", "文学院", "填写说明"]
    ws = wb["文学院"]
    heads = [c.value for c in ws[1]]
    col = {h.split()[-1]: i + 1 for i, h in enumerate(heads)}
    assert ws.protection.sheet and ws.freeze_panes == "C2"
    assert ws.cell(2, col["XM"]).protection.locked and not ws.cell(2, col["XM_HD"]).protection.locked
    assert not ws.cell(2, col["XM_GZ"]).protection.locked and not ws.cell(2, col["SM"]).protection.locked
    dv = ws.data_validations.dataValidation[0]
    assert dv.formula1 == '"无误,有误"' and ws.cell(1, col["XM_HD"]).coordinate[:-1] in str(dv.sqref)
    letter = ws.cell(1, col["_KSH"]).column_letter
    assert ws.column_dimensions[letter].hidden
    store = open_store(eventful)
    for row in xlsx_rows(out, "文学院"):
        s = store.get(row["KSH"])
        assert row["SFZH"] == s["SFZH"] and row["XM"] == s["XM"] and int(row["_REV"]) == s["rev"]


def _fill(path, out, edits):
    wb = openpyxl.load_workbook(path)
    for sheet, ksh, field, value in edits:
        ws = wb[sheet]
        heads = [c.value.split()[-1] for c in ws[1]]
        r = next(i for i, row in enumerate(ws.iter_rows(values_only=True), start=1) if row[heads.index("KSH")] == ksh)
        ws.cell(r, heads.index(field) + 1).value = value
    wb.save(out)


def test_workbook_round_trip_with_a_conflict(eventful, office, wenxue, tmp_path):
    wx = [s for s in S.values() if s["FY"] == "文学院" and s["KSH"] not in (S[3]["KSH"],)]
    a, b, c = wx[0], wx[1], wx[2]
    other = next(s for s in S.values() if s["FY"] == "外国语学院" and s["KSH"] != S[2]["KSH"])  # S2 moved
    path = tmp_path / "all.xlsx"
    assert run(eventful, "export", "workbook", "-o", str(path)).exit_code == 0
    svc.verify(office, b["KSH"], "CSRQ", "ok")  # done in the terminal after the export
    filled = tmp_path / "back.xlsx"
    _fill(path, filled, [
        ("文学院", a["KSH"], "XM_HD", "无误"), ("文学院", a["KSH"], "XB_HD", "无误"),
        ("文学院", a["KSH"], "MZ_HD", "有误"), ("文学院", a["KSH"], "MZ_GZ", "满族"),
        ("文学院", a["KSH"], "ZM", "长春市公安局证明 2025-3"),
        ("文学院", b["KSH"], "CSRQ_HD", "有误"), ("文学院", b["KSH"], "SM", "出生日期应为 0102"),
        ("文学院", c["KSH"], "ZYMC", "被改过的专业"), ("文学院", c["KSH"], "ZYMC_HD", "无误"),
        ("外国语学院", other["KSH"], "XM_HD", "无误"),
    ])
    before = tree_digest(eventful)
    r = run(eventful, "import", "workbook", str(filled), "--dry-run", clerk="wenxue")
    assert r.exit_code == 0 and "核对结论 3 项 · 冲突 2 处 · 拒收 1 行" in r.output, r.output
    assert "不属于文学院" in r.output and "导出之后已在系统中核对过" in r.output
    assert tree_digest(eventful) == before
    r = run(eventful, "import", "workbook", str(filled), "--yes", clerk="wenxue")
    assert r.exit_code == 0, r.output
    store = open_store(eventful)
    sa = store.get(a["KSH"])
    assert sa["verification"]["XM"]["v"] == "ok" and sa["verification"]["XM"]["by"] == "wenxue"
    assert sa["verification"]["MZ"]["v"] == "wrong" and sa["MZ"] == "汉族"  # identity: a change request
    req = [q for q in store.corrections() if q["KSH"] == a["KSH"]]
    assert [(q["field"], q["new"], q["status"]) for q in req] == [("MZ", "满族", "申请")]
    assert store.get(b["KSH"])["verification"]["CSRQ"]["v"] == "ok"  # the terminal's verdict stands
    assert "ZYMC" not in (store.get(c["KSH"]).get("verification") or {})
    assert not (store.get(other["KSH"]).get("verification") or {}).get("XM")
    r = run(eventful, "import", "workbook", str(filled), "--dry-run", clerk="wenxue")
    assert "核对结论 0 项" in r.output  # importing the same workbook again records nothing twice


def test_workbook_identity_corrections_need_evidence_and_must_agree(eventful, wenxue, tmp_path):
    """Art. 20 through the workbook: no evidence, no request; a 身份证号 and the 出生日期 it implies go
    in one request, or the row is refused; 无误 on a broken number is refused."""
    wx = [s for s in S.values() if s["FY"] == "文学院" and s["KSH"] != S[3]["KSH"]]
    a, b, c = wx[0], wx[1], wx[2]
    path = tmp_path / "wx.xlsx"
    assert run(eventful, "export", "workbook", "--college", "文学院", "-o", str(path)).exit_code == 0
    other = make_student(77, college="文学院")  # a valid 身份证号 of another birth date and gender
    filled = tmp_path / "back.xlsx"
    _fill(path, filled, [
        ("文学院", a["KSH"], "XB_HD", "有误"), ("文学院", a["KSH"], "XB_GZ", "女" if a["XB"] == "男" else "男"),
        ("文学院", b["KSH"], "SFZH_HD", "有误"), ("文学院", b["KSH"], "SFZH_GZ", other["SFZH"]),
        ("文学院", b["KSH"], "ZM", "公安证明 2025-9"),
        ("文学院", c["KSH"], "SFZH_HD", "有误"), ("文学院", c["KSH"], "SFZH_GZ", other["SFZH"]),
        ("文学院", c["KSH"], "CSRQ_HD", "有误"), ("文学院", c["KSH"], "CSRQ_GZ", other["CSRQ"]),
        ("文学院", c["KSH"], "XB_HD", "有误"), ("文学院", c["KSH"], "XB_GZ", other["XB"]),
        ("文学院", c["KSH"], "ZM", "公安证明 2025-10"),
    ])
    before = tree_digest(eventful)
    r = run(eventful, "import", "workbook", str(filled), "--yes", clerk="wenxue")
    assert r.exit_code == 0, r.output
    assert "证明材料" in r.output and "互相矛盾" in r.output
    store = open_store(eventful)
    assert store.get(a["KSH"])["XB"] == a["XB"] and "XB" not in (store.get(a["KSH"]).get("verification") or {})
    assert "SFZH" not in (store.get(b["KSH"]).get("verification") or {})
    (req,) = [q for q in store.corrections() if q["KSH"] == c["KSH"]]
    want = {"SFZH", "CSRQ"} | ({"XB"} if other["XB"] != c["XB"] else set())
    assert {req["field"]} | {x["field"] for x in req.get("also", [])} == want
    assert req["evidence"] == "公安证明 2025-10"
    assert tree_digest(eventful) != before


def test_workbook_major_correction_takes_a_catalogue_entry(eventful, tmp_path):
    """更正为 in the 专业名称 column: a catalogue major sets ZYDM and ZYMC together; a name the catalogue
    does not have is a rejected row."""
    wx = [s for s in S.values() if s["FY"] == "文学院" and s["ZYDM"] == "050101" and s["KSH"] != S[3]["KSH"]]
    a, b = wx[0], wx[1]
    path = tmp_path / "wx.xlsx"
    assert run(eventful, "export", "workbook", "--college", "文学院", "-o", str(path)).exit_code == 0
    filled = tmp_path / "back.xlsx"
    _fill(path, filled, [
        ("文学院", a["KSH"], "ZYMC_HD", "有误"), ("文学院", a["KSH"], "ZYMC_GZ", "秘书学"),
        ("文学院", a["KSH"], "SM", "录取专业录入错误"),
        ("文学院", b["KSH"], "ZYMC_HD", "有误"), ("文学院", b["KSH"], "ZYMC_GZ", "体育学"),
        ("文学院", b["KSH"], "SM", "录入错误"),
    ])
    r = run(eventful, "import", "workbook", str(filled), "--yes")
    assert r.exit_code == 0, r.output
    assert "不在专业目录中" in r.output
    store = open_store(eventful)
    assert (store.get(a["KSH"])["ZYDM"], store.get(a["KSH"])["ZYMC"]) == ("050107T", "秘书学")
    assert (store.get(b["KSH"])["ZYDM"], store.get(b["KSH"])["ZYMC"]) == ("050101", "汉语言文学")


def test_workbook_notes_are_one_line(eventful, tmp_path):
    """Was: a tab typed into a 说明 cell was stored with the verdict (Excel lets a clerk type line
    breaks and tabs in a cell; no other control character can be in an .xlsx)."""
    a = next(s for s in S.values() if s["FY"] == "文学院" and s["KSH"] != S[3]["KSH"])
    path = tmp_path / "all.xlsx"
    assert run(eventful, "export", "workbook", "-o", str(path)).exit_code == 0
    filled = tmp_path / "back.xlsx"
    _fill(path, filled, [("文学院", a["KSH"], "XB_HD", "有误"), ("文学院", a["KSH"], "SM", "说明\t第一行\n第二行")])
    r = run(eventful, "import", "workbook", str(filled), "--yes", clerk="wenxue")
    assert r.exit_code == 0, r.output
    assert open_store(eventful).get(a["KSH"])["verification"]["XB"]["note"] == "说明 第一行 第二行"


def test_workbook_correction_too_long_for_the_upload_is_refused_by_row(eventful, tmp_path):
    """The width rule of the terminal's verify holds in the workbook too: the row is refused, named."""
    a = next(s for s in S.values() if s["FY"] == "文学院" and s["KSH"] != S[3]["KSH"])
    path = tmp_path / "all.xlsx"
    assert run(eventful, "export", "workbook", "-o", str(path)).exit_code == 0
    filled = tmp_path / "back.xlsx"
    _fill(path, filled, [("文学院", a["KSH"], "XM_HD", "有误"), ("文学院", a["KSH"], "XM_GZ", "名" * 21),
                         ("文学院", a["KSH"], "ZM", "长春市公安局证明 2025-3")])
    r = run(eventful, "import", "workbook", str(filled), "--yes", clerk="wenxue")
    assert r.exit_code == 0 and "拒收 1 行" in r.output and "字段的宽度 40 字节" in r.output, r.output
    assert all(q["KSH"] != a["KSH"] for q in open_store(eventful).corrections())
    assert "XM" not in (open_store(eventful).get(a["KSH"]).get("verification") or {})
