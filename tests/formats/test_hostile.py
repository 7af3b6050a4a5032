"""Hostile input is contained: every import below runs as its own `xueji` process, and the verdict
comes within the bound of the quality targets — at most 10 s of CPU and 500 MB of memory (the
child's own ru_maxrss, from wait4) — whatever the file claims: one row of five million cells, a
``<dimension>`` tag that lies, rows of 80,000 columns, rejects with a thousand columns each, formulas.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from filekit import chsi_file, students
from xueji_testkit import build_school, tree_digest
from xueji_tui.formats import profiles

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hostile")]  # the module's big files made once, on one worker
CPU_SECONDS = 10.0
MEMORY_MB = 500
HEADS = [f.code for f in profiles.load("import-students").fields]


def xueji(data: Path, *args: str, clerk: str = "office1") -> tuple[int, str, float, float, float]:
    """(exit code, output, CPU seconds, wall seconds, max RSS in MB) of one `xueji` process."""
    out = data.parent / f"out-{time.monotonic_ns()}.txt"
    with open(out, "wb") as fh:
        start = time.monotonic()
        p = subprocess.Popen([sys.executable, "-m", "xueji_tui", "--data", str(data), "--clerk", clerk, *args],
                             stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_text("utf-8", errors="replace")
    return p.returncode, text, usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


def bounded(data: Path, path: Path, kind: str = "students", want: int = 2, clerk: str = "office1") -> str:
    before = tree_digest(data)
    code, text, cpu, wall, mb = xueji(data, "import", kind, str(path), "--yes", clerk=clerk)
    assert code == want, text[-3000:]
    assert "Traceback" not in text and "内部错误" not in text, text[-3000:]
    assert cpu <= CPU_SECONDS, f"{path.name}: {cpu:.1f} s of CPU before a verdict"
    assert mb <= MEMORY_MB, f"{path.name}: {mb:.0f} MB before a verdict"
    if want == 2:
        assert str(path) in text
        assert tree_digest(data) == before
    return text


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "data"
    build_school(root, n=20)
    return root


def xlsx_with_sheet(path: Path, sheet_parts, shared: list[str] | None = None) -> Path:
    """A minimal .xlsx whose one sheet's XML is the concatenation of ``sheet_parts`` (bytes chunks)."""
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                   'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships"><sheets><sheet name="在校生" sheetId="1" r:id="rId1"/></sheets></workbook>')
        rels = ('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/worksheet" Target="worksheets/sheet1.xml"/>')
        if shared is not None:
            rels += ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships/sharedStrings" Target="sharedStrings.xml"/>')
            z.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                       'main">' + "".join(f"<si><t>{s}</t></si>" for s in shared) + "</sst>")
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships">' + rels + "</Relationships>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><worksheet ' + ns + b">")
            for part in sheet_parts:
                f.write(part)
            f.write(b"</worksheet>")
    return path


def header_row() -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADS)
    return f'<row r="1">{cells}</row>'.encode()


def test_one_row_of_five_million_cells(data, tmp_path):
    def parts():
        yield b"<sheetData>" + header_row() + b'<row r="2">'
        chunk = b"<c><v>1</v></c>" * 100_000
        for _ in range(50):
            yield chunk
        yield b"</row></sheetData>"

    path = xlsx_with_sheet(tmp_path / "五百万.xlsx", parts())
    assert path.stat().st_size < 2 * 1024 * 1024
    text = bounded(data, path)
    assert "第 2 行" in text


def test_many_wide_rows_stop_at_the_per_file_cap(data, tmp_path):
    """Rows just under the per-row cap, as many as it takes: the file cap stops them (not the first 10)."""
    row = "".join(f'<c r="{openpyxl.utils.get_column_letter(i)}{{r}}"><v>{i}</v></c>' for i in range(30, 1000))

    def parts():
        yield b"<sheetData>" + header_row()
        for r in range(2, 6000):
            yield f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>2222{r:010d}</t></is></c>{row.format(r=r)}</row>'.encode()
        yield b"</sheetData>"

    text = bounded(data, xlsx_with_sheet(tmp_path / "宽行.xlsx", parts()))
    assert "单元格超过上限" in text


