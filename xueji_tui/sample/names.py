"""Synthetic Chinese names with realistic surname frequencies (no real person is meant).

Surname weights are per 10,000 people, after the national frequency tables, nudged toward the
North-East (于, 孙, 董, 姜, 曲, 丛, 栾, 隋, 迟, 佟, 关 are commoner in Jilin). Two-character surnames
are rare but present; minority students get names in their own tradition (朝鲜族, 蒙古族, and
Xinjiang students' two-part names joined by ·).
"""

from __future__ import annotations

import random

_SURNAMES = """
王712 李700 张674 刘560 陈400 杨322 黄180 赵230 吴170 周187 徐145 孙180 马129 朱128 胡116 郭113 何90
林97 罗70 高100 郑82 梁79 谢60 宋68 唐64 许64 韩70 冯60 邓50 曹59 彭45 曾35 肖55 田52 董70 潘50
袁49 于90 蒋48 蔡40 余35 杜43 叶43 程42 苏41 魏41 吕39 丁38 任38 沈37 姚37 卢36 姜60 崔45 钟25
谭25 陆32 汪25 范30 金35 石28 廖20 贾27 夏26 付30 方25 白30 邹24 孟30 熊20 秦23 邱22 江22 尹25
薛21 闫25 段20 雷20 侯22 龙15 史19 陶18 黎12 贺18 顾17 毛17 郝20 龚16 邵18 万16 钱15 严15 武15
戴15 孔14 向10 汤13 常15 温13 康12 施12 文12 牛14 樊12 葛12 邢13 安11 齐13 易10 乔11 伍8 庞10
颜10 倪10 庄10 聂10 章10 鲁10 岳10 翟9 殷9 申9 耿10 关15 兰8 焦9 俞8 左8 柳8 祝8 包8 宁8 尚9
舒7 纪9 梅7 童7 凌7 毕8 单8 季7 裴7 霍8 成7 苗8 谷8 盛6 曲15 翁6 冉6 骆6 蓝6 路7 辛7 靳7 管7
柴6 鲍6 华6 祁6 房6 滕6 屈6 解6 穆6 司5 卓5 吉6 车6 项5 连5 芦6 娄5 窦5 戚5 景5 宫6 费4 卜4
冷5 席4 卫4 米4 柏4 宗4 全4 佟12 应4 臧5 闵4 边5 卞4 姬4 师4 栾10 隋10 商5 刁5 沙3 荣4 郎4
甄4 丛12 仲3 巩4 明3 池3 苑4 迟12 那4 富3 索2 肇2 朴5
欧阳8 司马4 上官3 诸葛1 东方1 皇甫1 尉迟1 公孙1 慕容1 令狐1 夏侯1 端木1
"""

_MALE = "浩宇轩博文俊杰涛鹏鑫磊伟强明超晨阳帅泽睿昊然铭哲航峰辉凯龙成志鸿天嘉家旭东健亮斌彬林宁昌瑞翔飞坤锐晟骏毅豪诚智恒森宏朗禹奕航煜琛楷钧启子一"
_FEMALE = "欣怡婷雪静丽敏琪萱涵雨梦佳悦彤思晴妍璐瑶琳慧颖洁蕾倩娜玥诗雯菲月茜岚薇馨楠露丹爽然可晓心依语桐媛蓉芳红霞冰洋子一"

_KOREAN_SURNAMES = "金李朴崔郑姜赵尹张全韩申吴许黄安玄南洪俞权"
_KOREAN_MALE = ("成浩", "哲洙", "永哲", "光日", "东旭", "承宪", "俊浩", "在勋", "正男", "相国", "明哲", "永吉",
                "成龙", "光浩", "勇哲", "泰俊")
_KOREAN_FEMALE = ("美善", "英爱", "顺姬", "惠珍", "秀妍", "恩惠", "智慧", "贤珠", "美兰", "善花", "春花", "丽娜",
                  "英兰", "多恩", "敏静", "秀美")
_MONGOL_MALE = ("巴特尔", "宝音", "那日苏", "阿古拉", "朝鲁", "额尔敦", "苏和", "毕力格", "巴雅尔", "布和")
_MONGOL_FEMALE = ("乌云", "其其格", "斯琴", "苏日娜", "图雅", "萨仁", "乌兰", "高娃", "娜仁", "塔娜")
_UYGHUR_MALE = ("买买提", "艾力", "艾尔肯", "阿不都拉", "吐尔逊", "努尔", "伊力哈木", "麦麦提敏", "阿迪力", "热合曼")
_UYGHUR_FEMALE = ("阿依古丽", "古丽米拉", "迪丽努尔", "热依拉", "帕提古丽", "阿依努尔", "米热古丽", "努尔古丽",
                  "再努尔", "祖丽菲亚")
_UYGHUR_FATHER = ("艾力", "吐尔逊", "买买提", "艾买提", "阿布都拉", "热合曼", "库尔班", "哈力克", "艾山", "玉素甫")
_KAZAKH_MALE = ("叶尔江", "努尔兰", "别克", "达吾列提", "阿斯哈尔", "叶尔波力")
_KAZAKH_FEMALE = ("阿依达娜", "古丽娜尔", "阿娜尔", "加娜尔", "莎乌列")
_KAZAKH_FATHER = ("努尔兰", "哈森", "吐尔洪", "别克", "加肯")


def _parse(text: str) -> tuple[list[str], list[int]]:
    names, weights = [], []
    for token in text.split():
        i = next(k for k, ch in enumerate(token) if ch.isdigit())
        names.append(token[:i])
        weights.append(int(token[i:]))
    return names, weights


SURNAMES, SURNAME_WEIGHTS = _parse(_SURNAMES)
_CUM = list(__import__("itertools").accumulate(SURNAME_WEIGHTS))


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, cum_weights=_CUM)[0]


def _given(rng: random.Random, male: bool) -> str:
    pool = _MALE if male else _FEMALE
    if rng.random() < 0.18:
        return rng.choice(pool)
    a, b = rng.choice(pool), rng.choice(pool)
    while b == a:
        b = rng.choice(pool)
    return a + b


def han_name(rng: random.Random, male: bool) -> str:
    return surname(rng) + _given(rng, male)


def name_for(rng: random.Random, ethnicity: str, male: bool) -> str:
    """A name in the student's own tradition; minorities not listed here take Han-style names."""
    if ethnicity == "朝鲜族":
        return rng.choice(_KOREAN_SURNAMES) + rng.choice(_KOREAN_MALE if male else _KOREAN_FEMALE)
    if ethnicity == "蒙古族" and rng.random() < 0.6:
        given = rng.choice(_MONGOL_MALE if male else _MONGOL_FEMALE)
        return (rng.choice("包白韩吴") + given) if rng.random() < 0.4 else given
    if ethnicity == "维吾尔族":
        return rng.choice(_UYGHUR_MALE if male else _UYGHUR_FEMALE) + "·" + rng.choice(_UYGHUR_FATHER)
    if ethnicity == "哈萨克族":
        return rng.choice(_KAZAKH_MALE if male else _KAZAKH_FEMALE) + "·" + rng.choice(_KAZAKH_FATHER)
    return han_name(rng, male)
