"""The rule catalogue of docs/precheck.md: stable ids, severities and the titles clerks read.

Reports, tests and clerks' notes refer to these ids; never rename one. The order is the order of
the spec's tables, and the order rules are listed in summaries.
"""

from __future__ import annotations

ERROR, WARNING = "error", "warning"

# id -> (severity, 中文标题)
RULES: dict[str, tuple[str, str]] = {
    "missing-field": (ERROR, "必填项为空"),
    "bad-date": (ERROR, "日期无效"),
    "date-order": (ERROR, "日期先后不合理"),
    "bad-code": (ERROR, "代码不在代码表中"),
    "id-format": (ERROR, "身份证号格式错误"),
    "id-checksum": (ERROR, "身份证号校验位错误"),
    "id-birthdate": (ERROR, "身份证号出生日期不符"),
    "id-gender": (ERROR, "身份证号性别不符"),
    "duplicate": (ERROR, "重复"),
    "certno-format": (ERROR, "证书编号格式错误"),
    "not-encodable": (ERROR, "含 GBK 无法编码的字"),
    "lost-character": (ERROR, "有字在转换中丢失"),
    "too-long": (ERROR, "超出字段长度"),
    "status": (ERROR, "学籍状态不是注册学籍"),
    "photo-missing": (ERROR, "未采集或未链接毕业照片"),
    "photo-unchecked": (ERROR, "照片未校对或有异议"),
    "identity-flag": (ERROR, "身份核验未通过"),
    "pending-correction": (ERROR, "有未办结的信息修改申请"),
    "not-on-list": (ERROR, "不在预计毕业生名单中"),
    "study-length": (WARNING, "学习年限与学制不符"),
    "ksh-format": (WARNING, "考生号格式可疑"),
    "id-region": (WARNING, "身份证号地区码未知"),
    "photo-early-check": (WARNING, "拍摄后不足 40 天校对照片"),
    "name-format": (WARNING, "姓名写法可疑"),
}

ORDER: dict[str, int] = {rule: i for i, rule in enumerate(RULES)}


def rule_words(rule: str) -> str:
    """A rule as a clerk reads it in a message: its title, with the id a report or a note can cite."""
    return f"{RULES[rule][1]}（{rule}）" if rule in RULES else rule


def severity(rule: str) -> str:
    return RULES[rule][0]


def title(rule: str) -> str:
    return RULES[rule][1]
