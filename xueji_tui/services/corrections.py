"""Change requests (Art. 20): 申请 → 已报教育厅 → 批准 | 驳回; only the office applies an approved one.

Identity fields (姓名, 性别, 出生日期, 身份证号, 民族, 考生号) must be reported to the provincial
education department (已报教育厅) before approval. Other correctable fields a college files go to the
office, which may approve them directly.
"""

from __future__ import annotations

from xueji_tui.domain import idcard
from xueji_tui.domain.corrections import (APPROVED, FILED, FLOW, OPEN, REJECTED, SUBMITTED, changes_of, contradictions,
                                          is_open)
from xueji_tui.domain.errors import InvalidInput, NotAllowed, NotFound, Refused
from xueji_tui.domain.permissions import require
from xueji_tui.domain.fields import CORRECTABLE_FIELDS, IDENTITY_FIELDS, label, normalise_field
from xueji_tui.domain.status import require_open
from xueji_tui.domain.text import typed
from xueji_tui.domain.validate import check_value
from xueji_tui.services.find import fresh, resolve
from xueji_tui.services.session import Session
from xueji_tui.services.widths import check_widths


def shown(field: str, value: str) -> str:
    return idcard.mask(value) if field == "SFZH" else value


def _require_consistent(tx, s: dict, changes: dict[str, str]) -> None:
    """The record the request would give must hold together (Art. 20): the 身份证号 valid and agreeing
    with 出生日期 and 性别, and no number another student already has."""
    after = dict(s, **changes)
    problems = contradictions(after)
    if problems:
        fix = "；".join(problems)
        also = [label(f) for f in ("SFZH", "CSRQ", "XB") if f not in changes]
        raise Refused(f"更正后 {s.get('XM')} 的身份信息互相矛盾：{fix}。请在同一申请中一并更正"
                      f"{'或'.join(also) or '相关字段'}，或核对证件后改正申请的值；未提交申请")
    for f in ("KSH", "XH", "SFZH"):
        if f in changes:
            other = next((o for o in tx.find(changes[f]) if o["KSH"] != s["KSH"] and o.get(f) == changes[f]), None)
            if other is not None:
                raise Refused(f"{label(f)} {shown(f, changes[f])} 已属于 {other.get('XM')}（考生号 {other['KSH']}），"
                              f"一个{label(f)}只能属于一名学生；请核对后再申请，未提交申请")


def file_in(tx, session: Session, s: dict, field: str, new: str, reason: str, evidence: str,
            also: dict[str, str] | None = None) -> str:
    """File a request inside an open transaction (used by ``verify`` too); returns its ID."""
    changes = {field: new, **(also or {})}
    identity = [f for f in changes if f in IDENTITY_FIELDS]
    if identity and not evidence:
        raise InvalidInput(f"更正{'、'.join(label(f) for f in identity)}属于身份信息（第二十条），须附县级以上公安部门"
                           f"出具的证明材料（--evidence，写明证明的编号和日期）；未提交申请")
    for doc in tx.corrections():
        if doc.get("KSH") == s["KSH"] and is_open(doc) and set(changes_of(doc)) & set(changes):
            raise Refused(f"{s.get('XM')} 的{label(doc['field'])}已有未办结的更正申请 #{doc['id']}，请先办结或驳回")
    _require_consistent(tx, s, changes)
    doc = {"KSH": s["KSH"], "XH": s.get("XH", ""), "XM": s.get("XM", ""), "FY": s.get("FY", ""),
           "field": field, "old": s.get(field, ""), "new": new, "reason": reason, "evidence": evidence,
           "status": FILED, "filed_by": session.clerk.name, "filed_at": tx.at,
           "steps": [{"status": FILED, "by": session.clerk.name, "at": tx.at, "note": reason}]}
    if also:
        doc["also"] = [{"field": f, "old": s.get(f, ""), "new": v} for f, v in also.items()]
    rid = tx.add_correction(doc)
    for f, (old, new_value) in changes_of(doc).items():
        tx.log("correction-file", ksh=s["KSH"], xh=s.get("XH", ""), field=f, old=old, new=new_value,
               why=reason, request=rid, evidence=evidence)
    return rid


def parse_also(pairs) -> dict[str, str]:
    """``FIELD=VALUE`` pairs (the code or the Chinese name of a field) as field code -> value."""
    out: dict[str, str] = {}
    for pair in pairs or ():
        name, sep, value = str(pair).partition("=")
        f = normalise_field(name)
        if not sep or f is None:
            raise InvalidInput(f"“{pair}”应写成 字段=新值（如 CSRQ=20070221 或 出生日期=20070221）")
        if f in out:
            raise InvalidInput(f"{label(f)}在申请中出现了两次")
        out[f] = value
    return out


def file(session: Session, key: str, field: str, new_value: str, reason: str, evidence: str = "",
         also: dict[str, str] | None = None) -> str:
    """File a request to change one field, or several identity fields at once (``also``)."""
    require(session.clerk, "correction.file")
    f = normalise_field(field)
    if f is not None and f in (also or {}):
        raise InvalidInput(f"{label(f)}在申请中出现了两次；一个字段只能给一个新值，请删去其中一个")
    wanted = {f: new_value, **(also or {})}
    for name in wanted:
        if name not in CORRECTABLE_FIELDS:
            raise InvalidInput(f"“{label(name) if name else field}”不能通过更正申请修改；专业、班级、年级等请办理相应的学籍异动")
        if name in ("ZYDM", "ZYMC"):  # one value with the catalogue entry: see services/students.verify
            raise InvalidInput("专业代码和专业名称须按专业目录一起更正：请在核对中将专业名称标记为“有误”并选择目录中的专业；"
                               "换专业请办理转专业")
    reason, evidence = typed(reason, "更正原因"), typed(evidence, "证明材料")
    if not reason:
        raise InvalidInput("请说明更正原因")
    student = resolve(session, key)
    require_open(student)
    values: dict[str, str] = {}
    for name, raw in wanted.items():
        values[name] = check_value(name, raw, dict(student, **values))
        if values[name] == (student.get(name) or ""):
            raise InvalidInput(f"新值与现有{label(name)}相同")
    check_widths(session, values)
    with session.store.write(session.clerk.name, reason) as tx:
        s = fresh(tx, session, student)
        first = values.pop(f)
        return file_in(tx, session, s, f, first, reason.strip(), (evidence or "").strip(), values or None)


