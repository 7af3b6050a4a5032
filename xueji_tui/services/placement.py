"""`xueji assign`: 编班 and 学号 for the year's freshmen who have none (domain/placement.py decides).

The plan is made from the store as it is (every 学号 in use, the classes already formed, the major
catalogue, the school's settings) and shown first; applying it is one audited transaction that plans
again under the writers' lock when another clerk saved meanwhile. Students who have a 学号 are never
touched, so running it again changes nothing.
"""

from __future__ import annotations

from xueji_tui.bulk import gc_paused
from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import NotFound
from xueji_tui.domain.permissions import require
from xueji_tui.domain.placement import Placement, plan_placement, scheme
from xueji_tui.domain.validate import year_value
from xueji_tui.services.session import Session


def cohort(s: dict) -> str:
    """The entry year: the cohort a freshman is placed with."""
    return (s.get("RXRQ") or "")[:4]


def catalogue(session: Session) -> dict[str, dict]:
    return {(m.get("ZYDM") or "").upper(): m for m in session.store.majors() if m.get("ZYDM")}


def plan_assign(session: Session, year) -> Placement:
    """The placement of ``year``'s freshmen without 学号: nothing is written."""
    require(session.clerk, "assign")
    year = year_value(year, "入学年份")
    size, xh_parts, bh_parts = scheme(session.store.settings)
    ended = codes().is_ended
    head = session.store.state()
    freshmen, placed, taken, classes = [], [], set(), {}
    with gc_paused():
        for s in session.store.students(keep=False):
            xh = (s.get("XH") or "").strip()
            if xh:
                taken.add(xh.upper())
            if s.get("BH"):
                classes.setdefault(s["BH"].upper(), f"{(s.get('ZYDM') or '').upper()}/{cohort(s)}")
            if cohort(s) != str(year) or ended(s.get("status", "")):
                continue
            keep = {k: s.get(k, "") for k in ("KSH", "XM", "ZYDM", "ZYMC", "XZ", "YJBYRQ", "FY", "XSH", "BH", "XH")}
            (placed if xh else freshmen).append(keep)
    plan = plan_placement(year, freshmen, placed, taken, catalogue(session), size, xh_parts, bh_parts, classes)
    plan.head = head
    return plan


def apply_assign(session: Session, plan: Placement) -> Placement:
    """Store the placement in ONE transaction; returns the plan that was applied (made again when
    another clerk saved after the preview)."""
    require(session.clerk, "assign")
    if not plan.placed:
        raise NotFound(f"{plan.year} 级没有可以分配学号的新生，未写入任何数据")
    why = f"{plan.year} 级新生编班、分配学号"
    with session.store.write(session.clerk.name, why) as tx:
        if session.store.state() != plan.head:
            plan = plan_assign(session, plan.year)
            plan.notes = ["预览之后其他经办人保存了修改，已按最新数据重新编排"]
        records = []
        for p in plan.placed:
            s = tx.get(p.ksh)
            if s is None or (s.get("XH") or "").strip():
                continue
            s.update(p.values)
            records.append((s, p))
        if not records:
            raise NotFound(f"{plan.year} 级没有可以分配学号的新生，未写入任何数据")
        tx.put_many([s for s, _ in records])
        tx.log("assign", field="placement", new={"year": plan.year, "students": len(records),
                                                 "classes": len(plan.classes)}, why=why)
        for s, p in records:
            for f, v in p.values.items():
                tx.log("assign", ksh=s["KSH"], xh=s["XH"], field=f, old=p.old.get(f, ""), new=v, why=why)
    return plan


def preview_rows(plan: Placement) -> list[list[str]]:
    """学号, 姓名, 考生号, 学院, 专业, 班号 — the preview table (CLI and 文件 area alike)."""
    return [[p.values.get("XH", ""), p.xm, p.ksh, p.values.get("FY", p.old.get("FY", "")), p.zymc,
             p.values.get("BH", p.old.get("BH", ""))] for p in plan.placed]


PREVIEW_HEADERS = ["学号", "姓名", "考生号", "学院", "专业", "班号"]


def summary(plan: Placement) -> list[str]:
    lines = [f"{plan.year} 级新生编班：分配 {len(plan.placed)} 人，{len(plan.classes)} 个班"
             + (f"，无法分配 {len(plan.problems)} 人" if plan.problems else "")
             + (f"；已有学号 {plan.already} 人（不变）" if plan.already else "")]
    return lines
