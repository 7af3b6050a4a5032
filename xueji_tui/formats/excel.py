"""Excel workbooks as rows of typed cells: .xlsx streamed by our own expat reader, legacy .xls by xlrd.

Why not openpyxl's reader for .xlsx: it trusts the ``<dimension>`` tag (a 1.6 KB file claiming
A1:XFD1048576 made it pad every row to 16,384 cells), builds each ``<row>`` whole before handing it
over (one row of five million cells took 2.3 GB), and scans a sheet without a dimension tag once
more before reading it. This reader feeds the sheet's XML to expat a megabyte at a time and counts
as it goes: more than ``ROW_ELEMENTS`` cells in a row, a value beyond ``MAX_COLUMNS``, or more than
``MAX_ELEMENTS`` cells in the file stop it at once with a verdict, so time and memory stay linear in
what it reads and bounded whatever the tags claim. It also reads about four times faster.

A row comes out as ``(row number, values)``, values dense up to the last non-empty cell: ``str`` for
text, ``int``/``float`` for numbers (so a number where text belongs can be refused), ``bool``, a
``datetime`` for a number in a date format, ``None`` for empty cells and error values.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.parsers import expat

from xueji_tui.domain.errors import InvalidInput
from xueji_tui.formats import grid
from xueji_tui.formats.grid import ReadResult, _fail

ROW_ELEMENTS = 16_384          # Excel's widest row: more cells in one <row> is not a spreadsheet
MAX_ELEMENTS = 12_000_000      # cell elements in one file, empty ones included
MAX_PART = 16 * 1024 * 1024    # workbook.xml, styles.xml, relationships: small by nature
MAX_SHARED = 128 * 1024 * 1024  # the shared strings, uncompressed
MAX_XLS_BYTES = 32 * 1024 * 1024  # BIFF8 holds at most 65,536 rows; a CHSI table is far smaller
CHUNK = 1 << 20
# built-in number formats that show dates (14–22, 45–47; 27–36 and 50–58 in Chinese Excel)
DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)})
REL_SHARED = "/sharedStrings"


def _col(letters: str) -> int:
    """Column number of 'A'…'XFD' (longer letters give a number past any cap)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


class Sheet:
    def __init__(self, name: str, state: str, part: str):
        self.name, self.state, self.part = name, state, part


