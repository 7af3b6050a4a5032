"""The major catalogue (专业目录) the office keeps: one entry per major, used for a freshman's college,
for placement (编班 and 学号) and for 转专业.

An entry holds CHSI's ZYDM ZYMC FY XSH CC XZ and three numbers of the school's own: ``college_no``
(the college's number inside a 学号, shared by every major of the college), ``major_no`` (the major's
number inside a 学号) and ``short`` (the class-name stem: 汉文 → 汉文2601). Imports still learn a
major they have not seen (with what the file says) and report it; the office completes it here.
"""

from __future__ import annotations

import re

from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.permissions import require
from xueji_tui.domain.text import refuse_control
from xueji_tui.domain.validate import check_value, code_value, gbk_bytes
from xueji_tui.services.session import Session

# key -> (Chinese label, the CLI option, the widest value in GBK bytes)
FIELDS = {
    "ZYDM": ("专业代码", "ZYDM", 8), "ZYMC": ("专业名称", "--name", 50), "FY": ("学院", "--college", 24),
    "CC": ("层次", "--level", 12), "XZ": ("学制", "--years", 3), "XSH": ("系所", "--department", 24),
    "college_no": ("学院编号", "--college-no", 4), "major_no": ("专业编号", "--major-no", 4),
    "short": ("专业简称", "--short", 16),
}
REQUIRED = ("ZYMC", "FY", "CC", "XZ")


def list_majors(session: Session, college: str | None = None) -> list[dict]:
    """The catalogue, by college and code (anyone may read it)."""
    out = [m for m in session.store.majors() if college is None or m.get("FY") == college]
    return sorted(out, key=lambda m: (str(m.get("college_no") or "~"), m.get("FY", ""), m.get("ZYDM", "")))


def _clean(key: str, value) -> str:
    lab = FIELDS[key][0]
    v = refuse_control(str(value).strip(), lab)
    if key == "ZYDM":
        return check_value("ZYDM", v).upper()
    if key in ("CC", "XZ"):
        return code_value(key, v)
    if key in ("college_no", "major_no"):
        if not re.fullmatch(r"[0-9A-Za-z]{1,4}", v):
            raise InvalidInput(f"{lab}“{v}”应为 1 到 4 位数字或字母（如 01）")
        return v
    if not v and key in REQUIRED:
        raise InvalidInput(f"{lab}不能为空")
    size = gbk_bytes(v)
    if size is None:
        raise InvalidInput(f"{lab}“{v}”中有无法用 GBK 编码的字，学信网文件无法上传")
    if size > FIELDS[key][2]:
        raise InvalidInput(f"{lab}“{v}”超过 {FIELDS[key][2]} 字节（一个汉字 2 字节）")
    return v


def _college_no(majors: list[dict], fy: str, code: str) -> str:
    return next((str(m["college_no"]) for m in majors
                 if m.get("FY") == fy and m.get("college_no") and m.get("ZYDM") != code), "")


def add_major(session: Session, code: str, **values) -> dict:
    """A new catalogue entry (office); the college's number is taken from its other majors when not given."""
    require(session.clerk, "majors")
    zydm = _clean("ZYDM", code)
    entry = {"ZYDM": zydm}
    for key in FIELDS:
        if key != "ZYDM" and values.get(key) not in (None, ""):
            entry[key] = _clean(key, values[key])
    missing = [f"{FIELDS[k][0]}（{FIELDS[k][1]}）" for k in REQUIRED if not entry.get(k)]
    if missing:
        raise InvalidInput(f"添加专业须给出{'、'.join(missing)}")
    majors = session.store.majors()
    have = next((m for m in majors if (m.get("ZYDM") or "").upper() == zydm), None)
    if have is not None:
        raise InvalidInput(f"专业代码 {zydm} 已在专业目录中（{have.get('ZYMC', '')}，{have.get('FY', '')}）；"
                           f"修改请用 xueji majors edit {zydm}")
    shared = _college_no(majors, entry["FY"], zydm)
    if shared and entry.get("college_no") and entry["college_no"] != shared:
        raise InvalidInput(f"{entry['FY']}的学院编号已是 {shared}（同一学院的专业共用一个编号）；"
                           f"要改请用 xueji majors edit … --college-no")
    if shared:
        entry["college_no"] = shared
    with session.store.write(session.clerk.name, f"专业目录新增 {zydm}") as tx:
        tx.add_majors([entry])
        tx.log("majors-add", field=zydm, new=entry)
    return entry


def edit_major(session: Session, code: str, **values) -> tuple[dict, list[str]]:
    """Change an entry (office): (the entry after, notes). A new 学院编号 applies to every major of the
    college; students already placed keep their 学院 and 学号 (they move only by 异动)."""
    require(session.clerk, "majors")
    zydm = _clean("ZYDM", code)
    majors = session.store.majors()
    old = next((m for m in majors if (m.get("ZYDM") or "").upper() == zydm), None)
    if old is None:
        raise InvalidInput(f"专业代码 {zydm} 不在专业目录中；添加请用 xueji majors add {zydm}")
    changes = {k: _clean(k, v) for k, v in values.items() if k in FIELDS and k != "ZYDM" and v is not None}
    changes = {k: v for k, v in changes.items() if str(old.get(k) or "") != v}
    if not changes:
        raise InvalidInput("没有要修改的内容（给出的值与专业目录中相同）")
    fy = changes.get("FY", old.get("FY", ""))
    number = changes.get("college_no")
    if "FY" in changes and number is None:
        number = _college_no(majors, fy, zydm) or None
        if number and number != old.get("college_no"):
            changes["college_no"] = number
    notes = []
    with session.store.write(session.clerk.name, f"专业目录修改 {zydm}") as tx:
        tx.update_major(old["ZYDM"], changes)
        for k, v in changes.items():
            tx.log("majors-edit", field=f"{old['ZYDM']}.{k}", old=old.get(k), new=v)
        if number:
            for m in majors:
                if m.get("FY") == fy and m.get("ZYDM") != old["ZYDM"] and m.get("college_no") != number:
                    tx.update_major(m["ZYDM"], {"college_no": number})
                    tx.log("majors-edit", field=f"{m['ZYDM']}.college_no", old=m.get("college_no"), new=number)
                    notes.append(f"{m['ZYDM']} {m.get('ZYMC', '')} 的学院编号也改为 {number}（同一学院共用）")
    if "FY" in changes or "XSH" in changes:
        placed = sum(1 for s in session.store.students(keep=False) if s.get("ZYDM") == old["ZYDM"])
        if placed:
            notes.append(f"已有 {placed} 名该专业的学生，其学院、系所不变（学生的学院只随异动改变）")
    return {**old, **changes}, notes

