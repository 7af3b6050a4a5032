"""Planted defects: a handful of graduating students break each precheck rule, on purpose.

Each variant changes one student (or a pair, for ``duplicate``) so that exactly the listed findings
follow, and nothing else — the manifest (``planted.json``) is what the precheck must report for
the year besides ``missing-field`` on ZSBH (nobody has a certificate number before ``certno
assign``). The variants are the flaws real CHSI data and real offices produce: a mistyped check
character, an ID with a digit dropped, a 生僻字 outside GBK, a long Uyghur name, a 13-digit 考生号 …
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from xueji_tui.precheck import certno
from xueji_tui.precheck.rules import RULES
from xueji_tui.sample import names
from xueji_tui.sample.calendar import Calendar, parse, ymd
from xueji_tui.sample.people import UNLISTED_REGION, Numbers
from xueji_tui.sample.school import OFFICE_CLERK, SCHOOL_CODE
from xueji_tui.sample.stories import Life

LONG_NAMES = ("阿卜杜热合曼江·麦麦提图尔荪·阿卜杜克热木江", "阿依古丽米热阿依·阿卜杜热西提·艾合买提江")
RARE_GIVEN = ("𠮷", "䶮", "𪚥")  # outside GBK: CHSI keeps them, a GBK upload file cannot


@dataclass
class Ctx:
    rng: random.Random
    cal: Calendar
    numbers: Numbers
    life: Life
    corrections: list[dict]
    serial: list[int]  # next certificate serial for planted numbers


Expect = list[tuple[str, str]]  # (rule, field)


def planting(rule: str, what: str):
    """Name a variant's rule (to spread each rule over colleges) and what it plants (for the manifest)."""
    def mark(fn):
        fn.rule, fn.what = rule, what
        return fn
    return mark


def _male(s: dict) -> bool:
    return s["XB"] == "男"


def _born(s: dict) -> date:
    return parse(s["CSRQ"])


# -- one-student variants -------------------------------------------------------------------------
def missing(field: str):
    def plant(s, ctx) -> Expect:
        s[field] = ""
        return [("missing-field", field)]
    return planting("missing-field", f"{field} 为空")(plant)


@planting("bad-date", "入学日期 9 月 31 日")
def bad_rxrq_day(s, ctx) -> Expect:
    s["RXRQ"] = s["RXRQ"][:4] + "0931"
    return [("bad-date", "RXRQ")]


@planting("bad-date", "入学日期只有 7 位")
def bad_rxrq_short(s, ctx) -> Expect:
    s["RXRQ"] = s["RXRQ"][:4] + "091"
    return [("bad-date", "RXRQ")]


@planting("date-order", "入学时未满 14 周岁（身份证号与出生日期一致）")
def too_young(s, ctx) -> Expect:
    entry = int(s["RXRQ"][:4])
    born = date(entry - 13, ctx.rng.randrange(1, 8), ctx.rng.randrange(1, 28))
    ctx.numbers.ids.discard(s["SFZH"])
    s["CSRQ"] = ymd(born)
    s["SFZH"] = ctx.numbers.id_for(s["SFZH"][:6], born, _male(s))
    return [("date-order", "CSRQ")]


@planting("bad-code", "民族不在代码表中")
def bad_mz(s, ctx) -> Expect:
    s["MZ"] = "穿青人"
    return [("bad-code", "MZ")]


@planting("bad-code", "政治面貌不在代码表中")
def bad_zzmm(s, ctx) -> Expect:
    s["ZZMM"] = "少先队员"
    return [("bad-code", "ZZMM")]


@planting("id-format", "身份证号少一位")
def id_dropped_digit(s, ctx) -> Expect:
    s["SFZH"] = s["SFZH"][:10] + s["SFZH"][11:]
    return [("id-format", "SFZH")]


@planting("id-format", "身份证号中数字 0 录成字母 O")
def id_letter_o(s, ctx) -> Expect:
    v = s["SFZH"]
    i = v.index("0", 2)
    s["SFZH"] = v[:i] + "O" + v[i + 1:]
    return [("id-format", "SFZH")]


