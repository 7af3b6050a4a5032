"""Export value transforms named by a profile field's ``transform`` (record value -> file text)."""

from __future__ import annotations

from xueji_tui.domain.errors import InvalidInput

# 学籍状态 -> 注册状态 of the registration upload (休学 is one state for CHSI; we keep 病休/其他 apart)
ZCZT = {
    "注册学籍": "注册学籍", "暂缓注册": "暂缓注册", "保留学籍": "保留学籍", "休学(病休)": "休学",
    "休学(其他)": "休学", "保留入学资格": "保留入学资格", "放弃入学资格": "放弃入学资格",
    "取消入学资格": "取消入学资格",
}


# 异动类型 as CHSI names them (Art. 14 wording); C(8) holds 4 Chinese characters
YDLX = {"转学(转入)": "转入", "转学(转出)": "转出"}


def pick(record: dict, source: str):
    """``record[source]``; a dotted source reads nested dicts ('photo.taken', 'entry.doc')."""
    if "." not in source:
        return record.get(source)
    cur = record
    for part in source.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _grade(value, record):
    return text(value) or text(record.get("RXRQ"))[:4]


def _photo_summary(value, record):
    p = value if isinstance(value, dict) else {}
    if not p.get("taken"):
        return "未采集"
    parts = ["已采集", "已链接" if p.get("linked") else "未链接", p.get("check") or "未校对"]
    return "/".join(parts)


TRANSFORMS = {
    "": lambda v, r: text(v),
    "id": lambda v, r: text(v),
    "date": lambda v, r: text(v),
    "code": lambda v, r: text(v),
    "zczt": lambda v, r: ZCZT.get(text(v), text(v)),
    "grade": _grade,
    "yesno": lambda v, r: "" if v is None else ("是" if v else "否"),
    "photo_summary": _photo_summary,
    "photo_check": lambda v, r: text(v),
    "status": lambda v, r: text(v),
    "ydlx": lambda v, r: YDLX.get(text(v), text(v)),
    "number": lambda v, r: text(v),
}


def renderer(field):
    """A function record -> text for one profile field."""
    if field.transform == "const":
        const = field.value
        return lambda r: const
    fn = TRANSFORMS.get(field.transform)
    if fn is None:
        raise InvalidInput(f"格式配置：字段 {field.code} 的转换 {field.transform!r} 不存在"
                           f"（可用：const、{'、'.join(k for k in TRANSFORMS if k)}）")
    source = field.source
    if "." not in source and fn is TRANSFORMS[""]:
        def plain(r, source=source):
            v = r.get(source)
            return v if type(v) is str else text(v)
        return plain
    return lambda r: fn(pick(r, source), r)


def render(profile, records) -> list[list[str]]:
    """Every record's values as the file's text, in the profile's field order."""
    fns = [renderer(f) for f in profile.fields]
    return [[fn(r) for fn in fns] for r in records]
