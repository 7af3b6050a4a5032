"""Reports of the year: the Art. 9 freshman summary with the 保留入学资格 due-back list (``export
intake``). Reading only: exports.py writes the files (and gathers the 奖惩 entries of ``export awards``).

The summary counts a cohort (entry year) per college and level by where each freshman stands now:
报到 (came and was checked: has 学籍, or 暂缓注册), 放弃, 保留, 取消 入学资格, and 尚未复查 (still
待注册); the five add up to 录取人数.
"""

from __future__ import annotations

from datetime import date

from xueji_tui.domain.annual import due_back as due_year, kept_place
from xueji_tui.domain.progress import school_year_of
from xueji_tui.services.session import Session
from xueji_tui.services.stats import NO_COLLEGE, NO_LEVEL

INTAKE = {"放弃入学资格": "FQ", "保留入学资格": "BL", "取消入学资格": "QX", "待注册": "WFC"}
COLUMNS = ("LQRS", "BD", "FQ", "BL", "QX", "WFC")


def intake_rows(session: Session, year: int | None, college: str | None) -> list[dict]:
    """Per college × level of the cohort ``year`` (default: this school year), the total row last."""
    year = year or school_year_of(date.today())
    scope = session.limit_college(college)
    cells: dict[tuple[str, str], dict] = {}
    for s in session.store.students(scope, keep=False):
        if (s.get("RXRQ") or "")[:4] != str(year):
            continue
        key = (s.get("FY") or NO_COLLEGE, s.get("CC") or NO_LEVEL)
        c = cells.setdefault(key, dict.fromkeys(COLUMNS, 0))
        c["LQRS"] += 1
        c[INTAKE.get(s.get("status", ""), "BD")] += 1
    rows = [{"FY": fy, "CC": cc, **c} for (fy, cc), c in sorted(cells.items(), key=lambda kv: (kv[0][0].startswith("（"), kv[0]))]
    if rows:
        rows.append({"FY": "合计", "CC": "", **{k: sum(r[k] for r in rows) for k in COLUMNS}})
    return rows


def due_back(session: Session, year: int | None = None, college: str | None = None) -> list[dict]:
    """Students holding a 保留入学资格 place that ends in school year ``year`` or before (overdue)."""
    year = year or school_year_of(date.today())
    scope = session.limit_college(college)
    out = []
    for s in session.store.students(scope, keep=False):
        e = kept_place(s)
        if e is None:
            continue
        due = due_year(e)
        if due is not None and due <= year:
            out.append({**{k: s.get(k, "") for k in ("KSH", "XH", "XM", "FY", "ZYMC", "CC")}, "entry": e, "due": due,
                        "overdue": due < year, "state": "已逾期" if due < year else "本学年应返校"})
    out.sort(key=lambda r: (r["due"], r["FY"], r["KSH"]))
    return out