@planting("id-checksum", "身份证号校验位错")
def id_checksum(s, ctx) -> Expect:
    v = s["SFZH"]
    wrong = [c for c in "0123456789X" if c != v[17]]
    s["SFZH"] = v[:17] + ctx.rng.choice(wrong)
    return [("id-checksum", "SFZH")]


@planting("id-birthdate", "出生日期与身份证号不一致")
def id_birthdate(s, ctx) -> Expect:
    born = _born(s)
    other = born + timedelta(days=ctx.rng.choice((1, 2, 10, -1, -3)))
    s["CSRQ"] = ymd(other)
    return [("id-birthdate", "SFZH")]


@planting("id-gender", "性别与身份证号第 17 位不一致")
def id_gender(s, ctx) -> Expect:
    s["XB"] = "女" if _male(s) else "男"
    return [("id-gender", "SFZH")]


@planting("id-region", "身份证号地区码（长春高新区 220173）不在行政区划表中")
def id_region(s, ctx) -> Expect:
    ctx.numbers.ids.discard(s["SFZH"])
    s["SFZH"] = ctx.numbers.id_for(UNLISTED_REGION, _born(s), _male(s))
    return [("id-region", "SFZH")]


@planting("certno-format", "证书编号只有 17 位")
def certno_short(s, ctx) -> Expect:
    s["ZSBH"] = _certno(s, ctx)[:-1]
    return [("certno-format", "ZSBH")]


@planting("certno-format", "证书编号年份不是毕业年份")
def certno_year(s, ctx) -> Expect:
    s["ZSBH"] = _certno(s, ctx, year=ctx.cal.grad_year - 1)
    return [("certno-format", "ZSBH")]


@planting("certno-format", "证书编号培养层次与层次不符")
def certno_level(s, ctx) -> Expect:
    s["ZSBH"] = _certno(s, ctx, level="06" if s["CC"] == "本科" else "05")
    return [("certno-format", "ZSBH")]


def _certno(s, ctx, year=None, level=None) -> str:
    ctx.serial[0] += 1
    return certno.compose(SCHOOL_CODE, year or ctx.cal.grad_year, level or certno.level_code(s["CC"]),
                          ctx.serial[0])


@planting("not-encodable", "姓名含 GBK 以外的生僻字")
def rare_char(s, ctx) -> Expect:
    s["XM"] = names.surname(ctx.rng) + ctx.rng.choice(RARE_GIVEN)
    return [("not-encodable", "XM")]


@planting("too-long", "姓名超过 40 字节（上报文件 XM 宽度）")
def long_name(s, ctx) -> Expect:
    taken = {x["XM"] for x in ctx.life.pop.students}
    s["XM"] = next((n for n in LONG_NAMES if n not in taken), LONG_NAMES[0] + "江")
    s["MZ"] = "维吾尔族"
    return [("too-long", "XM")]


def _status(code: str, what: str, *, days=(4, 20)):
    def plant(s, ctx) -> Expect:
        start = ctx.cal.term_start
        ctx.life.record(s, code, ctx.cal.between(start + timedelta(days[0]), start + timedelta(days[1])))
        return [("status", "")]
    return planting("status", what)(plant)


def _photo(what: str, expect: str, **photo):
    def plant(s, ctx) -> Expect:
        p = dict(s["photo"])
        for k, v in photo.items():
            p[k] = v(p, ctx) if callable(v) else v
        s["photo"] = p
        return [(expect, "ZP")]
    return planting(expect, what)(plant)


def _early(p, ctx) -> str:
    return ymd(parse(p["taken_on"]) + timedelta(days=ctx.rng.randrange(18, 39)))


def _flag(where: str, flag: str):
    def plant(s, ctx) -> Expect:
        if where == "BZ":
            s["BZ"] = flag
        else:
            s["photo"] = dict(s["photo"], identity=flag)
        return [("identity-flag", "BZ")]
    return planting("identity-flag", f"{'备注' if where == 'BZ' else '照片名单身份核验'}：{flag}")(plant)


