"""The sample school: 吉林师范大学, its colleges, departments and majors (all synthetic but real-looking).

Major codes follow the shape of the national catalogues (6 digits, T = special, K = state-controlled;
专科 codes from the 高职专科 catalogue). ``share`` is a college's part of the intake, ``female`` the
share of women (a normal university enrols many more women, except in sport and the sciences).
"""

from __future__ import annotations

from dataclasses import dataclass

SCHOOL_CODE = "10202"
SCHOOL_NAME = "吉林师范大学"
PRESIDENT = "李清源"  # synthetic
OFFICE_CLERK = "xjk"  # 学生工作处学籍科: the office account that signs the sample's history


@dataclass(frozen=True)
class Major:
    code: str   # ZYDM
    name: str   # ZYMC
    short: str  # the class-name stem (BH = short + YY + NN)
    dept: str   # XSH
    cc: str = "本科"
    xz: str = "4"
    weight: int = 10
    lqlx: str = "普通类"


@dataclass(frozen=True)
class College:
    no: str      # 2 digits, inside the 学号
    name: str    # FY
    clerk: str   # the college clerk's login
    share: int
    female: float
    majors: tuple[Major, ...]


def _m(code, name, short, dept, cc="本科", xz="4", weight=10, lqlx="普通类"):
    return Major(code, name, short, dept, cc, xz, weight, lqlx)


COLLEGES: tuple[College, ...] = (
    College("01", "文学院", "wenxue", 11, 0.80, (
        _m("050101", "汉语言文学", "汉文", "中国语言文学系", weight=30, lqlx="公费师范生"),
        _m("050103", "汉语国际教育", "汉教", "中国语言文学系", weight=10),
        _m("050107T", "秘书学", "秘书", "中国语言文学系", weight=8),
        _m("050301", "新闻学", "新闻", "新闻传播系", weight=10),
        _m("050302", "广播电视学", "广电", "新闻传播系", weight=8),
        _m("570104K", "语文教育", "语教专", "中国语言文学系", cc="专科", xz="3", weight=8),
    )),
    College("02", "历史文化学院", "lishi", 6, 0.62, (
        _m("060101", "历史学", "历史", "历史学系", weight=25, lqlx="公费师范生"),
        _m("060102", "世界史", "世界史", "历史学系", weight=8),
        _m("060104", "文物与博物馆学", "文博", "文物与博物馆学系", weight=8),
    )),
    College("03", "数学与计算机学院", "shuji", 10, 0.52, (
        _m("070101", "数学与应用数学", "数学", "数学系", weight=25, lqlx="公费师范生"),
        _m("070102", "信息与计算科学", "信计", "数学系", weight=8),
        _m("071201", "统计学", "统计", "数学系", weight=6),
        _m("080901", "计算机科学与技术", "计科", "计算机科学系", weight=15),
        _m("080902", "软件工程", "软工", "计算机科学系", weight=10),
        _m("080910T", "数据科学与大数据技术", "大数据", "计算机科学系", weight=8),
        _m("510201", "计算机应用技术", "计应专", "计算机科学系", cc="专科", xz="3", weight=8),
    )),
    College("04", "物理学院", "wuli", 6, 0.45, (
        _m("070201", "物理学", "物理", "物理学系", weight=20, lqlx="公费师范生"),
        _m("070202", "应用物理学", "应物", "物理学系", weight=6),
        _m("080705", "光电信息科学与工程", "光电", "电子信息系", weight=8),
        _m("080714T", "电子信息科学与技术", "电信", "电子信息系", weight=8),
    )),
    College("05", "化学学院", "huaxue", 6, 0.58, (
        _m("070301", "化学", "化学", "化学系", weight=20, lqlx="公费师范生"),
        _m("070302", "应用化学", "应化", "化学系", weight=8),
        _m("080403", "材料化学", "材化", "材料化学系", weight=6),
        _m("081301", "化学工程与工艺", "化工", "材料化学系", weight=6),
    )),
    College("06", "外国语学院", "waiyu", 10, 0.86, (
        _m("050201", "英语", "英语", "英语系", weight=30, lqlx="公费师范生"),
        _m("050202", "俄语", "俄语", "俄语系", weight=6),
        _m("050207", "日语", "日语", "日语系", weight=8),
        _m("050209", "朝鲜语", "朝鲜语", "朝鲜语系", weight=6),
        _m("050261", "翻译", "翻译", "英语系", weight=6),
        _m("570106K", "英语教育", "英教专", "英语系", cc="专科", xz="3", weight=8),
    )),
    College("07", "教育科学学院", "jiaoke", 11, 0.88, (
        _m("040101", "教育学", "教育", "教育学系", weight=10),
        _m("040104", "教育技术学", "教技", "教育技术系", weight=8),
        _m("040106", "学前教育", "学前", "学前教育系", weight=15, lqlx="公费师范生"),
        _m("040107", "小学教育", "小教", "小学教育系", weight=15, lqlx="公费师范生"),
        _m("040108", "特殊教育", "特教", "教育学系", weight=6),
        _m("071102", "应用心理学", "应心", "心理学系", weight=8),
        _m("570102K", "学前教育", "学前专", "学前教育系", cc="专科", xz="3", weight=12),
    )),
    College("08", "音乐学院", "yinyue", 5, 0.72, (
        _m("130202", "音乐学", "音乐", "音乐教育系", weight=15, lqlx="艺术类"),
        _m("130201", "音乐表演", "音表", "表演系", weight=8, lqlx="艺术类"),
        _m("130205", "舞蹈学", "舞蹈", "舞蹈系", weight=6, lqlx="艺术类"),
    )),
    College("09", "美术学院", "meishu", 6, 0.70, (
        _m("130401", "美术学", "美术", "美术系", weight=12, lqlx="艺术类"),
        _m("130402", "绘画", "绘画", "美术系", weight=6, lqlx="艺术类"),
        _m("130502", "视觉传达设计", "视传", "设计系", weight=8, lqlx="艺术类"),
        _m("130503", "环境设计", "环设", "设计系", weight=8, lqlx="艺术类"),
    )),
    College("10", "体育学院", "tiyu", 6, 0.30, (
        _m("040201", "体育教育", "体教", "体育教育系", weight=20, lqlx="体育类"),
        _m("040202K", "运动训练", "运训", "运动训练系", weight=8, lqlx="体育类"),
        _m("040203", "社会体育指导与管理", "社体", "体育教育系", weight=6, lqlx="体育类"),
    )),
    College("11", "经济管理学院", "jingguan", 9, 0.68, (
        _m("020101", "经济学", "经济", "经济学系", weight=8),
        _m("020401", "国际经济与贸易", "国贸", "经济学系", weight=8),
        _m("120203K", "会计学", "会计", "会计系", weight=12),
        _m("120204", "财务管理", "财管", "会计系", weight=8),
        _m("120206", "人力资源管理", "人力", "管理系", weight=6),
        _m("530302", "大数据与会计", "会计专", "会计系", cc="专科", xz="3", weight=8),
    )),
    College("12", "马克思主义学院", "makesi", 4, 0.72, (
        _m("030503", "思想政治教育", "思政", "思想政治教育系", weight=20, lqlx="公费师范生"),
        _m("030201", "政治学与行政学", "政行", "政治学系", weight=6),
    )),
    College("13", "生命科学学院", "shengke", 6, 0.66, (
        _m("071001", "生物科学", "生科", "生物科学系", weight=18, lqlx="公费师范生"),
        _m("071002", "生物技术", "生技", "生物技术系", weight=8),
        _m("071004", "生态学", "生态", "生物科学系", weight=5),
    )),
)

