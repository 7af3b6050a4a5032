"""Real office software: every export opened by LibreOffice Calc and read back, and the round trips
a clerk's office makes — a CSV saved as .xlsx (numbers where text belongs: refused), the college
workbook typed into and saved by Calc (as .xlsx and as .xls: exactly the typed verdicts come back,
protection, dropdowns and hidden keys survive), a DBF opened with the GBK filter.

LibreOffice runs headless with a private profile per test session, a few batched calls in all.
Without ``soffice`` these tests skip saying so (CI installs it: .ci/run), except under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import dbfread
import openpyxl
import pytest

from filekit import chsi_file, run, students
from xueji_testkit import build_school, make_id, make_student, tree_digest
from xueji_tui.domain.clerks import Clerk
from xueji_tui.domain.status import ChangeRequest
from xueji_tui.formats.mangled import FIX
from xueji_tui.services import changes
from xueji_tui.services.session import Session
from xueji_tui.store import open_store

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("office")]  # LibreOffice: one private profile for the module, on one worker
SOFFICE = shutil.which("soffice")
SYSTEM_PYTHON = "/usr/bin/python3"
GBK = "67"  # LibreOffice's number for the GBK character set (rtl_TextEncoding)


class Office:
    def __init__(self, profile: Path):
        self.profile = profile

    def convert(self, files: list[Path], to: str, outdir: Path, infilter: str | None = None) -> list[Path]:
        """One soffice call converting every file; returns the converted files, in order."""
        outdir.mkdir(parents=True, exist_ok=True)
        cmd = [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{self.profile}"]
        if infilter:
            cmd.append(f"--infilter={infilter}")
        cmd += ["--convert-to", to, "--outdir", str(outdir), *map(str, files)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=240)
        ext = to.split(":")[0]
        out = [outdir / f"{Path(f).stem}.{ext}" for f in files]
        missing = [str(p) for p in out if not p.exists()]
        assert not missing, f"LibreOffice did not write {missing}"
        return out

    def type_into(self, src: Path, edits: list, outs: list[Path]) -> None:
        """Type ``edits`` into ``src`` with Calc itself and save it as each of ``outs``.

        Headless LibreOffice 7.4 driven over UNO now and then dies mid-session ("Binary URP bridge
        disposed"), whatever it is asked; the edit is then run again from the start on a fresh copy
        of the profile, up to five times. What is checked is the file Calc saved, never the attempt."""
        spec = src.with_suffix(".edits.json")
        spec.write_text(json.dumps(edits, ensure_ascii=False), "utf-8")
        script = Path(__file__).with_name("office_edit.py")
        errors = []
        for attempt in range(5):
            # a copy of the module's profile, already past LibreOffice's first start (which restarts
            # soffice and drops the bridge), and used by no other soffice at the same time
            profile = src.parent / f"lo-edit-{src.stem}-{attempt}"
            if self.profile.exists():
                shutil.copytree(self.profile, profile, ignore=shutil.ignore_patterns(".lock"))
            r = subprocess.run([SYSTEM_PYTHON, str(script), str(profile), str(src), str(spec), *map(str, outs)],
                               capture_output=True, text=True, timeout=240)
            if r.returncode == 0 and all(p.exists() for p in outs):
                return
            errors.append(r.stderr[-1500:])
        raise AssertionError("LibreOffice failed five times while typing:\n" + "\n---\n".join(errors))


@pytest.fixture(scope="module")
def office_app(tmp_path_factory):
    if not SOFFICE:
        if os.environ.get("CI"):
            pytest.fail("CI installs LibreOffice (.ci/run), but soffice is missing")
        pytest.skip("LibreOffice (soffice) is not installed here: the office round trips did not run "
                    "(apt-get install libreoffice-calc-nogui libreoffice-base-drivers python3-uno)")
    profile = tmp_path_factory.mktemp("lo-profile")
    # LibreOffice's first start in a new profile creates it and restarts itself: do it once, here
    subprocess.run([SOFFICE, "--headless", "--norestore", "--terminate_after_init",
                    f"-env:UserInstallation=file://{profile}"], capture_output=True, timeout=240)
    return Office(profile)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A school after a term of work, and every export it makes."""
    base = tmp_path_factory.mktemp("office")
    root = base / "data"
    build_school(root, n=40)
    store = open_store(root)
    with store.write("office1", "测试") as tx:
        s = tx.get(make_student_ksh(0))
        s["XM"] = "阿依古丽·买买提"
        s["BZ"] = "=HYPERLINK(\"http://x\",\"点我\")"
        tx.put(s)
        tx.log("test", why="少数民族姓名、公式样的备注")
    with store.write("office1", "测试") as tx:
        for i in (5, 6, 7):  # photos done: these graduates pass the precheck
            s = tx.get(make_student_ksh(i))
            s["photo"] = {"taken": True, "taken_on": "20251001", "linked": True, "check": "无误",
                          "checked_on": "20251201"}
            tx.put(s)
        tx.put_many([make_student(300 + i, year=2025, college="文学院", status="待注册") for i in range(2)])
        tx.log("test", why="照片、新生")
    office = Session(open_store(root), Clerk("office1", "office"))
    changes.change(office, make_student_ksh(1), ChangeRequest(code="1101", date="20250310", approved="20250308", doc="吉师大学字〔2025〕5号"))
    changes.change(office, make_student_ksh(2), ChangeRequest(code="4204", date="20250601", approved="20250530", doc="吉师大纪字〔2025〕2号"))
    changes.change(office, make_student(300, year=2025)["KSH"], ChangeRequest(code="1401", date="20250910", doc="征兵〔2025〕1号"))
    changes.change(office, make_student(301, year=2025)["KSH"], ChangeRequest(code="1502", date="20250915"))
    r = run(root, "correction", "file", make_student_ksh(8), "XM", "王晓明", "--reason", "公安户籍更名", "--evidence", "户籍证明")
    assert r.exit_code == 0, r.output
    request = r.output.split()[0].lstrip("#")
    assert run(root, "correction", "submit", request).exit_code == 0
    r = run(root, "correction", "approve", request, "--doc", "吉教学字〔2025〕9号", clerk="office2")
    assert r.exit_code == 0, r.output
    r = run(root, "certno", "assign", "--year", "2026")
    assert r.exit_code == 0, r.output
    out = base / "exports"
    out.mkdir()
    made = []
    for kind, fmt in (("registration", "dbf"), ("registration", "xlsx"), ("changes", "dbf"), ("changes", "xlsx"),
                      ("cancellations", "dbf"), ("cancellations", "xlsx"), ("admission", "dbf"), ("admission", "xlsx"),
                      ("corrections", "dbf"), ("corrections", "xlsx"), ("graduates", "dbf"), ("graduates", "xlsx"),
                      ("workbook", "xlsx"), ("stats", "xlsx"), ("stats", "dbf"), ("precheck", "xlsx"),
                      ("photos", "xlsx")):
        path = out / f"{kind}.{fmt}"
        args = ["export", kind, "-o", str(path)]
        args += ["--year", "2026"] if kind in ("precheck", "photos", "graduates") else []
        args += ["--skip-invalid"] if kind == "graduates" else []
        r = run(root, *args)
        assert r.exit_code == 0, (kind, r.output)
        made += [out / p for p in r.stdout.split() if p.endswith(f".{fmt}")] if kind == "admission" else [path]
    return base, root, made


def make_student_ksh(i: int) -> str:
    return make_student(i)["KSH"]


def _cells(path: Path) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
            for ws in wb.worksheets}


