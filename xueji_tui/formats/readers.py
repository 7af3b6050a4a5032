"""Readers of CHSI tables: .dbf (dbfread, raw bytes decoded as GB18030 here), .xlsx (openpyxl),
.xls (xlrd) and .csv (UTF-8 with or without BOM, or GB18030, detected).

Columns are matched by NAME (code, Chinese title or an alias of the profile), case-insensitively,
never by position. Whatever the bytes, a bad file raises ``InvalidInput`` (exit 2) whose Chinese
message names the file and, when known, the row, column and field — never a traceback.
Row-level trouble (text that cannot be decoded) is reported on the row (``_problem``) so the import
can reject that row and keep the others, unless most of the file is unreadable.
"""

from __future__ import annotations

import csv
import io
import os
import re
import struct
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from xueji_tui.domain.errors import InvalidInput
from xueji_tui.formats.profiles import Profile, header_key

MAX_BYTES = 256 * 1024 * 1024        # a 100,000-row DBF is ~40 MB; a larger file is not a CHSI table
MAX_UNZIPPED = 1024 * 1024 * 1024    # an .xlsx that inflates beyond this is refused unread
MAX_ROWS = 1_000_000
MAX_COLUMNS = 1000
MAX_CELL = 4000                      # characters in one cell
HEADER_SCAN_ROWS = 10                # the header may sit under a title line or two
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DBF_VERSIONS = {0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0xCB, 0xF5, 0xFB}
SUFFIXES = (".dbf", ".xlsx", ".xlsm", ".xls", ".csv", ".txt")


@dataclass
class ReadResult:
    path: Path
    format: str                       # dbf | xlsx | xls | csv
    columns: list[str]                # the file's column headings, in file order
    matched: dict[str, str]           # field code -> the heading it was found under
    extra: list[str]                  # headings no profile field claims (kept in each row's _extra)
    rows: list[dict] = field(default_factory=list)  # code -> text, '_row', '_sheet', '_extra', '_problem'
    problems: list[str] = field(default_factory=list)  # file-level notes (not fatal)
    sheets: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[dict]:
        return [r for r in self.rows if r.get("_problem")]


def _fail(path: Path, what: str) -> InvalidInput:
    return InvalidInput(f"无法读取文件 {path}：{what}。未导入任何数据。")


