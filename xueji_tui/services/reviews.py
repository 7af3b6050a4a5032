"""The office's review (复核, Art. 15 and 18) of what the colleges reported (报送).

Accepting a report applies it exactly as a direct office change (services/changes.py), planned again
on the record as it is now; rejecting records why. Either way the college sees the outcome in
``review list`` and in the student's history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xueji_tui.domain.errors import InvalidInput, NotFound, Refused, XuejiError
from xueji_tui.domain.permissions import require
from xueji_tui.domain.status import ChangeRequest
from xueji_tui.domain.text import typed
from xueji_tui.services.changes import PROPOSED, apply_plan, entry_words, plan_for
from xueji_tui.services.session import Session

ACCEPTED, REJECTED = "已接受", "已驳回"


def list_proposals(session: Session, open_only: bool = False, college: str | None = None) -> list[dict]:
    """Reports in the clerk's scope (a college sees its own), oldest first."""
    require(session.clerk, "review.list")
    scope = session.limit_college(college)
    out = [p for p in session.store.proposals()
           if (scope is None or p.get("FY") == scope) and (not open_only or p.get("status") == PROPOSED)]
    return sorted(out, key=lambda p: int(p["id"]))


def open_for_student(session: Session, ksh: str) -> list[dict]:
    """Open reports on one student (the student page shows them)."""
    return [p for p in list_proposals(session, open_only=True) if p.get("KSH") == ksh]


def _open(tx, pid: str) -> dict:
    text = str(pid or "").strip().lstrip("#")
    if not text.isdigit():
        raise InvalidInput(f"报送编号应为数字（如 #12），现为“{pid}”")
    p = tx.proposal(text)
    if p is None:
        raise NotFound(f"没有编号为 #{text} 的报送")
    if p.get("status") != PROPOSED:
        raise Refused(f"报送 #{text} 已{p['status'][1:]}（{p.get('decided_by', '')} {str(p.get('decided_at', ''))[:10]}），"
                      f"不能再办理")
    return p


def _accept_in(tx, session: Session, p: dict) -> dict:
    s = tx.get(p["KSH"])
    if s is None:
        raise NotFound(f"报送 #{p['id']} 的学生（考生号 {p['KSH']}）已不存在")
    if p.get("kind") == "annual":  # a college's 学年注册 report (services/registration.py)
        from xueji_tui.services.registration import accept_annual

        entry = accept_annual(tx, session, s, p)
        tx.update_proposal(p["id"], {"status": ACCEPTED, "decided_by": session.clerk.name, "decided_at": tx.at,
                                     "entry": entry["id"]})
        tx.log("review-accept", ksh=s["KSH"], xh=s.get("XH", ""), field="proposal", old=PROPOSED, new=ACCEPTED,
               why=entry_words(entry), proposal=p["id"], entry=entry["id"])
        return entry
    req = ChangeRequest(**p["request"])
    plan = plan_for(tx, session, s, req, office=True)
    plan.entry["proposed_by"] = p.get("filed_by", "")
    entry = apply_plan(tx, s, plan, proposal=p["id"])
    tx.update_proposal(p["id"], {"status": ACCEPTED, "decided_by": session.clerk.name, "decided_at": tx.at,
                                 "entry": entry["id"]})
    tx.log("review-accept", ksh=s["KSH"], xh=s.get("XH", ""), field="proposal", old=PROPOSED, new=ACCEPTED,
           why=entry_words(entry), proposal=p["id"], entry=entry["id"])
    return entry


def accept(session: Session, pid: str) -> dict:
    """Accept one report: the change entry it becomes (recorded by this office clerk)."""
    require(session.clerk, "review.accept")
    with session.store.write(session.clerk.name, "复核学院报送") as tx:
        p = _open(tx, pid)
        try:
            return _accept_in(tx, session, p)
        except XuejiError as e:
            raise type(e)(f"报送 #{p['id']}（{p.get('XM', '')}）不能接受：{e.message}") from None


@dataclass
class Accepted:
    entries: list[tuple[dict, dict]] = field(default_factory=list)  # (proposal, entry)
    refused: list[tuple[dict, str]] = field(default_factory=list)   # (proposal, why): left open


def accept_all(session: Session, college: str | None = None) -> Accepted:
    """Accept every open report (of one college), in one transaction; a report the record no longer
    allows (the student changed meanwhile) stays open and is listed with the reason."""
    require(session.clerk, "review.accept")
    out = Accepted()
    todo = list_proposals(session, open_only=True, college=college)
    if not todo:
        raise NotFound(f"{college or '各学院'}没有待复核的报送")
    with session.store.write(session.clerk.name, "复核学院报送（全部接受）") as tx:
        for p in todo:
            fresh = tx.proposal(p["id"])
            if fresh is None or fresh.get("status") != PROPOSED:
                continue
            try:
                out.entries.append((fresh, _accept_in(tx, session, fresh)))
            except XuejiError as e:
                out.refused.append((fresh, e.message))
        if not out.entries:
            raise Refused("没有可以接受的报送：" + "；".join(f"#{p['id']} {why}" for p, why in out.refused[:10]))
    return out


def reject(session: Session, pid: str, reason: str) -> dict:
    require(session.clerk, "review.reject")
    reason = typed(reason, "驳回原因")
    if not reason:
        raise InvalidInput("请说明驳回原因，学院会看到它")
    with session.store.write(session.clerk.name, reason) as tx:
        p = _open(tx, pid)
        tx.update_proposal(p["id"], {"status": REJECTED, "decided_by": session.clerk.name, "decided_at": tx.at,
                                     "reason": reason})
        tx.log("review-reject", ksh=p["KSH"], xh=p.get("XH", ""), field="proposal", old=PROPOSED, new=REJECTED,
               why=reason, proposal=p["id"])
    return dict(p, status=REJECTED, reason=reason)
