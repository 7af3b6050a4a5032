"""`xueji campaign start`: the office opens the school year's verification round (Art. 17).

One transaction: the round joins the settings' ``rounds``, and every student's verdicts of other
school years move into the student's ``rounds`` (domain/verification.py), so the queue, the college
workbook and the registration gate count this round's only. Nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from xueji_tui.bulk import gc_paused
from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.permissions import require
from xueji_tui.domain.progress import school_year_of
from xueji_tui.domain.record import copy_record
from xueji_tui.domain.validate import year_value
from xueji_tui.domain.verification import close_rounds, current_round, rounds
from xueji_tui.services.session import Session


@dataclass
class Opened:
    year: int
    opened: bool                     # False: this round was already open, nothing written
    previous: int | None = None
    students: int = 0                # students whose earlier verdicts were moved
    verdicts: dict[str, int] = field(default_factory=dict)  # school year -> verdicts moved
    at: str = ""
    by: str = ""


def start(session: Session, year) -> Opened:
    require(session.clerk, "campaign.start")
    year = year_value(year, "学年")
    settings = session.store.settings
    now = current_round(settings)
    if now == year:
        r = rounds(settings)[-1]
        return Opened(year, False, now, at=r.get("at", ""), by=r.get("by", ""))
    this = school_year_of(date.today())
    if year > this + 1:
        raise InvalidInput(f"{year} 学年尚未到来（现在是 {this} 学年）：请核对学年")
    if now is not None and year < now:
        raise InvalidInput(f"已开启 {now} 学年的核对，不能再开启更早的 {year} 学年（每学年一轮，依次向后）")
    why = f"开启 {year} 学年核对（第十七条）"
    out = Opened(year, True, now)
    with gc_paused(), session.store.write(session.clerk.name, why) as tx:
        before = rounds(session.store.settings)
        tx.update_settings({"rounds": before + [{"year": year, "at": tx.at, "by": session.clerk.name}]})
        tx.log("campaign-start", field="round", old=now, new=year, why=why)
        changed = []
        for s in session.store.students(keep=False):
            if not s.get("verification"):
                continue
            mine = copy_record(s)
            moved = close_rounds(mine, year, before)
            if not moved:
                continue
            changed.append(mine)
            for y, n in moved.items():
                out.verdicts[y] = out.verdicts.get(y, 0) + n
            tx.log("round-close", ksh=mine["KSH"], xh=mine.get("XH", ""), field="verification", old=moved, new=None,
                   why=f"{why}：以前学年的核对结论移入核对历史")
        if changed:
            tx.put_many(changed)
        out.students, out.at, out.by = len(changed), tx.at, session.clerk.name
    return out
