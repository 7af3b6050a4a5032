"""The student record's fields, keyed by CHSI field code (docs/codes.md, "Glossary").

A student is a plain dict: these codes for the CHSI values, plus the local keys listed in
``LOCAL_KEYS`` (status, verdicts, photo, history ...). Values are kept as received from CHSI.
"""

from __future__ import annotations

# code -> Chinese label, in the order clerks expect to read them
LABELS: dict[str, str] = {
    "KSH": "考生号", "XH": "学号", "XM": "姓名", "XB": "性别", "CSRQ": "出生日期", "SFZH": "身份证号",
    "MZ": "民族", "ZZMM": "政治面貌", "YXDM": "院校代码", "YXMC": "院校名称", "ZYDM": "专业代码",
    "ZYMC": "专业名称", "FY": "学院", "XSH": "系所", "BH": "班号", "CC": "层次", "XXXS": "学习形式",
    "XZ": "学制", "RXRQ": "入学日期", "YJBYRQ": "预计毕业日期", "DQSZJ": "当前所在级", "LQLX": "录取类型",
    "XJZT": "学籍状态", "BYRQ": "毕业日期", "BJYJL": "毕结业结论", "ZSBH": "证书编号", "BZ": "备注",
    "ZP": "电子图像",
}

CHSI_FIELDS: tuple[str, ...] = (
    "KSH", "XH", "XM", "XB", "CSRQ", "SFZH", "MZ", "ZZMM", "YXDM", "YXMC", "ZYDM", "ZYMC", "FY", "XSH",
    "BH", "CC", "XXXS", "XZ", "RXRQ", "YJBYRQ", "DQSZJ", "LQLX", "BYRQ", "BJYJL", "ZSBH", "BZ",
)

# Art. 6: the 13 admission fields a college verifies for each freshman. ZP is the photo.
ART6_FIELDS: tuple[str, ...] = (
    "KSH", "XM", "XB", "MZ", "CSRQ", "SFZH", "RXRQ", "XZ", "YXMC", "ZYMC", "CC", "LQLX", "ZP",
)

# Art. 20: locked to the admission data; changed only through an approved change request.
# KSH is the national key of the record and is locked the same way.
IDENTITY_FIELDS: frozenset[str] = frozenset({"XM", "XB", "CSRQ", "SFZH", "MZ", "KSH"})

# Fields a clerk may correct (office edit or change request); the rest move only by 异动 entries.
CORRECTABLE_FIELDS: frozenset[str] = frozenset(
    {"XM", "XB", "CSRQ", "SFZH", "MZ", "KSH", "ZZMM", "ZYDM", "ZYMC", "XSH", "BH", "CC", "XXXS", "XZ",
     "RXRQ", "YJBYRQ", "YXMC", "LQLX", "XH"}
)

DATE_FIELDS: frozenset[str] = frozenset({"CSRQ", "RXRQ", "YJBYRQ", "BYRQ"})
CODED_FIELDS: frozenset[str] = frozenset({"XB", "MZ", "ZZMM", "CC", "XXXS", "XZ", "BJYJL"})

# Keys of the stored record that are ours, not CHSI's.
LOCAL_KEYS: tuple[str, ...] = (
    "status",        # 学籍状态 (codes.json statuses)
    "verification",  # field -> {"v": "ok"|"wrong", "value", "note", "seen", "by", "at"}
    "photo",         # {"taken", "taken_on", "linked", "check", "checked_on", "identity"}
    "history",       # change entries, oldest first
    "grad_year",     # on the imported CHSI expected-graduate list of that year (int) or None
    "py",            # pinyin initials of XM, for the roster filter
    "rev",           # revision, +1 per saved change
    "source",        # {"kind", "file", "at"} of the import that last touched CHSI values
    "conclusion",    # {"v": 毕业|结业, "note", "by", "at"}: the conclusion a clerk recorded (xueji conclusion)
    "rounds",        # school year -> the verdicts of an earlier verification round (domain/verification.py)
    "annual",        # school year -> {"at", "by", "status"}: the year's 学年注册 (domain/annual.py)
    "excluded",      # {"reason", "by", "at"}: kept out of the graduate precheck and upload (precheck exclude)
)


def label(code: str) -> str:
    return LABELS.get(code, code)


def normalise_field(name: str) -> str | None:
    """Field code for a code or its Chinese label ('姓名' or 'xm' -> 'XM')."""
    n = (name or "").strip()
    if n.upper() in LABELS:
        return n.upper()
    for code, lab in LABELS.items():
        if lab == n:
            return code
    return None
