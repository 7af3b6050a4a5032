"""Freshman placement (编班) and 学号: a school's numbering scheme as data, and the plan that follows it.

A scheme is a pattern of named parts with widths, e.g. ``{year}{college:2}{major:2}{class:2}{seq:2}``:
the entry year, the college's and the major's numbers from the major catalogue, the class within the
major and year, and a running number. The running number counts within everything else the pattern
names (within the class above; within the college and year for ``{year}{college:2}{seq:4}``) and
continues after the highest one already given, so a late arrival never takes a number twice.

``plan_placement`` decides and stores nothing: for each freshman without 学号 it gives a college and
department (from the catalogue), a class (by major, filling classes up to the class size), a 学号 and
the expected graduation date, or the reason it cannot.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.validate import gbk_bytes

DEFAULT_XH_PATTERN = "{year}{college:2}{major:2}{class:2}{seq:2}"
DEFAULT_BH_PATTERN = "{short}{year:2}{class:2}"
DEFAULT_CLASS_SIZE = 40
XH_MAX = 15   # C(15) in the registration upload
BH_MAX = 24   # C(24) bytes of GBK in the changes upload

# part -> (Chinese name, default width); seq has no sensible default beyond "enough"
XH_PARTS = {"year": ("入学年份", 4), "college": ("学院编号", 2), "major": ("专业编号", 2),
            "class": ("班级序号", 2), "seq": ("序号", 3)}
BH_PARTS = {"short": ("专业简称", 0), "year": ("入学年份", 2), "class": ("班级序号", 2),
            "college": ("学院编号", 2), "major": ("专业编号", 2)}
_PART = re.compile(r"\{([a-z]+)(?::(\d+))?\}")


@dataclass(frozen=True)
class Part:
    name: str       # '' for literal text
    width: int = 0
    text: str = ""  # the literal


def parse_pattern(text: str, kind: str = "xh") -> list[Part]:
    """The parts of a 学号 (``kind='xh'``) or 班号 (``'bh'``) pattern; InvalidInput says what is wrong."""
    known = XH_PARTS if kind == "xh" else BH_PARTS
    what = "学号格式" if kind == "xh" else "班号格式"
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput(f"{what}不能为空")
    parts: list[Part] = []
    pos = 0
    for m in _PART.finditer(raw):
        if m.start() > pos:
            parts.append(Part("", 0, raw[pos:m.start()]))
        name, width = m.group(1), m.group(2)
        if name not in known:
            names = "、".join(f"{{{k}}} {v[0]}" for k, v in known.items())
            raise InvalidInput(f"{what}“{raw}”中的 {{{name}}} 不认识（可用：{names}）")
        if any(p.name == name for p in parts):
            raise InvalidInput(f"{what}“{raw}”中 {{{name}}} 出现了两次")
        w = int(width) if width else known[name][1]
        if name == "year" and w not in (2, 4):
            raise InvalidInput(f"{what}中入学年份的位数应为 2 或 4（{{year}} 或 {{year:2}}）")
        if name != "short" and not 1 <= w <= 8:
            raise InvalidInput(f"{what}中 {{{name}:{w}}} 的位数应在 1 到 8 之间")
        if name == "short" and width:
            raise InvalidInput(f"{what}中专业简称不定位数，请写 {{short}}")
        parts.append(Part(name, w))
        pos = m.end()
    if pos < len(raw):
        parts.append(Part("", 0, raw[pos:]))
    for p in parts:
        if p.name == "" and ("{" in p.text or "}" in p.text):
            raise InvalidInput(f"{what}“{raw}”中的花括号不成对：部件写作 {{名称}} 或 {{名称:位数}}")
    if kind == "xh":
        if not any(p.name == "seq" for p in parts):
            raise InvalidInput(f"学号格式“{raw}”须含序号 {{seq:位数}}，否则同一班的学生学号相同")
        bad = next((p.text for p in parts if p.name == "" and not re.fullmatch(r"[0-9A-Za-z]*", p.text)), None)
        if bad is not None:
            raise InvalidInput(f"学号格式中的固定文字“{bad}”只能是数字或字母")
        total = sum(p.width if p.name else len(p.text) for p in parts)
        if total > XH_MAX:
            raise InvalidInput(f"学号格式“{raw}”共 {total} 位，超过上报文件允许的 {XH_MAX} 位")
    elif not any(p.name == "class" for p in parts):
        raise InvalidInput(f"班号格式“{raw}”须含班级序号 {{class}}，否则同一专业的各班班号相同")
    return parts


def names(parts: list[Part]) -> set[str]:
    return {p.name for p in parts if p.name}


def _fit(part: Part, value, what: str) -> str:
    text = str(value if value is not None else "")
    if part.name == "year":
        return text[-part.width:]
    if text.isdigit() and len(text) < part.width:
        text = text.zfill(part.width)
    if len(text) != part.width:
        raise InvalidInput(f"{what}“{text}”不是 {part.width} 位，与学号格式 {{{part.name}:{part.width}}} 不符")
    return text


def render(parts: list[Part], values: dict) -> str:
    """The pattern filled in; a value that does not fit its width raises InvalidInput naming it."""
    out = []
    for p in parts:
        if not p.name:
            out.append(p.text)
        elif p.name == "short":
            out.append(str(values.get("short") or ""))
        else:
            out.append(_fit(p, values.get(p.name), XH_PARTS.get(p.name, BH_PARTS.get(p.name, ("",)))[0]))
    return "".join(out)


def matcher(parts: list[Part]) -> re.Pattern:
    """A regular expression reading the parts back out of a 学号 made by ``parts``."""
    body = "".join(re.escape(p.text) if not p.name else f"(?P<{p.name}>[0-9A-Za-z]{{{p.width}}})" for p in parts)
    return re.compile(f"^{body}$", re.IGNORECASE)


def group_of(parts: list[Part], values: dict) -> tuple:
    """What the running number counts within: every other part the pattern names."""
    return tuple(_fit(p, values.get(p.name), p.name).upper() for p in parts if p.name and p.name != "seq")


def expected_graduation(year: int, xz: str) -> str:
    """预计毕业日期 from the entry year and 学制: June of the last year, January for half years."""
    try:
        years = float(str(xz).strip())
    except ValueError:
        return ""
    if years <= 0:
        return ""
    if years.is_integer():
        return f"{year + int(years)}0630"
    return f"{year + math.ceil(years)}0131"


@dataclass
class Placed:
    ksh: str
    xm: str
    zydm: str
    zymc: str
    values: dict                 # field -> new value (XH, FY, XSH, BH, YJBYRQ)
    old: dict                    # field -> value before
    class_no: int = 0


@dataclass
class ClassPlan:
    fy: str
    zydm: str
    zymc: str
    bh: str
    new: int
    total: int


@dataclass
class Placement:
    year: int
    placed: list[Placed] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (KSH, 姓名, why)
    classes: list[ClassPlan] = field(default_factory=list)
    already: int = 0  # freshmen of the year who have a 学号 already
    notes: list[str] = field(default_factory=list)
    head: tuple = ()  # the store's state the plan was made on


def _balanced(n: int, k: int) -> list[int]:
    base, extra = divmod(n, k)
    return [base + (1 if i < extra else 0) for i in range(k)]


def plan_placement(year: int, freshmen: list[dict], placed: list[dict], taken: set[str], catalogue: dict[str, dict],
                   class_size: int, xh_parts: list[Part], bh_parts: list[Part],
                   existing_bh: dict[str, str] | None = None) -> Placement:
    """The placement of ``freshmen`` (the year's students without 学号), next to ``placed`` (the year's
    students who have one) and every 学号 already ``taken`` (upper case).

    ``existing_bh``: every class name in use -> the major (ZYDM) and year it belongs to, as 'ZYDM/year',
    so a new class never takes another major's name. Order: by major code, then 考生号 — stable, so the
    same students get the same numbers however often the plan is made.
    """
    plan = Placement(year, already=len(placed))
    existing_bh = existing_bh or {}
    need = names(xh_parts) | names(bh_parts)
    by_major: dict[str, list[dict]] = defaultdict(list)
    for s in sorted(freshmen, key=lambda s: (s.get("ZYDM") or "", s["KSH"])):
        zydm = (s.get("ZYDM") or "").strip().upper()
        m = catalogue.get(zydm)
        if m is None:
            plan.problems.append((s["KSH"], s.get("XM", ""), f"专业代码“{zydm or '（空）'}”（{s.get('ZYMC', '')}）不在专业目录中："
                                  f"请学生工作处先在专业目录中添加该专业（学院、层次、学制）"))
            continue
        missing = [XH_PARTS[k][0] for k, key in (("college", "college_no"), ("major", "major_no"))
                   if k in need and not str(m.get(key) or "").strip()]
        if missing:
            plan.problems.append((s["KSH"], s.get("XM", ""), f"专业目录中 {zydm} {m.get('ZYMC', '')} 没有{'、'.join(missing)}，"
                                  f"学号格式需要它：请学生工作处在专业目录中补充"))
            continue
        by_major[zydm].append(s)
    members: dict[tuple[str, str], int] = Counter()
    for s in placed:
        members[((s.get("ZYDM") or "").upper(), s.get("BH") or "")] += 1
    seq_max: dict[tuple, int] = defaultdict(int)
    rx = matcher(xh_parts)
    for xh in taken:
        got = rx.match(xh)
        if got and got.group("seq").isdigit():
            key = tuple(got.group(p.name).upper() for p in xh_parts if p.name and p.name != "seq")
            seq_max[key] = max(seq_max[key], int(got.group("seq")))
    seq_part = next(p for p in xh_parts if p.name == "seq")
    todo: list[tuple[tuple, Placed, dict]] = []
    for zydm, students in sorted(by_major.items()):
        m = catalogue[zydm]
        have = sorted(bh for (z, bh), _ in members.items() if z == zydm and bh)
        sizes = [members[(zydm, bh)] for bh in have]
        slots: list[tuple[int, str]] = []  # (class number, BH) for each new student, in order
        for i, (bh, n) in enumerate(zip(have, sizes), 1):
            slots += [(i, bh)] * max(0, class_size - n)
        rest = max(0, len(students) - len(slots))
        slots = slots[:len(students)]
        base = dict(year=year, college=m.get("college_no", ""), major=m.get("major_no", ""),
                    short=m.get("short") or m.get("ZYMC", ""))
        if rest:
            k = math.ceil(rest / class_size)
            for j, n in enumerate(_balanced(rest, k), len(have) + 1):
                bh = render(bh_parts, dict(base, **{"class": j}))
                owner = existing_bh.get(bh.upper())
                if owner and owner != f"{zydm}/{year}":
                    for s in students:
                        plan.problems.append((s["KSH"], s.get("XM", ""), f"按班号格式新开的班“{bh}”已被其他专业或年级使用："
                                              f"请在专业目录中为 {zydm} {m.get('ZYMC', '')} 设置不同的专业简称"))
                    slots = []
                    break
                if (gbk_bytes(bh) or BH_MAX + 1) > BH_MAX:
                    raise InvalidInput(f"按班号格式得到的班号“{bh}”超过 {BH_MAX} 字节：请缩短专业简称或班号格式")
                slots += [(j, bh)] * n
        if not slots:
            continue
        counts = Counter(bh for _, bh in slots)
        for bh in dict.fromkeys(bh for _, bh in slots):
            plan.classes.append(ClassPlan(m.get("FY", ""), zydm, m.get("ZYMC", ""), bh, counts[bh],
                                          counts[bh] + members.get((zydm, bh), 0)))
        for s, (no, bh) in zip(students, slots):
            values = {"XH": "", "FY": m.get("FY", ""), "XSH": m.get("XSH", ""), "BH": bh}
            if not s.get("YJBYRQ"):
                values["YJBYRQ"] = expected_graduation(year, s.get("XZ") or m.get("XZ", ""))
            p = Placed(s["KSH"], s.get("XM", ""), zydm, s.get("ZYMC") or m.get("ZYMC", ""), values,
                       {f: s.get(f, "") for f in values}, no)
            parts = dict(base, **{"class": no})
            try:
                todo.append((group_of(xh_parts, parts), p, parts))
            except InvalidInput as e:
                plan.problems.append((p.ksh, p.xm, f"专业目录中 {zydm} 的编号与学号格式不符：{e.message}"))
    # numbers: within each group in the order above, after the highest number already given
    for group, p, parts in todo:
        n = seq_max[group] + 1
        while True:
            try:
                xh = render(xh_parts, dict(parts, seq=n))
            except InvalidInput:
                plan.problems.append((p.ksh, p.xm, f"序号 {n} 超出学号格式的 {seq_part.width} 位：请加宽 {{seq}} 或缩小每班人数"))
                xh = ""
                break
            if xh.upper() not in taken:
                break
            n += 1
        seq_max[group] = n
        if not xh:
            continue
        taken.add(xh.upper())
        p.values["XH"] = xh
        p.values = {f: v for f, v in p.values.items() if v != p.old.get(f)}
        plan.placed.append(p)
    return plan


def class_size_value(text) -> int:
    raw = str(text if text is not None else "").strip()
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 200):
        raise InvalidInput(f"每班人数应为 1 到 200 之间的整数，现为“{raw}”")
    return int(raw)


def scheme(settings: dict) -> tuple[int, list[Part], list[Part]]:
    """(class size, 学号 parts, 班号 parts) of a school's settings, the defaults where none is set."""
    size = class_size_value(settings.get("class_size") or DEFAULT_CLASS_SIZE)
    return (size, parse_pattern(settings.get("xh_pattern") or DEFAULT_XH_PATTERN, "xh"),
            parse_pattern(settings.get("bh_pattern") or DEFAULT_BH_PATTERN, "bh"))
