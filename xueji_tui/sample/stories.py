"""What happened to the sample's students since admission, recorded the way clerks record it.

Every history entry is made by the domain's own state machine (``domain.status.plan_change``), so
the sample can only contain transitions the product itself would allow. The current cohort is
being registered (most 注册学籍 by late autumn, the rest 待注册, Art. 9); older cohorts were imported
as 注册学籍 and carry this year's 暂缓注册 / 休学 / 保留学籍 and past 异动, 注销 and 记载 entries.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from xueji_tui.domain.codes import codes
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.status import ChangeRequest, plan_change
from xueji_tui.sample.calendar import Calendar, parse, ymd
from xueji_tui.sample.population import Population, extra_class
from xueji_tui.sample.school import COLLEGES, OFFICE_CLERK, Major, catalog_rows, college_by_name

AWARDS = {
    "7101": ("国家奖学金", "国家励志奖学金"),
    "7102": ("吉林省三好学生", "吉林省优秀学生干部"),
    "7103": ("校级一等奖学金", "校级三好学生", "校级优秀学生干部", "校级优秀团员"),
    "7104": ("院级优秀学生", "院级学习进步奖"),
}
PENALTIES = {
    "7201": ("考试违纪：携带手机进入考场", "无故旷课累计 20 学时"),
    "7202": ("无故旷课累计 40 学时", "宿舍违规使用大功率电器，屡教不改"),
    "7203": ("考试作弊",),
}
ACADEMIC = {"02", "04", "23", "12"}  # 教务处 documents; the rest are 学生工作处's
CATALOGUE = catalog_rows()  # the major catalogue a 转专业 takes its major from


class Docs:
    """Approval document numbers, in order per office and year: 吉师大学字〔2025〕12号."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.next: dict[tuple[str, int], int] = {}

    def number(self, kind: str, year: int) -> str:
        key = (kind, year)
        n = self.next.get(key) or self.rng.randrange(3, 15)
        self.next[key] = n + self.rng.randrange(1, 4)
        return f"吉师大{kind}字〔{year}〕{n}号"


