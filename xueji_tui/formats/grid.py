"""Sheets of cells into rows keyed by field code: the header found by name, every row bounded.

Shared by the CSV, .xlsx and .xls readers (the DBF has its own fixed layout). Each row is checked as
it comes: at most ``MAX_COLUMNS`` cells in a row and ``MAX_FILE_CELLS`` cells in a file (every row,
not only the first few), and a number where the profile wants text (``mangled``) is collected and
refused at the end of the sheet with the column and the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from xueji_tui.domain.errors import InvalidInput
from xueji_tui.formats import mangled as mangling
from xueji_tui.formats.profiles import Profile, header_key

MAX_ROWS = 1_000_000
MAX_COLUMNS = 1000
# non-empty cells in one file, bounding time and memory before a verdict (10 s of CPU, 500 MB, on a
# server other clerks share): a text file's are cheap to split, 2,500,000 (~250 MB); a workbook's are
# parsed in Python, 2,000,000 (~6.5 s on an idle core; at 2,500,000 a busy machine took 10.2 s)
MAX_FILE_CELLS = 2_500_000
MAX_WORKBOOK_CELLS = 2_000_000
MAX_CELL = 4000                      # characters in one cell
MAX_UNZIPPED = 1024 * 1024 * 1024    # an .xlsx that inflates beyond this is refused unread
HEADER_SCAN_ROWS = 10                # the header may sit under a title line or two
# NUL never occurs in text a person typed: a file holding it is binary or read with the wrong
# encoding. Other control characters (ESC …) are kept to the importer, which replaces and flags them
# (services/import_prepare.py), so a hostile value costs a flag, not the student's row.
_CONTROL = re.compile(r"\x00")


def _fail(path: Path, what: str) -> InvalidInput:
    return InvalidInput(f"无法读取文件 {path}：{what}。未导入任何数据。")


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


class MissingColumns(InvalidInput):
    """A sheet without the required columns; ``hits``: how many profile columns it does have."""

    def __init__(self, path: Path, what: str, hits: int):
        self.hits = hits
        super().__init__(f"无法读取文件 {path}：{what}。未导入任何数据。")


def cell_text(v) -> str:
    """A spreadsheet cell as CHSI text: numbers without '.0', dates as YYYYMMDD."""
    if type(v) is str:
        return v
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
    if isinstance(v, (datetime, date)):
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
        raise MissingColumns(path, f"{where}缺少必需的列 {what}；文件中的列：{shown}", len(found))
    if missing:
        names = "、".join(f"{f.code}（{f.label}）" for f in missing)
        shown = "、".join(str(h) for h in headings if str(h).strip())[:300] or "（无）"
        raise MissingColumns(path, f"{where}缺少必需的列 {names}；文件中的列：{shown}。列按名称匹配，请检查表头",
                             len(found))
    return by_index, extra


def pick_header(grid: list[list[str]], profile: Profile) -> int:
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
        self._shared: list[dict | None] | None = None  # for ``clean``: each column's values seen

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

    def clean(self, cells: list[str], first: int) -> list[dict]:
        """The rows of ``cells`` (every cell of consecutive rows, the first numbered ``first``), known
        to hold no NUL and no cell over MAX_CELL: what ``__call__`` makes of each, by columns at once."""
        w = self.width
        count = len(cells) // w
        names = ["_row", *(code for _, code in self.pairs)]
        columns: list = [range(first, first + count)]
        if self._shared is None:
            self._shared = [{} for _ in self.pairs]
        for k, (i, _) in enumerate(self.pairs):
            column, shared = cells[i::w], self._shared[k]
            if shared is not None:
                # one object per distinct value of a column where values repeat (汉族, 本科, a college's
                # name): the file's rows take a fraction of the memory, and every later lookup of
                # such a value hashes it once
                column = list(map(shared.setdefault, column, column))
                if len(shared) * 4 > first + count + 64:
                    self._shared[k] = None  # mostly distinct (考生号, 姓名): kept as they are
            columns.append(column)
        rows = [dict(zip(names, values)) for values in zip(*columns)]
        if self.extra:
            for k, row in enumerate(rows):
                at = k * w
                extra = {h: cells[at + i] for i, h in self.extra if cells[at + i] != ""}
                if extra:
                    row["_extra"] = extra
        return rows

    def _problem(self, values: list[str]) -> str:
        for i, v in enumerate(values):
            col = self.headings[i] if i < len(self.headings) else ""
            if len(v) > MAX_CELL:
                return f"第 {i + 1} 列“{col}”内容过长（{len(v)} 个字符）"
            if _CONTROL.search(v):
                code = self.by_index.get(i, "")
                return f"第 {i + 1} 列“{col}”{('（字段 ' + code + '）') if code else ''}含有空字符（NUL），不是文本"
        return ""


def garbled_check(path: Path, rows: list[dict]) -> None:
    bad = sum(1 for r in rows if r.get("_problem"))
    if bad * 2 > len(rows):  # a few bad rows are rejected one by one; mostly bad is a bad file
        first = next(r for r in rows if r.get("_problem"))
        raise _fail(path, f"{bad}/{len(rows)} 行内容无法识别（乱码或编码不对，学信网文件应为 GBK），"
                          f"如第 {first['_row']} 行：{first['_problem']}")


class Budget:
    """Cells read from one file, across its sheets: every row counts, whatever the file claims."""

    def __init__(self, path: Path, limit: int = MAX_FILE_CELLS):
        self.path = path
        self.cells = 0
        self.limit = limit

    def take(self, raw: list, n: int, rownum: int, where: str) -> None:
        """``raw``: a row's cells, ``n`` of them up to the last non-empty one."""
        if n > MAX_COLUMNS:
            raise _fail(self.path, f"{where}第 {rownum} 行有 {n} 列，超过上限 {MAX_COLUMNS} 列，不是学信网表格")
        self.cells += len(raw) - raw.count(None) - raw.count("")
        if self.cells > self.limit:
            raise _fail(self.path, f"单元格超过上限 {self.limit:,} 个（读到{where}第 {rownum} 行），"
                                   f"不是学信网表格；数据确实这么多时请分成几个文件导入")


