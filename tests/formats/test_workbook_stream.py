"""The college workbook is written as it is read (formats/workbook.py): what a clerk gets must not
depend on that — every value exactly as stored, nothing evaluated, and a failure leaves no file."""

from __future__ import annotations

import openpyxl

from filekit import run
from xueji_testkit import make_student
from xueji_tui.formats import profiles
from xueji_tui.formats.workbook import write_workbook
from xueji_tui.formats.writers import UnfitValues

AT = "2026-12-01T10:00:00+08:00"


def records(n, **over):
    return [dict(make_student(i), rev=1, **over) for i in range(n)]


def test_values_come_back_exactly_text_and_never_as_formulas(tmp_path):
    recs = records(3)
    recs[0]["XM"] = "=HYPERLINK(\"http://x\")"
    recs[1]["XM"] = "  a&b<c>  "
    recs[2]["XM"] = "-1"
    out = tmp_path / "w.xlsx"

    def lazy():  # sheets and their records may come one by one
        yield "文学院", iter(recs[:2])
        yield "外国语学院", iter(recs[2:])

    assert write_workbook(out, profiles.load("workbook"), lazy(), AT) == 3
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["文学院", "外国语学院", "填写说明"]
    got = []
    for name in ("文学院", "外国语学院"):
        ws = wb[name]
        heads = [c.value.split()[-1] for c in ws[1]]
        for r in range(2, ws.max_row + 1):
            cell = ws.cell(r, heads.index("XM") + 1)
            assert cell.data_type == "s" and cell.number_format == "@"
            assert cell.quotePrefix == cell.value.startswith(("=", "-"))
            assert ws.cell(r, heads.index("_AT") + 1).value == AT
            got.append(cell.value)
        assert str(ws.data_validations.dataValidation[0].sqref).endswith(str(ws.max_row))
    assert got == [r["XM"] for r in recs]


def test_a_value_no_cell_can_hold_names_every_one_and_leaves_no_file(tmp_path):
    recs = records(4)
    recs[1]["XM"] = "李\x0b四"
    recs[3]["MZ"] = "汉\x01族"
    out = tmp_path / "w.xlsx"
    try:
        write_workbook(out, profiles.load("workbook"), [("文学院", recs[:2]), ("外国语学院", recs[2:])], AT)
    except UnfitValues as e:
        assert [(p["ksh"], p["field"]) for p in e.problems] == [(recs[1]["KSH"], "XM"), (recs[3]["KSH"], "MZ")]
    else:
        raise AssertionError("written")
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary


def test_a_cohort_with_nobody_writes_nothing(school, tmp_path):
    out = tmp_path / "w.xlsx"
    r = run(school, "export", "workbook", "--year", "1999", "-o", str(out))
    assert r.exit_code != 0 and "没有需要核对的学生" in r.output and "1999" in r.output
    assert [p.name for p in tmp_path.iterdir()] == ["data"]  # neither the file nor a temporary
