"""The ``xueji`` command line (spec/cli.md). Commands load lazily: ``xueji lookup`` stays fast."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from xueji_tui.domain.errors import XuejiError

# command -> "module:attribute"; a module is imported only when its command runs (or for --help)
COMMANDS: dict[str, str] = {
    "init": "xueji_tui.cli.admin:init_cmd",
    "users": "xueji_tui.cli.admin:users_group",
    "lookup": "xueji_tui.cli.students:lookup_cmd",
    "verify": "xueji_tui.cli.students:verify_cmd",
    "change": "xueji_tui.cli.students:change_cmd",
    "correction": "xueji_tui.cli.corrections:correction_group",
    "import": "xueji_tui.cli.files:import_cmd",
    "export": "xueji_tui.cli.files:export_cmd",
    "stats": "xueji_tui.cli.files:stats_cmd",
    "precheck": "xueji_tui.cli.graduation:precheck_cmd",
    "certno": "xueji_tui.cli.graduation:certno_group",
    "graduate": "xueji_tui.cli.graduation:graduate_cmd",
    "conclusion": "xueji_tui.cli.graduation:conclusion_cmd",
    "audit": "xueji_tui.cli.admin:audit_cmd",
    "doctor": "xueji_tui.cli.admin:doctor_cmd",
    "settings": "xueji_tui.cli.admin:settings_cmd",
    "sample-data": "xueji_tui.cli.demo:sample_data_cmd",
    "demo": "xueji_tui.cli.demo:demo_cmd",
}


class Env:
    """What the global options say: where the data is and who claims to act."""

    def __init__(self, data: Path, clerk: str | None):
        self.data = data
        self.clerk_opt = clerk
        self._session = None

    def identity(self) -> str:
        from xueji_tui.services.session import acting_identity

        name, warning = acting_identity(self.data, self.clerk_opt)
        if warning:
            click.echo(warning, err=True)
        return name

    def session(self):
        """The store and the acting clerk (registered, or refused with how to register)."""
        if self._session is None:
            from xueji_tui.services.session import open_session

            self._session = open_session(self.data, self.identity())
        return self._session


pass_env = click.make_pass_decorator(Env)


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name == module:  # not built yet
                return None
            raise
        return getattr(mod, attr, None)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except XuejiError as e:
            click.echo(e.message, err=True)
            ctx.exit(e.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except OSError as e:
            from xueji_tui.domain.errors import os_reason

            click.echo(f"文件或目录操作失败：{os_reason(e)}（{e.filename or ''}）", err=True)
            ctx.exit(2)
        except Exception as e:  # never a traceback for a clerk; XUEJI_DEBUG=1 shows it
            if os.environ.get("XUEJI_DEBUG"):
                raise
            click.echo(f"xueji 内部错误：{type(e).__name__}: {e}。设置 XUEJI_DEBUG=1 可查看详细信息。", err=True)
            ctx.exit(2)


HELP = """xueji — 学籍学历电子注册（新生注册、学年注册、学历注册）。

\b
不带子命令时打开终端界面。示例 / examples:
  xueji demo                      用示例学校试用（open the bundled sample school）
  xueji lookup 2024010101         按学号、考生号、身份证号或姓名查询
  xueji change 2024010101 1101 --date 20250301 --doc 吉师大教字〔2025〕3号
  xueji precheck --year 2026      毕业生本机数据预审

退出码 / exit codes: 0 成功 · 1 有问题（预审错误、查无此人）· 2 用法或输入有误（未写入任何数据）· 3 无权限
"""


@click.group(cls=LazyGroup, invoke_without_command=True, help=HELP,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--data", "data", type=click.Path(path_type=Path), default=None,
              help="数据目录 / data directory（默认 $XUEJI_DATA，否则 ./xueji-data）")
@click.option("--clerk", "clerk", default=None, metavar="NAME",
              help="经办人（或 $XUEJI_CLERK）；仅数据目录属主账号可指定 / acting clerk")
@click.version_option(package_name="xueji", prog_name="xueji")
@click.pass_context
def cli(ctx, data, clerk):
    from xueji_tui.services.session import default_data_dir

    ctx.obj = Env(data or default_data_dir(), clerk)
    if ctx.invoked_subcommand is None:
        from xueji_tui.cli.tui import open_tui

        open_tui(ctx.obj)


def main() -> None:
    cli(prog_name="xueji")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