def cell_text(v) -> str:
    """A spreadsheet cell as CHSI text: numbers without '.0', dates as YYYYMMDD."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e18 else repr(v)
    if isinstance(v, datetime):
        return v.strftime("%Y%m%d")
    if isinstance(v, date):
        return v.strftime("%Y%m%d")
    if isinstance(v, time):
        return v.strftime("%H:%M:%S")
    return str(v)


# -- column matching -------------------------------------------------------------------------

def match_columns(path: Path, profile: Profile, headings: list[str], where: str = "") -> tuple[dict, list]:
    """(column index -> field code, extra headings) or raises naming the missing required columns."""
    lookup = profile.lookup()
    codes = set(profile.codes)
    by_index: dict[int, str] = {}
    found: dict[str, int] = {}
    extra: list[str] = []
    for i, h in enumerate(headings):
        key = header_key(h)
        if not key:
            continue
        code = lookup.get(key)
        if code is None:
            last = re.split(r"\s+", str(h).strip())[-1].upper()  # '姓名 XM' from our own Excel files
            code = last if last in codes else None
        if code is None:
            extra.append(str(h))
            continue
        if code in found:
            raise _fail(path, f"{where}第 {found[code] + 1} 列“{headings[found[code]]}”和第 {i + 1} 列“{h}”"
                              f"都对应字段 {code}，请删除重复的列")
        found[code] = i
        by_index[i] = code
    missing = [f for f in profile.required() if f.code not in found]
    key_any = profile.option("key_any")
    if key_any and not any(k in found for k in key_any):
        missing += [f for f in profile.fields if f.code == key_any[0]]
        what = "或".join(f"{k}（{profile.field(k).label if profile.field(k) else k}）" for k in key_any)
        shown = "、".join(str(h) for h in headings if str(h).strip())[:300] or "（无）"
        raise _fail(path, f"{where}缺少必需的列 {what}；文件中的列：{shown}")
    if missing:
        names = "、".join(f"{f.code}（{f.label}）" for f in missing)
        shown = "、".join(str(h) for h in headings if str(h).strip())[:300] or "（无）"
        raise _fail(path, f"{where}缺少必需的列 {names}；文件中的列：{shown}。列按名称匹配，请检查表头")
    return by_index, extra


def _pick_header(grid: list[list[str]], profile: Profile) -> int:
    """The row among the first few that names the most profile fields."""
    lookup = profile.lookup()
    best, best_hits = 0, -1
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        hits = sum(1 for h in row if header_key(h) in lookup
                   or re.split(r"\s+", str(h).strip())[-1].upper() in lookup)
        if hits > best_hits:
            best, best_hits = i, hits
    return best


class RowBuilder:
    """Turns a list of cell texts into a row dict; built once per sheet (100,000 rows go through it)."""

    def __init__(self, by_index: dict[int, str], headings: list[str]):
        self.pairs = sorted(by_index.items())
        self.by_index = by_index
        self.headings = headings
        self.width = len(headings)
        self.extra = [(i, str(h)) for i, h in enumerate(headings) if i not in by_index and str(h).strip()]

    def __call__(self, values: list[str], n: int, problem: str = "") -> dict:
        if len(values) < self.width:
            values = values + [""] * (self.width - len(values))
        row: dict = {"_row": n}
        for i, code in self.pairs:
            row[code] = values[i]
        if self.extra:
            extra = {h: values[i] for i, h in self.extra if values[i] != ""}
            if extra:
                row["_extra"] = extra
        if not problem:
            joined = "\n".join(values)
            if _CONTROL.search(joined) or len(joined) > MAX_CELL:
                problem = self._problem(values)
        if problem:
            row["_problem"] = problem
        return row

    def _problem(self, values: list[str]) -> str:
        for i, v in enumerate(values):
            col = self.headings[i] if i < len(self.headings) else ""
            if len(v) > MAX_CELL:
                return f"第 {i + 1} 列“{col}”内容过长（{len(v)} 个字符）"
            if _CONTROL.search(v):
                code = self.by_index.get(i, "")
                return f"第 {i + 1} 列“{col}”{('（字段 ' + code + '）') if code else ''}含有无法识别的控制字符"
        return ""


def _garbled_check(path: Path, rows: list[dict]) -> None:
    bad = sum(1 for r in rows if r.get("_problem"))
    if bad * 2 > len(rows):  # a few bad rows are rejected one by one; mostly bad is a bad file
        first = next(r for r in rows if r.get("_problem"))
        raise _fail(path, f"{bad}/{len(rows)} 行内容无法识别（乱码或编码不对，学信网文件应为 GBK），"
                          f"如第 {first['_row']} 行：{first['_problem']}")


# -- DBF -------------------------------------------------------------------------------------

def read_dbf(path: Path, profile: Profile) -> ReadResult:
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(32)
    if len(head) < 32:
        raise _fail(path, f"文件只有 {size} 字节，不是完整的 dBase (.dbf) 表（可能被截断）")
    version = head[0]
    if version not in _DBF_VERSIONS:
        raise _fail(path, "不是 dBase (.dbf) 文件（文件头标志不符），请确认文件类型或扩展名")
    nrec, header_len, record_len = struct.unpack("<IHH", head[4:12])
    if header_len < 33 or header_len > size:
        raise _fail(path, f"dBase 文件头损坏（文件头长度 {header_len} 字节，文件 {size} 字节）")
    if record_len < 2:
        raise _fail(path, f"dBase 文件头损坏（记录长度 {record_len} 字节）")
    from dbfread import DBF

    try:
        table = DBF(str(path), encoding="gb18030", char_decode_errors="replace", raw=True,
                    recfactory=None, ignorecase=False, ignore_missing_memofile=True)
    except Exception as e:  # dbfread raises ValueError, struct.error … on a damaged header
        raise _fail(path, f"dBase 字段定义损坏（{type(e).__name__}）") from None
    fields = table.fields
    if not fields:
        raise _fail(path, "dBase 文件中没有字段定义")
    if len(fields) > MAX_COLUMNS:
        raise _fail(path, f"字段数 {len(fields)} 过多，不是学信网表格")
    if 1 + sum(f.length for f in fields) != record_len:
        raise _fail(path, f"dBase 文件头损坏：字段宽度之和 {sum(f.length for f in fields)} 与记录长度 "
                          f"{record_len} 不符")
    names = [f.name.strip() for f in fields]
    for i, n in enumerate(names):
        if not n or _CONTROL.search(n) or "\ufffd" in n:
            raise _fail(path, f"dBase 文件头损坏：第 {i + 1} 个字段的名称无法识别")
    body = size - table.header.headerlen
    have = body // record_len
    if nrec > MAX_ROWS:
        raise _fail(path, f"文件声明 {nrec} 条记录，超过上限 {MAX_ROWS}，不是学信网表格")
    if have < nrec:
        raise _fail(path, f"文件不完整（可能被截断）：文件头记录 {nrec} 条，实际只有 {have} 条完整记录。"
                          f"请重新下载或复制该文件")
    by_index, extra = match_columns(path, profile, names)
    build = RowBuilder(by_index, names)
    rows: list[dict] = []
    n = 0
    try:
        nf = len(names)
        for rec in table:
            n += 1
            if n > nrec:
                break  # bytes after the declared records (a trailer without the 0x1A mark) are not data
            raws = [raw.rstrip(b" \x00") for _, raw in rec]
            problem = ""
            try:  # one decode per record: 0x0A never occurs inside a GB18030 character
                values = b"\n".join(raws).decode("gb18030").split("\n")
                if len(values) != nf:
                    raise ValueError
            except (UnicodeDecodeError, ValueError):
                values, problem = _decode_fields(raws, names, by_index, profile)
            rows.append(build(values, n, problem))
    except InvalidInput:
        raise
    except Exception as e:
        raise _fail(path, f"读到第 {n} 条记录时出错（{type(e).__name__}），文件可能已损坏") from None
    _utf8_check(path, table, rows, by_index)
    _garbled_check(path, rows)
    return ReadResult(path, "dbf", names, {c: names[i] for i, c in by_index.items()}, extra, rows)


def _decode_fields(raws: list[bytes], names: list[str], by_index: dict, profile: Profile) -> tuple[list[str], str]:
    """Field by field, to name the field that cannot be decoded."""
    values, problem = [], ""
    for i, raw in enumerate(raws):
        try:
            values.append(raw.decode("gb18030"))
        except UnicodeDecodeError:
            values.append(raw.decode("gb18030", errors="replace"))
            if not problem:
                code = by_index.get(i, "")
                f = profile.field(code) if code else None
                problem = f"字段 {names[i]}{('（' + f.label + '）') if f else ''}的内容无法按 GBK/GB18030 解码（乱码）"
    return values, problem


def _utf8_check(path: Path, table, rows: list[dict], by_index: dict[int, str]) -> None:
    """A DBF saved as UTF-8 decodes as GB18030 mojibake without errors: detect it by its bytes."""
    samples = []
    for r in rows[:200]:
        for code in by_index.values():
            v = r.get(code, "")
            if v and not v.isascii():
                samples.append(v)
    if len(samples) < 3:
        return
    utf8 = 0
    for v in samples:
        try:
            b = v.encode("gb18030")
            b.decode("utf-8")
            utf8 += 1
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    if utf8 == len(samples):
        raise _fail(path, "文件中的中文是 UTF-8 编码，学信网 DBF 文件应为 GBK 编码。请用原始下载文件，"
                          "或另存为 GBK 编码后再导入")


# -- Excel -----------------------------------------------------------------------------------

def _grid_rows(path: Path, profile: Profile, sheet_name: str, rows_iter, where: str, fmt: str,
               result: ReadResult) -> None:
    """Turn one sheet's row tuples into rows of the result (header found by name)."""
    grid: list[list[str]] = []
    it = iter(rows_iter)
    n = 0
    for raw in it:
        n += 1
        grid.append([cell_text(v) for v in raw][:MAX_COLUMNS + 1])
        if n >= HEADER_SCAN_ROWS:
            break
    while grid and not any(str(v).strip() for v in grid[-1]):
        grid.pop()
    if not grid:
        return
    h = _pick_header(grid, profile)
    headings = [str(v).strip() for v in grid[h]]
    if len(headings) > MAX_COLUMNS:
        raise _fail(path, f"{where}列数超过 {MAX_COLUMNS}，不是学信网表格")
    by_index, extra = match_columns(path, profile, headings, where)
    for c, i in ((c, i) for i, c in by_index.items()):
        result.matched.setdefault(c, headings[i])
    result.columns = result.columns or headings
    for e in extra:
        if e not in result.extra:
            result.extra.append(e)
    width = len(headings)
    build = RowBuilder(by_index, headings)

    def emit(values: list[str], rownum: int) -> None:
        if not any(v.strip() for v in values):
            return
        if len(values) > width and any(v.strip() for v in values[width:]):
            extra_vals = {f"第{i + 1}列": v for i, v in enumerate(values) if i >= width and v.strip()}
        else:
            extra_vals = None
        row = build(values[:width], rownum)
        if extra_vals:
            row.setdefault("_extra", {}).update(extra_vals)
        if sheet_name:
            row["_sheet"] = sheet_name
        result.rows.append(row)
        if len(result.rows) > MAX_ROWS:
            raise _fail(path, f"行数超过上限 {MAX_ROWS}，不是学信网表格")

    for i in range(h + 1, len(grid)):
        emit(grid[i], i + 1)
    rownum = n
    for raw in it:
        rownum += 1
        if rownum > MAX_ROWS + HEADER_SCAN_ROWS:  # empty rows count too: a sheet may claim a million
            raise _fail(path, f"{where}行数超过上限 {MAX_ROWS}，不是学信网表格")
        emit([cell_text(v) for v in raw], rownum)


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNZIPPED:
                raise _fail(path, f"Excel 文件解压后有 {total // (1024 * 1024)} MB，超过上限，不是学信网表格")
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise _fail(path, "不是有效的 .xlsx 文件（缺少工作簿内容），请用 Excel 另存为 .xlsx 后再导入")
    except zipfile.BadZipFile:
        raise _fail(path, "不是有效的 .xlsx 文件（文件已损坏或被截断），请重新下载或用 Excel 另存为 .xlsx") from None


