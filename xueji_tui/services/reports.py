"""Reports of the year: the Art. 9 freshman summary with the 保留入学资格 due-back list (``export
intake``) and the 奖惩 upload (``export awards``). Reading only; the files are written by exports.py.

The summary counts a cohort (entry year) per college and level by where each freshman stands now:
报到 (came and was checked: has 学籍, or 暂缓注册), 放弃, 保留, 取消 入学资格, and 尚未复查 (still
待注册); the five add up to 录取人数.
"""

from __future__ import annotations

from xueji_tui.domain.annual import due_back as due_year, kept_place
from xueji_tui.services.session import Session
from xueji_tui.services.stats import NO_COLLEGE, NO_LEVEL, current_year

INTAKE = {"放弃入学资格": "FQ", "保留入学资格": "BL", "取消入学资格": "QX", "待注册": "WFC"}
COLUMNS = ("LQRS", "BD", "FQ", "BL", "QX", "WFC")


def intake_rows(session: Session, year: int | None, college: str | None) -> list[dict]:
    """Per college × level of the cohort ``year`` (default: this school year), the total row last."""
    year = year or current_year()
    scope = session.clerk.limit_college(college)
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
    year = year or current_year()
    scope = session.clerk.limit_college(college)
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


def award_records(session: Session, college: str | None, year: int | None) -> list[dict]:
    """One row per live 奖励 / 处分 entry (71, 72); ``year``: the year of the effective date."""
    from xueji_tui.services.exports import _entries

    return _entries(session, college, year, lambda e: str(e.get("code", ""))[:2] in ("71", "72"))


def export_report(session: Session, kind: str, out, fmt: str, year: int | None, college: str | None,
                  skip_invalid: bool, force: bool):
    from xueji_tui.domain.errors import NotFound
    from xueji_tui.services.exports import Exported, _write, profile

    if kind == "awards":
        recs = award_records(session, college, year)
        if not recs:
            raise NotFound("没有可导出的奖惩记录" + (f"（{year} 年）" if year else "") + "，未写出文件")
        excluded: list[str] = []
        n = _write(out, fmt, [(profile(session, "awards"), recs, "奖惩")], skip_invalid, excluded, force)
        return Exported(kind, [out], n, [], excluded)
    y = year or current_year()
    rows = intake_rows(session, y, college)
    due = due_back(session, y, college)
    if not rows and not due:
        raise NotFound(f"没有 {y} 级新生，也没有应返校的保留入学资格学生，未写出文件")
    sheets = [(profile(session, "intake"), rows, f"{y}级新生学籍电子注册情况汇总"),
              (profile(session, "intake-due"), due, "保留入学资格应返校名单")]
    _write(out, "xlsx", sheets, False, [], force)
    notes = [f"{y} 级新生汇总（第九条）：录取 {rows[-1]['LQRS'] if rows else 0} 人，报到 {rows[-1]['BD'] if rows else 0} 人",
             f"保留入学资格应返校 {len(due)} 人" + (f"（其中 {sum(1 for d in due if d['overdue'])} 人已逾期）" if due else "")]
    return Exported(kind, [out], max(0, len(rows) - 1), notes, [], {})
