"""《普通高等学校学生学年电子注册情况统计表》(Art. 14, Art. 21): per college × level, with a 合计 row.

The form is for a school year (2026—2027学年) and is taken as of a day (by 10-30, Art. 21). Its
columns follow Art. 14: the year's registration states — 应注册人数 and what became of it (注册学籍,
待注册, 暂缓注册, 保留学籍, 休学 病休/其他), which add up to it — counted from each student's status on
the as-of day (the history says what it was then); and the previous school year's 学籍异动, 学籍注销
and 奖惩 (1 September to 31 August), counted from change entries by their effective date, reversed
entries and reversals left out. Only the cohorts that had entered by that school year count; a
student is counted under the college and level on record now. The official layout was not found
(docs/formats.md): these are the regulation's own headings.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.progress import school_year_of
from xueji_tui.domain.status import status_on
from xueji_tui.domain.validate import normalise_date
from xueji_tui.services.session import Session

FORM = "普通高等学校学生学年电子注册情况统计表"
STATES = ("注册学籍", "待注册", "暂缓注册", "保留学籍", "休学(病休)", "休学(其他)")  # add up to 应注册人数
MOVES = {"04": "跳级", "02": "留降级", "22": "转入", "21": "转出", "23": "转专业", "12": "复学"}
ENDS = {"31": "退学", "18": "取消学籍", "42": "开除学籍", "51": "死亡"}
RECORDS = {"71": "奖励", "72": "处分"}
GROUPS = (("学籍注册", ("应注册人数", *STATES)), ("学籍异动", tuple(MOVES.values())),
          ("学籍注销", tuple(ENDS.values())), ("奖惩", tuple(RECORDS.values())))
COLUMNS = tuple(c for _, cols in GROUPS for c in cols)
# the stats profile's field codes (its DBF layout), in COLUMNS order after FY and CC
CODES = ("YZCRS", "ZCXJ", "DZC", "ZHZC", "BLXJ", "XXBX", "XXQT", "TJ", "LJJ", "ZR", "ZC", "ZZY", "FX", "TX",
         "QXXJ", "KCXJ", "SW", "JL", "CF")
NO_LEVEL = "（未填层次）"
NO_COLLEGE = "（未分配学院）"


def window(year: int) -> tuple[str, str]:
    """The previous school year, whose changes the year-``year`` registration reports."""
    return f"{year - 1}0901", f"{year}0831"


def school_year_words(year: int) -> str:
    return f"{year}—{year + 1}学年"


@dataclass
class Stats:
    year: int
    window: tuple[str, str]
    as_of: str = ""
    rows: list[dict] = field(default_factory=list)  # {"学院", "层次", column: n ...}
    total: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        d = self.as_of
        return f"《{FORM}》{school_year_words(self.year)}（截至 {d[:4]}年{d[4:6]}月{d[6:]}日）"

    def as_json(self) -> dict:
        return {"form": FORM, "year": self.year, "school_year": school_year_words(self.year), "as_of": self.as_of,
                "changes_from": self.window[0], "changes_to": self.window[1],
                "groups": {g: list(cols) for g, cols in GROUPS},
                "columns": ["学院", "层次", *COLUMNS], "rows": self.rows, "total": self.total}

    def records(self) -> list[dict]:
        """Rows keyed by the ``stats`` profile's field codes, the total last (the DBF layout)."""
        out = []
        for r in [*self.rows, self.total]:
            rec = {"FY": r["学院"], "CC": r["层次"]}
            rec.update({code: r[col] for code, col in zip(CODES, COLUMNS)})
            out.append(rec)
        return out


