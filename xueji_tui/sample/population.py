"""The students as CHSI admitted them: cohorts, colleges, majors, classes, names and numbers.

Life since admission (registrations, 异动, photos, the graduate list) is added by ``stories``;
defects are planted by ``defects``. Everything draws from one seeded ``random.Random`` in a fixed
order, so a seed and a reference day always give the same school.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from xueji_tui.domain.fields import CHSI_FIELDS
from xueji_tui.sample import names, people
from xueji_tui.sample.calendar import ymd
from xueji_tui.sample.school import CLASS_SIZE, COLLEGES, SCHOOL_CODE, SCHOOL_NAME, College, Major

# the newest cohort is a little larger: enrolment grows
COHORT_WEIGHTS = (235, 245, 255, 265)  # entry years S-3, S-2, S-1, S


@dataclass
class Population:
    students: list[dict] = field(default_factory=list)
    # (ZYDM, grade) -> class names (BH), for 转专业, 留降级 and 跳级 targets
    classes: dict[tuple[str, int], list[str]] = field(default_factory=lambda: defaultdict(list))
    where: dict[str, tuple[College, Major]] = field(default_factory=dict)  # KSH -> admitted college/major
    serials: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))  # (year, college no)


def split(total: int, weights: list[int]) -> list[int]:
    """``total`` shared out by ``weights``, largest remainders first (sums exactly to ``total``)."""
    w = sum(weights)
    exact = [total * x / w for x in weights]
    out = [int(e) for e in exact]
    rest = sorted(range(len(weights)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in rest[: total - sum(out)]:
        out[i] += 1
    return out


def _blank() -> dict:
    s = {f: "" for f in CHSI_FIELDS}
    s.update(status="", verification={}, photo=None, history=[], grad_year=None)
    return s


def _zzmm(rng: random.Random, years_in: int) -> str:
    party = (0.004, 0.02, 0.06, 0.12, 0.14)[min(years_in, 4)]
    probation = (0.004, 0.01, 0.03, 0.05, 0.05)[min(years_in, 4)]
    r = rng.random()
    if r < party:
        return "中国共产党党员"  # the spelling import stores (formats.normalise: the name fits C(16))
    if r < party + probation:
        return "中共预备党员"
    return "群众" if rng.random() < 0.1 else "共青团员"


class Admissions:
    """Makes admitted students one at a time, with unique numbers and names in their tradition."""

    def __init__(self, rng: random.Random, school_year: int, pop: Population):
        self.rng = rng
        self.school_year = school_year
        self.pop = pop
        self.numbers = people.Numbers(rng)

    def admit(self, year: int, college: College, major: Major, bh: str) -> dict:
        rng = self.rng
        origin = people.pick(rng, people.ORIGINS)
        region = people.pick(rng, origin.regions)
        mz = people.pick(rng, origin.ethnicities)
        male = rng.random() >= college.female
        born = people.birth_date(rng, year)
        self.pop.serials[(year, college.no)] += 1
        s = _blank()
        years_in = self.school_year - year
        lqlx = major.lqlx
        if lqlx == "普通类" and rng.random() < 0.06:
            lqlx = rng.choice(("国家专项计划", "地方专项计划"))
        if mz not in ("汉族",) and rng.random() < 0.08:
            lqlx = "少数民族预科班"
        xz = int(major.xz)
        s.update(
            KSH=self.numbers.ksh_for(year, origin.province, region),
            XH=f"{year}{college.no}{self.pop.serials[(year, college.no)]:04d}",
            XM=names.name_for(rng, mz, male),
            XB="男" if male else "女",
            CSRQ=ymd(born),
            SFZH=self.numbers.id_for(region, born, male),
            MZ=mz,
            ZZMM=_zzmm(rng, years_in),
            YXDM=SCHOOL_CODE, YXMC=SCHOOL_NAME,
            ZYDM=major.code, ZYMC=major.name, FY=college.name, XSH=major.dept, BH=bh,
            CC=major.cc, XXXS="普通全日制", XZ=major.xz,
            RXRQ=f"{year}0901", YJBYRQ=f"{year + xz}0630",
            LQLX=lqlx,
        )
        self.pop.where[s["KSH"]] = (college, major)
        return s


def admit_cohorts(rng: random.Random, n: int, school_year: int) -> tuple[Population, Admissions]:
    """About ``n`` students in four cohorts (entry years S-3 … S), by college share and major weight.

    专科 majors last three years, so their S-3 cohort has left: only 本科 is admitted that year.
    """
    pop = Population()
    adm = Admissions(rng, school_year, pop)
    years = [school_year - 3 + i for i in range(4)]
    for year, count in zip(years, split(n, list(COHORT_WEIGHTS))):
        places = [(c, m) for c in COLLEGES for m in c.majors
                  if m.cc == "本科" or year > school_year - 3]
        weights = [c.share * 1000 * m.weight // sum(x.weight for x in c.majors
                                                   if x.cc == "本科" or year > school_year - 3)
                   for c, m in places]
        for (college, major), k in zip(places, split(count, weights)):
            if k == 0:
                continue
            n_classes = max(1, round(k / CLASS_SIZE))
            sizes = split(k, [1] * n_classes)
            for i, size in enumerate(sizes, 1):
                bh = f"{major.short}{year % 100:02d}{i:02d}"
                pop.classes[(major.code, year)].append(bh)
                for _ in range(size):
                    pop.students.append(adm.admit(year, college, major, bh))
    return pop, adm


def extra_class(pop: Population, major: Major, year: int) -> str:
    """A class name for a cohort that has none of this major (returning students of an older year)."""
    have = pop.classes[(major.code, year)]
    if not have:
        have.append(f"{major.short}{year % 100:02d}01")
    return have[0]
