"""Synthetic, valid graduates for the precheck tests and the benchmark (never real people).

``graduate(i)`` is a student who passes every rule of the precheck for ``YEAR``; a test changes one
thing to trigger one rule.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

from xueji_tui.domain.idcard import check_char

YEAR = 2026
# numbers are being given for YEAR (``certno assign`` ran): the precheck's second stage, where a
# graduate without a number is an error; the first stage is tested with these settings without it
SETTINGS = {"school_code": "10202", "school_name": "吉林师范大学", "president": "王校长", "certno_years": [YEAR]}
COLLEGES = ("文学院", "数学学院", "物理学院", "化学学院")
MAJORS = (("050101", "汉语言文学"), ("070101", "数学与应用数学"), ("070201", "物理学"), ("070301", "化学"))
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def sfzh(birth: str, seq: int, male: bool, region: str = "220102") -> str:
    seq = seq % 500 * 2 + (1 if male else 0)
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + check_char(first17)


def name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)]


def graduate(i: int, year: int = YEAR, **changes) -> dict:
    entry = year - 4
    college = i % len(COLLEGES)
    zydm, zymc = MAJORS[college]
    male = i % 2 == 0
    birth = (date(entry - 19, 1, 1) + timedelta(days=i * 7 % 730)).strftime("%Y%m%d")
    s = {
        "KSH": f"{entry % 100:02d}22{i:010d}",
        "XH": f"{entry}{college + 1:02d}{i:06d}",
        "XM": name(i), "XB": "男" if male else "女", "CSRQ": birth,
        "SFZH": sfzh(birth, i // 730, male),
        "MZ": "汉族", "ZZMM": "共青团员", "YXDM": "10202", "YXMC": "吉林师范大学",
        "ZYDM": zydm, "ZYMC": zymc, "FY": COLLEGES[college], "XSH": "", "BH": f"{zymc[:2]}{entry % 100}{i % 3 + 1}班",
        "CC": "本科", "XXXS": "普通全日制", "XZ": "4", "RXRQ": f"{entry}0901", "YJBYRQ": f"{year}0630",
        "DQSZJ": str(entry), "LQLX": "普通高考", "BYRQ": "", "BJYJL": "", "ZSBH": f"102021{year}05{i + 1:06d}",
        "BZ": "", "status": "注册学籍", "verification": {}, "history": [],
        "photo": {"taken": True, "taken_on": f"{year - 1}1010", "linked": True, "check": "无误",
                  "checked_on": f"{year - 1}1201", "identity": ""},
        "grad_year": year,
    }
    for k, v in changes.items():
        if k == "photo" and isinstance(v, dict):
            s["photo"] = {**s["photo"], **v}
        else:
            s[k] = v
    return s


def school(n: int, year: int = YEAR) -> list[dict]:
    return [graduate(i, year) for i in range(n)]


def clone(students: list[dict]) -> list[dict]:
    return copy.deepcopy(students)
