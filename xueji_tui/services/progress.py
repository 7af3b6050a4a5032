"""The 进度 area: the regulation's deadlines with days left, and each college's progress."""

from __future__ import annotations

from collections import Counter
from datetime import date

from xueji_tui.domain.corrections import is_open
from xueji_tui.domain.record import ROW
from xueji_tui.domain.progress import Progress, college_progress, deadlines, default_term_start, school_year_of
from xueji_tui.domain.validate import parse_date
from xueji_tui.services.session import Session


def term_start(session: Session, today: date) -> date:
    """The settings' 开学日期 when it is in this school year, else 1 September."""
    configured = parse_date(session.store.settings.get("term_start", ""))
    if configured and school_year_of(configured) == school_year_of(today):
        return configured
    return default_term_start(today)


def progress(session: Session, today: date | None = None, with_photos: bool = True) -> Progress:
    today = today or date.today()
    start = term_start(session, today)
    year = start.year
    scope = session.scope()
    rows = session.store.rows(scope)
    open_requests = Counter(r.get("FY", "") for r in session.store.corrections()
                            if is_open(r) and (scope is None or r.get("FY") == scope))
    photo_dates = []
    if with_photos:
        grads = {r[0] for r in rows if r[ROW["grad_year"]] in (year, year + 1)}
        if grads:
            for s in session.store.students(scope, keep=False):
                if s.get("KSH") in grads:
                    d = parse_date((s.get("photo") or {}).get("taken_on") or "")
                    if d:
                        photo_dates.append(d)
    return Progress(year, start, deadlines(start, today, photo_dates), college_progress(rows, year, open_requests))