def count(students, year: int, as_of: str | None = None) -> Stats:
    """Pure counting over student records (any iterable of dicts) for school year ``year``."""
    lo, hi = window(year)
    day = as_of or min(date.today().strftime("%Y%m%d"), f"{year + 1}0831")
    cells: dict[tuple[str, str], dict] = {}

    def cell(s: dict) -> dict:
        key = (s.get("FY") or NO_COLLEGE, s.get("CC") or NO_LEVEL)
        c = cells.get(key)
        if c is None:
            c = cells[key] = dict.fromkeys(COLUMNS, 0)
        return c

    for s in students:
        rxrq = (s.get("RXRQ") or "").strip()
        if not rxrq[:4].isdigit() or int(rxrq[:4]) > year or rxrq > day:
            continue  # a cohort that had not entered by then
        hits: list[str] = []
        st = status_on(s, day)
        if st in STATES:
            hits += ["应注册人数", st]
        for e in s.get("history") or []:
            if e.get("reversed_by") or e.get("kind") == "reversal" or not (lo <= (e.get("date") or "") <= hi):
                continue
            t = str(e.get("code") or "")[:2]
            col = MOVES.get(t) or ENDS.get(t) or RECORDS.get(t)
            if col:
                hits.append(col)
        if hits:
            c = cell(s)
            for h in hits:
                c[h] += 1
    rows = [{"学院": fy, "层次": cc, **c} for (fy, cc), c in
            sorted(cells.items(), key=lambda kv: (kv[0][0].startswith("（"), kv[0]))]
    total = {"学院": "合计", "层次": "", **{col: sum(r[col] for r in rows) for col in COLUMNS}}
    return Stats(year, (lo, hi), day, rows, total)


def school_day(as_of: str | None, year: int | None, today: date | None = None) -> tuple[int, str]:
    """(school year, as-of day) from what the clerk asked: the as-of day defaults to today, or to the
    last day of a school year already over; it must lie within the school year."""
    t = today or date.today()
    day = normalise_date(as_of) if as_of else None
    y = year if year is not None else school_year_of(date(int(day[:4]), int(day[4:6]), int(day[6:])) if day else t)
    first, last = f"{y}0901", f"{y + 1}0831"
    if day is None:
        day = min(t.strftime("%Y%m%d"), last)
        if day < first:
            raise InvalidInput(f"{school_year_words(y)}尚未开始（{first} 开学）：请选已开始的学年，或用 --as-of 指定日期")
    elif not first <= day <= last:
        raise InvalidInput(f"截至日期 {day} 不在{school_year_words(y)}内（{first}–{last}）；请改截至日期或学年")
    return y, day


def stats(session: Session, year: int | None = None, college: str | None = None, as_of: str | None = None,
          today: date | None = None) -> Stats:
    """The form for this clerk's scope (a college clerk only ever gets its own college)."""
    scope = session.limit_college(college)
    y, day = school_day(as_of, year, today)
    return count(session.store.students(scope, keep=False), y, day)


def form_xlsx(st: Stats, college: str | None = None) -> bytes:
    """The form as a worksheet: its title and as-of day, the column groups over Chinese headings,
    one row per college and level, the 合计 row; counts as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from xueji_tui.formats.writers import FORMULA_START

    wb = Workbook()
    ws = wb.active
    ws.title = "学年电子注册情况统计表"
    width = 2 + len(COLUMNS)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.cell(1, 1, st.title + (f"　{college}" if college else "")).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, f"学籍注册按截至日期的学籍状态统计；学籍异动、注销、奖惩按上一学年（{st.window[0]}–{st.window[1]}）"
                  f"生效的记录统计").font = Font(size=9)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    for i, head in enumerate(("学院", "层次"), start=1):
        ws.cell(3, i, head)
        ws.merge_cells(start_row=3, start_column=i, end_row=4, end_column=i)
    col = 3
    for group, cols in GROUPS:
        ws.cell(3, col, group)
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + len(cols) - 1)
        for j, name in enumerate(cols):
            ws.cell(4, col + j, name)
        col += len(cols)
    for row in ws.iter_rows(min_row=3, max_row=4):
        for c in row:
            c.font, c.alignment = Font(bold=True), center
    for r in [*st.rows, st.total]:
        cells = []
        for text in (r["学院"], r["层次"]):
            cells.append(text)
        ws.append([*cells, *(r[c] for c in COLUMNS)])
        for c in ws[ws.max_row][:2]:
            c.data_type = "s"
            c.number_format = "@"
            if isinstance(c.value, str) and c.value.startswith(FORMULA_START):
                c.quotePrefix = True
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 10
    ws.freeze_panes = "C5"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_form(st: Stats, out: Path, force: bool = False, college: str | None = None) -> int:
    """``xueji export stats`` as xlsx: the form, written whole or not at all; returns the data rows."""
    from xueji_tui.formats.writers import atomic_write

    atomic_write(Path(out), form_xlsx(st, college), force)
    return len(st.rows)