class Life:
    def __init__(self, rng: random.Random, cal: Calendar, pop: Population):
        self.rng = rng
        self.cal = cal
        self.pop = pop
        self.docs = Docs(rng)
        self.clerk_of = {c.name: c.clerk for c in COLLEGES}

    # -- recording one entry ------------------------------------------------------------------
    def record(self, s: dict, code: str, day: date, *, office: bool = False, note: str = "",
               doc: bool | None = None, **to) -> dict:
        """Apply change ``code`` on ``day`` through the state machine; returns the entry."""
        ctype = code[:2]
        wants_doc = doc if doc is not None else ctype not in ("01", "71", "72", "99", "05")
        number = approved = ""
        if wants_doc:
            number = self.docs.number("教" if ctype in ACADEMIC else "学", day.year)
            approved = ymd(day - timedelta(days=self.rng.randrange(1, 8)))
        office = office or ctype in ("31", "18", "42", "51", "21", "61", "62", "98")
        clerk = OFFICE_CLERK if office else self.clerk_of[s["FY"]]
        history = s["history"]
        plan = plan_change(s, ChangeRequest(code=code, date=ymd(day), approved=approved, doc=number,
                                            note=note, **to),
                           office=office, clerk=clerk, at=self.cal.stamp(min(day + timedelta(days=self.rng.randrange(0, 3)), self.cal.ref)),
                           entry_id=f"E{len(history) + 1}", today=self.cal.ref, catalogue=CATALOGUE)
        for f, v in plan.updates.items():
            s[f] = v
        history.append(plan.entry)
        return plan.entry

    def award(self, s: dict, day: date) -> None:
        code = self.rng.choices(list(AWARDS), weights=(1, 3, 12, 6))[0]
        self.record(s, code, day, note=self.rng.choice(AWARDS[code]))

    def penalty(self, s: dict, day: date) -> None:
        code = self.rng.choices(list(PENALTIES), weights=(6, 3, 1))[0]
        self.record(s, code, day, office=True, note=self.rng.choice(PENALTIES[code]))

    # -- the current cohort: 新生学籍电子注册 -------------------------------------------------
    def freshman(self, s: dict) -> None:
        rng, cal = self.rng, self.cal
        start = cal.term_start
        elapsed = (cal.ref - start).days
        s["status"] = "待注册"
        r = rng.random()
        if r < 0.003:
            self.record(s, rng.choice(("1401", "1401", "1402")), cal.between(start + timedelta(3), start + timedelta(30)))
            return
        if r < 0.007:
            self.record(s, rng.choice(("1502", "1502", "1501")), cal.between(start + timedelta(5), start + timedelta(40)))
            return
        if r < 0.008:
            self.record(s, "1601", cal.between(start + timedelta(20), start + timedelta(80)), office=True)
            return
        if r < 0.013:
            self.record(s, "0501", cal.between(start + timedelta(5), start + timedelta(20)))
            return
        registered = min(0.85, max(0.0, (elapsed - 14) / 100))
        if rng.random() < registered:
            checked = cal.between(start + timedelta(7), start + timedelta(75))
            self.verify(s, ART6_FIELDS, checked)
            self.record(s, "0101", cal.between(checked, checked + timedelta(10)))
        elif elapsed > 7 and rng.random() < 0.5:
            fields = [f for f in ART6_FIELDS if rng.random() < 0.5]
            self.verify(s, fields, cal.between(start + timedelta(7), cal.ref))

    def verify(self, s: dict, fields, day: date, verdict: str = "ok", note: str = "") -> None:
        clerk = self.clerk_of[s["FY"]]
        at = self.cal.stamp(day)
        for f in fields:
            s["verification"][f] = {"v": verdict, "seen": "" if f == "ZP" else s.get(f, ""), "note": note,
                                    "by": clerk, "at": at}

    # -- older cohorts: 学年电子注册 --------------------------------------------------------
    def in_school(self, s: dict, *, graduating: bool) -> None:
        """A student imported as 注册学籍: this year's status, past 异动, 注销 and 记载."""
        rng, cal = self.rng, self.cal
        s["status"] = "注册学籍"
        year = int(s["RXRQ"][:4])
        self._story(s, year, graduating)
        if rng.random() < 0.035 and not cal_ended(s):
            lo = date(year + 1, 11, 5)
            if s["history"]:
                lo = max(lo, parse(s["history"][-1]["date"]) + timedelta(days=1))
            if lo + timedelta(days=10) <= cal.ref:
                self.award(s, cal.between(lo, lo + timedelta(days=45)))

    def _story(self, s: dict, year: int, graduating: bool) -> None:
        rng, cal = self.rng, self.cal
        r = rng.random()
        if r < 0.012 and year + 1 <= cal.year:  # 转专业 after the first year
            self.change_major(s, year, cal.between(date(year + 1, 6, 20), date(year + 1, 7, 5)))
            return
        if r < 0.027 and year + 1 <= cal.year:  # fees paid late last year
            d = cal.between(date(year + 1, 9, 3), date(year + 1, 9, 20))
            self.record(s, "0501", d)
            checked = cal.between(d + timedelta(3), d + timedelta(13))
            self.verify(s, ART6_FIELDS, checked)  # Art. 18: checked again before registered
            self.record(s, "0103", cal.between(d + timedelta(14), d + timedelta(45)))
            return
        if r < 0.031 and year + 1 <= cal.year:
            self.penalty(s, cal.between(date(year + 1, 1, 8), date(year + 1, 6, 30)))
            return
        if r < 0.037:  # dropped out some time after the first term
            self.leave(s, year)
            return
        if graduating:
            return
        start = cal.term_start
        if r < 0.052:
            self.record(s, rng.choice(("0501", "0501", "0502")), cal.between(start + timedelta(2), start + timedelta(20)))
        elif r < 0.060:
            self.record(s, "1101", cal.between(cal.ref - timedelta(300), cal.ref - timedelta(5)))
        elif r < 0.064:
            self.record(s, rng.choice(("1102", "1103", "1199")), cal.between(cal.ref - timedelta(300), cal.ref - timedelta(5)))
        elif r < 0.068:
            self.record(s, rng.choice(("1901", "1901", "1902")), cal.between(start + timedelta(5), start + timedelta(30)))
        elif r < 0.0685:
            self.record(s, "4204", cal.between(start - timedelta(300), start - timedelta(120)), office=True,
                        note="期末考试替考")
        elif r < 0.0688:
            self.record(s, rng.choice(("5101", "5102")), cal.between(start - timedelta(200), cal.ref - timedelta(10)))
        elif r < 0.0698:
            self.record(s, "2101", cal.between(start - timedelta(90), start + timedelta(20)))

    def leave(self, s: dict, year: int) -> None:
        rng, cal = self.rng, self.cal
        lo, hi = date(year + 1, 1, 5), min(cal.ref - timedelta(20), date(cal.year, 7, 10))
        if lo > hi:
            lo = hi
        if rng.random() < 0.3 and (hi - lo).days > 200:
            d = cal.between(lo, hi - timedelta(200))
            self.record(s, "1101", d)
            self.record(s, "3102", cal.between(d + timedelta(370), d + timedelta(400)) if d + timedelta(370) <= hi
                        else cal.between(d + timedelta(150), hi))
        else:
            self.record(s, rng.choice(("3106", "3106", "3101", "3105", "3103", "3104")), cal.between(lo, hi))

    def change_major(self, s: dict, year: int, day: date) -> None:
        rng = self.rng
        here = college_by_name(s["FY"])
        pool = [(c, m) for c in COLLEGES for m in c.majors
                if m.cc == s["CC"] and m.code != s["ZYDM"] and self.pop.classes.get((m.code, year))
                and (c is here or rng.random() < 0.3)]
        if not pool:
            return
        college, major = rng.choice(pool)
        self.record(s, rng.choice(("2301", "2301", "2302")), day,
                    to_major=major.code, to_class=rng.choice(self.pop.classes[(major.code, year)]))

    # -- moving between grades ------------------------------------------------------------
    def delayed(self, s: dict, major: Major) -> None:
        """休学 (因病) in the second year, 复学 a year later into the next grade (复学 1201, 留降级 0202)."""
        cal = self.cal
        year = int(s["RXRQ"][:4])
        s["status"] = "注册学籍"
        d = cal.between(date(year + 1, 3, 1), date(year + 1, 3, 25))
        self.record(s, "1101", d)
        back = cal.between(date(year + 2, 2, 25), date(year + 2, 3, 10))
        self.record(s, "1201", back)
        self.record(s, "0202", back + timedelta(days=self.rng.randrange(1, 6)), to_grade=str(year + 1),
                    to_class=extra_class(self.pop, major, year + 1))

    def skipped(self, s: dict, major: Major) -> None:
        """跳级 (学业优异) into the grade above, after the first year."""
        year = int(s["RXRQ"][:4])
        s["status"] = "注册学籍"
        self.record(s, "0401", self.cal.between(date(year + 1, 7, 1), date(year + 1, 7, 15)),
                    to_grade=str(year - 1), to_class=extra_class(self.pop, major, year - 1))


def cal_ended(s: dict) -> bool:
    return codes().is_ended(s["status"])


def graduation(rng: random.Random, cal: Calendar, s: dict) -> None:
    """The expected-graduate list (grad_year, BYRQ, BJYJL) and a clean graduation photo (Art. 28)."""
    g = cal.grad_year
    s["grad_year"] = g
    s["BYRQ"] = f"{g}0630"
    s["BJYJL"] = "结业" if rng.random() < 0.015 else "毕业"
    s["photo"] = clean_photo(rng, cal)


def clean_photo(rng: random.Random, cal: Calendar) -> dict:
    """Taken by Xinhua in the spring a year before graduation, linked, checked 41–100 days later."""
    taken = cal.between(date(cal.year, 3, 15), date(cal.year, 5, 20))
    checked = taken + timedelta(days=rng.randrange(41, 101))
    return {"taken": True, "taken_on": ymd(taken), "linked": True, "check": "无误",
            "checked_on": ymd(checked), "identity": ""}
