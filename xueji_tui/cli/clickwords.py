"""click's own words in Chinese: what it says about a missing argument, an unknown command or option,
a value of the wrong kind, and the headings of ``--help``. Every word a clerk sees is Chinese.

click translates its messages through ``gettext`` (each of its modules binds ``_`` and ``ngettext``
at import), which reads compiled catalogues found by the process's locale — a server's ``C.UTF-8``
finds none. So the names are bound here to a lookup of the templates below, taken before click fills
them in; a template not listed (a newer click's) stays as click wrote it. Written for click 8.3
(pinned in pyproject.toml); ``tests/cli/test_click_words.py`` catches a template that changed.
"""

from __future__ import annotations

import importlib

WORDS: dict[str, str] = {
    # exceptions.py
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "输入 {command} {option} 查看用法和示例。",
    "Invalid value: {message}": "值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such option: {name}": "没有选项 {name}",
    "Did you mean {possibility}?": "是不是要用 {possibility}？",
    "(Possible options: {possibilities})": "（可能是：{possibilities}）",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename}：{message}",
    # core.py
    "Options": "选项",
    "Commands": "命令",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）；含空格的值请加引号",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）；含空格的值请加引号",
    "Aborted!": "已取消，未作任何修改。",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 {name}。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（按情况而定）",
    # types.py
    "Choose from:\n\t{choices}": "可选：{choices}",
    "{value!r} is not {choice}.": "“{value}”不是 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”不在可选值 {choices} 之中。",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合格式 {formats}。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是数字。",
    "{value} is not in the range {range}.": "{value} 超出范围（应为 {range}）。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”不是是/否的值，可用：{states}",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename} 是文件，不是目录。",
    "{name} {filename!r} is a directory.": "{name} {filename} 是目录，不是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename} 没有读权限。",
    "{name} {filename!r} is not writable.": "{name} {filename} 没有写权限。",
    # parser.py
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name} 后面不跟值。",
    "Option {name!r} requires an argument.": "选项 {name} 后面要跟一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 后面要跟 {nargs} 个值。",
    # decorators.py, formatting.py, termui.py
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Show the version and exit.": "显示版本后退出。",
    "Show this message and exit.": "显示本帮助后退出。",
    "Usage:": "用法：",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The value you entered was invalid.": "错误：输入的值无效，请重新输入。",
    "Error: {e.message}": "错误：{e.message}",
    "Error: The two entered values do not match.": "错误：两次输入不一致，请重新输入。",
    "Error: invalid input": "错误：输入无效，请重新输入。",
    "Press any key to continue...": "按任意键继续……",
}

MODULES = ("core", "exceptions", "types", "parser", "decorators", "formatting", "termui")


def gettext(message: str) -> str:
    return WORDS.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
