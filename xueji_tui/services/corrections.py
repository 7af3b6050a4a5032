"""Change requests (Art. 20): 申请 → 已报教育厅 → 批准 | 驳回; only the office applies an approved one.

Identity fields (姓名, 性别, 出生日期, 身份证号, 民族, 考生号) must be reported to the provincial
education department (已报教育厅) before approval. Other correctable fields a college files go to the
office, which may approve them directly.
"""

from __future__ import annotations

from xueji_tui.domain import idcard
from xueji_tui.domain.errors import InvalidInput, NotFound, Refused
from xueji_tui.domain.fields import CORRECTABLE_FIELDS, IDENTITY_FIELDS, label, normalise_field
from xueji_tui.services.session import Session
from xueji_tui.services.students import _fresh, _require_open, resolve, validate_field

FILE = "corrections.json"
TABLE = "requests"
OPEN = ("申请", "已报教育厅")


def shown(field: str, value: str) -> str:
    return idcard.mask(value) if field == "SFZH" else value


def file_in(tx, session: Session, s: dict, field: str, new: str, reason: str, evidence: str) -> str:
    """File a request inside an open transaction (used by ``verify`` too); returns its ID."""
    table = tx.table(FILE, TABLE)
    for doc in table.all():
        if doc.get("KSH") == s["KSH"] and doc.get("field") == field and doc.get("status") in OPEN:
            raise Refused(f"{s.get('XM')} 的{label(field)}已有未办结的更正申请 #{doc.doc_id}，请先办结或驳回")
    doc = {"KSH": s["KSH"], "XH": s.get("XH", ""), "XM": s.get("XM", ""), "FY": s.get("FY", ""),
           "field": field, "old": s.get(field, ""), "new": new, "reason": reason, "evidence": evidence,
           "status": "申请", "filed_by": session.clerk.name, "filed_at": tx.at,
           "steps": [{"status": "申请", "by": session.clerk.name, "at": tx.at, "note": reason}]}
    rid = str(table.insert(doc))
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
    _require_open(student)
    value = validate_field(f, new_value, student)
    if value == (student.get(f) or ""):
        raise InvalidInput(f"新值与现有{label(f)}相同")
    with session.store.write(session.clerk.name, reason) as tx:
        s = _fresh(tx, session, student)
        return file_in(tx, session, s, f, value, reason.strip(), (evidence or "").strip())


def list_requests(session: Session, open_only: bool = False) -> list[dict]:
    out = []
    for r in session.store.corrections():
        if not session.office and r.get("FY") != session.clerk.college:
            continue
        if open_only and r.get("status") not in OPEN:
            continue
        out.append(r)
    return sorted(out, key=lambda r: int(r["id"]))


def _request(tx, rid: str):
    try:
        doc_id = int(rid)
    except (TypeError, ValueError):
        raise InvalidInput(f"申请编号应为数字，现为“{rid}”") from None
    table = tx.table(FILE, TABLE)
    doc = table.get(doc_id=doc_id)
    if doc is None:
        raise NotFound(f"没有编号为 #{rid} 的更正申请")
    return table, doc_id, dict(doc)


def _step(tx, session: Session, rid: str, want: tuple[str, ...], to: str, note: str = "") -> dict:
    session.clerk.require_office("办理更正申请")
    table, doc_id, doc = _request(tx, rid)
    if doc["status"] not in want:
        raise Refused(f"更正申请 #{rid} 当前为“{doc['status']}”，不能改为“{to}”（流程：申请 → 已报教育厅 → 批准/驳回）")
    doc["status"] = to
    doc["steps"] = [*doc.get("steps", []), {"status": to, "by": session.clerk.name, "at": tx.at, "note": note}]
    table.update({"status": to, "steps": doc["steps"]}, doc_ids=[doc_id])
    return doc


def submit(session: Session, rid: str) -> dict:
    with session.store.write(session.clerk.name, "已报教育厅") as tx:
        doc = _step(tx, session, rid, ("申请",), "已报教育厅")
        tx.log("correction-submit", ksh=doc["KSH"], xh=doc["XH"], field=doc["field"], old="申请",
               new="已报教育厅", request=rid)
    return doc


def reject(session: Session, rid: str, reason: str) -> dict:
    if not (reason or "").strip():
        raise InvalidInput("请说明驳回原因（--reason）")
    with session.store.write(session.clerk.name, reason) as tx:
        doc = _step(tx, session, rid, OPEN, "驳回", reason.strip())
        tx.log("correction-reject", ksh=doc["KSH"], xh=doc["XH"], field=doc["field"],
               old=doc["steps"][-2]["status"], new="驳回", why=reason.strip(), request=rid)
    return doc


def approve(session: Session, rid: str, note: str = "") -> dict:
    """Approve and apply: the field takes the new value; the request appears in `export corrections`."""
    session.clerk.require_office("批准更正申请")
    with session.store.write(session.clerk.name, note or "更正申请获批") as tx:
        _, _, peek = _request(tx, rid)
        want = ("已报教育厅",) if peek["field"] in IDENTITY_FIELDS else OPEN
        if peek["status"] == "申请" and peek["field"] in IDENTITY_FIELDS:
            raise Refused(f"更正申请 #{rid} 涉及身份信息（{label(peek['field'])}，第二十条），须先报教育厅"
                          f"（xueji correction submit {rid}），经批准后方可生效")
        doc = _step(tx, session, rid, want, "批准", note)
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
        ver[f] = {"v": "ok", "seen": doc["new"], "corrected_from": doc["old"], "request": rid,
                  "by": session.clerk.name, "at": tx.at, "note": f"更正申请 #{rid} 已批准"}
        s["verification"] = ver
        tx.put_many([s], renamed={s["KSH"]: old_ksh} if f == "KSH" else None)
        if f == "KSH":
            requests = tx.table(FILE, TABLE)
            requests.update({"KSH": s["KSH"]}, doc_ids=[int(rid)])
        tx.log("correction-apply", ksh=s["KSH"], xh=s.get("XH", ""), field=f, old=doc["old"], new=doc["new"],
               why=doc.get("reason", ""), request=rid)
    return doc
