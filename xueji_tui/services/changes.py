"""Status changes (学籍异动 / 注销 / 记载 / 撤销) by 4-digit reason code.

The office records them; a college reports them (报送, Art. 18) and the office reviews the report
(services/reviews.py). Either way the entry is planned by the one state machine in domain/status.py
and applied by ``apply_plan``, so an accepted report changes the record exactly as a direct change.
"""

from __future__ import annotations

from datetime import date

from xueji_tui.domain.codes import Reason, codes
from xueji_tui.domain.majors import find_major
from xueji_tui.domain.permissions import PROPOSE, change_action, require
from xueji_tui.domain.status import ChangeRequest, Plan, allowed_reasons as _allowed, plan_change
from xueji_tui.services.find import fresh, resolve
from xueji_tui.services.session import Session
from xueji_tui.services.widths import check_widths

PROPOSED = "报送"  # a proposal's state until the office accepts (已接受) or rejects (已驳回) it


def allowed_reasons(session: Session, student: dict) -> list[Reason]:
    """The reasons this clerk may record — or, for a college, report — for the student now."""
    return _allowed(student.get("status", ""), session.office)


def majors(session: Session) -> list[dict]:
    return sorted(session.store.majors(), key=lambda m: (m.get("FY", ""), m.get("ZYDM", "")))


def fill_major(session: Session, req: ChangeRequest) -> None:
    """Resolve a 转专业's new major against the catalogue (code, name or both), so that the college
    it moves the student to is known before deciding who may record it."""
    if not req.to_major or "to_major" not in codes().reason(req.code).takes:
        return
    hit = find_major(session.store.majors(), req.to_major)
    req.to_major = hit["ZYDM"]
    req.to_college = req.to_college or hit.get("FY", "")


def entry_words(entry: dict) -> str:
    """'2301 转专业·本人申请；吉师大教字〔2025〕31号；说明' — the why of an entry's audit lines."""
    why = f"{entry['code']} {entry['type']}·{entry['reason']}" + (f"；{entry['doc']}" if entry["doc"] else "")
    return why + (f"；{entry['note']}" if entry["note"] else "")


def plan_for(tx, session: Session, s: dict, req: ChangeRequest, office: bool, today: date | None = None) -> Plan:
    history = s.get("history") or []
    plan = plan_change(s, req, office=office, clerk=session.clerk.name, at=tx.at, entry_id=f"E{len(history) + 1}",
                       today=today, catalogue=tx.majors(), term_start=str(session.store.settings.get("term_start") or ""))
    check_widths(session, {"entry.doc": plan.entry.get("doc"), "entry.note": plan.entry.get("note"), **plan.updates})
    return plan


def apply_plan(tx, s: dict, plan: Plan, **line_extra) -> dict:
    """Append the planned entry, set what it moves, save and audit; returns the entry."""
    entry = plan.entry
    history = list(s.get("history") or [])
    for f, new in plan.updates.items():
        s[f] = new
    if entry.get("reverses"):
        history = [dict(e, reversed_by=entry["id"]) if e.get("id") == entry["reverses"] else e for e in history]
    history.append(entry)
    s["history"] = history
    tx.put(s)
    why = entry_words(entry)
    tx.log("change", ksh=s["KSH"], xh=s.get("XH", ""), field="status", old=entry["from"], new=entry["to"], why=why,
           entry=entry["id"], code=entry["code"], **line_extra)
    for f, (old, new) in entry["fields"].items():
        tx.log("change", ksh=s["KSH"], xh=s.get("XH", ""), field=f, old=old, new=new, why=why,
               entry=entry["id"], code=entry["code"], **line_extra)
    return entry


def change(session: Session, key: str, req: ChangeRequest, today: date | None = None) -> dict:
    """Record a change entry (office), or report it for review (a college: the student is unchanged
    and the returned entry carries ``proposal``, the report's number). Refused when the state machine
    or the regulation forbids it — checked in full when reported, and again when accepted.

    ``today`` bounds the typed dates (default: the computer's date; the terminal passes its own)."""
    student = resolve(session, key)
    fill_major(session, req)
    how = require(session.clerk, change_action(codes().reason(req.code), student, req.to_college))
    with session.store.write(session.clerk.name, req.note) as tx:
        s = fresh(tx, session, student)
        plan = plan_for(tx, session, s, req, office=session.office, today=today)
        if how != PROPOSE:
            return apply_plan(tx, s, plan)
        entry = plan.entry
        pid = tx.add_proposal({
            "KSH": s["KSH"], "XH": s.get("XH", ""), "XM": s.get("XM", ""), "FY": s.get("FY", ""),
            "request": vars(req).copy(), "planned": entry, "status": PROPOSED,
            "filed_by": session.clerk.name, "filed_at": tx.at})
        tx.log("propose", ksh=s["KSH"], xh=s.get("XH", ""), field="status", old=entry["from"], new=entry["to"],
               why=entry_words(entry), proposal=pid, code=entry["code"])
        return dict(entry, proposal=pid)