def test_a_dimension_tag_that_lies_is_not_trusted(data, tmp_path):
    good = chsi_file(tmp_path / "good.xlsx", students(5))
    lie = tmp_path / "维度.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(lie, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = body.replace(b"<sheetPr>", b'<dimension ref="A1:XFD1048576"/><sheetPr>', 1)
                assert b"XFD1048576" in body
            dst.writestr(info, body)
    assert lie.stat().st_size < 20_000
    text = bounded(data, lie, want=0)
    assert "新增 5 人" in text or "新增 0 人" in text


def test_a_lone_cell_far_out_is_refused_quickly(data, tmp_path):
    far = b'<row r="500"><c r="XFD500"><v>1</v></c></row>'
    path = xlsx_with_sheet(tmp_path / "远处.xlsx", [b"<sheetData>", header_row(), far, b"</sheetData>"])
    assert "16384 列" in bounded(data, path)


def test_csv_rows_of_80000_columns(data, tmp_path):
    good = students(3)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADS)
    from xueji_tui.formats.transforms import render

    for row in render(profiles.load("import-students"), good):
        w.writerow(row + [f"x{i}" for i in range(80_000)])
    path = tmp_path / "八万列.csv"
    path.write_text(buf.getvalue(), "utf-8")
    text = bounded(data, path)
    assert "第 2 行" in text and "列" in text


def test_rejects_of_many_wide_rows_are_linear(data, tmp_path):
    """2,000 rows without 考生号, each with 970 extra cells: all rejected, the rejects file written fast."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADS + [f"备注{i}" for i in range(970)])
    blank = [""] * len(HEADS)
    for r in range(2000):
        w.writerow(blank + [f"{r}-{i}" for i in range(970)])
    path = tmp_path / "拒收.csv"
    path.write_text(buf.getvalue(), "utf-8")
    text = bounded(data, path, want=0)
    rejects = path.with_name("拒收.rejects.csv")
    assert "拒收的行已写入" in text and rejects.exists()
    lines = rejects.read_text("utf-8-sig").splitlines()
    assert len(lines) == 2001 and lines[0].startswith("行号,拒收原因,") and "备注969" in lines[0]


def test_formulas_are_read_as_their_values_and_never_written_as_formulas(data, tmp_path):
    """Formula cells come in as their cached text (never evaluated); text that looks like a formula
    stays text through the store and out again in every XLSX."""
    s = students(1, start=300)[0]
    cells = []
    for i, h in enumerate(HEADS, start=1):
        ref = f"{openpyxl.utils.get_column_letter(i)}2"
        v = str(s.get(h) or "")
        if h == "XM":
            cells.append(f'<c r="{ref}" t="str"><f>HYPERLINK("http://example.invalid","{v}")</f><v>{v}</v></c>')
        elif h == "BZ":
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>=1+2</t></is></c>')
        elif h == "LQLX":
            cells.append(f'<c r="{ref}"><f>1+1</f></c>')  # no cached value: nothing, not 2
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
    path = xlsx_with_sheet(tmp_path / "公式.xlsx", [b"<sheetData>", header_row(),
                                                    f'<row r="2">{"".join(cells)}</row>'.encode(), b"</sheetData>"])
    bounded(data, path, want=0)
    code, text, *_ = xueji(data, "lookup", s["KSH"], "--json")
    assert code == 0, text
    assert '"XM": "' + s["XM"] + '"' in text.replace('":"', '": "') and "=1+2" in text
    out = tmp_path / "reg.xlsx"
    code, text, *_ = xueji(data, "export", "registration", "-o", str(out), "--format", "xlsx")
    assert code == 0, text
    ws = openpyxl.load_workbook(out).active
    heads = [c.value.split()[-1] for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[heads.index("KSH")].value == s["KSH"])
    bz = row[heads.index("BZ")]
    assert (bz.value, bz.data_type, bz.quotePrefix) == ("=1+2", "s", True)
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_a_doctype_with_entities_is_refused(data, tmp_path):
    bomb = (b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    path = tmp_path / "实体.xlsx"
    xlsx_with_sheet(path, [b"<sheetData>", header_row(), b"</sheetData>"])
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b'<?xml version="1.0"?>', b'<?xml version="1.0"?>' + bomb, 1).replace(b"<sheetData>", b"<sheetData>&c;", 1)
    with zipfile.ZipFile(path, "w") as z:
        for name, body in parts.items():
            z.writestr(name, body)
    assert "文档类型声明" in bounded(data, path)
