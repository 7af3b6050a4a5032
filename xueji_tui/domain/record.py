"""The student record: roster rows, verification summaries, display helpers."""

from __future__ import annotations

from functools import lru_cache

import orjson

from xueji_tui.domain import idcard
from xueji_tui.domain.checks import identity_flag, record_issues
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.majors import grade_of

# The compact row the roster, the verification queue and name lookups read without loading records.
ROW_FIELDS = ("KSH", "XH", "XM", "XB", "FY", "ZYMC", "BH", "DQSZJ", "status", "verified", "SFZH",
              "py", "problems", "CC", "wrong", "grad_year")
ROW = {name: i for i, name in enumerate(ROW_FIELDS)}
# Fields a roster row is not made from (``roster_row`` never reads them): a write that changes only
# these (证书编号 for a year's graduates, the store's revision) leaves the rows file as it was.
NOT_IN_ROW = frozenset({"ZSBH", "rev"})


def row_may_change(old: dict | None, new: dict) -> bool:
    """False when ``new`` differs from ``old`` only in fields the roster row is not made from."""
    if old is None:
        return True
    a, b = dict(old), dict(new)  # compared as a whole, in C: a loop over the fields cost as much as the row
    for k in NOT_IN_ROW:
        a.pop(k, None)
        b.pop(k, None)
    return a != b


def copy_record(record):
    """A deep copy of a record (plain JSON values): orjson does it several times faster than copy."""
    return orjson.loads(orjson.dumps(record))


def initials(name: str) -> str:
    """Pinyin initials of a name, lower case ('张三' -> 'zs'); letters pass through, '·' drops out."""
    return "".join(map(_initial, name or ""))


@lru_cache(maxsize=None)
def _initial(char: str) -> str:
    # per character and cached: an import of 100,000 names costs one pypinyin call per distinct character
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    from pypinyin import Style, lazy_pinyin

    got = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
    return got[0][:1].lower() if got else ""


def verdicts(s: dict) -> dict[str, str | None]:
    """Art. 6 field -> 'ok' | 'wrong' | None, the ``verification`` object of ``lookup --json``."""
    ver = s.get("verification")
    if not ver:
        return dict.fromkeys(ART6_FIELDS)
    return {f: (ver.get(f) or {}).get("v") for f in ART6_FIELDS}


def problem_count(s: dict, v: dict[str, str | None] | None = None) -> int:
    """Wrong verdicts, flawed values (error severity) and an uncleared identity flag."""
    wrong = sum(1 for x in (verdicts(s) if v is None else v).values() if x == "wrong")
    issues = record_issues(s)
    flawed = sum(1 for _, i in issues if i.severity == "error") if issues else 0
    return wrong + flawed + (1 if identity_flag(s) else 0)


def roster_row(s: dict) -> list:
    if s.get("verification"):
        v = verdicts(s)
        ok, wrong = sum(1 for x in v.values() if x == "ok"), sum(1 for x in v.values() if x == "wrong")
        problems = problem_count(s, v)
    else:  # not yet verified (every student an import brings): no verdicts to count
        ok = wrong = 0
        problems = problem_count(s, _UNVERIFIED)
    return [
        s.get("KSH", ""), s.get("XH", ""), s.get("XM", ""), s.get("XB", ""), s.get("FY", ""),
        s.get("ZYMC", ""), s.get("BH", ""), grade_of(s), s.get("status", ""),
        ok, s.get("SFZH", ""), s.get("py") or initials(s.get("XM", "")),
        problems, s.get("CC", ""), wrong, s.get("grad_year"),
    ]


_UNVERIFIED = dict.fromkeys(ART6_FIELDS)  # ``verdicts`` of a record without verification (read only)


def masked(s: dict) -> dict:
    """A copy with 身份证号 masked, for lists and logs."""
    out = dict(s)
    if out.get("SFZH"):
        out["SFZH"] = idcard.mask(out["SFZH"])
    return out
