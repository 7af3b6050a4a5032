"""The graduation photo checklist (Art. 28): who still lacks a photo, a link or a check, and the
chase list the office sends round. The same expected graduates as the precheck."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xueji_tui.domain import photos
from xueji_tui.domain.validate import parse_date
from xueji_tui.precheck import graduates
from xueji_tui.services.graduation import check_year, default_year
from xueji_tui.services.session import Session


# -- the photo checklist (Art. 28) --------------------------------------------------------------
PHOTO_STEPS = ("taken", "linked", "checked", "disputed", "missing")
STEP_WORDS = {"taken": "已采集", "linked": "已链接", "checked": "已校对", "disputed": "有异议",
              "missing": "未采集", "unlinked": "未链接", "unchecked": "未校对", "early": f"不足{photos.CHECK_AFTER_DAYS}天校对"}


def photo_state(s: dict) -> dict[str, bool]:
    """The steps a student's photo has reached, and what it still lacks."""
    p = s.get("photo") or {}
    taken = bool(p.get("taken"))
    linked = taken and bool(p.get("linked"))
    check = p.get("check") or "未校对"
    early = taken and photos.checked_too_early(parse_date(p.get("taken_on") or ""),
                                               parse_date(p.get("checked_on") or ""), check)
    return {"taken": taken, "linked": linked, "checked": linked and check == "无误",
            "disputed": taken and check == "有异议", "missing": not taken,
            "unlinked": taken and not linked, "unchecked": linked and check == "未校对", "early": early}


@dataclass
class PhotoChecklist:
    year: int
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)               # step -> students
    by_college: dict[str, dict[str, int]] = field(default_factory=dict)  # FY -> step -> students (+ total)
    students: list[dict] = field(default_factory=list)                 # the year's graduates in scope
    states: dict[str, dict[str, bool]] = field(default_factory=dict)   # KSH -> photo_state

    def lacking(self, what: str) -> list[dict]:
        """Students lacking a step: missing, unlinked, unchecked, disputed or early."""
        return [s for s in self.students if self.states[s["KSH"]].get(what)]

    def chase(self) -> list[tuple[dict, str]]:
        """Who to chase and why: not taken, not linked, not checked, disputed, checked too early."""
        out = []
        for s in self.students:
            st = self.states[s["KSH"]]
            for what in ("missing", "unlinked", "unchecked", "disputed", "early"):
                if st[what]:
                    out.append((s, what))
                    break
        return out


def photo_checklist(session: Session, year: int | None = None, college: str | None = None) -> PhotoChecklist:
    """The photo checklist of a graduation year (the same expected graduates as the precheck)."""
    y = check_year(year if year is not None else default_year())
    scope = session.limit_college(college)
    out = PhotoChecklist(y)
    keys = PHOTO_STEPS + ("unlinked", "unchecked", "early")
    out.counts = {k: 0 for k in keys}
    for s in session.store.students(keep=False):
        if scope is not None and (s.get("FY") or "") != scope:
            continue
        if not graduates.in_year(s, y) or graduates.is_registered(s):
            continue
        st = photo_state(s)
        out.students.append(s)
        out.states[s["KSH"]] = st
        col = out.by_college.setdefault(s.get("FY") or "", {"total": 0, **{k: 0 for k in keys}})
        col["total"] += 1
        for k in keys:
            if st[k]:
                out.counts[k] += 1
                col[k] += 1
    out.students.sort(key=graduates.order_key)
    out.total = len(out.students)
    out.by_college = dict(sorted(out.by_college.items()))
    return out


CHASE_PROFILE = {
    "name": "photo-chase", "title": "毕业照片催办名单", "direction": "export", "sheet": "照片催办",
    "fields": [
        {"code": "FY", "source": "FY", "width": 24},
        {"code": "BH", "source": "BH", "width": 24},
        {"code": "XH", "source": "XH", "width": 15},
        {"code": "KSH", "source": "KSH", "width": 18},
        {"code": "XM", "source": "XM", "width": 40},
        {"code": "CJRQ", "source": "photo.taken_on", "width": 8, "title": "采集日期"},
        {"code": "LJZT", "source": "photo.linked", "width": 2, "title": "链接状态", "transform": "yesno"},
        {"code": "JDJL", "source": "photo.check", "width": 6, "title": "校对结论"},
        {"code": "JDRQ", "source": "photo.checked_on", "width": 8, "title": "校对日期"},
        {"code": "CBYY", "source": "_why", "width": 60, "title": "催办原因"},
    ],
}
CHASE_WHY = {
    "missing": "未采集照片：请到新华社采集点补拍",
    "unlinked": "照片未链接学籍：请向新华社吉林省分社查询",
    "unchecked": "未校对照片：请登录学信网学历电子图像校对系统提交校对结论",
    "disputed": "对照片有异议：请与招生办公室联系",
    "early": f"拍摄后不足 {photos.CHECK_AFTER_DAYS} 天即校对：请在拍摄 {photos.CHECK_AFTER_DAYS} 天后重新校对",
}


def export_chase_list(session: Session, out: Path, year: int | None = None,
                      college: str | None = None, force: bool = False) -> int:
    """The chase list (XLSX): students missing a photo step, and those who checked < 40 days after."""
    from xueji_tui.formats import profiles, writers

    checklist = photo_checklist(session, year, college)
    records = [dict(s, _why=CHASE_WHY[what]) for s, what in checklist.chase()]
    profile = profiles.build(CHASE_PROFILE, "photo-chase")
    return writers.write_xlsx(Path(out), profile, records, sheet_title=f"{checklist.year}届照片催办", force=force)