CLASS_SIZE = 36  # a class (BH) holds about this many students
# the school's numbering scheme (settings): 学号 = entry year, college number, a running number within
# the college and year; 班号 = the major's short name, the year's last two digits, the class number
XH_PATTERN = "{year}{college:2}{seq:4}"
BH_PATTERN = "{short}{year:2}{class:2}"


def college_by_name(name: str) -> College:
    return next(c for c in COLLEGES if c.name == name)


def all_majors() -> list[tuple[College, Major]]:
    return [(c, m) for c in COLLEGES for m in c.majors]


def catalog_rows() -> list[dict]:
    """The major catalogue the store keeps (``majors``): ZYDM -> ZYMC, FY, XSH, CC, XZ, and the school's
    numbers for placement (the college's number in a 学号, the major's, the class-name stem)."""
    return [{"ZYDM": m.code, "ZYMC": m.name, "FY": c.name, "XSH": m.dept, "CC": m.cc, "XZ": m.xz,
             "college_no": c.no, "major_no": f"{i:02d}", "short": m.short}
            for c in COLLEGES for i, m in enumerate(c.majors, 1)]


def clerk_rows() -> list[dict]:
    """The sample's clerks besides the creating identity: the office account and one per college."""
    return [{"name": OFFICE_CLERK, "role": "office", "college": ""}] + [
        {"name": c.clerk, "role": "college", "college": c.name} for c in COLLEGES]