def read_xlsx(path: Path, profile: Profile, all_sheets: bool = False) -> ReadResult:
    _check_zip(path)
    import warnings

    from openpyxl import load_workbook

    result = ReadResult(path, "xlsx", [], {}, [])
    sheet = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, read_only=True, data_only=True)
        try:
            visible = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
            worksheets = (visible or wb.worksheets) if all_sheets else (visible or wb.worksheets)[:1]
            for ws in worksheets:
                sheet = ws.title
                result.sheets.append(sheet)
                where = f"工作表“{sheet}”" if all_sheets else ""
                before = len(result.rows)
                try:
                    _grid_rows(path, profile, sheet if all_sheets else "", ws.iter_rows(values_only=True),
                               where, "xlsx", result)
                except InvalidInput:
                    if all_sheets and before == len(result.rows) and len(worksheets) > 1 and \
                            not _sheet_has_profile_headings(ws, profile):
                        continue  # a sheet of notes or instructions beside the data sheets
                    raise
        finally:
            wb.close()
    except InvalidInput:
        raise
    except Exception as e:
        at = f"（工作表“{sheet}”，约第 {len(result.rows) + 1} 行）" if sheet else ""
        raise _fail(path, f"Excel 文件已损坏或格式不受支持{at}（{type(e).__name__}）") from None
    _garbled_check(path, result.rows)
    return result


