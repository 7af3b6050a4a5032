"""What a change entry sets on the record besides the status, read from codes.json (``effects``).

The data says which fields a reason sets and within which bounds; this module says how each field
is worked out, once for every caller (the CLI, the forms, an accepted college report, the sample):

- DQSZJ  the grade joined (``to_grade``), bounded: 留降级 1–2 years later, 跳级 1 year earlier; a
         return from 保留入学资格 joins the cohort of the return (by default the school year of the
         effective date);
- BH     the class joined (``to_class``);
- ZYDM ZYMC FY XSH CC XZ  the catalogue entry of the new major (``to_major``); a 转专业 keeps the
         层次 unless the reason's data says otherwise;
- RXRQ   the return date, or that cohort's term start when the return is dated before it;
- YJBYRQ recomputed from the grade and 学制 (domain/majors.py). The graduating class follows it: a
         CHSI expected-graduate list of another year no longer names the student's class, so its
         BYRQ and year are cleared on the record (the entry keeps them, a reversal restores them).
"""

from __future__ import annotations

from collections.abc import Iterable

from xueji_tui.domain import majors
from xueji_tui.domain.codes import Reason, codes
from xueji_tui.domain.errors import InvalidInput, Refused
from xueji_tui.domain.fields import label


def school_year(day: str) -> int:
    """The school year a date falls in (it starts with the calendar's term start, 1 September)."""
    start = codes().calendar.get("term_start", "0901")
    return int(day[:4]) if day[4:] >= start else int(day[:4]) - 1


def _year(text: str, what: str) -> int:
    t = (text or "").strip()
    if not (t.isascii() and t.isdigit() and len(t) == 4):
        raise InvalidInput(f"{what}应为 4 位年份，用半角数字（如 2025），现为“{text}”")
    return int(t)


def _bounds_words(lo: int, hi: int) -> str:
    return f"{lo} 年" if lo == hi else f"{lo}–{hi} 年"


def _grade(student: dict, reason: Reason, to_grade: str, day: str) -> str:
    fx = reason.effects
    name = reason.type.name
    if fx.cohort == "return":
        left = _year((student.get("RXRQ") or "")[:4], "原入学年份（入学日期）") if student.get("RXRQ") else None
        grade = _year(to_grade, "编入年级") if to_grade else school_year(day)
        if left is not None and fx.grade:
            lo, hi = fx.grade
            if not lo <= grade - left <= hi:
                raise Refused(f"恢复入学资格应编入 {left + lo}–{left + hi} 级（原 {left} 级保留入学资格），"
                              f"现为 {grade} 级；请核对编入年级和生效日期")
        return str(grade)
    grade = _year(to_grade, f"{name}编入的年级")
    current = majors.grade_of(student)
    if fx.grade and current.isdigit():
        lo, hi = fx.grade
        delta = grade - int(current)
        if not lo <= delta <= hi:
            if lo > 0:
                allowed = "、".join(str(int(current) + d) for d in range(lo, hi + 1))
                raise Refused(f"{name}只能编入比当前 {current} 级晚 {_bounds_words(lo, hi)}的年级（{allowed} 级），"
                              f"现为 {grade} 级；请核对编入年级")
            allowed = "、".join(str(int(current) + d) for d in range(lo, hi + 1))
            raise Refused(f"{name}只能编入比当前 {current} 级早 {_bounds_words(-hi, -lo)}的年级（{allowed} 级），"
                          f"现为 {grade} 级；请核对编入年级")
    return str(grade)