def list_requests(session: Session, open_only: bool = False) -> list[dict]:
    out = []
    for r in session.store.corrections():
        if not session.office and r.get("FY") != session.clerk.college:
            continue
        if open_only and not is_open(r):
            continue
        out.append(r)
    return sorted(out, key=lambda r: int(r["id"]))


def _request(tx, rid: str) -> dict:
    if not str(rid or "").strip().lstrip("#").isdigit():
        raise InvalidInput(f"申请编号应为数字，现为“{rid}”")
    doc = tx.correction(rid)
    if doc is None:
        raise NotFound(f"没有编号为 #{rid} 的更正申请")
    return doc


def _step(tx, session: Session, rid: str, want: tuple[str, ...], to: str, note: str = "") -> dict:
    doc = _request(tx, rid)
    if doc["status"] not in want:
        raise Refused(f"更正申请 #{rid} 当前为“{doc['status']}”，不能改为“{to}”（流程：{FLOW}）")
    doc["status"] = to
    doc["steps"] = [*doc.get("steps", []), {"status": to, "by": session.clerk.name, "at": tx.at, "note": note}]
    tx.update_correction(doc["id"], {"status": to, "steps": doc["steps"]})
    return doc


def submit(session: Session, rid: str) -> dict:
    require(session.clerk, "correction.submit")
    with session.store.write(session.clerk.name, SUBMITTED) as tx:
        doc = _step(tx, session, rid, (FILED,), SUBMITTED)
        tx.log("correction-submit", ksh=doc["KSH"], xh=doc["XH"], field=doc["field"], old=FILED,
               new=SUBMITTED, request=doc["id"])
    return doc


def reject(session: Session, rid: str, reason: str) -> dict:
    require(session.clerk, "correction.reject")
    reason = typed(reason, "驳回原因")
    if not reason:
        raise InvalidInput("请说明驳回原因")
    with session.store.write(session.clerk.name, reason) as tx:
        doc = _step(tx, session, rid, OPEN, REJECTED, reason.strip())
        tx.log("correction-reject", ksh=doc["KSH"], xh=doc["XH"], field=doc["field"],
               old=doc["steps"][-2]["status"], new=REJECTED, why=reason.strip(), request=doc["id"])
    return doc


def approve(session: Session, rid: str, doc_no: str, note: str = "") -> dict:
    """Approve and apply, with the 教育厅's approval number, by an office clerk who did not file it:
    every field of the request takes its new value; the request then appears in `export corrections`."""
    require(session.clerk, "correction.approve")
    doc_no, note = typed(doc_no, "批准文号"), typed(note, "说明")
    if not doc_no:
        raise InvalidInput("请填写教育厅的批准文号（如 吉教学字〔2025〕12号）；未批准")
    with session.store.write(session.clerk.name, note or f"更正申请获批（{doc_no}）") as tx:
        peek = _request(tx, rid)
        if peek.get("filed_by") == session.clerk.name:
            raise NotAllowed(f"更正申请 #{rid} 是 {session.clerk.name} 本人提交的，须由学生工作处另一名经办人批准"
                             f"（两人经办）；未批准")
        changes = changes_of(peek)
        identity = any(f in IDENTITY_FIELDS for f in changes)
        if peek["status"] == FILED and identity:
            raise Refused(f"更正申请 #{rid} 涉及身份信息（第二十条），须先报教育厅（已报教育厅），经批准后方可生效")
        doc = _step(tx, session, rid, (SUBMITTED,) if identity else OPEN, APPROVED, note)
        doc["steps"][-1]["doc"] = doc_no
        tx.update_correction(doc["id"], {"steps": doc["steps"], "approval": doc_no})
        s = tx.get(doc["KSH"])
        if s is None:
            raise NotFound(f"更正申请 #{rid} 的学生（考生号 {doc['KSH']}）已不存在")
        for f, (old, _) in changes.items():
            if (s.get(f) or "") != old:
                raise Refused(f"{s.get('XM')} 的{label(f)}已从“{shown(f, old)}”变为“{shown(f, s.get(f, ''))}”，"
                              f"与申请时不同；请驳回后重新申请")
        _require_consistent(tx, s, {f: new for f, (_, new) in changes.items()})
        old_ksh = s["KSH"]
        ver = dict(s.get("verification") or {})
        for f, (old, new) in changes.items():
            s[f] = new
            ver[f] = {"v": "ok", "seen": new, "corrected_from": old, "request": doc["id"],
                      "by": session.clerk.name, "at": tx.at, "note": f"更正申请 #{doc['id']} 已批准（{doc_no}）"}
        s["verification"] = ver
        tx.put_many([s], renamed={s["KSH"]: old_ksh} if s["KSH"] != old_ksh else None)
        if s["KSH"] != old_ksh:
            tx.update_correction(doc["id"], {"KSH": s["KSH"]})
        for f, (old, new) in changes.items():
            tx.log("correction-apply", ksh=s["KSH"], xh=s.get("XH", ""), field=f, old=old, new=new,
                   why=doc.get("reason", ""), request=doc["id"], doc=doc_no)
    return dict(doc, approval=doc_no)