def _request(field: str, status: str):
    def plant(s, ctx) -> Expect:
        rng = ctx.rng
        if field == "XM" and "·" in s["XM"]:
            first, rest = s["XM"].split("·", 1)
            new = f"{first}江·{rest}"
            reason, evidence = "本人已在公安机关办理姓名变更", "户籍所在地派出所出具的姓名变更证明"
        elif field == "XM":
            new = s["XM"][:1] + ("子" if s["XM"][1:2] != "子" else "梓") + s["XM"][2:]
            reason, evidence = "本人已在公安机关办理姓名变更", "户籍所在地派出所出具的姓名变更证明"
        else:
            new = "满族" if s["MZ"] != "满族" else "汉族"
            reason, evidence = "民族成分更改（随母亲）", "县公安局出具的民族成分变更证明"
        clerk = ctx.life.clerk_of[s["FY"]]
        day = ctx.cal.between(ctx.cal.term_start + timedelta(20), ctx.cal.term_start + timedelta(60))
        at = ctx.cal.stamp(day)
        steps = [{"status": "申请", "by": clerk, "at": at, "note": reason}]
        if status == "已报教育厅":
            steps.append({"status": "已报教育厅", "by": OFFICE_CLERK, "at": ctx.cal.stamp(day + timedelta(rng.randrange(3, 9))),
                          "note": ""})
        ctx.corrections.append({"KSH": s["KSH"], "XH": s["XH"], "XM": s["XM"], "FY": s["FY"], "field": field,
                                "old": s[field], "new": new, "reason": reason, "evidence": evidence,
                                "status": status, "filed_by": clerk, "filed_at": at, "steps": steps})
        return [("pending-correction", field)]
    return planting("pending-correction", f"{field} 的更正申请未办结（{status}）")(plant)


@planting("not-on-list", "不在学信网预计毕业生名单中")
def not_on_list(s, ctx) -> Expect:
    s.update(grad_year=None, BYRQ="", BJYJL="")
    return [("not-on-list", "")]


@planting("study-length", "入学早一年而没有休学、留降级等记录")
def entered_a_year_early(s, ctx) -> Expect:
    year = int(s["RXRQ"][:4]) - 1
    ctx.numbers.kshs.discard(s["KSH"])
    s["KSH"] = ctx.numbers.ksh_for(year, s["KSH"][2:4], "22" + s["KSH"][4:8])
    s["RXRQ"] = f"{year}0901"
    return [("study-length", "BYRQ")]


@planting("study-length", "学制 5 年与实际学习年限不符")
def wrong_xz(s, ctx) -> Expect:
    s["XZ"] = "5"
    return [("study-length", "BYRQ")]


@planting("ksh-format", "保留入学资格（应征入伍）一年后入学，考生号年份早于入学年份")
def kept_admission(s, ctx) -> Expect:
    """Enlisted right after the exam (保留入学资格 1401), entered a year later: KSH year ≠ entry year."""
    year = int(s["RXRQ"][:4])
    ctx.numbers.kshs.discard(s["KSH"])
    s["KSH"] = ctx.numbers.ksh_for(year - 1, s["KSH"][2:4], "22" + s["KSH"][4:8])
    s["status"] = "待注册"
    s["RXRQ"] = f"{year - 1}0901"  # admitted with the year before; 0102 moves them into this cohort
    ctx.life.record(s, "1401", ctx.cal.between(date(year - 1, 9, 3), date(year - 1, 9, 15)))
    ctx.life.record(s, "0102", ctx.cal.between(date(year, 9, 10), date(year, 9, 25)), to_class=s["BH"])
    return [("ksh-format", "KSH")]


@planting("ksh-format", "考生号只有 13 位")
def ksh_short(s, ctx) -> Expect:
    s["KSH"] = s["KSH"][:13]
    return [("ksh-format", "KSH")]


@planting("name-format", "少数民族姓名用半角点“.”而不是“·”")
def half_width_dot(s, ctx) -> Expect:
    s["XM"] = ctx.rng.choice(("努尔.买买提", "艾力.吐尔逊", "阿依古丽.艾山"))
    s["MZ"] = "维吾尔族"
    return [("name-format", "XM")]


@planting("name-format", "姓名中间有空格")
def inner_space(s, ctx) -> Expect:
    s["XM"] = s["XM"][:1] + " " + s["XM"][1:]
    return [("name-format", "XM")]


