"""身份证号 (GB 11643): structure, check character (ISO 7064 MOD 11-2), birth date, gender, region.

The check character comes from python-stdnum (0.4 µs a number: a 100,000-row import spends 40 ms on
it); its region table (GB/T 2260, 2002–2014) is the one we ship, and an unknown region is only a
warning (docs/codes.md, "Numbers with structure").
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache, lru_cache

_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")
_RE18 = re.compile(r"^\d{17}[\dX]$")


def normalise(value: str) -> str:
    """Safe normalisation of a typed or imported number: spaces, full-width digits, lower-case x."""
    return (value or "").strip().translate(_FULLWIDTH).replace(" ", "")


def mask(value: str) -> str:
    """220302********1234: keeps the region and the last four characters."""
    v = value or ""
    if len(v) <= 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def is_well_formed(value: str) -> bool:
    return bool(_RE18.match(value or ""))


@cache
def _calc_check_digit():
    from stdnum.cn import ric  # here, not at the top: importing stdnum.cn costs the launch 40 ms

    return ric.calc_check_digit


def check_char(first17: str) -> str:
    return _calc_check_digit()(first17[:17] + "0")  # stdnum expects the whole number and drops its last character


def birth_date(value: str) -> date | None:
    """The birth date embedded in an 18-character number, or None when it is not a real date."""
    return _day(value[6:14])


@lru_cache(maxsize=1 << 14)  # a school's students are born on a few thousand days
def _day(digits: str) -> date | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except (ValueError, IndexError):
        return None


def gender_code(value: str) -> str:
    """'1' (男) when the 17th digit is odd, '2' (女) when even."""
    return "1" if int(value[16]) % 2 else "2"


@cache
def _regions() -> frozenset[str]:
    from importlib import resources

    # numdb layout: "22 province=…" then indented "  0102 county=…" lines completing the code
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text("utf-8")
    out, province = set(), ""
    for line in text.splitlines():
        head = line.split(" ", 1)[0] if line[:1].isdigit() else line.strip().split(" ", 1)[0]
        if line[:1].isdigit() and len(head) == 2:
            province = head
        elif line.startswith(" ") and len(head) == 4 and head.isdigit() and province:
            out.add(province + head)
    return frozenset(out)


def region_known(value: str) -> bool:
    return value[:6] in _regions()


_GENDER = {"男": "1", "女": "2", "1": "1", "2": "2"}


def problems(value: str, csrq: str = "", xb: str = "") -> list[tuple[str, str, str]]:
    """Every problem of a number as (rule, severity, Chinese message), the precheck's rule ids.

    ``xb`` is the gender name or code of the record ('男' / '1'); ``csrq`` its YYYYMMDD birth date.
    """
    v = value or ""
    if not is_well_formed(v):
        if re.fullmatch(r"\d{15}", v):
            why = "为 15 位旧号码，须换为 18 位身份证号"
        else:
            why = f"应为 18 位（17 位数字加数字或 X），现为“{v}”（{len(v)} 位）"
        return [("id-format", "error", f"身份证号{why}，请核对身份证原件")]
    out: list[tuple[str, str, str]] = []
    expected = check_char(v[:17])
    if v[17] != expected:
        out.append(("id-checksum", "error", f"身份证号校验位应为 {expected}，现为 {v[17]}，请核对身份证原件"))
    bd = birth_date(v)
    if bd is None:
        out.append(("id-birthdate", "error", f"身份证号中的出生日期 {v[6:14]} 不是有效日期，请核对身份证原件"))
    elif csrq and csrq != (v[6:14] if v.isascii() and bd.year >= 1000 else bd.strftime("%Y%m%d")):
        out.append(("id-birthdate", "error",
                    f"身份证号中的出生日期 {bd:%Y%m%d} 与出生日期 {csrq} 不一致，请核对身份证原件"))
    g = _GENDER.get((xb or "").strip())
    if g and gender_code(v) != g:
        want = "男" if gender_code(v) == "1" else "女"
        out.append(("id-gender", "error", f"身份证号第 17 位表示性别为{want}，与性别“{xb}”不一致，请核对"))
    if not region_known(v):
        out.append(("id-region", "warning", f"身份证号地区码 {v[:6]} 不在 GB/T 2260 行政区划表中，请核对"))
    return out