def _sheet_has_profile_headings(ws, profile: Profile) -> bool:
    lookup = profile.lookup()
    for raw in ws.iter_rows(values_only=True, max_row=HEADER_SCAN_ROWS):
        if any(header_key(cell_text(v)) in lookup for v in raw):
            return True
    return False


def read_xls(path: Path, profile: Profile, all_sheets: bool = False) -> ReadResult:
    import xlrd

    result = ReadResult(path, "xls", [], {}, [])
    sheet = ""
    try:
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
        try:
            indices = range(book.nsheets) if all_sheets else range(min(1, book.nsheets))
            for i in indices:
                sh = book.sheet_by_index(i)
                sheet = sh.name
                result.sheets.append(sheet)
                if sh.nrows > MAX_ROWS or sh.ncols > MAX_COLUMNS:
                    raise _fail(path, f"工作表“{sheet}”有 {sh.nrows} 行 {sh.ncols} 列，超过上限")

                def rows(sh=sh):
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
                        yield out

                where = f"工作表“{sheet}”" if all_sheets else ""
                _grid_rows(path, profile, sheet if all_sheets else "", rows(), where, "xls", result)
        finally:
            book.release_resources()
    except InvalidInput:
        raise
    except Exception as e:
        at = f"（工作表“{sheet}”）" if sheet else ""
        raise _fail(path, f"不是有效的 .xls 文件或文件已损坏{at}（{type(e).__name__}），"
                          f"可用 Excel 另存为 .xlsx 后再导入") from None
    _garbled_check(path, result.rows)
    return result


