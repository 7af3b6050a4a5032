"""The status state machine (docs/codes.md) and change entries (异动 / 注销 / 记载).

``plan_change`` decides; it does not store. It returns the entry to append to the student's history
and the field updates, or raises ``Refused`` with a message that names the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xueji_tui.domain.codes import Reason, codes
from xueji_tui.domain.errors import InvalidInput, NotAllowed, Refused
from xueji_tui.domain.validate import normalise_date
from xueji_tui.domain.verification import require_registrable

# Fields an entry may move, and where their "after" values come from.
MOVED_FIELDS = ("ZYDM", "ZYMC", "FY", "XSH", "BH", "DQSZJ", "YJBYRQ")


@dataclass
class ChangeRequest:
    """What a clerk asked for: ``xueji change`` options or the status-change form."""

    code: str
    date: str
    approved: str = ""
    doc: str = ""
    note: str = ""
    to_major: str = ""      # ZYDM
    to_major_name: str = ""  # ZYMC, resolved from the major catalogue by the caller
    to_class: str = ""      # BH
    to_grade: str = ""      # DQSZJ, a year
    to_college: str = ""    # FY
    to_department: str = ""  # XSH
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


def _shift_year(yyyymmdd: str, years: int) -> str:
    if len(yyyymmdd or "") == 8 and yyyymmdd[:4].isdigit():
        y = int(yyyymmdd[:4]) + years
        md = yyyymmdd[4:]
        if md == "0229" and not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
            md = "0228"
        return f"{y}{md}"
    return yyyymmdd


def plan_change(student: dict, req: ChangeRequest, *, office: bool, clerk: str, at: str,
                entry_id: str) -> Plan:
    reason = codes().reason(req.code)
    ctype = reason.type
    status = student.get("status", "")
    if ctype.office_only and not office:
        raise NotAllowed(f"{reason.label} 只能由学生工作处办理")
    day = normalise_date(req.date) if req.date else None
    if not day:
        raise InvalidInput("请填写生效日期 YYYYMMDD")
    approved = normalise_date(req.approved) if req.approved else ""
    needs = reason.needs
    if "doc" in needs and not req.doc.strip():
        raise InvalidInput(f"{ctype.name}须填写批准文号（如 吉师大教字〔2025〕31号）")
    if "approved" in needs and not approved:
        raise InvalidInput(f"{ctype.name}须填写批准日期 YYYYMMDD")
    if "note" in needs and not req.note.strip():
        what = {"71": "奖励名称", "72": "处分原因", "98": "撤销原因"}.get(ctype.type, "说明")
        raise InvalidInput(f"{reason.label} 须填写{what}")
    if "verified" in needs and status in reason.starts:
        require_registrable(student)
    entry = {
        "id": entry_id, "code": reason.code, "type": ctype.name, "reason": reason.name,
        "kind": ctype.kind, "date": day, "approved": approved, "doc": req.doc.strip(),
        "note": req.note.strip(), "clerk": clerk, "at": at, "from": status, "to": status,
        "fields": {},
    }
    if ctype.kind == "reversal":
        return _plan_reversal(student, req, entry)
    if status not in reason.starts:
        raise _refuse_transition(status, reason)
    updates: dict = {}
    if reason.to and reason.to != status:
        updates["status"] = reason.to
        entry["to"] = reason.to
    if ctype.type == "23":  # 转专业
        if not req.to_major or not req.to_class:
            raise InvalidInput("转专业须填写新专业代码和新班号")
        updates.update(ZYDM=req.to_major, BH=req.to_class)
        if req.to_major_name:
            updates["ZYMC"] = req.to_major_name
        if req.to_college:
            updates["FY"] = req.to_college
        if req.to_department:
            updates["XSH"] = req.to_department
    elif ctype.type in ("04", "02"):  # 跳级, 留降级
        grade = (req.to_grade or "").strip()
        if not (grade.isdigit() and len(grade) == 4):
            raise InvalidInput(f"{ctype.name}须填写编入的年级 YYYY（如 2025）")
        current = student.get("DQSZJ") or (student.get("RXRQ") or "")[:4]
        if current.isdigit():
            delta = int(grade) - int(current)
            if ctype.type == "02" and delta <= 0:
                raise Refused(f"留降级应编入比当前年级 {current} 更晚的年级，现为 {grade}")
            if ctype.type == "04" and delta >= 0:
                raise Refused(f"跳级应编入比当前年级 {current} 更早的年级，现为 {grade}")
            updates["YJBYRQ"] = _shift_year(student.get("YJBYRQ", ""), delta)
        updates["DQSZJ"] = grade
        if req.to_class:
            updates["BH"] = req.to_class
    elif req.to_class or req.to_major or req.to_grade or req.to_college:
        raise InvalidInput(f"{reason.label} 不改变专业、班级或年级；新专业、新班号、编入年级只用于转专业、跳级、留降级")
    for f, new in list(updates.items()):
        if f == "status":
            continue
        old = student.get(f, "")
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
