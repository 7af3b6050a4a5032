"""What click itself says — a missing argument, an unknown command or option, a value of the wrong
kind, the headings of --help — reaches the clerk in Chinese, with how to go on."""

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from xueji_tui.cli import cli, clickwords

# click's English sentences, as they would show if a template were not translated
ENGLISH = re.compile(r"\b(Error|Usage|Missing|Invalid|Try|No such|not one of|is not|Show this|Show the|Options|"
                     r"Commands|Got unexpected|requires|Aborted|Did you mean|does not|version)\b")


@pytest.mark.parametrize("args, says", [
    (["lookup"], "缺少参数 'QUERY'"),
    (["bogus"], "没有命令 bogus"),
    (["verify", "2022010101", "XM", "maybe"], "“maybe”不在可选值"),
    (["precheck", "--year", "abc"], "“abc”不是数字"),
    (["assign", "--year", "1999"], "1999 超出范围"),
    (["lookup", "--nosuch", "x"], "没有选项 --nosuch"),
    (["lookup", "a", "b"], "多出了参数"),
    (["change", "2022010101", "1101", "--date"], "选项 --date 后面要跟一个值"),
    (["--clerk", "a", "--clerk", "b", "lookup", "x"], "全局选项 --clerk 只能给一次"),
])
def test_usage_errors_are_in_chinese_and_say_how_to_go_on(tmp_path, args, says):
    r = CliRunner().invoke(cli, ["--data", str(tmp_path / "d"), *args])
    assert r.exit_code == 2, r.output
    assert says in r.output and "错误：" in r.output
    assert not ENGLISH.search(words(r.output)), r.output
    if "用法：" in r.output:
        assert "查看用法和示例" in r.output


def words(text: str) -> str:
    """The text without option names (--version is an option, not a sentence)."""
    return re.sub(r"--?[\w-]+", "", text)


@pytest.mark.parametrize("args", [["--help"], ["lookup", "--help"], ["precheck", "exclude", "--help"]])
def test_help_headings_are_in_chinese(args):
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    assert r.output.startswith("用法：") and "选项" in r.output and "显示本帮助后退出" in r.output
    assert not ENGLISH.search(words(r.output)), r.output


def test_every_template_is_one_click_still_has():
    """A newer click that reworded a message would show it in English again: caught here."""
    source = "".join(Path(click.__file__).with_name(f"{m}.py").read_text("utf-8") for m in clickwords.MODULES)
    gone = [k for k in clickwords.WORDS if k not in source and k.encode("unicode_escape").decode() not in source]
    assert not gone


def test_change_help_lists_every_reason_code():
    """An unknown code is refused with "全部代码见 xueji change --help": the list is there."""
    from xueji_tui.domain.codes import codes

    r = CliRunner().invoke(cli, ["change", "--help"])
    assert r.exit_code == 0 and "全部原因代码" in r.output
    assert all(f"{code} {reason.name}" in r.output for code, reason in codes().reasons.items())