# -- CSV -------------------------------------------------------------------------------------

def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        encs = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encs = ["utf-16"]
    else:
        encs = ["utf-8", "gb18030"]
    err = None
    for enc in encs:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as e:
            err = e
    assert err is not None
    line = data[: err.start].count(b"\n") + 1
    raise _fail(path, f"第 {line} 行有无法识别的字符（文件编码应为 UTF-8 或 GBK/GB18030，可能是乱码或其他编码）")


def read_csv(path: Path, profile: Profile) -> ReadResult:
    data = Path(path).read_bytes()
    text, enc = decode_text(path, data)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _fail(path, f"第 {line} 行含有空字符（\\0），不是文本表格（可能是其他格式的文件被改了扩展名）")
    first = text.split("\n", 1)[0]
    delim = max([",", "\t", ";"], key=first.count)
    result = ReadResult(path, "csv", [], {}, [])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        _grid_rows(path, profile, "", ((c for c in row) for row in reader), "", "csv", result)
    except csv.Error as e:
        raise _fail(path, f"第 {reader.line_num} 行不是有效的 CSV（{e}）") from None
    _garbled_check(path, result.rows)
    return result


# -- entry point -----------------------------------------------------------------------------

def read(path, profile: Profile, all_sheets: bool = False) -> ReadResult:
    """Read a CHSI table in any supported container; raises InvalidInput (exit 2) on a bad file."""
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"找不到文件 {path}，请检查路径")
    if path.is_dir():
        raise InvalidInput(f"{path} 是目录，不是文件")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(f"不支持的文件类型 {path}：请用 .dbf、.xlsx、.xls 或 .csv 文件")
    try:
        size = os.path.getsize(path)
    except OSError as e:
        raise _fail(path, f"无法访问（{e.strerror}）") from None
    if size == 0:
        raise _fail(path, "文件是空的（0 字节）")
    if size > MAX_BYTES:
        raise _fail(path, f"文件有 {size // (1024 * 1024)} MB，超过上限 {MAX_BYTES // (1024 * 1024)} MB，"
                          f"不是学信网表格")
    try:
        if suffix == ".dbf":
            result = read_dbf(path, profile)
        elif suffix in (".xlsx", ".xlsm"):
            result = read_xlsx(path, profile, all_sheets)
        elif suffix == ".xls":
            result = read_xls(path, profile, all_sheets)
        else:
            result = read_csv(path, profile)
    except InvalidInput:
        raise
    except MemoryError:
        raise _fail(path, "文件过大，内存不足") from None
    except OSError as e:
        raise _fail(path, f"读取失败（{e.strerror or e}）") from None
    except Exception as e:  # any other surprise from a damaged file is still a bad file, not a crash
        raise _fail(path, f"文件内容无法解析（{type(e).__name__}），可能已损坏") from None
    if not result.rows:
        raise _fail(path, "没有任何数据行（只有表头或内容为空）")
    return result
