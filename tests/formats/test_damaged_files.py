"""Files damaged on the way back from a clerk's office software: numbers where text belongs, a lost
leading zero, a lost character, .ods, a UTF-8 DBF, a file imported as the wrong kind."""

from __future__ import annotations

import openpyxl
import pytest

from filekit import chsi_file, run, students
from xueji_testkit import make_student, tree_digest
from xueji_tui.formats import profiles, writers
from xueji_tui.formats.mangled import FIX
from xueji_tui.store import open_store

HEADS = [f.code for f in profiles.load("import-students").fields]


def sheet_file(path, rows: list[dict], numbers: dict[str, callable]):
    """An .xlsx as a spreadsheet would save it: the columns of ``numbers`` as number cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADS)
    for r in rows:
        ws.append([numbers[h](r.get(h) or "") if h in numbers else (r.get(h) or "") for h in HEADS])
    wb.save(path)
    return path


def refused(school, path, *words, kind="students", clerk="office1"):
    before = tree_digest(school)
    r = run(school, "import", kind, str(path), "--yes", clerk=clerk)
    assert r.exit_code == 2, r.output
    assert str(path) in r.output and "未导入任何数据" in r.output
    for w in words:
        assert w in r.output, (w, r.output)
    assert tree_digest(school) == before
    return r.output


def test_identifiers_turned_into_numbers_are_refused_not_converted(school, tmp_path):
    rows = students(8, start=100)
    number = lambda v: float(v) if v.isdigit() else v  # noqa: E731  (a 身份证号 ending in X stays text)
    path = sheet_file(tmp_path / "数字.xlsx", rows, {"SFZH": number, "ZYDM": lambda v: int(v) if v.isdigit() else v,
                                                   "KSH": int})
    out = refused(school, path, "SFZH", "身份证号", "ZYDM", "专业代码", FIX, "第 2、3、4", "共 6 行",
                  "丢失了开头的 0")
    assert "2.20102" in out and "KSH（考生号）" not in out  # a 14-digit 考生号 is exact as a number


def test_exact_whole_numbers_are_accepted_as_their_digits(school, tmp_path):
    rows = students(4, start=100)
    path = sheet_file(tmp_path / "整数.xlsx", rows, {"KSH": int, "XH": float, "CSRQ": int})
    r = run(school, "import", "students", str(path), "--yes")
    assert r.exit_code == 0 and "新增 4 人" in r.output, r.output
    s = open_store(school).get(rows[0]["KSH"])
    assert (s["XH"], s["CSRQ"]) == (rows[0]["XH"], rows[0]["CSRQ"])


def test_scientific_and_decimal_text_in_a_csv_is_refused(school, tmp_path):
    rows = students(5, start=100)
    rows[1]["SFZH"] = "2.20102200407E+17"
    rows[3]["CSRQ"] = "20040301.0"
    path = chsi_file(tmp_path / "科学计数.csv", rows)
    refused(school, path, "SFZH", "第 3 行", "2.20102200407E+17", "CSRQ", "第 5 行", "20040301.0", FIX)


def test_a_code_that_lost_its_leading_zero_is_named_against_the_catalogue(school, tmp_path):
    rows = students(5, start=100)
    for r in rows:
        r["ZYDM"] = r["ZYDM"].lstrip("0")
    path = chsi_file(tmp_path / "丢零.csv", rows)
    refused(school, path, "ZYDM", "丢失了开头的 0", "专业目录中为 050101", FIX)


def test_a_number_typed_into_a_correction_column_refuses_the_workbook(school, tmp_path):
    wb_path = tmp_path / "wb.xlsx"
    assert run(school, "export", "workbook", "-o", str(wb_path), clerk="wenxue").exit_code == 0
    wb = openpyxl.load_workbook(wb_path)
    ws = wb["文学院"]
    heads = [c.value for c in ws[1]]
    ws.cell(2, heads.index("身份证号核对 SFZH_HD") + 1).value = "有误"
    ws.cell(2, heads.index("身份证号更正为 SFZH_GZ") + 1).value = 2.20183200502266e17
    wb.save(wb_path)
    refused(school, wb_path, "身份证号更正为 SFZH_GZ", "第 2 行", "2.20183200502266E+17", FIX,
            kind="workbook", clerk="wenxue")


def test_ods_is_refused_with_the_fix(school, tmp_path):
    path = tmp_path / "在校生.ods"
    path.write_bytes(b"PK\x03\x04 not really")
    refused(school, path, "另存为 .xlsx")


def test_a_utf8_dbf_gets_the_utf8_message(school, tmp_path):
    from dataclasses import replace

    rows = students(10, start=100)
    p = profiles.load("import-students")
    wide = replace(p, fields=tuple(replace(f, width=min(254, f.width * 2)) for f in p.fields))
    data = writers.dbf_bytes(tmp_path / "x.dbf", wide, rows, encoding="utf-8")
    path = tmp_path / "utf8.dbf"
    path.write_bytes(data)
    refused(school, path, "UTF-8", "GBK")


def test_a_file_of_another_kind_is_said_before_the_summary(school, tmp_path):
    wb_path = tmp_path / "wb.xlsx"
    assert run(school, "export", "workbook", "-o", str(wb_path)).exit_code == 0
    r = run(school, "import", "students", str(wb_path), "--dry-run")
    assert r.output.startswith("注意：这个文件的列更像学院核对表（"), r.output
    grads = chsi_file(tmp_path / "毕业生.xlsx", students(3, start=100, BYRQ="20260630", BJYJL="毕业",
                                                        ZSBH="102021202605000001"), kind="graduates")
    r = run(school, "import", "freshmen", str(grads), "--dry-run")
    assert r.output.startswith("注意：这个文件的列更像预计毕业生名单（"), r.output
    plain = chsi_file(tmp_path / "在校生.xlsx", students(3, start=100))
    r = run(school, "import", "students", str(plain), "--dry-run")
    assert r.exit_code == 0 and not r.output.startswith("注意"), r.output


def test_a_name_with_a_lost_character_cannot_reach_an_upload(school, tmp_path):
    """A GBK CSV saved from a GB18030 name carries 王? — imported as received, then it blocks."""
    rows = students(2, start=100)
    rows[0]["XM"] = "王?"
    path = tmp_path / "gbk.csv"
    chsi_file(tmp_path / "utf8.csv", rows)
    path.write_bytes((tmp_path / "utf8.csv").read_text("utf-8-sig").encode("gbk"))
    assert run(school, "import", "students", str(path), "--yes").exit_code == 0
    r = run(school, "export", "registration", "-o", str(tmp_path / "reg.xlsx"), "--format", "xlsx")
    assert r.exit_code == 2 and rows[0]["KSH"] in r.output and "丢失" in r.output
    assert not (tmp_path / "reg.xlsx").exists()


@pytest.mark.parametrize("n", [1])
def test_the_legacy_xls_with_numbers_still_reads(n):
    from pathlib import Path

    from xueji_tui.formats import readers

    r = readers.read(Path(__file__).parent / "data" / "students.xls", profiles.load("import-students"))
    assert r.rows[0]["XH"] == make_student(0)["XH"]
