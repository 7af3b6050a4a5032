"""证书编号 (docs/codes.md, "Numbers with structure"): 18 digits, no check digit.

    positions 1–5   school code (= YXDM, 10202)
    6               办学类型: 1 普通高等教育 (the only one this school issues, Art. 30)
    7–10            graduation year
    11–12           培养层次: 05 本科 · 06 专科 · 04 第二学士学位 (the CC code table's codes)
    13–18           the school's serial, zero-padded, per year and level

Numbers are never reused or changed: new serials continue after the highest one used for the same
year and level anywhere in the store, and a 结业 student later given a 毕业 certificate keeps theirs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import InvalidInput

SCHOOL_TYPE = "1"
SERIAL_DIGITS = 6
MAX_SERIAL = 10**SERIAL_DIGITS - 1
_RE = re.compile(r"^\d{18}$")


def level_code(cc: str) -> str | None:
    """'05' for 本科, '06' for 专科 (and its aliases), '04' for 第二学士学位; None when unknown."""
    return codes().table("CC").code_of(cc or "")


def prefix(school_code: str, year: int | str, level: str) -> str:
    return f"{school_code}{SCHOOL_TYPE}{year}{level}"


def compose(school_code: str, year: int | str, level: str, serial: int) -> str:
    return f"{prefix(school_code, year, level)}{serial:0{SERIAL_DIGITS}d}"


def is_well_formed(number: str) -> bool:
    return bool(_RE.match(number or ""))


def disagreements(number: str, *, school_code: str, year: str, cc: str) -> list[str]:
    """What is wrong with a number for this student, in Chinese; [] when it is right.

    ``year`` is the graduation year (from BYRQ) and ``cc`` the level; an empty or unknown one is
    not compared (it is reported by its own rule).
    """
    n = number or ""
    if not is_well_formed(n):
        return [f"应为 18 位数字，现为“{n}”（{len(n)} 位）"]
    out = []
    if school_code and n[:5] != school_code:
        out.append(f"第 1–5 位学校代码 {n[:5]} 应为 {school_code}")
    if n[5] != SCHOOL_TYPE:
        out.append(f"第 6 位办学类型 {n[5]} 应为 1（普通高等教育）")
    if year and n[6:10] != year:
        out.append(f"第 7–10 位年份 {n[6:10]} 应为毕业年份 {year}")
    level = level_code(cc)
    if level and n[10:12] != level:
        out.append(f"第 11–12 位培养层次 {n[10:12]} 应为 {level}（{codes().table('CC').normalise(cc)}）")
    return out


def highest_serials(numbers: Iterable[str]) -> dict[str, int]:
    """The highest serial used per 12-digit prefix (school, type, year, level)."""
    out: dict[str, int] = {}
    for n in numbers:
        if is_well_formed(n):
            p, serial = n[:12], int(n[12:])
            if serial > out.get(p, -1):
                out[p] = serial
    return out


def plan(students: list[dict], *, used: Iterable[str], school_code: str, year: int,
         start: int | None = None) -> list[tuple[dict, str]]:
    """(student, number) for each student, in the order given, continuing each level's serials.

    ``used`` is every number already in the store. ``start`` is the first serial to give; it must
    lie above every serial already used for the same year and level, so no number is ever reused.
    """
    if not re.fullmatch(r"\d{5}", school_code or ""):
        raise InvalidInput(f"学校代码“{school_code}”应为 5 位数字，请先在数据目录设置中更正学校代码")
    used = set(used)
    top = highest_serials(used)
    nxt: dict[str, int] = {}
    levels: dict[str, str | None] = {}  # a school has a few levels and 30,000 graduates
    out = []
    prefixes: dict[str, str] = {}  # level -> prefix
    for s in students:
        cc = s.get("CC") or ""
        level = levels[cc] if cc in levels else levels.setdefault(cc, level_code(cc))
        if level is None:
            raise InvalidInput(f"考生号 {s.get('KSH')} 的层次“{s.get('CC')}”无法确定培养层次代码")
        p = prefixes.get(level) or prefixes.setdefault(level, prefix(school_code, year, level))
        if p not in nxt:
            highest = top.get(p, 0)
            if start is not None:
                if start <= highest:
                    raise InvalidInput(
                        f"起始流水号 {start} 已被使用：{year} 年{codes().table('CC').normalise(s.get('CC'))}"
                        f"证书编号已用到 {highest:06d}；请不带 --start，或用 --start {highest + 1} 或更大")
                if start < 1:
                    raise InvalidInput("起始流水号 --start 应为正整数")
                nxt[p] = start
            else:
                nxt[p] = highest + 1
        serial = nxt[p]
        if serial > MAX_SERIAL:
            raise InvalidInput(f"{year} 年培养层次 {level} 的证书编号流水号已超过 6 位（{MAX_SERIAL}），无法再分配")
        number = p + str(serial).zfill(SERIAL_DIGITS)  # compose(), without formatting 30,000 times
        if number in used:  # cannot happen above the highest; kept as the last guard of uniqueness
            raise InvalidInput(f"证书编号 {number} 已被使用，未分配任何编号")
        used.add(number)
        nxt[p] = serial + 1
        out.append((s, number))
    return out