@planting("lost-character", "GBK 表格里姓名的生僻字成了“?”")
def lost_char(s, ctx) -> Expect:
    s["XM"] = s["XM"][:-1] + "?"
    return [("lost-character", "XM"), ("name-format", "XM")]


# -- pairs (duplicate: one finding per student) ---------------------------------------------------
# 考生号, 学号 and 身份证号 cannot be shared: the store refuses any write that would do it. Two
# students can still be given one certificate number (ZSBH) by hand or by an old tool.
@planting("duplicate", "两名学生证书编号相同")
def dup_zsbh(a, b, ctx) -> Expect:
    a["ZSBH"] = b["ZSBH"] = _certno(a, ctx)
    return [("duplicate", "ZSBH")]


SINGLE = [
    missing("XB"), missing("ZYMC"), missing("XXXS"),
    bad_rxrq_day, bad_rxrq_short,
    too_young, too_young,
    bad_mz, bad_zzmm,
    id_dropped_digit, id_letter_o,
    id_checksum, id_checksum, id_checksum,
    id_birthdate, id_birthdate,
    id_gender, id_gender,
    certno_short, certno_year, certno_level,
    rare_char, rare_char,
    long_name, long_name,
    _status("0501", "暂缓注册（未缴学费）"), _status("1101", "休学（因病）", days=(20, 60)),
    _status("1902", "保留学籍（出国交流）", days=(5, 15)), _status("3106", "退学（本人申请）", days=(30, 70)),
    _photo("未采集毕业照片", "photo-missing", taken=False, taken_on="", linked=False, check="未校对", checked_on=""),
    _photo("照片已采集但未链接", "photo-missing", linked=False, check="未校对", checked_on=""),
    _photo("学生未校对照片", "photo-unchecked", check="未校对", checked_on=""),
    _photo("学生未校对照片", "photo-unchecked", check="未校对", checked_on=""),
    _photo("学生对照片有异议", "photo-unchecked", check="有异议"),
    _photo("拍摄后不足 40 天即校对", "photo-early-check", checked_on=_early),
    _photo("拍摄后不足 40 天即校对", "photo-early-check", checked_on=_early),
    _flag("BZ", "身份核验未通过"), _flag("BZ", "身份核验异常"), _flag("photo", "身份核验不确定"),
    _request("XM", "申请"), _request("MZ", "已报教育厅"),
    not_on_list, not_on_list,
    entered_a_year_early, wrong_xz,
    kept_admission, ksh_short,
    id_region, id_region,
    half_width_dot, inner_space,
]
PAIRS = [dup_zsbh]
LATE = [lost_char, lost_char]  # planted after the pairs, so that every earlier planting stays as it was


def plant(rng: random.Random, ctx: Ctx, graduates: list[dict]) -> list[dict]:
    """Plant every variant on distinct clean graduates, spread over colleges; returns the findings."""
    pool = [s for s in graduates if s["status"] == "注册学籍" and not s["history"] and s["CC"] == "本科"]
    rng.shuffle(pool)
    need = len(SINGLE) + 2 * len(PAIRS) + len(LATE)
    if len(pool) < need:
        raise ValueError(f"need {need} clean graduates to plant defects, have {len(pool)}")
    used_colleges: dict[str, list[str]] = {}
    findings: list[dict] = []

    def take(rule: str) -> dict:
        seen = used_colleges.setdefault(rule, [])
        for i, s in enumerate(pool):
            if s["FY"] in seen[-3:]:
                continue
            seen.append(s["FY"])
            return pool.pop(i)
        return pool.pop(0)

    def note(s: dict, rule: str, field: str, what: str) -> None:
        findings.append({"rule": rule, "severity": RULES[rule][0], "KSH": s["KSH"], "XH": s["XH"],
                         "field": field, "FY": s["FY"], "planted": what})

    for variant in SINGLE:
        s = take(variant.rule)
        for r, f in variant(s, ctx):
            note(s, r, f, variant.what)
    for variant in PAIRS:
        a = take("duplicate")
        b = take("duplicate")
        for r, f in variant(a, b, ctx):
            note(a, r, f, variant.what)
            note(b, r, f, variant.what)
    for variant in LATE:
        s = take(variant.rule)
        for r, f in variant(s, ctx):
            note(s, r, f, variant.what)
    return findings

