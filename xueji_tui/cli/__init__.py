"""The ``xueji`` command line (docs/cli.md). Commands load lazily: ``xueji lookup`` stays fast."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from xueji_tui.cli import clickwords
from xueji_tui.domain.errors import XuejiError, explain

clickwords.install()

# command -> "module:attribute"; a module is imported only when its command runs (or for --help)
COMMANDS: dict[str, str] = {
    "init": "xueji_tui.cli.admin:init_cmd",
    "users": "xueji_tui.cli.admin:users_group",
    "lookup": "xueji_tui.cli.students:lookup_cmd",
    "verify": "xueji_tui.cli.students:verify_cmd",
    "change": "xueji_tui.cli.students:change_cmd",
    "correction": "xueji_tui.cli.corrections:correction_group",
    "review": "xueji_tui.cli.reviews:review_group",
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
    "ssh": "xueji_tui.cli.ssh:ssh_group",
    "ssh-session": "xueji_tui.cli.ssh:ssh_session_cmd",
    "majors": "xueji_tui.cli.majors:majors_group",
    "assign": "xueji_tui.cli.year:assign_cmd",
    "campaign": "xueji_tui.cli.year:campaign_group",
    "register": "xueji_tui.cli.year:register_cmd",
    "progress": "xueji_tui.cli.year:progress_cmd",
}


class Env:
    """What the global options say: where the data is and who claims to act."""

    def __init__(self, data: Path, clerk: str | None):
        self.data = data
        self.clerk_opt = clerk
        self.remote = False  # a clerk over SSH (ssh-session): files stay out of private places
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
            from xueji_tui.services.session import Session, clerk_from, open_data

            store = open_data(self.data)  # a directory the guard refuses says so before anyone is named
            self._session = Session(store, clerk_from(store, self.identity()),
                                    remote_root=self.data if self.remote else None)
        return self._session


pass_env = click.make_pass_decorator(Env)


GLOBAL_VALUE_OPTIONS = ("--data", "--clerk")


def refuse_repeated_globals(args: list[str]) -> None:
    """A global option given twice is refused, never "the last one wins": a forced command that put
    ``--clerk NAME`` first and appended what the client sent would otherwise hand out the client's pick."""
    seen: dict[str, int] = {}
    i = 0
    while i < len(args):
        tok = args[i]
        name = tok.split("=", 1)[0]
        if name in GLOBAL_VALUE_OPTIONS:
            seen[name] = seen.get(name, 0) + 1
            i += 1 if "=" in tok else 2
            continue
        if not tok.startswith("-") or tok == "--":
            break  # the subcommand: what follows is its own
        i += 1
    twice = [n for n, k in seen.items() if k > 1]
    if twice:
        raise click.UsageError(f"全局选项 {'、'.join(twice)} 只能给一次（本次给了多次）；未作任何修改")


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def parse_args(self, ctx, args):
        refuse_repeated_globals(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as e:  # never a traceback for a clerk; XUEJI_DEBUG=1 shows it
            if os.environ.get("XUEJI_DEBUG") and not isinstance(e, XuejiError):
                raise
            error = explain(e)
            click.echo(_safe(error.message), err=True)
            ctx.exit(error.exit_code)


def _safe(message: str) -> str:
    """A message may quote a value, a file name or what the client typed: line by line, nothing in it
    reaches the terminal as a control sequence."""
    from xueji_tui.domain.text import shown

    return "\n".join(shown(line) for line in str(message).split("\n"))


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
    try:
        cli(prog_name="xueji")
    except SystemExit as e:
        leave(e.code)
    leave(0)


def leave(code) -> None:
    """End the process without the interpreter's teardown, which frees every object one by one: after
    ``certno assign`` or an export that is 30,000–100,000 records (0.1–0.2 s of a 1 s command) that
    the kernel frees at once. Only when nothing is left to finish: every file a command writes is
    closed and fsync'd before it returns (store/commit.py), the atexit functions run here and the
    streams are flushed; a thread still running (other than the store's idle writers) gets the
    ordinary exit, which waits for it."""
    import atexit
    import threading

    others = [t for t in threading.enumerate()
              if t is not threading.main_thread() and not t.daemon and not t.name.startswith("xueji-write")]
    if others or not (code is None or isinstance(code, int)):
        sys.exit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the ordinary exit reports it as Python does
        sys.exit(code)
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
