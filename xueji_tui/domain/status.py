"""The status state machine (docs/codes.md) and change entries (异动 / 注销 / 记载).

``plan_change`` decides; it does not store. It returns the entry to append to the student's history
and the field updates, or raises ``Refused`` with a message that names the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from xueji_tui.domain.codes import Reason, codes
from xueji_tui.domain.effects import effect_updates
from xueji_tui.domain.text import typed
from xueji_tui.domain.errors import InvalidInput, NotAllowed, Refused
from xueji_tui.domain.validate import approval_date_problem, effective_date_problem, normalise_date
from xueji_tui.domain.verification import require_registrable

# Fields an entry may move (codes.json effects "sets"), and the expected-graduate list it may leave.
MOVED_FIELDS = ("ZYDM", "ZYMC", "FY", "XSH", "CC", "XZ", "BH", "RXRQ", "DQSZJ", "YJBYRQ", "BYRQ", "grad_year")


@dataclass
class ChangeRequest:
    """What a clerk asked for: ``xueji change`` options or the status-change form."""

    code: str
    date: str
    approved: str = ""
    doc: str = ""
    note: str = ""
    to_major: str = ""      # ZYDM (or its catalogue name): the entry of the major catalogue
    to_major_name: str = ""  # kept for reports filed before the catalogue decided the name
    to_class: str = ""      # BH
    to_grade: str = ""      # DQSZJ, a year
    to_college: str = ""    # FY: must be the new major's college when given
    to_department: str = ""  # kept for reports filed before the catalogue decided it
    reverses: str = ""      # entry id, for 9801


@dataclass
class Plan:
    entry: dict
    updates: dict = field(default_factory=dict)  # field -> new value (status included)


def allowed_reasons(status: str, office: bool) -> list[Reason]:
    """The reason codes a clerk may choose from for a student in ``status``."""
    out = []
    for r in codes().reasons.values():
        if r.type.kind == "reversal":
            if office:
                out.append(r)
            continue
        if r.type.office_only and not office:
            continue
        if status in r.starts:
            out.append(r)
    return out


def require_open(student: dict) -> None:
    """Ended states (注销, 毕业 …) are final: nothing but an office reversal changes such a record."""
    status = student.get("status", "")
    if codes().is_ended(status):
        raise Refused(f"{student.get('XM')} 的学籍状态为“{status}”（已终结），不能再修改；"
                      f"如系录入错误，请学生工作处以 9801 撤销原记录")


def _refuse_transition(status: str, reason: Reason) -> Refused:
    c = codes()
    if c.is_ended(status):
        return Refused(
            f"不允许：学籍状态“{status}”已终结（注销、毕业后学籍不再变更）；"
            f"如系录入错误，请学生工作处以 9801 撤销原记录"
        )
    starts = "、".join(reason.starts) or "（无）"
    return Refused(
        f"不允许：学籍状态“{status}”不能办理 {reason.label}（{reason.type.name}只能从 {starts} 办理，"
        f"见第十四条）；请先办理相应的学籍异动"
    )


# what each kind of request field is called when a clerk is told it does not belong
_REQUEST_WORDS = {"to_major": "新专业", "to_class": "新班号", "to_grade": "编入年级", "to_college": "新学院"}
_NOTE_WORDS = {"71": "奖励名称", "72": "处分原因", "98": "撤销原因"}


def _check_needs(reason: Reason, req: ChangeRequest, approved: str) -> None:
    """What the reason's data says an entry cannot be saved without, and what it cannot carry."""
    ctype, needs = reason.type, reason.needs
    if "doc" in needs and not req.doc.strip():
        raise InvalidInput(f"{reason.label} 须填写批准文号（如 吉师大教字〔2025〕31号）")
    if "approved" in needs and not approved:
        raise InvalidInput(f"{reason.label} 须填写批准日期 YYYYMMDD（批准文件的日期）")
    if "note" in needs and not req.note.strip():
        raise InvalidInput(f"{reason.label} 须填写{_NOTE_WORDS.get(ctype.type, '说明')}")
    if "to_major" in needs and not req.to_major.strip():
        raise InvalidInput(f"{reason.label} 须选择专业目录中的新专业")
    if "to_grade" in needs and not req.to_grade.strip():
        raise InvalidInput(f"{reason.label} 须填写编入的年级 YYYY（如 2025）")
    if "to_class" in needs and not req.to_class.strip():
        raise InvalidInput(f"{reason.label} 须填写编入的新班号")
    extra = [w for f, w in _REQUEST_WORDS.items() if getattr(req, f).strip() and f not in reason.takes]
    if extra:
        uses = "；".join(f"{w}只用于" + "、".join(sorted({r.type.name for r in codes().reasons.values()
                                                          if f in r.takes}))
                        for f, w in _REQUEST_WORDS.items() if w in extra)
        raise InvalidInput(f"{reason.label} 不改变{'、'.join(extra)}（{uses}）；请清空后再保存")


