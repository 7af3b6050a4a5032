"""Art. 6 verification: the 13 admission fields a college checks for every student, and when a
student counts as checked — the gate of registration (0101, 0103 and the bulk register).

A verdict is ``{"v": "ok"|"wrong", "value", "note", "seen", "by", "at", "request"?}`` under the
student's ``verification`` map, keyed by field code.
"""

from __future__ import annotations

from xueji_tui.domain import idcard
from xueji_tui.domain.checks import identity_flag, record_issues
from xueji_tui.domain.errors import Refused
from xueji_tui.domain.fields import ART6_FIELDS, label

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


def registration_gaps(student: dict) -> list[str]:
    """What still stands between a student and registration, in the words of the Art. 6 check; empty
    when the student may be registered."""
    ver = student.get("verification") or {}
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
