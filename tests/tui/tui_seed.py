"""A seeded synthetic school for the UI tests and the UI benchmark (no real people's data).

Built by the suite's one school builder (xueji_testkit.build_school, through the store API) so the UI
reads exactly what the services write. Deterministic for a seed: snapshots depend on it.
"""

from __future__ import annotations

import random
from pathlib import Path

from xueji_testkit import build_school, majors_of
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.idcard import check_char

AT = "2025-09-15T10:00:00+08:00"
SCHOOL = "吉林师范大学"

COLLEGES: dict[str, list[tuple[str, str, str]]] = {
    "文学院": [("050101", "汉语言文学", "中文系"), ("050107T", "秘书学", "中文系")],
    "数学与计算机学院": [("070101", "数学与应用数学", "数学系"), ("080901", "计算机科学与技术", "计算机系")],
    "外国语学院": [("050201", "英语", "英语系"), ("050207", "日语", "日语系")],
    "历史文化学院": [("060101", "历史学", "历史系")],
    "物理学院": [("070201", "物理学", "物理系")],
    "化学学院": [("070301", "化学", "化学系")],
    "教育科学学院": [("040101", "教育学", "教育系"), ("040106", "学前教育", "学前系")],
    "音乐学院": [("130202", "音乐学", "音乐系")],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "三帅伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂玉萍红娥玲芬燕彬鹏辉宇浩然子涵博文轩"
REGIONS = ("220102", "220104", "220302", "220303", "220182", "220202")


def make_id(region: str, birth: str, seq: int, male: bool) -> str:
    s = f"{seq % 100:02d}{(seq // 100 % 5) * 2 + (1 if male else 0)}"
    first17 = f"{region}{birth}{s}"
    return first17 + check_char(first17)


def make_student(i: int, rnd: random.Random, *, n_colleges: int = len(COLLEGES)) -> dict:
    colleges = list(COLLEGES)[:n_colleges]
    fy = colleges[i % len(colleges)]
    zydm, zymc, xsh = COLLEGES[fy][(i // len(colleges)) % len(COLLEGES[fy])]
    year = 2022 + (i // 7) % 4
    male = rnd.random() < 0.45
    birth = f"{year - 18}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
    given = rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.7 else "")
    name = rnd.choice(SURNAMES) + given
    cls = 1 + (i // 50) % 3
    ci = colleges.index(fy) + 1
    s = {
        "KSH": f"{year % 100:02d}22{i:010d}", "XH": f"{year}{ci:02d}{i:06d}", "XM": name,
        "XB": "男" if male else "女", "CSRQ": birth, "SFZH": make_id(rnd.choice(REGIONS), birth, i, male),
        "MZ": "汉族" if rnd.random() < 0.9 else rnd.choice(["满族", "朝鲜族", "蒙古族", "回族"]),
        "ZZMM": "共青团员", "YXDM": "10202", "YXMC": SCHOOL, "ZYDM": zydm, "ZYMC": zymc, "FY": fy,
        "XSH": xsh, "BH": f"{zymc}{year % 100}{cls:02d}", "CC": "本科", "XXXS": "普通全日制", "XZ": "4",
        "RXRQ": f"{year}0901", "YJBYRQ": f"{year + 4}0630", "LQLX": "普通高考", "BZ": "",
        "status": "注册学籍", "history": [], "verification": {}, "grad_year": None,
        "photo": {"taken": year == 2022, "taken_on": "20250310" if year == 2022 else "",
                  "linked": year == 2022, "check": "未校对", "checked_on": "", "identity": ""},
    }
    if year == 2025:
        s["status"] = "待注册"
        done = rnd.randint(0, len(ART6_FIELDS))
        for f in ART6_FIELDS[:done]:
            s["verification"][f] = {"v": "ok", "seen": s.get(f, ""), "note": "", "by": "wenxue", "at": AT}
        if done < len(ART6_FIELDS) and rnd.random() < 0.15:
            f = ART6_FIELDS[done]
            s["verification"][f] = {"v": "wrong", "seen": s.get(f, ""), "note": "与录取通知书不符",
                                    "by": "wenxue", "at": AT}
    else:
        for f in ART6_FIELDS:
            s["verification"][f] = {"v": "ok", "seen": s.get(f, ""), "note": "", "by": "office1", "at": AT}
        r = rnd.random()
        if r < 0.02:
            s["status"] = "休学(病休)"
            s["history"].append({"id": "E1", "code": "1101", "type": "休学", "reason": "因病休学",
                                 "kind": "status", "date": "20240301", "approved": "20240228",
                                 "doc": "吉师大教字〔2024〕5号", "note": "", "clerk": "office1", "at": AT,
                                 "from": "注册学籍", "to": "休学(病休)", "fields": {}})
        elif r < 0.03:
            s["status"] = "暂缓注册"
        elif r < 0.035:
            s["status"] = "退学"
    if i % 97 == 13:  # a planted flaw: a bad check digit, for the "has problems" filter
        s["SFZH"] = s["SFZH"][:17] + ("0" if s["SFZH"][17] != "0" else "1")
    return s


def build(root: Path, n: int = 60, seed: int = 7, *, n_colleges: int = len(COLLEGES)):
    """A data directory with ``n`` students, the majors catalogue and three clerks (office1 and office2 of
    学生工作处, wenxue of 文学院), every audit line stamped ``AT``."""
    rnd = random.Random(seed)
    students = [make_student(i, rnd, n_colleges=n_colleges) for i in range(n)]
    return build_school(root, students=students, majors=majors_of(dict(list(COLLEGES.items())[:n_colleges])),
                        school={"school_name": SCHOOL}, at=AT)