class Xlsx:
    """An open .xlsx: its sheets, shared strings and date styles; ``rows(sheet)`` streams one sheet."""

    def __init__(self, path: Path, max_columns: int, max_rows: int):
        self.path, self.max_columns, self.max_rows = path, max_columns, max_rows
        self.elements = 0
        self.zip = zipfile.ZipFile(path)
        self.names = {i.filename: i for i in self.zip.infolist()}
        if "xl/workbook.xml" not in self.names:
            raise _fail(path, "不是有效的 .xlsx 文件（缺少工作簿内容），请用 Excel 另存为 .xlsx 后再导入")
        book = self._xml("xl/workbook.xml")
        rels = self._rels("xl/_rels/workbook.xml.rels")
        pr = _first(book, "workbookPr")
        self.epoch_1904 = pr is not None and pr.get("date1904") in ("1", "true")
        self.sheets: list[Sheet] = []
        for el in book.iter():
            if _local(el.tag) == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                target = rels.get(rid, ("", ""))[0]
                if target:
                    self.sheets.append(Sheet(el.get("name") or "", el.get("state") or "visible", target))
        shared = next((t for t, kind in rels.values() if kind.endswith(REL_SHARED)), "xl/sharedStrings.xml")
        self.shared = self._shared(shared) if shared in self.names else []
        self.date_styles = self._date_styles()

    def close(self) -> None:
        self.zip.close()

    # -- small parts -----------------------------------------------------------------------
    def _read(self, name: str, cap: int) -> bytes:
        info = self.names.get(name)
        if info is None:
            return b""
        if info.file_size > cap:
            raise _fail(self.path, f"Excel 文件中的 {name} 解压后有 {info.file_size // (1024 * 1024)} MB，超过上限，不是学信网表格")
        return self.zip.read(info)

    def _xml(self, name: str):
        data = self._read(name, MAX_PART)
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
            raise _fail(self.path, f"Excel 文件中的 {name} 含有文档类型声明，不是 Excel 写出的文件")
        return ET.fromstring(data) if data else ET.Element("empty")

    def _rels(self, name: str) -> dict[str, tuple[str, str]]:
        out = {}
        for el in self._xml(name).iter():
            if _local(el.tag) == "Relationship":
                target = el.get("Target") or ""
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join("xl", target))
                out[el.get("Id") or ""] = (target, el.get("Type") or "")
        return out

    def _date_styles(self) -> frozenset[int]:
        from openpyxl.styles.numbers import is_date_format

        root = self._xml("xl/styles.xml")
        custom = {}
        xfs: list[int] = []
        for el in root.iter():
            tag = _local(el.tag)
            if tag == "numFmt":
                try:
                    custom[int(el.get("numFmtId") or -1)] = el.get("formatCode") or ""
                except ValueError:
                    pass
            elif tag == "cellXfs":
                for xf in el:
                    try:
                        xfs.append(int(xf.get("numFmtId") or 0))
                    except ValueError:
                        xfs.append(0)
        return frozenset(i for i, f in enumerate(xfs)
                         if (f in custom and is_date_format(custom[f])) or (f not in custom and f in DATE_FORMAT_IDS))

    def _shared(self, name: str) -> list[str]:
        out: list[str] = []
        text: list[str] = []
        state = {"grab": False, "skip": 0}
        cap = self.max_rows * 4

        def start(tag, attrs):
            tag = tag.rpartition(":")[2]
            if tag == "t" and not state["skip"]:
                state["grab"] = True
            elif tag == "rPh":  # phonetic guide: not part of the text
                state["skip"] += 1

        def end(tag):
            tag = tag.rpartition(":")[2]
            if tag == "t":
                state["grab"] = False
            elif tag == "rPh":
                state["skip"] -= 1
            elif tag == "si":
                out.append("".join(text))
                text.clear()
                if len(out) > cap:
                    raise _fail(self.path, "共享字符串过多，不是学信网表格")

        def chars(data):
            if state["grab"]:
                text.append(data)

        for _ in self._parse(self._read(name, MAX_SHARED), start, end, chars):
            pass
        return out

    def _parse(self, source, start, end, chars) -> None:
        """Feed ``source`` (bytes or a binary stream) to expat in chunks."""
        p = expat.ParserCreate()
        p.buffer_text = True
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars

        def doctype(*_):
            raise _fail(self.path, "Excel 文件含有文档类型声明，不是 Excel 写出的文件")

        p.StartDoctypeDeclHandler = doctype
        stream = io.BytesIO(source) if isinstance(source, bytes) else source
        try:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                p.Parse(chunk, False)
                yield
            p.Parse(b"", True)
        except expat.ExpatError as e:
            raise _fail(self.path, f"Excel 文件已损坏（XML 第 {e.lineno} 行出错：{expat.ErrorString(e.code)}）") from None
        yield

    # -- a sheet, row by row ---------------------------------------------------------------
    def rows(self, sheet: Sheet, where: str):
        """``(row number, values)`` for each non-empty row of ``sheet``."""
        if sheet.part not in self.names:
            raise _fail(self.path, f"{where}内容缺失（{sheet.part}）")
        done: list[tuple[int, list]] = []
        row: dict[int, object] = {}
        text: list[str] = []
        shared, dates, path, epoch = self.shared, self.date_styles, self.path, self.epoch_1904
        max_columns, max_rows = self.max_columns, self.max_rows
        tags = dict(_TAGS)
        cols: dict[str, int] = {}
        # the parser's state, in closure cells (faster than a dict for millions of elements)
        rownum = col = n = 0
        kind, style, grab, skip = "n", -1, False, 0

        def tag_of(tag: str) -> int:
            t = tags.get(tag)
            if t is None:
                t = tags[tag] = _TAGS.get(tag.rpartition(":")[2], 0)
            return t

        def start(tag, attrs):
            nonlocal rownum, col, n, kind, style, grab, skip
            t = tags.get(tag) or tag_of(tag)
            if t == 1:  # c
                n += 1
                if n > ROW_ELEMENTS:
                    raise _fail(path, f"{where}第 {rownum} 行有超过 {ROW_ELEMENTS} 个单元格，不是学信网表格")
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    c = cols.get(letters)
                    if c is None:
                        c = cols[letters] = _col(letters) if letters.isalpha() and letters.isupper() else col + 1
                    col = c
                else:
                    col += 1
                kind = attrs.get("t") or "n"
                s = attrs.get("s")
                style = int(s) if s and s.isdigit() else -1
                text.clear()
            elif t == 3:  # v, t
                if not skip:
                    grab = True
            elif t == 2:  # row
                self.elements += n
                if self.elements > MAX_ELEMENTS:
                    raise _fail(path, f"单元格超过 {MAX_ELEMENTS:,} 个，不是学信网表格")
                r = attrs.get("r")
                rownum = int(r) if r and r.isdigit() else rownum + 1
                if rownum > max_rows:
                    raise _fail(path, f"{where}行数超过上限 {max_rows}，不是学信网表格")
                n = col = 0
                row.clear()
            elif t == 4:  # rPh: a phonetic guide, not part of the text
                skip += 1

        def end(tag):
            nonlocal grab, skip
            t = tags.get(tag) or tag_of(tag)
            if t == 1:
                if not text:
                    return
                raw = text[0] if len(text) == 1 else "".join(text)
                if kind == "s":  # the common cases first: a shared string, a plain whole number
                    value = shared[int(raw)] if raw.isdigit() and int(raw) < len(shared) else None
                elif kind == "n" and raw.isdigit() and style not in dates:
                    value = int(raw)
                else:
                    value = _value(kind, raw, style, shared, dates, epoch)
                if value is not None and value != "":
                    if col > max_columns:
                        raise _fail(path, f"{where}第 {rownum} 行第 {col} 列有内容，超过上限 {max_columns} 列，"
                                          f"不是学信网表格")
                    row[col] = value
            elif t == 3:
                grab = False
            elif t == 4:
                skip -= 1
            elif t == 2 and row:
                dense = [None] * max(row)
                for c, v in row.items():
                    dense[c - 1] = v
                done.append((rownum, dense))

        def chars(data):
            if grab:
                text.append(data)

        with self.zip.open(sheet.part) as stream:
            for _ in self._parse(stream, start, end, chars):
                if done:
                    yield from done
                    done.clear()


