"""The clerk's words on screen: a message the services wrote for both the command line and the UI is
shown here with the form's field names in place of command-line options, Chinese field names in
place of CHSI codes, and the area or key in place of a command to run.

The services keep one message per refusal (the CLI prints it as is); only the UI rewrites the parts
that name the command line, because a clerk in the UI has no options to add.
"""

from __future__ import annotations

import re

from xueji_tui.domain.fields import LABELS
from xueji_tui.domain.text import shown

# command-line option -> what the clerk fills in or chooses on screen
OPTIONS = {
    "--date": "生效日期", "--approved": "批准日期", "--doc": "文号", "--note": "说明", "--reason": "原因",
    "--to-major": "新专业", "--to-class": "新班号", "--to-grade": "编入年级", "--value": "更正为",
    "--evidence": "证明材料", "--year": "年份", "--college": "学院", "--format": "格式", "-o": "输出到",
    "--out": "输出到", "--skip-invalid": "“只导出通过预审的毕业生”", "--force": "覆盖", "--start": "起始流水号",
}
# phrases that name the command line -> where the same thing is in the UI
COMMANDS = [
    (re.compile(r"全部代码见 xueji change --help"), "在异动表单中输入代码或文字查看全部原因"),
    (re.compile(r"xueji precheck --year (\d{4}) 查看明细"), r"在 4 预审 查看 \1 届明细"),
    (re.compile(r"或由学院账号执行 xueji import workbook 文件名(\.xlsx)?"), "或由学院账号在 5 文件 导入学院核对表"),
    (re.compile(r"xueji import workbook 文件名(\.xlsx)?"), "5 文件 导入学院核对表"),
    (re.compile(r"（xueji change）"), "（学生页按 s 办理异动）"),
    (re.compile(r"xueji certno assign"), "证书编号分配"),
    (re.compile(r"执行 xueji settings --president 校长姓名"), "在学校设置中填写校长姓名"),
    (re.compile(r"执行 xueji settings --school-name 学校名称"), "在学校设置中填写院校名称"),
    (re.compile(r"（xueji init --school-code）"), "（建立数据目录时）"),
    (re.compile(r"（xueji correction submit[^）]*）"), "（由学生工作处报送）"),
    (re.compile(r"应为 ok（无误）或 wrong（有误）"), "应为“无误”或“有误”"),
    (re.compile(r"；如有错误请用 wrong --value"), "；如有错误请标记“有误”并填写更正值"),
    (re.compile(r"dBase III 上限"), "DBF 文件的上限"),
    (re.compile(r"或加 --skip-invalid 只导出通过预审的学生"), "或勾选“只导出通过预审的毕业生”"),
    (re.compile(r"--to-\* 选项只用于"), "新专业、新班号、编入年级只用于"),
    (re.compile(r"请用 -o 指定文件名"), "请写出文件名"),
]
_OPT = r"(?<![\w-])(--[a-z][a-z-]*|-o)(?![\w-])"
_ARG = r"(?:\s+(YYYY(?:MMDD)?|\{[^}]*\}))?"
_ALONE = re.compile(r"（" + _OPT + _ARG + r"）")  # '（--note）': the sentence already says what to fill
_LEAD = re.compile(r"（" + _OPT + _ARG + r"，")  # '（--doc，如 …）' -> '（如 …）'
_AFTER_WORD = re.compile(r"(\S+?)\s*" + _OPT + _ARG)
_OPTION = re.compile(_OPT + _ARG)
_FIELD_CONTEXT = re.compile(r"(字段|列)\s*(" + "|".join(sorted(LABELS, key=len, reverse=True))
                            + r")(?![A-Za-z0-9_])(\s*)")
_FIELD_CODE = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(LABELS, key=len, reverse=True)) + r")(?![A-Za-z0-9_])")


def _fmt(arg: str | None) -> str:
    return f"（{arg}）" if arg and arg.startswith("YYYY") else ""


def _after_word(match: re.Match) -> str:
    before, opt, arg = match.group(1), match.group(2), match.group(3)
    word = OPTIONS.get(opt)
    if word and before.endswith(word.strip("“”")):
        return before + _fmt(arg)
    return match.group(0)


def _option(match: re.Match) -> str:
    word = OPTIONS.get(match.group(1))
    if word is None:
        return match.group(0)
    return (word if word.startswith("“") else f"“{word}”") + _fmt(match.group(2))


def for_screen(message: str) -> str:
    """A service's message as the UI shows it."""
    text = message or ""
    for pattern, repl in COMMANDS:
        text = pattern.sub(repl, text)
    text = _ALONE.sub(lambda m: "" if m.group(1) in OPTIONS else m.group(0), text)
    text = _LEAD.sub(lambda m: "（" if m.group(1) in OPTIONS else m.group(0), text)
    text = _AFTER_WORD.sub(_after_word, text)
    text = _OPTION.sub(_option, text)
    text = _FIELD_CONTEXT.sub(_field, text)
    return "\n".join(shown(line) for line in text.split("\n"))  # a message's own lines stay lines


def _field(match: re.Match) -> str:
    """'字段 XM 姓名“…”' -> '姓名“…”'; '字段 XM' -> '字段 姓名'."""
    name = LABELS[match.group(2)]
    if match.string[match.end():].startswith(name):
        return ""
    return f"{match.group(1)} {name}{match.group(3)}"


def field_names(text: str) -> str:
    """Every CHSI field code standing alone in ``text`` replaced by its Chinese name."""
    return _FIELD_CODE.sub(lambda m: LABELS[m.group(1)], text)
