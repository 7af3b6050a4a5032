"""The graduation photo (Art. 28): taken by Xinhua, linked to the record, checked by the student no
earlier than 40 days after it was taken. The precheck, the photo checklist and the deadlines all ask
this module, so the rule is written once."""

from __future__ import annotations

from datetime import date

CHECK_AFTER_DAYS = 40  # Art. 28: the student checks the photo 40 days after it was taken, not before
CHECKED, DISPUTED, UNCHECKED = "无误", "有异议", "未校对"


def days_between(taken: date | None, checked: date | None) -> int | None:
    if taken is None or checked is None:
        return None
    return (checked - taken).days


def checked_too_early(taken: date | None, checked: date | None, check: str) -> bool:
    """A conclusion (无误 or 有异议) given fewer than 40 days after the photo was taken."""
    days = days_between(taken, checked)
    return check in (CHECKED, DISPUTED) and days is not None and days < CHECK_AFTER_DAYS
