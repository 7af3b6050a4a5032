"""Art. 6 verification: the 13 admission fields a college checks for every student, and when a
student counts as checked — the gate of registration (0101, 0103 and the bulk register).

A verdict is ``{"v": "ok"|"wrong", "value", "note", "seen", "by", "at", "year", "request"?}`` under
the student's ``verification`` map, keyed by field code.

The annual round (Art. 17): every school year the office opens a round (``xueji campaign start``,
the settings' ``rounds``), and verdicts belong to the school year they were given in — the round open
at the time, or, before any round was opened, the school year of their date. Opening a round moves
each student's verdicts of other years out of ``verification`` into ``rounds`` (school year → the
verdicts), where they stay: the queue, the workbook and the registration gate then see only this
round's. Before the first round is opened nothing moves, and every verdict counts.
"""

from __future__ import annotations

from datetime import datetime

from xueji_tui.domain import idcard
from xueji_tui.domain.checks import identity_flag, record_issues
from xueji_tui.domain.errors import InvalidInput, Refused
from xueji_tui.domain.fields import ART6_FIELDS, label
from xueji_tui.domain.progress import school_year_of

# the rules that say an identity value cannot be right as it stands (a clerk cannot call it 无误)
_BROKEN = {"id-format", "id-checksum", "id-birthdate", "id-gender", "bad-date", "bad-code"}


def settled(verdict: dict | None) -> bool:
    """A field is settled when a clerk found it right, or found it wrong and it was corrected or a
    correction request was filed (the 教育厅 decides meanwhile: the student keeps 学籍)."""
    if not verdict:
        return False
    if verdict.get("v") == "ok":
        return True
    return verdict.get("v") == "wrong" and bool(verdict.get("request"))


def registration_gaps(student: dict, settings: dict | None = None) -> list[str]:
    """What still stands between a student and registration, in the words of the Art. 6 check; empty
    when the student may be registered. With the school's ``settings``, a verdict of an earlier round
    left in ``verification`` (a record not yet moved) does not count."""
    ver = current_verdicts(student, settings) if settings is not None else (student.get("verification") or {})
    gaps = []
    unchecked = [label(f) for f in ART6_FIELDS if not (ver.get(f) or {}).get("v")]
    if unchecked:
        gaps.append(f"尚未核对 {len(unchecked)} 项：{'、'.join(unchecked)}")
    open_wrong = [label(f) for f in ART6_FIELDS
                  if (ver.get(f) or {}).get("v") == "wrong" and not settled(ver.get(f))]
    if open_wrong:
        gaps.append(f"核对有误但未更正、也未提交更正申请：{'、'.join(open_wrong)}")
    broken = sorted({f for f, issue in record_issues(student)
                     if issue.rule in _BROKEN and f in ART6_FIELDS and not (ver.get(f) or {}).get("request")})
    if broken:
        gaps.append(f"{'、'.join(label(f) for f in broken)}本身有错误（如身份证号校验位），须先提交更正申请")
    flag = identity_flag(student)
    if flag:
        gaps.append(f"学信网标记“{flag}”，须学生工作处核实并清除后方可注册")
    return gaps


def require_registrable(student: dict) -> None:
    gaps = registration_gaps(student)
    if gaps:
        raise Refused(f"{student.get('XM')}（考生号 {student.get('KSH')}）的入学资格复查尚未完成（第六条），"
                      f"不能注册学籍：" + "；".join(gaps) + "。请先在核对中处理这些项目")


def refuse_ok_on_broken(student: dict, field: str) -> None:
    """无误 on a value that cannot be right (a 身份证号 with a wrong check character …) is refused."""
    for f, issue in record_issues(student):
        if f == field and issue.rule in _BROKEN:
            value = student.get(field, "")
            shown = idcard.mask(value) if field == "SFZH" else value
            raise Refused(f"{label(field)}“{shown}”有错误：{issue.message}；不能核对为无误，"
                          f"请对照证件以“有误”更正")


# -- the annual round (Art. 17) ---------------------------------------------------------------------

def _when(at) -> datetime | None:
    try:
        return datetime.fromisoformat(str(at or "").strip())
    except ValueError:
        return None


def _before_or_at(a: datetime, b: datetime) -> bool:
    try:
        return a <= b
    except TypeError:  # one of them without a time zone
        return a.replace(tzinfo=None) <= b.replace(tzinfo=None)


def rounds(settings: dict) -> list[dict]:
    """The rounds opened so far, oldest first: ``{"year", "at", "by"}``."""
    got = [r for r in settings.get("rounds") or [] if isinstance(r, dict) and isinstance(r.get("year"), int)]
    return sorted(got, key=lambda r: str(r.get("at", "")))


def current_round(settings: dict) -> int | None:
    """The school year of the round open now; None before the office opened the first one."""
    got = rounds(settings)
    return got[-1]["year"] if got else None


def year_at(settings_rounds: list[dict], at) -> int | None:
    """The school year a verdict given at ``at`` belongs to: the round open then, else its date's."""
    when = _when(at)
    if when is None:
        return None
    opened = [r for r in settings_rounds if (t := _when(r.get("at"))) is not None and _before_or_at(t, when)]
    return opened[-1]["year"] if opened else school_year_of(when.date())


def verdict_year(verdict: dict, settings_rounds: list[dict]) -> int | None:
    year = verdict.get("year")
    return year if isinstance(year, int) else year_at(settings_rounds, verdict.get("at"))


def current_verdicts(student: dict, settings: dict) -> dict:
    """The verdicts that count now: all of them before the first round, else this round's only."""
    ver = student.get("verification") or {}
    year = current_round(settings)
    if year is None:
        return ver
    opened = rounds(settings)
    return {f: v for f, v in ver.items() if isinstance(v, dict) and verdict_year(v, opened) == year}


def close_rounds(student: dict, year: int, settings_rounds: list[dict]) -> dict[str, int]:
    """Move the student's verdicts of school years other than ``year`` into ``rounds`` (nothing is
    dropped); returns school year -> how many were moved. Changes ``student`` in place.

    A verdict of a later school year than ``year`` refuses the round: rounds only go forward (Art. 17),
    and opening an earlier one would move this year's verdicts out of the current round."""
    ver = dict(student.get("verification") or {})
    kept: dict = {}
    moved: dict[str, int] = {}
    history = {k: dict(v) for k, v in (student.get("rounds") or {}).items()}
    for f, v in ver.items():
        y = verdict_year(v, settings_rounds) if isinstance(v, dict) else None
        if y == year:
            kept[f] = v
            continue
        if y is not None and y > year:
            raise InvalidInput(
                f"已有 {y} 学年的核对结论（如 {student.get('XH') or student.get('KSH')} {student.get('XM', '')} 的"
                f"{label(f)}），不能开启更早的 {year} 学年的核对：每学年一轮，依次向后。请核对学年；未作任何修改")
        key = str(y) if y is not None else "未知学年"
        history.setdefault(key, {})[f] = dict(v, year=y) if y is not None else v
        moved[key] = moved.get(key, 0) + 1
    if moved:
        student["verification"] = kept
        student["rounds"] = history
    return moved


def opened_since(settings: dict, exported_at) -> dict | None:
    """The round opened after a workbook was exported (its verdicts belong to the round before)."""
    when = _when(exported_at) if not isinstance(exported_at, datetime) else exported_at
    if when is None:
        return None
    later = [r for r in rounds(settings) if (t := _when(r.get("at"))) is not None and not _before_or_at(t, when)]
    return later[-1] if later else None
