"""Where students come from and the numbers that describe them: 身份证号, 考生号, birth dates.

Region codes are those in force when today's students were born (2000s), e.g. 220381 公主岭
(a 四平 county until 2020); every one of them is in the GB/T 2260 table we ship.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from xueji_tui.domain import idcard


@dataclass(frozen=True)
class Origin:
    province: str  # 2 digits, also in the 考生号
    regions: tuple[tuple[str, int], ...]  # (6-digit region code, weight)
    ethnicities: tuple[tuple[str, int], ...]  # (民族, weight)


_HAN_JILIN = (("汉族", 905), ("满族", 60), ("朝鲜族", 10), ("回族", 12), ("蒙古族", 8), ("锡伯族", 3), ("土家族", 2))

ORIGINS: tuple[tuple[Origin, int], ...] = (
    # 吉林: 长春, 吉林, 四平 (the school's city), 辽源, 通化, 白山, 松原, 白城
    (Origin("22", (("220102", 8), ("220103", 7), ("220104", 8), ("220105", 6), ("220106", 6), ("220112", 4),
                   ("220122", 8), ("220181", 5), ("220182", 8), ("220183", 7), ("220202", 5), ("220203", 4),
                   ("220204", 4), ("220211", 3), ("220221", 4), ("220281", 4), ("220282", 4), ("220283", 5),
                   ("220284", 5), ("220302", 8), ("220303", 8), ("220322", 9), ("220323", 5), ("220381", 9),
                   ("220382", 6), ("220402", 3), ("220403", 3), ("220421", 4), ("220422", 3), ("220502", 3),
                   ("220521", 3), ("220523", 3), ("220524", 3), ("220581", 5), ("220582", 2), ("220602", 3),
                   ("220621", 2), ("220622", 1), ("220681", 2), ("220702", 4), ("220722", 4), ("220723", 2),
                   ("220724", 4), ("220802", 3), ("220821", 3), ("220822", 3), ("220881", 3), ("220882", 3)),
            _HAN_JILIN), 820),
    # 延边: 朝鲜族 homeland
    (Origin("22", (("222401", 6), ("222402", 2), ("222403", 4), ("222404", 2), ("222405", 2), ("222406", 1),
                   ("222424", 2), ("222426", 2)),
            (("朝鲜族", 60), ("汉族", 35), ("满族", 5))), 50),
    # 前郭尔罗斯: 蒙古族
    (Origin("22", (("220721", 1),), (("蒙古族", 45), ("汉族", 50), ("满族", 5))), 20),
    (Origin("23", (("230102", 2), ("230103", 2), ("230202", 1), ("230602", 1)), (("汉族", 93), ("满族", 7))), 30),
    (Origin("21", (("210102", 2), ("210202", 1), ("210302", 1)), (("汉族", 85), ("满族", 15))), 20),
    (Origin("15", (("150102", 1), ("150502", 1)), (("蒙古族", 40), ("汉族", 60))), 15),
    (Origin("37", (("370102", 1), ("370203", 1)), (("汉族", 1),)), 12),
    (Origin("41", (("410102", 1), ("410105", 1)), (("汉族", 97), ("回族", 3))), 12),
    (Origin("65", (("650102", 2), ("650103", 1), ("653101", 2), ("652901", 2)),
            (("维吾尔族", 70), ("哈萨克族", 15), ("汉族", 15))), 16),
)

# 长春高新技术产业开发区: issues numbers with a code newer than the table we ship (id-region warning)
UNLISTED_REGION = "220173"


def pick(rng: random.Random, pairs):
    items = [p[0] for p in pairs]
    return rng.choices(items, weights=[p[1] for p in pairs])[0]


def birth_date(rng: random.Random, entry_year: int) -> date:
    """Most freshmen are 18 in the September they enter; some 17, 19 or 20."""
    age = rng.choices((17, 18, 19, 20), weights=(10, 62, 23, 5))[0]
    # born between September of (year - age - 1) and August of (year - age): age ``age`` at entry
    start = date(entry_year - age - 1, 9, 2)
    return start + timedelta(days=rng.randrange(365))


def yyyymmdd(d: date) -> str:
    return d.strftime("%Y%m%d")


def id_number(region: str, born: date, male: bool, serial: int) -> str:
    """A valid 18-character number: region + birth date + 3-digit sequence (odd = male) + check char."""
    seq = serial % 500 * 2 + (1 if male else 0)
    seq = seq if seq >= 2 else seq + 2  # 000/001 are not issued
    first17 = f"{region}{yyyymmdd(born)}{seq:03d}"
    return first17 + idcard.check_char(first17)


class Numbers:
    """Hands out unique 身份证号 and 考生号 (same seed, same numbers)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ids: set[str] = set()
        self.kshs: set[str] = set()

    def id_for(self, region: str, born: date, male: bool) -> str:
        while True:
            v = id_number(region, born, male, self.rng.randrange(1000))
            if v not in self.ids:
                self.ids.add(v)
                return v

    def ksh_for(self, exam_year: int, province: str, region: str) -> str:
        """14 digits: 2-digit exam year, province, then 10 digits (county + a serial)."""
        while True:
            v = f"{exam_year % 100:02d}{province}{region[2:6]}{self.rng.randrange(1_000_000):06d}"
            if v not in self.kshs:
                self.kshs.add(v)
                return v