def _major(student: dict, reason: Reason, to_major: str, to_college: str,
           catalogue: Iterable[dict] | None) -> dict[str, str]:
    if catalogue is None:
        raise InvalidInput("转专业须按专业目录确定新专业，专业目录未提供")
    entry = majors.find_major(catalogue, to_major)
    if majors.pair_entry([entry], student.get("ZYDM", ""), student.get("ZYMC", "")) is not None:
        raise Refused(f"新专业 {entry.get('ZYDM')} {entry.get('ZYMC')} 与现专业相同；转专业请选另一个专业")
    if to_college and to_college.strip() != (entry.get("FY") or ""):
        raise Refused(f"专业 {entry.get('ZYDM')} {entry.get('ZYMC')} 属于{entry.get('FY') or '（未定学院）'}，"
                      f"不能转入“{to_college}”；学院随专业目录确定")
    here, there = majors.level(student.get("CC")), majors.level(entry.get("CC"))
    if reason.effects.level == "same" and here and there and here != there:
        raise Refused(f"转专业不能跨层次：{student.get('XM', '该生')}是{here}，{entry.get('ZYDM')} "
                      f"{entry.get('ZYMC')} 是{there}专业（第十五条）；{here}与{there}之间的转换须经招生录取，"
                      f"不能以转专业办理，请选择{here}专业")
    return majors.taken_from(entry, student)


def _entry_date(grade: str, day: str, term_start: str) -> str:
    """RXRQ of a return into cohort ``grade``: the cohort's term start (the school's setting when it
    is that year's, else the calendar's) for a return with the cohort — dated before it or in its
    first (autumn) term — else the return date."""
    start = term_start if term_start and school_year(term_start) == int(grade) else \
        f"{grade}{codes().calendar.get('term_start', '0901')}"
    if school_year(day) > int(grade):
        raise Refused(f"恢复入学资格的生效日期 {day} 已在 {school_year(day)} 学年，不能编入更早的 {grade} 级；"
                      f"请核对编入年级")
    return start if day <= start or day[:4] == grade else day


def effect_updates(student: dict, reason: Reason, *, day: str, to_grade: str = "", to_class: str = "",
                   to_major: str = "", to_college: str = "", catalogue: Iterable[dict] | None = None,
                   term_start: str = "") -> dict:
    """The fields ``reason`` sets on ``student`` (status aside), or Refused/InvalidInput saying why
    the move is impossible. Pure: ``student`` is not touched."""
    sets = reason.effects.sets
    if not sets:
        return {}
    out: dict = {}
    after = dict(student)
    if "ZYDM" in sets:
        out.update(_major(student, reason, to_major, to_college, catalogue))
    if "RXRQ" in sets:
        grade = _grade(student, reason, to_grade, day)
        out["RXRQ"] = _entry_date(grade, day, term_start)
        out["DQSZJ"] = grade
    elif "DQSZJ" in sets:
        out["DQSZJ"] = _grade(student, reason, to_grade, day)
    if "BH" in sets:
        cls = (to_class or "").strip()
        if not cls:
            raise InvalidInput(f"{reason.type.name}须填写编入的新班号")
        out["BH"] = cls
    after.update(out)
    if "YJBYRQ" in sets:
        grade = out.get("DQSZJ") or majors.grade_of(after)
        yj = majors.expected_graduation(grade, after.get("XZ"))
        if not yj:
            raise InvalidInput(f"无法计算预计毕业日期：年级“{grade}”或学制“{after.get('XZ', '')}”无效；"
                               f"请先更正入学日期或学制")
        out["YJBYRQ"] = yj
        listed = student.get("grad_year")
        if listed is not None and str(listed) != yj[:4]:
            # CHSI's expected-graduate list of the old year no longer names this student's class
            out["grad_year"] = None
            if student.get("BYRQ"):
                out["BYRQ"] = ""
    return out


def moved_words(fields: dict) -> str:
    """A change's field effects as a clerk reads them: 班号 汉文23 → 汉文24；预计毕业日期 … (the
    planned or recorded ``fields``: code -> (old, new))."""
    out = []
    for f, (old, new) in (fields or {}).items():
        if f == "grad_year":  # not a CHSI field: whether CHSI's expected-graduate list names the student
            out.append(f"学信网预计毕业生名单 {old or '—'} 届 → {f'{new} 届' if new else '不在名单（待导入新一届名单）'}")
        else:
            out.append(f"{label(f)} {old or '—'} → {new or '（空）'}")
    return "；".join(out)