def _trim(grid: list[list]) -> list[list]:
    out = []
    for row in grid:
        row = list(row)
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def test_every_xlsx_export_reads_back_the_same_after_libreoffice(office_app, world, tmp_path):
    base, _, made = world
    xlsx = [p for p in made if p.suffix == ".xlsx"]
    again = office_app.convert(xlsx, "xlsx", tmp_path / "lo")
    for mine, theirs in zip(xlsx, again):
        a, b = _cells(mine), _cells(theirs)
        assert list(a) == list(b), mine.name
        for sheet in a:
            assert _trim(a[sheet]) == _trim(b[sheet]), (mine.name, sheet)
        for ws in openpyxl.load_workbook(theirs).worksheets:  # nothing became a formula on the way
            assert all(c.data_type != "f" for row in ws.iter_rows() for c in row), (mine.name, ws.title)
    reg = _cells(again[xlsx.index(base / "exports" / "registration.xlsx")])["注册结果"]
    heads = [h.split()[-1] for h in reg[0]]
    row = dict(zip(heads, next(r for r in reg if r[0] == make_student_ksh(0))))
    assert row["XM"] == "阿依古丽·买买提" and isinstance(row["SFZH"], str) and len(row["SFZH"]) == 18
    assert row["BZ"].startswith("=HYPERLINK")  # text, shown as typed, never run


def test_every_dbf_export_opens_in_libreoffice_with_the_gbk_filter(office_app, world, tmp_path):
    _, _, made = world
    dbfs = [p for p in made if p.suffix == ".dbf"]
    again = office_app.convert(dbfs, "xlsx", tmp_path / "lo-dbf", infilter=f"dBase:{GBK}")
    for mine, theirs in zip(dbfs, again):
        table = dbfread.DBF(str(mine), encoding="gbk")
        want = [[str(v) for v in r.values()] for r in table]
        got = _trim(_cells(theirs)[next(iter(_cells(theirs)))])
        assert [h.split(",")[0] for h in got[0]] == table.field_names, mine.name
        assert [[str(v) for v in row] + [""] * (len(table.field_names) - len(row)) for row in got[1:]] == want, mine.name
    reg = _cells(again[0])
    assert any("阿依古丽·买买提" in row for row in next(iter(reg.values())))


