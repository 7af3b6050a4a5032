"""Format profiles, the DBF/XLSX writers and the readers, checked with independent readers."""

from __future__ import annotations

import os
import stat

import dbfread
import openpyxl
import pytest

from xueji_tui.domain.errors import InvalidInput
from xueji_tui.formats import profiles, readers, writers
from xueji_tui.store import open_store

RECS = [
    {"KSH": "22220101000001", "XH": "2022000001", "XM": "张三", "SFZH": "360426199101010071",
     "status": "休学(病休)", "BZ": ""},
    {"KSH": "22220101000002", "XH": "2022000002", "XM": "阿依古丽·买买提", "SFZH": "120103198806018241",
     "status": "注册学籍", "BZ": "身份核验不确定"},
]


def test_every_kind_has_a_shipped_profile():
    for kind in profiles.IMPORT_KINDS:
        assert profiles.load(profiles.for_import(kind)).direction == "import"
    for kind in profiles.EXPORT_KINDS:
        p = profiles.load(profiles.for_export(kind))
        assert p.direction == "export" and all(f.type == "C" for f in p.fields)


def test_data_directory_override_patches_a_field(school):
    store = open_store(school)
    assert store.format_override("registration") is None
    (school / "formats").mkdir()
    (school / "formats" / "registration.json").write_text(
        '{"field_changes": {"XM": {"width": 60, "aliases": ["学生姓名"]}}}', "utf-8")
    p = profiles.load("registration", store.format_override("registration"))
    assert p.field("XM").width == 60 and "学生姓名" in p.field("XM").aliases
    (school / "formats" / "registration.json").write_text("{not json", "utf-8")
    with pytest.raises(InvalidInput, match="registration.json"):
        store.format_override("registration")


def test_bad_override_is_named():
    with pytest.raises(InvalidInput, match="宽度"):
        profiles.load("registration", {"field_changes": {"XM": {"width": 999}}})
    with pytest.raises(InvalidInput, match="NOPE"):
        profiles.load("registration", {"field_changes": {"NOPE": {"width": 9}}})


def test_dbf_is_dbase3_gbk_read_back_by_dbfread(tmp_path):
    out = tmp_path / "reg.dbf"
    p = profiles.load("registration")
    assert writers.write_dbf(out, p, RECS) == 2
    assert stat.S_IMODE(os.stat(out).st_mode) & 0o007 == 0
    table = dbfread.DBF(str(out), encoding="gbk")
    assert table.header.dbversion == 0x03
    assert [(f.name, f.type, f.length) for f in table.fields] == [(f.code, "C", f.width) for f in p.fields]
    rows = list(table)
    assert rows[0]["XM"] == "张三" and rows[0]["ZCZT"] == "休学"
    assert rows[1]["XM"] == "阿依古丽·买买提" and rows[1]["BZ"] == "身份核验不确定"
    assert [t.name for t in tmp_path.iterdir()] == ["reg.dbf"]  # no temporary left behind


def test_dbf_refuses_unfit_values_and_writes_nothing(tmp_path):
    out = tmp_path / "reg.dbf"
    bad = [dict(RECS[0], XM="张" * 21), dict(RECS[1], XM="王𠀀")]
    with pytest.raises(writers.UnfitValues) as e:
        writers.write_dbf(out, profiles.load("registration"), bad)
    assert len(e.value.problems) == 2
    assert "22220101000001" in e.value.message and "42 字节" in e.value.message
    assert "𠀀" in e.value.message and "GBK" in e.value.message
    assert not out.exists()


def test_xlsx_has_frozen_chinese_headings(tmp_path):
    out = tmp_path / "reg.xlsx"
    writers.write_xlsx(out, profiles.load("registration"), RECS)
    ws = openpyxl.load_workbook(out).active
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["考生号 KSH", "学号 XH", "姓名 XM", "身份证号 SFZH", "注册状态 ZCZT", "备注 BZ"]
    assert ws["A2"].value == "22220101000001" and ws["E2"].value == "休学"


def test_reader_matches_columns_by_name_in_any_order(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text("备注,姓名,身份证号,考生号,多余列\n,李四,36042619910101007x,２２２２0101000009,x\n", "utf-8-sig")
    r = readers.read(f, profiles.load("import-students"))
    assert r.rows[0]["KSH"] == "２２２２0101000009" and r.rows[0]["XM"] == "李四"
    assert r.extra == ["多余列"] and r.rows[0]["_extra"] == {"多余列": "x"} and r.rows[0]["_row"] == 2


@pytest.mark.parametrize("enc", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_are_detected(tmp_path, enc):
    f = tmp_path / "in.csv"
    f.write_bytes("KSH,XM\n22220101000001,张三\n".encode(enc))
    assert readers.read(f, profiles.load("import-students")).rows[0]["XM"] == "张三"


def test_missing_required_column_is_named(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text("XM,XB\n张三,男\n", "utf-8")
    with pytest.raises(InvalidInput, match=r"in\.csv.*KSH（考生号）"):
        readers.read(f, profiles.load("import-students"))


def test_truncated_dbf_is_refused(tmp_path):
    out = tmp_path / "reg.dbf"
    writers.write_dbf(out, profiles.load("registration"), RECS)
    data = out.read_bytes()
    cut = tmp_path / "cut.dbf"
    cut.write_bytes(data[:-40])
    with pytest.raises(InvalidInput, match=r"cut\.dbf.*截断"):
        readers.read(cut, profiles.load("import-students"))


def test_legacy_xls_with_title_line_dates_and_numbers():
    """tests/formats/data/students.xls: synthetic, written once with xlwt (BIFF8) — a title line
    above the headings, 出生日期 as an Excel date cell, 学制 and 学号 as numbers."""
    from pathlib import Path

    from xueji_testkit import make_student

    r = readers.read(Path(__file__).parent / "data" / "students.xls", profiles.load("import-students"))
    assert r.format == "xls" and len(r.rows) == 5 and r.rows[0]["_row"] == 3
    s = make_student(0)
    assert {k: r.rows[0][k] for k in ("KSH", "XH", "XM", "CSRQ", "SFZH", "XZ", "FY")} == {
        "KSH": s["KSH"], "XH": s["XH"], "XM": s["XM"], "CSRQ": s["CSRQ"], "SFZH": s["SFZH"], "XZ": "4", "FY": s["FY"]}
