"""`xueji register`: the year's bulk registration (Art. 6, 18), planned by domain/annual.py.

The office's run is one audited transaction: each freshman's 0101 is planned and applied by
services/changes.py (``plan_for`` / ``apply_plan``), so a bulk entry is exactly the entry a single
`xueji change … 0101` makes; each returning student gets the year's 学年注册 mark. A college's run
reports its list (报送) for the office's review, one report per student, as a college's `change` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from xueji_tui.bulk import gc_paused
from xueji_tui.domain.annual import (DONE, FRESHMAN, OUT, RETURNING, SKIP, annual_entry, check_register_year,
                                     classify)
from xueji_tui.domain.errors import NotFound, Refused
from xueji_tui.domain.permissions import PROPOSE, require
from xueji_tui.domain.record import copy_record
from xueji_tui.domain.status import ChangeRequest
from xueji_tui.domain.validate import year_value
from xueji_tui.services.changes import PROPOSED, apply_plan, entry_words, plan_for
from xueji_tui.services.session import Session


@dataclass
class RegisterPlan:
    year: int
    college: str | None
    propose: bool                                         # a college's run: reports, not registrations
    freshmen: list[dict] = field(default_factory=list)    # KSH XH XM FY of those getting 0101
    returning: list[dict] = field(default_factory=list)   # … of those getting the 学年注册 mark
    skipped: list[tuple[dict, str]] = field(default_factory=list)
    done: int = 0                                         # already registered for the year
    head: tuple = ()
    notes: list[str] = field(default_factory=list)

    @property
    def todo(self) -> int:
        return len(self.freshmen) + len(self.returning)


def _brief(s: dict) -> dict:
    return {k: s.get(k, "") for k in ("KSH", "XH", "XM", "FY", "status")}


def _open_reports(session: Session) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in session.store.proposals():
        if p.get("status") == PROPOSED:
            e = p.get("planned") or {}
            out.setdefault(p["KSH"], f"#{p['id']}（{e.get('code', '')} {e.get('type', '')}）")
    return out


def plan_register(session: Session, year, college: str | None = None) -> RegisterPlan:
    """Who the year's registration registers and who it skips (with why): nothing is written."""
    how = require(session.clerk, "register.bulk")
    year = year_value(year, "学年")
    check_register_year(year, session.store.settings, date.today())
    scope = session.limit_college(college)
    plan = RegisterPlan(year, scope, how == PROPOSE, head=session.store.state())
    settings = session.store.settings
    reports = _open_reports(session)
    with gc_paused():
        for s in session.store.students(scope, keep=False):
            v = classify(s, year, settings, reports.get(s["KSH"], ""))
            if v.kind == FRESHMAN:
                plan.freshmen.append(_brief(s))
            elif v.kind == RETURNING:
                plan.returning.append(_brief(s))
            elif v.kind == SKIP:
                plan.skipped.append((_brief(s), v.why))
            elif v.kind == DONE:
                plan.done += 1
            else:
                assert v.kind == OUT
    order = lambda b: (b.get("FY") or "", b.get("XH") or "", b["KSH"])  # noqa: E731
    plan.freshmen.sort(key=order)
    plan.returning.sort(key=order)
    plan.skipped.sort(key=lambda x: order(x[0]))
    return plan


def apply_register(session: Session, plan: RegisterPlan, today: date | None = None) -> RegisterPlan:
    """Register (office) or report (college) ``plan`` in ONE transaction; planned again under the lock
    when another clerk saved after the preview. Returns the plan applied."""
    require(session.clerk, "register.bulk")
    day = (today or date.today()).strftime("%Y%m%d")
    why = f"{plan.year} 学年批量注册" + (f"（{plan.college}）" if plan.college else "")
    if plan.propose:
        why += "：学院报送"
    with gc_paused(), session.store.write(session.clerk.name, why) as tx:
        if session.store.state() != plan.head:
            plan = plan_register(session, plan.year, plan.college)
            plan.notes.append("预览之后其他经办人保存了修改，已按最新数据重新比对")
        if not plan.todo:
            raise NotFound(f"{plan.year} 学年没有可以注册的学生，未写入任何数据")
        tx.log("register", field="batch", new={"year": plan.year, "freshmen": len(plan.freshmen),
                                               "returning": len(plan.returning), "skipped": len(plan.skipped),
                                               "college": plan.college or ""}, why=why)
        for b in plan.freshmen:
            s = tx.get(b["KSH"])
            p = plan_for(tx, session, s, ChangeRequest(code="0101", date=day), office=not plan.propose)
            if plan.propose:
                _report(tx, session, s, {"request": vars(ChangeRequest(code="0101", date=day)).copy(),
                                         "planned": p.entry})
            else:
                apply_plan(tx, s, p, batch=f"register-{plan.year}")
        for b in plan.returning:
            s = tx.get(b["KSH"])
            if plan.propose:
                _report(tx, session, s, {"kind": "annual", "year": plan.year,
                                         "request": {"code": annual_entry(plan.year, "")["code"], "date": day},
                                         "planned": annual_entry(plan.year, s.get("status", ""))})
            else:
                mark_annual(tx, session, s, plan.year)
    return plan


def _report(tx, session: Session, s: dict, what: dict) -> str:
    entry = what["planned"]
    pid = tx.add_proposal({"KSH": s["KSH"], "XH": s.get("XH", ""), "XM": s.get("XM", ""), "FY": s.get("FY", ""),
                           **what, "status": PROPOSED, "filed_by": session.clerk.name, "filed_at": tx.at})
    tx.log("propose", ksh=s["KSH"], xh=s.get("XH", ""), field="status", old=entry["from"], new=entry["to"],
           why=entry_words(entry), proposal=pid, code=entry["code"])
    return pid


def mark_annual(tx, session: Session, s: dict, year: int, **line_extra) -> dict:
    """The year's 学年注册 mark on a returning student (saved and audited); returns it as an entry."""
    annual = copy_record(s.get("annual") or {})
    annual[str(year)] = {"at": tx.at, "by": session.clerk.name, "status": s.get("status", "")}
    s["annual"] = annual
    tx.put(s)
    tx.log("register-annual", ksh=s["KSH"], xh=s.get("XH", ""), field="annual", old=None, new=year,
           why=f"{year} 学年注册", **line_extra)
    return annual_entry(year, s.get("status", ""))


def accept_annual(tx, session: Session, s: dict, p: dict) -> dict:
    """The office accepts a college's report of a returning student: checked again, then marked."""
    year = int(p["year"])
    v = classify(s, year, session.store.settings)
    if v.kind == DONE:
        raise Refused(f"{s.get('XM')} 已办理 {year} 学年注册")
    if v.kind != RETURNING:
        raise Refused(f"{s.get('XM')} 现在不能办理 {year} 学年注册：{v.why or '学籍状态为' + s.get('status', '')}")
    return mark_annual(tx, session, s, year, proposal=p["id"])
