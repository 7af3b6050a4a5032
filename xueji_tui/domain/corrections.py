"""Identity change requests (Art. 20): 申请 → 已报教育厅 → 批准 | 驳回.

The states and who may move a request between them, written once for the services, the precheck,
the imports (a pending request protects the field) and the screens.
"""

from __future__ import annotations

from xueji_tui.domain import idcard

FILED, SUBMITTED, APPROVED, REJECTED = "申请", "已报教育厅", "批准", "驳回"
OPEN: tuple[str, ...] = (FILED, SUBMITTED)  # not yet decided: the field keeps its value meanwhile
FLOW = f"{FILED} → {SUBMITTED} → {APPROVED}/{REJECTED}"


def is_open(request: dict) -> bool:
    return request.get("status") in OPEN


def approval_step(request: dict) -> dict | None:
    """The step that approved the request (who, when, the 教育厅's 文号), or None."""
    return next((st for st in reversed(request.get("steps") or []) if st.get("status") == APPROVED), None)


def open_by_student_field(requests) -> dict[tuple[str, str], list[dict]]:
    """(KSH, field) -> the open requests on it."""
    out: dict[tuple[str, str], list[dict]] = {}
    for r in requests:
        if is_open(r):
            for f in changes_of(r):
                out.setdefault((r.get("KSH"), f), []).append(r)
    return out


BY_CHSI = "已由学信网更正"  # closed: CHSI's own data brought the new value (import --accept-identity)


def changes_of(request: dict) -> dict[str, tuple[str, str]]:
    """field -> (old, new) of every field a request changes (one or several identity fields)."""
    out = {request["field"]: (request.get("old", ""), request.get("new", ""))}
    for c in request.get("also") or ():
        out[c["field"]] = (c.get("old", ""), c.get("new", ""))
    return out


def contradictions(record: dict) -> list[str]:
    """What is inconsistent in a record's identity fields (a corrected record must have none): the
    身份证号's check character, and its birth date and gender against 出生日期 and 性别."""
    sfzh = record.get("SFZH") or ""
    if not sfzh:
        return []
    return [msg for _, severity, msg in idcard.problems(sfzh, record.get("CSRQ", ""), record.get("XB", ""))
            if severity == "error"]
