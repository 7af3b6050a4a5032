"""Validators for what clerks type and what files carry: dates, codes, 考生号, names, GBK widths.

``check_value`` is the edge rule: the CLI, the forms and the workbook import call it before a
clerk's value may enter the store. Imported CHSI values are never refused by it; they are flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from xueji_tui.domain import idcard
from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.text import refuse_control, typed
from xueji_tui.domain.fields import CODED_FIELDS, DATE_FIELDS, label

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True)
class Issue:
    rule: str
    severity: str  # error | warning
    message: str


_DATE = re.compile(r"[0-9]{8}")  # ASCII digits: \d would take Arabic-Indic and full-width ones too


def parse_date(value: str) -> date | None:
    """A real date from YYYYMMDD in ASCII digits, else None."""
    v = (value or "").strip()
    if not _DATE.fullmatch(v):
        return None
    try:
        return date(int(v[:4]), int(v[4:6]), int(v[6:]))
    except ValueError:
        return None


@lru_cache(maxsize=1 << 14)
def is_date(value: str) -> bool:
    """``parse_date(value) is not None``, remembered: a school's dates are a few thousand days."""
    return parse_date(value) is not None


def normalise_date(value: str) -> str:
    """Accepts 20240901, 2024-09-01, 2024/9/1 or 2024.09.01 as typed; returns YYYYMMDD or raises.

    Only ASCII digits: a date typed with full-width (２０２４) or Arabic-Indic digits is refused, not
    converted — it would be stored as typed and drop out of the CHSI files."""
    raw = (value or "").strip()
    if any(ch.isdigit() and not ch.isascii() for ch in raw):
        raise InvalidInput(f"日期“{raw}”含全角或其他非半角数字，请切换到半角输入法，用数字 0–9 输入"
                           f"（如 20240901）")
    m = re.fullmatch(r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?", raw)
    v = f"{m[1]}{int(m[2]):02d}{int(m[3]):02d}" if m else raw
    if parse_date(v) is None:
        raise InvalidInput(f"“{value}”不是有效日期，应为 YYYYMMDD（如 20240901）")
    return v


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_at(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def entry_age_problem(csrq: str, rxrq: str) -> str:
    """Why a birth date and an entry date cannot both be right (younger than the calendar's
    min_entry_age or older than its max_entry_age at enrolment), or ''."""
    born, entered = parse_date(csrq), parse_date(rxrq)
    if born is None or entered is None:
        return ""
    cal = codes().calendar
    lo, hi = int(cal.get("min_entry_age", 12)), int(cal.get("max_entry_age", 80))
    age = age_at(born, entered)
    if born >= entered or age < lo:
        return (f"按出生日期 {csrq}，入学时（{rxrq}）未满 {lo} 周岁，不合常理；请核对出生日期（身份证）和入学日期")
    if age > hi:
        return f"按出生日期 {csrq}，入学时（{rxrq}）已 {age} 周岁，超过 {hi} 周岁；请核对出生日期（身份证）和入学日期"
    return ""


def effective_date_problem(day: str, rxrq: str, today: date) -> str:
    """Why an entry's 生效日期 is not believable: before the student's enrolment, or more than the
    calendar's max_ahead_years after today. '' when it is."""
    d = parse_date(day)
    entered = parse_date(rxrq)
    if d is None:
        return ""
    if entered is not None and d < entered:
        return f"生效日期 {day} 早于该生入学日期 {rxrq}；请核对生效日期（应为批准文件规定的生效日）"
    ahead = int(codes().calendar.get("max_ahead_years", 1))
    if d > add_years(today, ahead):
        return (f"生效日期 {day} 在今天（{today:%Y%m%d}）{ahead} 年以后，不合常理；请核对生效日期")
    return ""


def approval_date_problem(approved: str, today: date) -> str:
    d = parse_date(approved)
    if d is not None and d > today:
        return f"批准日期 {approved} 晚于今天（{today:%Y%m%d}）：尚未批准的异动不能登记；请核对批准日期"
    return ""


def gbk_bytes(value: str) -> int | None:
    """Width of a value in GBK bytes; None when GBK cannot encode it."""
    try:
        return len((value or "").encode("gbk"))
    except UnicodeEncodeError:
        return None


def unencodable_chars(value: str) -> str:
    if not value or value.isascii():
        return ""
    try:
        value.encode("gbk")
        return ""
    except UnicodeEncodeError:
        pass
    bad = []
    for ch in value or "":
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            bad.append(ch)
    return "".join(bad)


_KSH = re.compile(r"\d{14}")
_YEAR = re.compile(r"\d{4}.*")


def ksh_issues(ksh: str, rxrq: str = "") -> list[Issue]:
    """Warnings for a 普通本专科 考生号: 14 digits whose first two are the entry year."""
    k = ksh or ""
    if not _KSH.fullmatch(k):
        return [Issue("ksh-format", "warning", f"考生号“{k}”不是 14 位数字（普通高考考生号为 14 位），请核对")]
    if _YEAR.fullmatch(rxrq or "") and k[:2] != rxrq[2:4]:
        return [Issue("ksh-format", "warning", f"考生号年份 {k[:2]} 与入学年份 {rxrq[:4]} 不一致，请核对")]
    return []


_NAME_BAD = re.compile(r"[\sA-Za-z0-9!-/:-@\[-`{-~]")


def name_issues(name: str) -> list[Issue]:
    """XM: spaces, half-width punctuation, Latin letters or digits (a minority name's · is fine)."""
    if not _NAME_BAD.search(name or ""):
        return []
    bad = sorted(set(_NAME_BAD.findall(name or "")))
    if bad:
        shown = "、".join("空格" if c.isspace() else c for c in bad)
        return [Issue("name-format", "warning", f"姓名“{name}”含有{shown}，请按身份证核对姓名写法")]
    return []


def code_value(field: str, value: str) -> str:
    """Canonical name of a coded value, or raises with the table's name."""
    table = codes().table(field)
    name = table.normalise(value)
    if name is None:
        shown = "、".join(f"{c} {n}" if c != n else n for c, n in table.entries[:8])
        more = " …" if len(table.entries) > 8 else ""
        raise InvalidInput(f"{label(field)}“{value}”不在{table.title}代码表中（{shown}{more}）")
    return name


def check_value(field: str, value: str, record: dict | None = None) -> str:
    """Validate and normalise a value a clerk typed for ``field``; raises InvalidInput with why.

    ``record`` supplies the context for cross-field checks (身份证号 against 出生日期 and 性别).
    """
    v = refuse_control((value or "").strip(), label(field))
    if not v:
        raise InvalidInput(f"{label(field)}不能为空")
    if field in DATE_FIELDS:
        v = normalise_date(v)
        rec = record or {}
        problem = ""
        if field == "CSRQ":
            problem = entry_age_problem(v, rec.get("RXRQ", ""))
        elif field == "RXRQ":
            problem = entry_age_problem(rec.get("CSRQ", ""), v)
        if problem:
            raise InvalidInput(problem)
        return v
    if field in CODED_FIELDS:
        return code_value(field, v)
    if field == "SFZH":
        v = idcard.normalise(v)
        rec = record or {}
        errors = [m for rule, sev, m in idcard.problems(v, rec.get("CSRQ", ""), rec.get("XB", ""))
                  if sev == "error" and rule in ("id-format", "id-checksum")]
        if not errors and idcard.birth_date(v) is None:
            errors = ["身份证号中的出生日期不是有效日期"]
        if errors:
            raise InvalidInput(errors[0])
        return v
    if field == "KSH":
        v = idcard.normalise(v)
        if not re.fullmatch(r"[0-9A-Z]{1,18}", v):
            raise InvalidInput(f"考生号“{value}”应为不超过 18 位的数字或大写字母")
        return v
    if field in ("XH", "ZYDM", "YXDM"):
        v = v.translate(_FULLWIDTH_DIGITS)
        if not re.fullmatch(r"[0-9A-Za-z]+", v):
            raise InvalidInput(f"{label(field)}“{value}”只能包含数字和字母")
        if field == "ZYDM" and not re.fullmatch(r"\d{6}[TK]?", v):
            raise InvalidInput(f"专业代码“{value}”应为 6 位数字，可带 T 或 K（如 050107T）")
        return v
    if field == "XM":
        if name_issues(v):
            raise InvalidInput(name_issues(v)[0].message)
    bad = unencodable_chars(v)
    if bad:
        raise InvalidInput(f"{label(field)}“{v}”中的“{bad}”无法用 GBK 编码，CHSI 文件无法上传；请与学生工作处联系")
    return v


def year_value(year, what: str = "年份") -> int:
    """A 4-digit year a clerk typed (2000–2099), or InvalidInput saying what was wrong."""
    text = str(year if year is not None else "").strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2099):
        raise InvalidInput(f"{what}应为 2000–2099 之间的 4 位数字（如 2026），现为“{text}”")
    return int(text)


def setting_text(value, what: str, required: bool = False) -> str:
    """A school setting every upload file carries (院校名称, 校长姓名): as typed, without control
    characters, GBK-encodable; ``required`` refuses it empty."""
    text = typed(value, what)
    if required and not text:
        raise InvalidInput(f"请填写{what}：它写入每个上报学信网的文件，不能为空")
    bad = unencodable_chars(text)
    if bad:
        raise InvalidInput(f"{what}“{text}”含 GBK 无法编码的“{bad}”，上报文件写不出；请改用常用字")
    return text
