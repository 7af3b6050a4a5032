"""Identity change requests (Art. 20): 申请 → 已报教育厅 → 批准 | 驳回.

The states and who may move a request between them, written once for the services, the precheck,
the imports (a pending request protects the field) and the screens.
"""

from __future__ import annotations

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
            out.setdefault((r.get("KSH"), r.get("field")), []).append(r)
    return out
