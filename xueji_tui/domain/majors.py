"""The major catalogue and the record's consistency with it (docs/codes.md, "The record stays true").

A student's 专业代码 ZYDM and 专业名称 ZYMC are one value: together they name one entry of the
school's major catalogue (ZYDM, ZYMC, FY, XSH, CC, XZ), and the record's 层次 CC and 学制 XZ are that
entry's when the catalogue states them. The expected graduation date YJBYRQ follows from the grade
(当前所在级) and 学制 by the school calendar. Every change, verdict and import that touches these
fields keeps them so; ``record_problems`` says where a record does not.

Catalogue entries are plain dicts; a catalogue learned from CHSI files may lack CC and XZ, and then
the student's own CC and XZ stand.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import InvalidInput

PAIR = ("ZYDM", "ZYMC")
FROM_ENTRY = ("ZYDM", "ZYMC", "FY", "XSH", "CC", "XZ")  # what a student takes from a catalogue entry


def _code(v) -> str:
    return str(v or "").strip().upper()


def _name(v) -> str:
    return str(v or "").strip()


def level(value) -> str:
    """The 层次 a value names ('专科(高职)' -> '专科'), or the value itself when it is unknown."""
    v = _name(value)
    return codes().table("CC").normalise(v) or v


def entry_for_code(catalogue: Iterable[dict], zydm: str) -> dict | None:
    code = _code(zydm)
    return next((m for m in catalogue if _code(m.get("ZYDM")) == code), None) if code else None


def pair_entry(catalogue: Iterable[dict], zydm: str, zymc: str) -> dict | None:
    """The catalogue entry that the pair (ZYDM, ZYMC) is, or None when the two are not one entry
    (an unknown code, or a name that is not that code's name)."""
    m = entry_for_code(catalogue, zydm)
    return m if m is not None and _name(m.get("ZYMC")) == _name(zymc) else None


def is_pair(catalogue: Iterable[dict], zydm: str, zymc: str) -> bool:
    return pair_entry(catalogue, zydm, zymc) is not None


def find_major(catalogue: Iterable[dict], text: str) -> dict:
    """A catalogue entry from what a clerk typed: its code ('050101'), its name ('汉语言文学') or both
    ('050101 汉语言文学'). Raises InvalidInput naming the catalogue when none or several match."""
    cat = list(catalogue)
    q = _name(text)
    if not q:
        raise InvalidInput("请选择专业目录中的专业（专业代码或专业名称）")
    head, _, rest = q.partition(" ")
    hit = entry_for_code(cat, head)
    if hit is not None and (not rest.strip() or _name(hit.get("ZYMC")) == rest.strip()):
        return hit
    named = [m for m in cat if _name(m.get("ZYMC")) == q]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        shown = "、".join(f"{m.get('ZYDM')} {m.get('ZYMC')}（{m.get('CC') or m.get('FY', '')}）" for m in named)
        raise InvalidInput(f"专业名称“{q}”在专业目录中有 {len(named)} 个（{shown}），请用专业代码指明")
    near = [m for m in cat if q in _name(m.get("ZYMC"))][:5]
    hint = ("；相近的有：" + "、".join(f"{m.get('ZYDM')} {m.get('ZYMC')}" for m in near)) if near else ""
    raise InvalidInput(f"“{q}”不在专业目录中（专业代码或名称须与目录一致）{hint}；"
                       f"目录中没有的专业请学生工作处先在专业目录中补充")


def taken_from(entry: dict, student: dict) -> dict[str, str]:
    """The fields a student takes from a catalogue entry (CC and XZ only when the entry states them)."""
    out = {}
    for f in FROM_ENTRY:
        v = _name(entry.get(f))
        if v or f in PAIR:
            out[f] = v
    if "CC" in out and level(out["CC"]) == level(student.get("CC")):
        out["CC"] = student.get("CC", "")  # the same level as the student spells it: not a change
    return out


def years(xz) -> Decimal | None:
    """学制 as a number of years (Decimal('2.5')), or None when it is not one of the table's values."""
    name = codes().table("XZ").normalise(_name(xz))
    try:
        return Decimal(name) if name else None
    except InvalidOperation:
        return None


def expected_graduation(grade, xz) -> str:
    """YJBYRQ of a student in ``grade`` (the cohort year) with 学制 ``xz``: the school calendar's
    graduation day of grade + 学制, or, for half a year more, its half-year day of the year after.
    '' when either is unknown."""
    g, n = str(grade or "").strip(), years(xz)
    if not (g.isascii() and g.isdigit() and len(g) == 4) or n is None:
        return ""
    cal = codes().calendar
    whole = int(n)
    if n == whole:
        return f"{int(g) + whole}{cal.get('graduation_day', '0630')}"
    return f"{int(g) + whole + 1}{cal.get('half_year_day', '0131')}"


def grade_of(student: dict) -> str:
    """当前所在级: DQSZJ when a 跳级/留降级/恢复入学资格 set it, else the entry year."""
    return _name(student.get("DQSZJ")) or _name(student.get("RXRQ"))[:4]


def record_problems(student: dict, catalogue: Iterable[dict]) -> list[tuple[str, str]]:
    """(field, what is wrong) where the record disagrees with itself or the catalogue: the major
    pair not one entry, CC/XZ/FY not the entry's, YJBYRQ not what grade and 学制 give."""
    out: list[tuple[str, str]] = []
    cat = list(catalogue)
    zydm, zymc = _name(student.get("ZYDM")), _name(student.get("ZYMC"))
    if zydm or zymc:
        m = pair_entry(cat, zydm, zymc)
        if m is None:
            known = entry_for_code(cat, zydm)
            why = (f"专业代码 {zydm} 在专业目录中是“{known.get('ZYMC')}”，不是“{zymc}”" if known is not None
                   else f"专业代码 {zydm or '（空）'} 不在专业目录中")
            out.append(("ZYMC", why))
        else:
            for f in ("CC", "XZ"):
                want = _name(m.get(f))
                have = _name(student.get(f))
                if want and (level(want) != level(have) if f == "CC" else years(want) != years(have)):
                    out.append((f, f"{f} 为“{have}”，专业目录中 {zydm} {zymc} 为“{want}”"))
    want = expected_graduation(grade_of(student), student.get("XZ"))
    have = _name(student.get("YJBYRQ"))
    if want and have != want:
        out.append(("YJBYRQ", f"预计毕业日期 {have or '（空）'} 与 {grade_of(student)} 级、学制 "
                              f"{student.get('XZ')} 年应有的 {want} 不符"))
    return out