_TAGS = {"c": 1, "row": 2, "v": 3, "t": 3, "rPh": 4}


def _value(t: str, text: str, style: int, shared: list[str], dates, epoch_1904: bool):
    if t == "s":
        try:
            return shared[int(text)]
        except (ValueError, IndexError):
            return None
    if t in ("inlineStr", "str"):
        return text
    if t == "b":
        return text.strip() in ("1", "true")
    if t == "e" or not text:
        return None
    if t == "d":
        try:
            return datetime.fromisoformat(text.strip())
        except ValueError:
            return text
    try:
        num = int(text) if text.isdigit() else float(text)
    except ValueError:
        return text
    if style in dates and isinstance(num, (int, float)):
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

        try:
            return from_excel(num, CALENDAR_MAC_1904 if epoch_1904 else CALENDAR_WINDOWS_1900)
        except (ValueError, OverflowError):
            return num
    return num


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _first(root, name: str):
    return next((el for el in root.iter() if _local(el.tag) == name), None)


# -- .xls ------------------------------------------------------------------------------------

def xls_rows(book, sh):
    """``(row number, values)`` of an xlrd sheet, typed like the .xlsx rows."""
    import xlrd

    for r in range(sh.nrows):
        out = []
        for c in sh.row(r):
            if c.ctype == xlrd.XL_CELL_DATE:
                try:
                    out.append(xlrd.xldate.xldate_as_datetime(c.value, book.datemode))
                except Exception:
                    out.append(c.value)
            elif c.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                out.append(None)
            elif c.ctype == xlrd.XL_CELL_BOOLEAN:
                out.append(bool(c.value))
            else:
                out.append(c.value)
        while out and (out[-1] is None or out[-1] == ""):
            out.pop()
        if out:
            yield r + 1, out


