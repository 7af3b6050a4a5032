"""学年电子注册情况统计表 (Art. 14, Art. 21): per college × level, with a total row.

The official columns were not found (docs/formats.md); these follow Art. 14: the new academic
year's registration states (counted from each student's status now) and the previous academic
year's 异动 and 注销 ("上一学年学籍变动"), counted from change entries whose effective date falls in
that year (1 September to 31 August), reversed entries and reversals left out. A student is counted
under the college and level on record now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from xueji_tui.services.session import Session

STATES = ("注册学籍", "暂缓注册", "保留学籍", "休学(病休)", "休学(其他)")
TO_REGISTER = (*STATES, "待注册")  # 应注册: enrolled or still to be registered this year
MOVES = {"04": "跳级", "02": "留降级", "22": "转入", "21": "转出", "23": "转专业", "12": "复学"}
ENDS = {"31": "退学", "18": "取消学籍", "42": "开除学籍", "51": "死亡"}
COLUMNS = ("应注册人数", *STATES, *MOVES.values(), *ENDS.values())
# the stats profile's field codes, in COLUMNS order after FY and CC
CODES = ("YZCRS", "ZCXJ", "ZHZC", "BLXJ", "XXBX", "XXQT", "TJ", "LJJ", "ZR", "ZC", "ZZY", "FX", "TX", "QXXJ",
         "KCXJ", "SW")
NO_LEVEL = "（未填层次）"
NO_COLLEGE = "（未分配学院）"


def current_year(today: date | None = None) -> int:
    """The academic year under way: it starts in September."""
    t = today or date.today()
    return t.year if t.month >= 9 else t.year - 1


def window(year: int) -> tuple[str, str]:
    """The previous academic year, whose changes the year-``year`` registration reports."""
    return f"{year - 1}0901", f"{year}0831"


@dataclass
class Stats:
    year: int
    window: tuple[str, str]
    rows: list[dict] = field(default_factory=list)  # {"学院", "层次", column: n ...}
    total: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"year": self.year, "changes_from": self.window[0], "changes_to": self.window[1],
                "columns": ["学院", "层次", *COLUMNS], "rows": self.rows, "total": self.total}

    def records(self) -> list[dict]:
        """Rows keyed by the ``stats`` profile's field codes, the total last."""
        out = []
        for r in [*self.rows, self.total]:
            rec = {"FY": r["学院"], "CC": r["层次"]}
            rec.update({code: r[col] for code, col in zip(CODES, COLUMNS)})
            out.append(rec)
        return out


def count(students, year: int) -> Stats:
    """Pure counting over student records (any iterable of dicts)."""
    lo, hi = window(year)
    cells: dict[tuple[str, str], dict] = {}

    def cell(s: dict) -> dict:
        key = (s.get("FY") or NO_COLLEGE, s.get("CC") or NO_LEVEL)
        c = cells.get(key)
        if c is None:
            c = cells[key] = dict.fromkeys(COLUMNS, 0)
        return c

    for s in students:
        st = s.get("status", "")
        hits: list[str] = []
        if st in TO_REGISTER:
            hits.append("应注册人数")
        if st in STATES:
            hits.append(st)
        for e in s.get("history") or []:
            if e.get("reversed_by") or e.get("kind") == "reversal" or not (lo <= (e.get("date") or "") <= hi):
                continue
            t = str(e.get("code") or "")[:2]
            col = MOVES.get(t) or ENDS.get(t)
            if col:
                hits.append(col)
        if hits:
            c = cell(s)
            for h in hits:
                c[h] += 1
    rows = [{"学院": fy, "层次": cc, **c} for (fy, cc), c in
            sorted(cells.items(), key=lambda kv: (kv[0][0].startswith("（"), kv[0]))]
    total = {"学院": "合计", "层次": "", **{col: sum(r[col] for r in rows) for col in COLUMNS}}
    return Stats(year, (lo, hi), rows, total)


def stats(session: Session, year: int | None = None, college: str | None = None) -> Stats:
    """The table for this clerk's scope (a college clerk only ever gets its own college)."""
    scope = session.clerk.limit_college(college)
    return count(session.store.students(scope, keep=False), year or current_year())
