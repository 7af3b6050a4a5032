"""Deadlines of the regulation and each college's progress (the 进度 area).

Art. 9: the freshmen's re-check and 新生学籍电子注册 within 3 months of the first term's start.
Art. 21: 学年电子注册 within 2 months of the start of term; the statistics table by 10-30.
Art. 22: students may look themselves up from early November.
Art. 28: a graduate checks the photo no earlier than 40 days after it was taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from xueji_tui.domain.codes import codes
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.photos import CHECK_AFTER_DAYS
from xueji_tui.domain.record import ROW



@dataclass(frozen=True)
class Deadline:
    title: str
    article: str
    due: date
    today: date
    opens: bool = False  # a day from which something may be done, not a deadline to miss

    @property
    def days_left(self) -> int:
        return (self.due - self.today).days

    @property
    def overdue(self) -> bool:
        return not self.opens and self.days_left < 0

    @property
    def label(self) -> str:
        d = self.days_left
        if d > 0:
            return f"还有 {d} 天"
        if self.opens:
            return "今天起" if d == 0 else "已开始"
        return "今天截止" if d == 0 else f"已过 {-d} 天"


@dataclass
class CollegeProgress:
    college: str
    freshmen: int = 0
    freshmen_verified: int = 0      # all 13 Art. 6 fields 无误
    freshmen_registered: int = 0    # holding a 学籍 (see ``has_xueji``)
    in_school: int = 0              # 注册学籍 + 暂缓注册
    postponed: int = 0              # 暂缓注册, to be resolved
    wrong: int = 0                  # students with a 有误 verdict
    open_requests: int = 0          # open change requests
    problems: int = 0               # students with flawed values or wrong verdicts


@dataclass
class Progress:
    school_year: int
    term_start: date
    deadlines: list[Deadline] = field(default_factory=list)
    colleges: list[CollegeProgress] = field(default_factory=list)

    @property
    def total(self) -> CollegeProgress:
        t = CollegeProgress("合计")
        for c in self.colleges:
            for k in ("freshmen", "freshmen_verified", "freshmen_registered", "in_school", "postponed",
                      "wrong", "open_requests", "problems"):
                setattr(t, k, getattr(t, k) + getattr(c, k))
        return t


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise ValueError(d)


def school_year_of(today: date) -> int:
    """The school year a day belongs to: from September on it is this calendar year's."""
    return today.year if today.month >= 9 else today.year - 1


def default_term_start(today: date) -> date:
    return date(school_year_of(today), 9, 1)


def deadlines(term_start: date, today: date, photo_dates: list[date] | None = None) -> list[Deadline]:
    y = term_start.year
    out = [
        Deadline("新生入学资格复查、学籍电子注册", "第九条", _add_months(term_start, 3), today),
        Deadline("学年电子注册", "第二十一条", _add_months(term_start, 2), today),
        Deadline("学年电子注册情况统计表报省教育厅", "第二十一条", date(y, 10, 30), today),
        Deadline("学生可登录学信网查询本人学籍", "第二十二条", date(y, 11, 1), today, opens=True),
    ]
    if photo_dates:
        last = max(photo_dates) + timedelta(days=CHECK_AFTER_DAYS)
        out.append(Deadline("最后一批毕业生照片可校对（拍摄 40 天后）", "第二十八条", last, today, opens=True))
    return sorted(out, key=lambda d: d.due)


# a freshman without a 学籍: not yet registered, registration postponed, or the admission given up or
# cancelled (Art. 8–11) — 已注册 counts the others, not merely those no longer 待注册
NO_XUEJI = frozenset({"暂缓注册", "放弃入学资格", "取消入学资格"})


def has_xueji(status: str) -> bool:
    return codes().statuses.get(status) != "freshman" and status not in NO_XUEJI


def college_progress(rows: list[list], school_year: int, open_requests: dict[str, int]) -> list[CollegeProgress]:
    """Per college from roster rows (domain.record.ROW_FIELDS): no full records needed."""
    by: dict[str, CollegeProgress] = {}
    i_fy, i_grade, i_status, i_ver, i_wrong, i_prob = (ROW["FY"], ROW["DQSZJ"], ROW["status"], ROW["verified"],
                                                        ROW["wrong"], ROW["problems"])
    cohort = str(school_year)
    n_fields = len(ART6_FIELDS)
    for r in rows:
        fy = r[i_fy] or "（未分配学院）"
        c = by.get(fy)
        if c is None:
            c = by[fy] = CollegeProgress(fy)
        status = r[i_status]
        if r[i_grade] == cohort:
            c.freshmen += 1
            c.freshmen_verified += r[i_ver] >= n_fields
            c.freshmen_registered += has_xueji(status)
        if status in ("注册学籍", "暂缓注册"):
            c.in_school += 1
            c.postponed += status == "暂缓注册"
        c.wrong += r[i_wrong] > 0
        c.problems += r[i_prob] > 0
    for fy, n in open_requests.items():
        by.setdefault(fy or "（未分配学院）", CollegeProgress(fy or "（未分配学院）")).open_requests += n
    return sorted(by.values(), key=lambda c: c.college)