# -- the readers ------------------------------------------------------------------------------

def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        raise _fail(path, "不是有效的 .xlsx 文件（文件已损坏或被截断），请重新下载或用 Excel 另存为 .xlsx") from None
    if total > grid.MAX_UNZIPPED:  # read when called: tests lower it
        raise _fail(path, f"Excel 文件解压后有 {total // (1024 * 1024)} MB，超过上限，不是学信网表格")


def _sheets(path: Path, profile, all_sheets: bool, result, items, rows_of) -> None:
    """Read each of ``items`` (name, handle); with ``all_sheets`` skip a sheet of notes (one without
    a single column of the profile) beside the data sheets, in .xlsx and .xls alike."""
    from xueji_tui.formats.grid import MAX_WORKBOOK_CELLS, Budget, MissingColumns, grid_rows

    budget = Budget(path, MAX_WORKBOOK_CELLS)
    for name, handle in items:
        result.sheets.append(name)
        where = f"工作表“{name}”" if all_sheets else ""
        before = len(result.rows)
        try:
            grid_rows(path, profile, name if all_sheets else "", rows_of(handle, where), where, result, budget)
        except MissingColumns as e:
            if all_sheets and before == len(result.rows) and len(items) > 1 and e.hits == 0:
                continue  # 填写说明 and other notes beside the data sheets
            raise


def read_xlsx(path: Path, profile, all_sheets: bool = False):
    from xueji_tui.formats.grid import MAX_COLUMNS, MAX_ROWS, garbled_check

    _check_zip(path)
    result = ReadResult(path, "xlsx", [], {}, [])
    book = None
    try:
        book = Xlsx(path, MAX_COLUMNS, MAX_ROWS + 10)
        visible = [s for s in book.sheets if s.state == "visible"] or book.sheets
        if not visible:
            raise _fail(path, "工作簿中没有工作表")
        chosen = visible if all_sheets else visible[:1]
        _sheets(path, profile, all_sheets, result, [(s.name, s) for s in chosen], book.rows)
    except InvalidInput:
        raise
    except Exception:  # zip, XML or number trouble inside a damaged file
        at = f"（工作表“{result.sheets[-1]}”，约第 {len(result.rows) + 1} 行）" if result.sheets else ""
        raise _fail(path, f"Excel 文件已损坏或格式不受支持{at}") from None
    finally:
        if book is not None:
            book.close()
    garbled_check(path, result.rows)
    return result


def read_xls(path: Path, profile, all_sheets: bool = False):
    import xlrd

    from xueji_tui.formats.grid import MAX_COLUMNS, MAX_ROWS, garbled_check

    size = path.stat().st_size
    if size > MAX_XLS_BYTES:
        raise _fail(path, f".xls 文件有 {size // (1024 * 1024)} MB，超过上限 {MAX_XLS_BYTES // (1024 * 1024)} MB，"
                          f"不是学信网表格；请另存为 .xlsx 后再导入")
    result = ReadResult(path, "xls", [], {}, [])
    try:
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
        try:
            count = book.nsheets if all_sheets else min(1, book.nsheets)
            items = []
            for i in range(count):
                sh = book.sheet_by_index(i)
                if sh.nrows > MAX_ROWS or sh.ncols > MAX_COLUMNS:
                    raise _fail(path, f"工作表“{sh.name}”有 {sh.nrows} 行 {sh.ncols} 列，超过上限")
                if getattr(sh, "visibility", 0) == 0 or not all_sheets:
                    items.append((sh.name, sh))
            _sheets(path, profile, all_sheets, result, items, lambda sh, where: xls_rows(book, sh))
        finally:
            book.release_resources()
    except InvalidInput:
        raise
    except Exception:
        at = f"（工作表“{result.sheets[-1]}”）" if result.sheets else ""
        raise _fail(path, f"不是有效的 .xls 文件或文件已损坏{at}，"
                          f"可用 Excel 另存为 .xlsx 后再导入") from None
    garbled_check(path, result.rows)
    return result
