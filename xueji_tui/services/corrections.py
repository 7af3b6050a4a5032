"""Change requests (Art. 20): 申请 → 已报教育厅 → 批准 | 驳回; only the office applies an approved one.

Identity fields (姓名, 性别, 出生日期, 身份证号, 民族, 考生号) must be reported to the provincial
education department (已报教育厅) before approval. Other correctable fields a college files go to the
office, which may approve them directly.
"""

from __future__ import annotations

from xueji_tui.domain import idcard
from xueji_tui.domain.corrections import APPROVED, FILED, FLOW, OPEN, REJECTED, SUBMITTED, is_open
from xueji_tui.domain.errors import InvalidInput, NotFound, Refused
from xueji_tui.domain.fields import CORRECTABLE_FIELDS, IDENTITY_FIELDS, label, normalise_field
from xueji_tui.domain.status import require_open
from xueji_tui.domain.validate import check_value
from xueji_tui.services.find import fresh, resolve
from xueji_tui.services.session import Session


def shown(field: str, value: str) -> str:
    return idcard.mask(value) if field == "SFZH" else value


def file_in(tx, session: Session, s: dict, field: str, new: str, reason: str, evidence: str) -> str:
    """File a request inside an open transaction (used by ``verify`` too); returns its ID."""
    for doc in tx.corrections():
        if doc.get("KSH") == s["KSH"] and doc.get("field") == field and is_open(doc):
            raise Refused(f"{s.get('XM')} 的{label(field)}已有未办结的更正申请 #{doc['id']}，请先办结或驳回")
    doc = {"KSH": s["KSH"], "XH": s.get("XH", ""), "XM": s.get("XM", ""), "FY": s.get("FY", ""),
           "field": field, "old": s.get(field, ""), "new": new, "reason": reason, "evidence": evidence,
           "status": FILED, "filed_by": session.clerk.name, "filed_at": tx.at,
           "steps": [{"status": FILED, "by": session.clerk.name, "at": tx.at, "note": reason}]}
    rid = tx.add_correction(doc)
    tx.log("correction-file", ksh=s["KSH"], xh=s.get("XH", ""), field=field, old=s.get(field, ""), new=new,
           why=reason, request=rid)
    return rid


def file(session: Session, key: str, field: str, new_value: str, reason: str, evidence: str = "") -> str:
    f = normalise_field(field)
    if f not in CORRECTABLE_FIELDS:
        raise InvalidInput(f"“{field}”不能通过更正申请修改；专业、班级、年级等请办理相应异动（xueji change）")
    if not (reason or "").strip():
        raise InvalidInput("请说明更正原因（--reason）")
    student = resolve(session, key)
    require_open(student)
    value = check_value(f, new_value, student)
    if value == (student.get(f) or ""):
        raise InvalidInput(f"新值与现有{label(f)}相同")
    with session.store.write(session.clerk.name, reason) as tx:
        s = fresh(tx, session, student)
        return file_in(tx, session, s, f, value, reason.strip(), (evidence or "").strip())


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
    session.clerk.require_office("办理更正申请")
    doc = _request(tx, rid)
    if doc["status"] not in want:
        raise Refused(f"更正申请 #{rid} 当前为“{doc['status']}”，不能改为“{to}”（流程：{FLOW}）")
    doc["status"] = to
    doc["steps"] = [*doc.get("steps", []), {"status": to, "by": session.clerk.name, "at": tx.at, "note": note}]
    tx.update_correction(doc["id"], {"status": to, "steps": doc["steps"]})
    return doc


def submit(session: Session, rid: str) -> dict:
    with session.store.write(session.clerk.name, SUBMITTED) as tx:
        doc = _step(tx, session, rid, (FILED,), SUBMITTED)
        tx.log("correction-submit", ksh=doc["KSH"], xh=doc["XH"], field=doc["field"], old=FILED,
               new=SUBMITTED, request=doc["id"])
    return doc


def reject(session: Session, rid: str, reason: str) -> dict:
    if not (reason or "").strip():
        raise InvalidInput("请说明驳回原因（--reason）")
    with session.store.write(session.clerk.name, reason) as tx:
        doc = _step(tx, session, rid, OPEN, REJECTED, reason.strip())
        tx.log("correction-reject", ksh=doc["KSH"], xh=doc["XH"], field=doc["field"],
               old=doc["steps"][-2]["status"], new=REJECTED, why=reason.strip(), request=doc["id"])
    return doc


def approve(session: Session, rid: str, note: str = "") -> dict:
    """Approve and apply: the field takes the new value; the request appears in `export corrections`."""
    session.clerk.require_office("批准更正申请")
    with session.store.write(session.clerk.name, note or "更正申请获批") as tx:
        peek = _request(tx, rid)
        identity = peek["field"] in IDENTITY_FIELDS
        if peek["status"] == FILED and identity:
            raise Refused(f"更正申请 #{rid} 涉及身份信息（{label(peek['field'])}，第二十条），须先报教育厅"
                          f"（xueji correction submit {rid}），经批准后方可生效")
        doc = _step(tx, session, rid, (SUBMITTED,) if identity else OPEN, APPROVED, note)
        s = tx.get(doc["KSH"])
        if s is None:
            raise NotFound(f"更正申请 #{rid} 的学生（考生号 {doc['KSH']}）已不存在")
        f = doc["field"]
        if (s.get(f) or "") != doc["old"]:
            raise Refused(f"{s.get('XM')} 的{label(f)}已从“{shown(f, doc['old'])}”变为“{shown(f, s.get(f, ''))}”，"
                          f"与申请时不同；请驳回后重新申请")
        old_ksh = s["KSH"]
        s[f] = doc["new"]
        ver = dict(s.get("verification") or {})
        ver[f] = {"v": "ok", "seen": doc["new"], "corrected_from": doc["old"], "request": doc["id"],
                  "by": session.clerk.name, "at": tx.at, "note": f"更正申请 #{doc['id']} 已批准"}
        s["verification"] = ver
        tx.put_many([s], renamed={s["KSH"]: old_ksh} if f == "KSH" else None)
        if f == "KSH":
            tx.update_correction(doc["id"], {"KSH": s["KSH"]})
        tx.log("correction-apply", ksh=s["KSH"], xh=s.get("XH", ""), field=f, old=doc["old"], new=doc["new"],
               why=doc.get("reason", ""), request=doc["id"])
    return doc
