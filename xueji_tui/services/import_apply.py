"""Applying an import plan: every accepted row stored in ONE audited transaction, or none; rejected
rows written to a rejects file next to the input for follow-up."""

from __future__ import annotations

from pathlib import Path

from xueji_tui.bulk import gc_paused
from xueji_tui.domain.corrections import BY_CHSI, changes_of, is_open
from xueji_tui.formats.rejects import write_rejects as write_rejects_file
from xueji_tui.domain.record import ROW
from xueji_tui.domain.rowset import RowSet
from xueji_tui.services.import_plan import ImportPlan
from xueji_tui.services.import_prepare import check_kind, plan_rows
from xueji_tui.services.session import Session
from xueji_tui.services.workbooks import apply_verdicts


def write_rejects(plan: ImportPlan) -> Path | None:
    """``<stem>.rejects.csv`` next to the input (UTF-8 with BOM, opens in Excel): row, reason, values."""
    if not plan.rejected:
        return None
    return write_rejects_file(plan.path, [(r.sheet, r.row, r.reason, r.values) for r in plan.rejected])


def apply_import(session: Session, plan: ImportPlan) -> dict:
    """Store every accepted row in ONE transaction (all or nothing); returns the final counts."""
    with gc_paused():
        return _apply_import(session, plan)


def _apply_import(session: Session, plan: ImportPlan) -> dict:
    check_kind(session, plan.kind)
    rejects = write_rejects(plan) if plan.rejected else None
    why = f"导入{plan.title} {plan.path.name}"
    if plan.kind == "workbook":
        counts = apply_verdicts(session, plan, why)
        counts["rejects_file"] = str(rejects) if rejects else ""
        return counts
    if plan.kind == "deferrals":  # 0501 entries, services/import_year.py
        from xueji_tui.services.import_year import apply_deferrals

        counts = apply_deferrals(session, plan, why, lambda: plan_rows(session, plan, plan.profile, plan.matched))
        counts["rejects_file"] = str(rejects) if rejects else ""
        return counts
    with session.store.write(session.clerk.name, why) as tx:
        if session.store.state() != plan.head:  # another clerk saved since the summary: compare again
            plan_rows(session, plan, plan.profile, plan.matched)
            plan.notes.append("预览之后其他经办人保存了修改，已按最新数据重新比对")
        if plan.new or plan.updates:
            tx.put_many(plan.new + plan.updates)
        if plan.majors:
            tx.add_majors(plan.majors)
        counts = plan.counts()
        tx.record_import({
            "kind": plan.kind, "file": plan.path.name, "sha256": plan.sha256, "at": tx.at,
            "clerk": session.clerk.name, "counts": counts})
        tx.log("import", why=why, new=counts, file=plan.path.name, sha256=plan.sha256, kind=plan.kind)
        for s in plan.new:
            tx.log("import-new", ksh=s["KSH"], xh=s.get("XH", ""), field="status", new=s.get("status"), why=why)
        taken = {(d.ksh, d.field) for d in plan.identity if plan.accept_identity and not d.held}
        for c in plan.changed:
            for f, old, new in c.fields:
                if (c.ksh, f) in taken:  # Art. 20: CHSI's 身份信息, accepted by the office with this file
                    tx.log("import-identity", ksh=c.ksh, xh=c.xh, field=f, old=old, new=new,
                           why=f"{why}：按学信网数据更正身份信息", file=plan.path.name, sha256=plan.sha256)
                else:
                    tx.log("import-change", ksh=c.ksh, xh=c.xh, field=f, old=old, new=new, why=why)
        _close_requests(tx, session, plan, taken)
        for c in plan.conflicts:
            tx.log("import-conflict", ksh=c.ksh, xh=c.xh, field=c.field, old=c.local, new=c.chsi,
                   why=f"{why}：保留本地值（{c.why}）")
    counts["rejects_file"] = str(rejects) if rejects else ""
    counts["with_problems"] = _with_problems(session, plan)
    return counts


def _close_requests(tx, session: Session, plan: ImportPlan, taken: set[tuple[str, str]]) -> None:
    """An open request for a field CHSI has now changed to the same value is done: 已由学信网更正."""
    values = {(d.ksh, d.field): d.chsi for d in plan.identity}
    for req in tx.corrections():
        if not is_open(req):
            continue
        wanted = changes_of(req)
        fields = [(req["KSH"], f) for f in wanted]
        if not fields or not all(k in taken for k in fields):
            continue
        if any(values[(req["KSH"], f)] != new for f, (_, new) in wanted.items()):
            continue  # CHSI brought another value: the request stays for the office to decide
        steps = [*req.get("steps", []), {"status": BY_CHSI, "by": session.clerk.name, "at": tx.at,
                                         "note": f"学信网数据 {plan.path.name}（SHA-256 {plan.sha256[:16]}…）"}]
        tx.update_correction(req["id"], {"status": BY_CHSI, "steps": steps})
        tx.log("correction-close", ksh=req["KSH"], xh=req.get("XH", ""), field=req["field"], old=req["status"],
               new=BY_CHSI, request=req["id"], file=plan.path.name, sha256=plan.sha256)


def _with_problems(session: Session, plan: ImportPlan) -> int:
    """New or changed students the roster now marks as having problems (the store's own check)."""
    touched = {s["KSH"] for s in plan.new} | {c.ksh for c in plan.changed}
    i_ksh, i_p = ROW["KSH"], ROW["problems"]
    n = 0
    for rows in session.store.rows_by_shard().values():
        if isinstance(rows, RowSet):  # by columns: the few rows with problems found without making every row
            marks = rows.cols["problems"]
            if any(marks):
                n += sum(1 for i, p in enumerate(marks) if p and rows.row(i)[i_ksh] in touched)
        else:
            n += sum(1 for r in rows if r[i_p] and r[i_ksh] in touched)
    return n
