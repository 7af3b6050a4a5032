"""The year's registration (Art. 6, 18): who the bulk register registers, who it skips and why.

A freshman of the year is registered with 0101 (复查合格), exactly as a single change would; a
returning student in school gets the year's 学年注册 mark (``annual``: school year → who and when),
which leaves the status as it is. Skipped, each with the reason: 暂缓注册 (registered later with 0103
once the fees are paid), an Art. 6 check not complete in the current round, a report (报送) the office
has not yet decided. Students suspended (休学, 保留学籍), 保留入学资格 and ended are not in the year's
registration at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.progress import school_year_of
from xueji_tui.domain.validate import parse_date
from xueji_tui.domain.verification import current_round, registration_gaps

FRESHMAN, RETURNING, DONE, SKIP, OUT = "0101", "学年注册", "done", "skip", "out"
ANNUAL_WORDS = "学年注册"


def cohort(s: dict) -> str:
    return (s.get("RXRQ") or "")[:4]


def live_entries(s: dict) -> list[dict]:
    return [e for e in s.get("history") or [] if not e.get("reversed_by") and e.get("kind") != "reversal"]


def registered_for(s: dict, year: int) -> bool:
    """Registered for the school year: its 学年注册 mark, or a registration entry (01xx) dated in it."""
    if str(year) in (s.get("annual") or {}):
        return True
    for e in live_entries(s):
        day = parse_date(e.get("date") or "")
        if str(e.get("code", "")).startswith("01") and day is not None and school_year_of(day) == year:
            return True
    return False


def awaiting_annual(s: dict, year: int) -> bool:
    """In school (注册学籍) from an earlier cohort without the school year's 学年注册: an upload must not
    tell CHSI the student is registered for ``year`` yet."""
    mine = cohort(s)
    return (s.get("status") == "注册学籍" and mine.isdigit() and int(mine) < year
            and not registered_for(s, year))


def deferral(s: dict) -> dict | None:
    """The 暂缓注册 entry (05xx) that put the student where they are, if any."""
    return next((e for e in reversed(live_entries(s)) if str(e.get("code", "")).startswith("05")), None)


def deferral_words(s: dict) -> str:
    e = deferral(s)
    said = f"（{e['code']} {e.get('reason', '')}，{e.get('date', '')}）" if e else ""
    return f"暂缓注册{said}：缴清学费或事由消除后以 0103 补注册"


@dataclass(frozen=True)
class Verdict:
    kind: str   # FRESHMAN | RETURNING | DONE | SKIP | OUT
    why: str = ""


def check_register_year(year: int, settings: dict, today: date) -> None:
    """The year's registration is for a school year that has come: the round of checks open now
    (Art. 17), or, before any round was opened, this school year. A later one is refused — its
    学年注册 would be given on checks of a year before (Art. 6, 18)."""
    now = current_round(settings)
    latest = now if now is not None else school_year_of(today)
    if year > latest:
        how = (f"当前核对轮次为 {now} 学年；新学年开学后先开启该学年的核对（xueji campaign start --year {year}）"
               if now is not None else f"现在是 {latest} 学年")
        raise InvalidInput(f"{year} 学年尚未开始注册：{how}。请核对学年；未作任何修改")


def classify(s: dict, year: int, settings: dict, open_report: str = "") -> Verdict:
    """What the year's bulk register does with student ``s``. ``open_report``: words naming a report
    (报送) of the student still waiting for the office, if any."""
    c = codes()
    status = s.get("status", "")
    group = c.statuses.get(status)
    mine = cohort(s)
    if group == "ended" or not mine.isdigit() or int(mine) > year:
        return Verdict(OUT)
    fresh = int(mine) == year
    if status == "注册学籍" and (fresh or registered_for(s, year)):
        return Verdict(DONE)
    if status == "暂缓注册":
        return Verdict(SKIP, deferral_words(s))
    if status == "待注册" and not fresh:
        return Verdict(SKIP, f"{mine} 级新生至今仍为待注册：请逐个复查后办理（0101），不在 {year} 学年的批量注册中")
    if status not in ("待注册", "注册学籍"):
        return Verdict(OUT)  # 休学, 保留学籍, 保留入学资格: not registered this year
    if open_report:
        return Verdict(SKIP, f"有待学生工作处复核的报送 {open_report}：复核后再注册")
    gaps = registration_gaps(s, settings)
    if gaps:
        return Verdict(SKIP, "核对未完成（第六、十八条）：" + "；".join(gaps))
    return Verdict(FRESHMAN if status == "待注册" else RETURNING)


def annual_entry(year: int, status: str) -> dict:
    """How a 学年注册 shows where change entries show (a report, the review list)."""
    return {"id": f"学年注册{year}", "code": ANNUAL_WORDS, "type": ANNUAL_WORDS, "reason": f"{year}学年",
            "from": status, "to": status, "fields": {}, "doc": "", "note": ""}


# -- 保留入学资格: when a freshman who kept the place is due back ------------------------------------
# school years a kept place lasts, by reason (the school's rule): 应征入伍 two years of service, else one
KEEP_YEARS = {"1401": 2}


def kept_place(s: dict) -> dict | None:
    """The 保留入学资格 entry (14xx) of a student who holds the place now."""
    if s.get("status") != "保留入学资格":
        return None
    return next((e for e in reversed(live_entries(s)) if str(e.get("code", "")).startswith("14")), None)


def due_back(entry: dict) -> int | None:
    """The school year a kept place ends: the student returns (0102) or loses it."""
    day = parse_date(entry.get("date") or "")
    return school_year_of(day) + KEEP_YEARS.get(str(entry.get("code")), 1) if day else None