def _width(raw: list) -> int:
    n = len(raw)
    while n and (raw[n - 1] is None or raw[n - 1] == ""):
        n -= 1
    return n


def _named(heading: str, f) -> str:
    """A column as a clerk recognises it: 'SFZH（身份证号）', or the file's own '身份证号 SFZH'."""
    return f"{heading}（{f.label}）" if f.label not in heading else heading


def grid_rows(path: Path, profile: Profile, sheet_name: str, rows_iter, where: str, result, budget: Budget,
              typed: bool = True) -> None:
    """Turn one sheet's ``(row number, values)`` into rows of ``result`` (header found by name).

    ``typed``: values are spreadsheet cells (str, numbers, dates); else already text (CSV).
    """
    it = iter(rows_iter)
    grid: list[tuple[int, list]] = []
    pending = None
    for rownum, raw in it:
        n = _width(raw)
        budget.take(raw, n, rownum, where)
        if rownum > HEADER_SCAN_ROWS:
            pending = (rownum, raw[:n])
            break
        grid.append((rownum, raw[:n]))
    texts = [[cell_text(v) for v in raw] if typed else list(raw) for _, raw in grid]
    while texts and not any(str(v).strip() for v in texts[-1]):
        texts.pop()
        grid.pop()
    if not texts:
        return
    h = pick_header(texts, profile)
    headings = [str(v).strip() for v in texts[h]]
    by_index, extra = match_columns(path, profile, headings, where)
    for i, c in by_index.items():
        result.matched.setdefault(c, headings[i])
    result.columns = result.columns or headings
    for e in extra:
        if e not in result.extra:
            result.extra.append(e)
    width = len(headings)
    build = RowBuilder(by_index, headings)
    fields = {f.code: f for f in profile.fields}
    checked = [(i, c, fields[c].transform, _named(headings[i], fields[c])) for i, c in sorted(by_index.items())
               if c in fields and mangling.text_only(fields[c])]
    found = mangling.Mangled(path)
    number, text = mangling.number_problem, mangling.text_problem

    def emit(raw: list, rownum: int) -> None:
        for i, code, transform, heading in checked:
            if i < len(raw):
                v = raw[i]
                if type(v) is str:
                    shown = text(v) if v and v[0] in "0123456789+-. " else None
                    if shown is not None:
                        found.add(code, heading, rownum, shown, sheet=sheet_name)
                elif v is not None:
                    bad = number(code, transform, v)
                    if bad is not None:
                        found.add(code, heading, rownum, bad[0], bad[1], sheet=sheet_name)
        values = [cell_text(v) for v in raw] if typed else raw
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

    for k in range(h + 1, len(grid)):
        emit(grid[k][1], grid[k][0])
    if pending is not None:
        emit(pending[1], pending[0])
    for rownum, raw in it:
        n = _width(raw)
        budget.take(raw, n, rownum, where)
        if rownum > MAX_ROWS + HEADER_SCAN_ROWS:
            raise _fail(path, f"{where}行数超过上限 {MAX_ROWS}，不是学信网表格")
        emit(raw[:n] if n < len(raw) else raw, rownum)
    found.raise_if_any()
