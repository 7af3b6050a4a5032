"""Two imports of the office's year: the school's own placement file and the 暂缓注册 list.

- ``placement`` (KSH, XH, FY, BH): the 学号, college and class a school made outside xueji. A 学号
  must be unique in the file and in the school (a row that would take another student's is
  rejected, naming them); the college must be one the major catalogue knows; a student who already
  has 学籍 keeps the 学号 (it moves only by correction). Applied like any import (import_apply).
- ``deferrals`` (KSH or XH per row, an optional 原因): each student listed becomes 暂缓注册 by a
  0501 entry (未按规定缴纳学费), planned by the state machine and applied by services/changes.py
  exactly as a single `xueji change … 0501`; the bulk register then skips them, and once paid they
  are registered with 0103. A student the state machine will not defer (休学, 已注销 …) is a
  rejected row with the rule's words; one already 暂缓注册 is unchanged.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import XuejiError
from xueji_tui.domain.placement import expected_graduation
from xueji_tui.domain.record import copy_record
from xueji_tui.domain.status import ChangeRequest, plan_change
from xueji_tui.domain.validate import check_value
from xueji_tui.services.import_plan import Changed, ImportPlan, Reject, originals
from xueji_tui.services.session import Session

DEFER_CODE = "0501"


def _reject(plan: ImportPlan, r: dict, why: str) -> None:
    plan.rejected.append(Reject(r["_row"], why, originals(r, None), r.get("_sheet", "")))


def _who(s: dict) -> str:
    return f"{s.get('XM', '')}（考生号 {s.get('KSH', '')}" + (f"，学号 {s['XH']}）" if s.get("XH") else "）")


def plan_placement_file(session: Session, plan: ImportPlan, rows: list[dict]) -> None:
    store = session.store
    majors = store.majors()
    colleges = {m.get("FY") for m in majors if m.get("FY")}
    catalogue = {(m.get("ZYDM") or "").upper(): m for m in majors}
    dup = Counter((r.get("XH") or "").upper() for r in rows if r.get("XH"))
    lines: dict[str, list[int]] = {}
    for r in rows:
        lines.setdefault((r.get("XH") or "").upper(), []).append(r["_row"])
    wanted = {r["KSH"]: (r.get("XH") or "").upper() for r in rows}
    ended = codes().is_ended
    for r in rows:
        s = store.get(r["KSH"])
        if s is None:
            _reject(plan, r, f"找不到考生号为 {r['KSH']} 的学生：请先导入录取新生数据")
            continue
        try:
            xh = check_value("XH", r.get("XH") or "")
        except XuejiError as e:
            _reject(plan, r, e.message)
            continue
        if dup[xh.upper()] > 1:
            where = "、".join(str(n) for n in lines[xh.upper()])
            _reject(plan, r, f"学号 {xh} 在文件中出现 {dup[xh.upper()]} 次（第 {where} 行）：一个学号只能给一名学生，全部拒收")
            continue
        holder = next((o for o in store.find(xh) if o["KSH"] != s["KSH"] and (o.get("XH") or "").upper() == xh.upper()),
                      None)
        if holder is not None and wanted.get(holder["KSH"], (holder.get("XH") or "").upper()) == xh.upper():
            _reject(plan, r, f"学号 {xh} 已属于 {_who(holder)}：一个学号只能给一名学生")
            continue
        if ended(s.get("status", "")):
            _reject(plan, r, f"{_who(s)}的学籍状态为“{s.get('status')}”（已终结），不再编班")
            continue
        if s.get("XH") and s["XH"].upper() != xh.upper() and s.get("status") != "待注册":
            _reject(plan, r, f"{_who(s)}已有学籍，学号 {s['XH']} 不能由编班文件修改（须学生工作处更正）")
            continue
        fy = (r.get("FY") or "").strip()
        m = catalogue.get((s.get("ZYDM") or "").upper())
        if fy and fy not in colleges:
            _reject(plan, r, f"学院“{fy}”不在专业目录中：请核对学院名称，或先在专业目录中添加该学院的专业")
            continue
        fy = fy or s.get("FY") or (m or {}).get("FY", "")
        after = {"XH": xh, "FY": fy, "BH": (r.get("BH") or "").strip() or s.get("BH", "")}
        if fy != s.get("FY") and m is not None and m.get("FY") == fy:
            after["XSH"] = m.get("XSH", "")
        if not s.get("YJBYRQ") and (s.get("RXRQ") or "")[:4].isdigit():
            after["YJBYRQ"] = expected_graduation(int(s["RXRQ"][:4]), s.get("XZ", ""))
        changes = [(f, s.get(f, ""), v) for f, v in after.items() if (s.get(f) or "") != v]
        if not changes:
            plan.unchanged.append(s["KSH"])
            continue
        new = copy_record(s)
        new.update({f: v for f, _, v in changes})
        plan.updates.append(new)
        plan.changed.append(Changed(s["KSH"], s.get("XH", ""), s.get("XM", ""), changes))


def _student(session: Session, r: dict) -> tuple[dict | None, str]:
    if r.get("KSH"):
        s = session.store.get(r["KSH"])
        return s, "" if s else f"找不到考生号为 {r['KSH']} 的学生"
    xh = (r.get("XH") or "").strip()
    found = [s for s in session.store.find(xh) if (s.get("XH") or "").upper() == xh.upper()]
    if len(found) == 1:
        return found[0], ""
    return None, f"找不到学号为 {xh} 的学生" if not found else f"学号 {xh} 对应多名学生，请改用考生号"


def plan_deferrals(session: Session, plan: ImportPlan, rows: list[dict], today: date | None = None) -> None:
    day = (today or date.today()).strftime("%Y%m%d")
    seen: dict[str, int] = {}
    for r in rows:
        s, why = _student(session, r)
        if s is None:
            _reject(plan, r, why)
            continue
        if s["KSH"] in seen:
            _reject(plan, r, f"{_who(s)}在文件中已出现于第 {seen[s['KSH']]} 行")
            continue
        seen[s["KSH"]] = r["_row"]
        if r.get("KSH") and r.get("XH") and (s.get("XH") or "").upper() != r["XH"].upper():
            _reject(plan, r, f"考生号 {r['KSH']} 与学号 {r['XH']} 不是同一名学生（该考生的学号为 {s.get('XH') or '空'}）")
            continue
        if s.get("status") == "暂缓注册":
            plan.unchanged.append(s["KSH"])
            continue
        try:
            plan_change(s, ChangeRequest(code=DEFER_CODE, date=day, note=_note(plan, r)), office=True, clerk="", at="",
                        entry_id="")
        except XuejiError as e:
            _reject(plan, r, f"{_who(s)}不能暂缓注册：{e.message}")
            continue
        plan.updates.append({"KSH": s["KSH"], "note": _note(plan, r)})
        plan.changed.append(Changed(s["KSH"], s.get("XH", ""), s.get("XM", ""), [("XJZT", s.get("status"), "暂缓注册")]))


def _note(plan: ImportPlan, r: dict) -> str:
    said = (r.get("BZ") or "").strip()
    return f"暂缓注册名单 {plan.path.name}" + (f"：{said}" if said else "")


def apply_deferrals(session: Session, plan: ImportPlan, why: str, replan) -> dict:
    """Each planned student's 0501 entry, in ONE transaction with the import's record."""
    from xueji_tui.services.changes import apply_plan, plan_for

    day = date.today().strftime("%Y%m%d")
    with session.store.write(session.clerk.name, why) as tx:
        if session.store.state() != plan.head:
            replan()
            plan.notes.append("预览之后其他经办人保存了修改，已按最新数据重新比对")
        for u in plan.updates:
            s = tx.get(u["KSH"])
            p = plan_for(tx, session, s, ChangeRequest(code=DEFER_CODE, date=day, note=u["note"]), office=True)
            apply_plan(tx, s, p, file=plan.path.name)
        counts = plan.counts()
        tx.record_import({"kind": plan.kind, "file": plan.path.name, "sha256": plan.sha256, "at": tx.at,
                          "clerk": session.clerk.name, "counts": counts})
        tx.log("import", why=why, new=counts, file=plan.path.name, sha256=plan.sha256, kind=plan.kind)
    return counts