def test_a_csv_saved_as_xlsx_by_libreoffice_is_refused_not_converted(office_app, tmp_path):
    root = tmp_path / "data"
    build_school(root, n=10)
    csv = chsi_file(tmp_path / "在校生.csv", students(12))
    xlsx = office_app.convert([csv], "xlsx", tmp_path / "lo", infilter="CSV:44,34,76,1")[0]
    ws = openpyxl.load_workbook(xlsx).active
    heads = [c.value for c in ws[1]]
    sfzh = ws.cell(2, heads.index("SFZH") + 1).value
    assert isinstance(sfzh, float)  # LibreOffice did what a spreadsheet does: a number, digits lost
    before = tree_digest(root)
    r = run(root, "import", "students", str(xlsx), "--yes")
    assert r.exit_code == 2, r.output
    assert str(xlsx) in r.output and "SFZH" in r.output and "ZYDM" in r.output and FIX in r.output
    assert "第 2、3、4" in r.output and "丢失了开头的 0" in r.output
    assert tree_digest(root) == before


def _college_rows(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path)["文学院"]
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_workbook_typed_and_saved_by_libreoffice_imports_exactly_the_typed_verdicts(office_app, world, tmp_path):
    base, root, _ = world
    wb = tmp_path / "wb.xlsx"
    assert run(root, "export", "workbook", "-o", str(wb), clerk="wenxue").exit_code == 0
    rows = _college_rows(wb)
    a, b, c = rows[0], rows[1], rows[2]
    born = a["出生日期 CSRQ"]
    new_id = make_id("220203", born, 77, a["性别 XB"] == "男")
    edits = [["文学院", "姓名核对 XM_HD", 2, "无误"],
             ["文学院", "身份证号核对 SFZH_HD", 2, "有误"],
             ["文学院", "身份证号更正为 SFZH_GZ", 2, new_id],  # typed as digits: the column is text
             ["文学院", "民族核对 MZ_HD", 3, "无误"],
             ["文学院", "出生日期核对 CSRQ_HD", 4, "有误"],
             ["文学院", "说明 SM", 4, "档案中为另一日期，待核实"],
             # Art. 20: the evidence (LibreOffice 7.4 headless crashed on saving after "…证明 2025-11"
             # was typed here through .uno:EnterString; plain text types fine)
             ["文学院", "证明材料 ZM", 2, "长春市公安局证明"]]
    typed_xlsx = tmp_path / "typed.xlsx"
    office_app.type_into(wb, edits, [typed_xlsx])
    # then saved again as .xls by Calc (a conversion of its own: Calc 7.4 driven over UNO died saving
    # .xls after seven typed cells, every time, whatever the cells)
    typed_xls = office_app.convert([typed_xlsx], "xls", tmp_path / "lo-typed-xls")[0]
    plain_xls = office_app.convert([wb], "xls", tmp_path / "lo-xls")[0]

    saved = openpyxl.load_workbook(typed_xlsx)
    ws = saved["文学院"]
    heads = [x.value for x in ws[1]]
    cell = ws.cell(2, heads.index("身份证号更正为 SFZH_GZ") + 1)
    assert (cell.value, cell.data_type) == (new_id, "s")  # still text, all 18 digits
    assert ws.protection.sheet and any('"无误,有误"' in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)
    hidden = {k for k, d in ws.column_dimensions.items() if d.hidden}
    assert {openpyxl.utils.get_column_letter(heads.index(h) + 1) for h in heads if h.startswith(("考生号(校验)", "版本", "导出时间"))} <= hidden
    assert not ws.cell(2, heads.index("身份证号核对 SFZH_HD") + 1).protection.locked
    assert ws.cell(2, heads.index("身份证号 SFZH") + 1).protection.locked

    want = {(a["考生号 KSH"], "XM", "ok"), (a["考生号 KSH"], "SFZH", "wrong"), (b["考生号 KSH"], "MZ", "ok"),
            (c["考生号 KSH"], "CSRQ", "wrong")}
    for name, typed in (("xlsx", typed_xlsx), ("xls", typed_xls)):
        data = tmp_path / f"data-{name}"
        shutil.copytree(root, data)
        r = run(data, "import", "workbook", str(typed), "--yes", clerk="wenxue")
        assert r.exit_code == 0 and "拒收 0 行" in r.output, (name, r.output)
        store = open_store(data)
        got = set()
        for s in store.students("文学院"):
            for f, v in (s.get("verification") or {}).items():
                if v.get("by") == "wenxue":
                    got.add((s["KSH"], f, v["v"]))
        assert got == want, name
        requests = [q for q in store.corrections() if q.get("KSH") == a["考生号 KSH"]]
        assert [(q["field"], q["new"]) for q in requests] == [("SFZH", new_id)], name
    data = tmp_path / "data-plain"
    shutil.copytree(root, data)
    before = tree_digest(data)
    r = run(data, "import", "workbook", str(plain_xls), "--dry-run", clerk="wenxue")
    assert r.exit_code == 0 and "核对结论 0 项" in r.output and "拒收 0 行" in r.output, r.output
    assert tree_digest(data) == before