def plan_change(student: dict, req: ChangeRequest, *, office: bool, clerk: str, at: str,
                entry_id: str, today: date | None = None, catalogue: Iterable[dict] | None = None,
                term_start: str = "") -> Plan:
    """The entry and the record's new values for ``req`` on ``student``, or a refusal naming why.

    ``today`` bounds the typed dates (the forms pass the app's day); ``catalogue`` is the major
    catalogue a 转专业 takes its major from; ``term_start`` is the school's term start (a return
    from 保留入学资格 enters on it). The record after the entry is consistent (domain/effects.py).
    """
    for what, value in (("文号", req.doc), ("说明", req.note), ("新班号", req.to_class), ("编入年级", req.to_grade)):
        typed(value, what)  # a control character never enters the record or the upload files
    reason = codes().reason(req.code)
    ctype = reason.type
    status = student.get("status", "")
    today = today or date.today()
    if ctype.office_only and not office:
        raise NotAllowed(f"{reason.label} 只能由学生工作处办理")
    day = normalise_date(req.date) if req.date else None
    if not day:
        raise InvalidInput("请填写生效日期 YYYYMMDD")
    approved = normalise_date(req.approved) if req.approved else ""
    for problem in (effective_date_problem(day, student.get("RXRQ", ""), today),
                    approval_date_problem(approved, today)):
        if problem:
            raise InvalidInput(problem)
    if ctype.kind != "reversal" and status not in reason.starts:
        raise _refuse_transition(status, reason)
    _check_needs(reason, req, approved)
    if "verified" in reason.needs:
        require_registrable(student)
    entry = {
        "id": entry_id, "code": reason.code, "type": ctype.name, "reason": reason.name,
        "kind": ctype.kind, "date": day, "approved": approved, "doc": req.doc.strip(),
        "note": req.note.strip(), "clerk": clerk, "at": at, "from": status, "to": status,
        "fields": {},
    }
    if ctype.kind == "reversal":
        return _plan_reversal(student, req, entry)
    updates: dict = {}
    if reason.to and reason.to != status:
        updates["status"] = reason.to
        entry["to"] = reason.to
    updates.update(effect_updates(student, reason, day=day, to_grade=req.to_grade, to_class=req.to_class,
                                  to_major=req.to_major, to_college=req.to_college, catalogue=catalogue,
                                  term_start=term_start))
    for f, new in list(updates.items()):
        if f == "status":
            continue
        old = student.get(f, "") if f != "grad_year" else student.get(f)
        if old == new:
            del updates[f]
        else:
            entry["fields"][f] = [old, new]
    return Plan(entry, updates)


def _plan_reversal(student: dict, req: ChangeRequest, entry: dict) -> Plan:
    history = student.get("history", [])
    live = [e for e in history if e.get("kind") != "reversal" and not e.get("reversed_by")]
    if not live:
        raise Refused("该学生没有可撤销的异动记录")
    target = live[-1] if not req.reverses else next((e for e in live if e["id"] == req.reverses), None)
    if target is None:
        ids = "、".join(e["id"] for e in live[-5:])
        raise InvalidInput(f"找不到可撤销的记录“{req.reverses}”（可撤销：{ids}）")
    later = [e for e in live if history.index(e) > history.index(target)
             and (e.get("to") != e.get("from") or e.get("fields"))]
    if later and (target.get("to") != target.get("from") or target.get("fields")):
        raise Refused(f"记录 {target['id']} 之后还有 {later[-1]['id']} {later[-1]['code']}，请先撤销后面的记录")
    updates: dict = {}
    if target.get("to") != target.get("from"):
        if student.get("status") != target["to"]:
            raise Refused(f"学籍状态已不是“{target['to']}”，不能撤销 {target['id']}")
        updates["status"] = target["from"]
        entry["to"] = target["from"]
    for f, (old, new) in (target.get("fields") or {}).items():
        if student.get(f, "") == new:
            updates[f] = old
            entry["fields"][f] = [new, old]
    entry["reverses"] = target["id"]
    return Plan(entry, updates)


def status_on(student: dict, day: str) -> str:
    """The student's 学籍状态 on ``day`` (YYYYMMDD), from the history: the state the first entry
    effective after that day started from, else the status now. Reversed entries and reversals
    cancel out and are left aside."""
    for e in student.get("history") or ():
        if e.get("reversed_by") or e.get("kind") == "reversal" or e.get("from") == e.get("to"):
            continue
        if (e.get("date") or "") > day:
            return e.get("from") or ""
    return student.get("status", "")


def reachable(start: str = "待注册") -> set[str]:
    """Every 学籍状态 the state machine can lead to from ``start`` (itself included)."""
    seen, todo = {start}, [start]
    reasons = [r for r in codes().reasons.values() if r.type.kind != "reversal"]
    while todo:
        here = todo.pop()
        for r in reasons:
            if here in r.starts and r.to and r.to not in seen:
                seen.add(r.to)
                todo.append(r.to)
    return seen
