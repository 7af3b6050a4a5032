"""Field-level checks of one record's values — the flags a clerk sees on an imported student.

The same functions feed the roster's "has problems" mark, the verification queue and the graduate
precheck (which adds the rules that need the whole year: duplicates, photos, certificate numbers).
"""

from __future__ import annotations

import os
from functools import lru_cache

from xueji_tui.domain import idcard
from xueji_tui.domain.codes import codes
from xueji_tui.domain.fields import CODED_FIELDS, label
from xueji_tui.domain.validate import Issue, is_date, ksh_issues, name_issues, unencodable_chars

IDENTITY_FLAGS = ("身份核验未通过", "身份核验不确定", "身份核验异常")
TEXT_FIELDS = ("XM", "MZ", "ZZMM", "YXMC", "ZYMC", "FY", "XSH", "BH", "CC", "XXXS", "LQLX", "BZ", "XH", "KSH")


def date_issues(s: dict, fields=("CSRQ", "RXRQ", "BYRQ")) -> list[tuple[str, Issue]]:
    out = []
    for f in fields:
        v = s.get(f) or ""
        if v and not is_date(v):
            out.append((f, Issue("bad-date", "error", f"{label(f)}“{v}”不是有效日期 YYYYMMDD，请按原始材料更正")))
    return out


def code_issues(s: dict, fields=("XB", "MZ", "ZZMM", "CC", "XXXS", "XZ", "BJYJL")) -> list[tuple[str, Issue]]:
    out = []
    for f in fields:
        v = s.get(f)
        if v and _unknown_code(f, v):
            v = v.strip()
            out.append((f, Issue("bad-code", "error", f"{label(f)}“{v}”不在{codes().table(f).title}代码表中，请按代码表更正")))
    return out


@lru_cache(maxsize=1 << 12)  # coded values repeat (男, 汉族, 本科): a roster of 100,000 asks ~700,000 times
def _unknown_code(f: str, value: str) -> bool:
    v = value.strip()
    return bool(v) and f in CODED_FIELDS and codes().table(f).normalise(v) is None


def id_issues(s: dict) -> list[tuple[str, Issue]]:
    v = s.get("SFZH") or ""
    found = idcard.problems(v, s.get("CSRQ", ""), s.get("XB", "")) if v else None
    return [("SFZH", Issue(rule, sev, msg)) for rule, sev, msg in found] if found else []


def encoding_issues(s: dict) -> list[tuple[str, Issue]]:
    # almost every record encodes whole: one encode of its text fields together, then field by field
    # only when that fails (an import checks every record, twice)
    if not unencodable_chars("\n".join(filter(None, map(s.get, TEXT_FIELDS)))):
        return []
    out = []
    for f in TEXT_FIELDS:
        bad = unencodable_chars(s.get(f) or "")
        if bad:
            out.append((f, Issue("not-encodable", "error",
                                 f"{label(f)}中的“{bad}”无法用 GBK 编码，请改用 CHSI 规定的写法（生僻字按学信网要求处理）")))
    return out


def identity_flag(s: dict) -> str:
    """The 身份核验 flag on record (from BZ or the photo list), '' when none or cleared."""
    if s.get("identity_cleared"):
        return ""
    text = (s.get("BZ") or "") + " " + ((s.get("photo") or {}).get("identity") or "")
    if _FLAGS_START not in text:  # as for almost every student
        return ""
    return next((f for f in IDENTITY_FLAGS if f in text), "")


_FLAGS_START = os.path.commonprefix(IDENTITY_FLAGS)


def record_issues(s: dict) -> list[tuple[str, Issue]]:
    """(field, issue) for every flaw in one record's own values."""
    out = date_issues(s) + code_issues(s) + id_issues(s) + encoding_issues(s)
    if found := name_issues(s.get("XM") or ""):
        out += [("XM", i) for i in found]
    if s.get("KSH") and (s.get("XXXS") or "普通全日制") == "普通全日制" and (
            found := ksh_issues(s["KSH"], s.get("RXRQ", ""))):
        out += [("KSH", i) for i in found]
    return out
