"""The sample's clock: every date derives from one reference day, so (seed, date) fixes the output."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta


def school_year(day: date) -> int:
    """The school year a day falls in, named by the year it starts (September)."""
    return day.year if day.month >= 9 else day.year - 1


@dataclass
class Calendar:
    rng: random.Random
    ref: date

    @property
    def year(self) -> int:
        return school_year(self.ref)

    @property
    def grad_year(self) -> int:
        return self.year + 1

    @property
    def term_start(self) -> date:
        return date(self.year, 9, 1)

    def between(self, lo: date, hi: date) -> date:
        """A random day in [lo, hi], never after the reference day."""
        hi = min(hi, self.ref)
        if lo > hi:
            return hi
        return lo + timedelta(days=self.rng.randrange((hi - lo).days + 1))

    def stamp(self, day: date) -> str:
        """When a clerk recorded something on ``day``: office hours, China time."""
        hh = self.rng.choice((8, 9, 9, 10, 10, 11, 14, 14, 15, 15, 16, 17))
        return f"{day:%Y-%m-%d}T{hh:02d}:{self.rng.randrange(60):02d}:{self.rng.randrange(60):02d}+08:00"


def ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def parse(yyyymmdd: str) -> date:
    return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
