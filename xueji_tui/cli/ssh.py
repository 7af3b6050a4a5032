"""ssh authorize|revoke|list, and ssh-session: the forced command every clerk's key runs.

Over SSH the clerk is whoever the key says (sshd picked the authorized_keys line, which names the
clerk); what the client typed arrives only as $SSH_ORIGINAL_COMMAND and is read as words, never run
by a shell. The client cannot name another clerk, another data directory or another program.
"""

from __future__ import annotations

import os
import shlex
import socket
import sys
from pathlib import Path

import click

from xueji_tui.cli import COMMANDS, GLOBAL_VALUE_OPTIONS, pass_env
from xueji_tui.cli.output import echo, note, table
from xueji_tui.domain.errors import InvalidInput, NotAllowed
from xueji_tui.domain.permissions import require
from xueji_tui.domain.text import has_control, shown

# Commands a remote clerk may not run, and why. Key management would let one clerk put a key under
# another clerk's name (and so approve their own correction as a second office clerk); a nested
# session could name another clerk; the rest create data directories or files anywhere the service
# account can write.
REMOTE_REFUSED = {
    "ssh": "SSH 钥匙只能由服务器管理员在服务器上以服务账号管理",
    "ssh-session": "不能在会话中再开会话",
    "init": "新建数据目录只能在服务器上办理",
    "demo": "示例学校只能在服务器上准备",
    "sample-data": "生成模拟数据只能在服务器上办理",
}

KEYS_FILE = click.option("--authorized-keys", "keys_file", type=click.Path(dir_okay=False, path_type=Path),
                         default=None, help="authorized_keys 文件（默认：本账号的 ~/.ssh/authorized_keys）")


@click.group("ssh", help="SSH 钥匙（学生工作处，在服务器上以服务账号运行）：authorize 授权 · revoke 收回 · list 列出")
def ssh_group():
    pass


@ssh_group.command("authorize", help="授权经办人 NAME 的公钥（--key 文件，或 - 从标准输入读）；替换其原有钥匙")
@click.argument("name")
@click.option("--key", "key_source", required=True, metavar="FILE|-", help="经办人的 OpenSSH 公钥（.pub 文件）")
@KEYS_FILE
@pass_env
def authorize_cmd(env, name, key_source, keys_file):
    from xueji_tui.services import sshkeys
    from xueji_tui.services.session import login_name

    session = env.session()
    require(session.clerk, "ssh")
    key = sshkeys.read_key(key_source, click.get_text_stream("stdin"))
    done = sshkeys.authorize(session, name, key, keys_file)
    note(shown(f"已授权 {done['name']} 的钥匙 {done['fingerprint']}（{done['file']}）") +
         (f"；替换了原钥匙 {'、'.join(done['replaced'])}" if done["replaced"] else ""))
    where = f"{login_name()}@{socket.gethostname()}"
    note(shown(f"{name} 连接：ssh -t {where}（打开界面），或 ssh {where} lookup 学号（运行一个子命令）"))


@ssh_group.command("revoke", help="收回经办人 NAME 的钥匙")
@click.argument("name")
@KEYS_FILE
@pass_env
def revoke_cmd(env, name, keys_file):
    from xueji_tui.services import sshkeys

    done = sshkeys.revoke(env.session(), name, keys_file)
    note(shown(f"已收回 {done['name']} 的钥匙 {'、'.join(done['fingerprints'])}（{done['file']}）；"
               f"已连接的会话不受影响，如需立即断开请在服务器上结束其进程"))


@ssh_group.command("list", help="列出本数据目录已授权的钥匙")
@KEYS_FILE
@pass_env
def list_cmd(env, keys_file):
    from xueji_tui.services import sshkeys

    got = sshkeys.list_keys(env.session(), keys_file)
    rows = []
    for k in got["keys"]:
        role = ("学生工作处" if k["role"] == "office" else f"学院·{k['college']}") if k["registered"] else "未登记！"
        rows.append([k["name"], role, k["type"], k["fingerprint"], k["comment"], str(k["line"])])
    if rows:
        echo(table(rows, ["经办人", "角色", "类型", "指纹", "备注", "行号"]))
    else:
        note(shown(f"{got['file']} 中还没有本数据目录的钥匙；授权：xueji ssh authorize 经办人 --key 公钥.pub"))
    if got["other_lines"]:
        note(shown(f"另有 {got['other_lines']} 行钥匙不属于本数据目录的会话（未列出，也不会被改动）"))


# -- the forced command --------------------------------------------------------------------------
def remote_argv(original: str) -> list[str]:
    """What the client asked for, as words for xueji; [] opens the terminal UI. Refuses forgery."""
    if has_control(original.replace("\n", " ").replace("\t", " ")):
        raise InvalidInput("远程命令中含有控制字符，未执行")
    try:
        argv = shlex.split(original, comments=False, posix=True)
    except ValueError:
        raise InvalidInput(f"远程命令的引号不成对，未执行：{shown(original)}") from None
    if argv[:1] == ["xueji"]:
        argv = argv[1:]
    if not argv:
        return []
    first = argv[0]
    for word in argv:
        if word.split("=", 1)[0] in GLOBAL_VALUE_OPTIONS:
            raise InvalidInput(f"远程命令不能带全局选项 {shown(word.split('=', 1)[0])}：经办人和数据目录由服务器上的"
                               f"钥匙设定，不能由客户端指定；未执行")
    if first.startswith("-"):
        raise InvalidInput(f"远程命令不能以选项 {shown(first)} 开头：请直接写子命令，如 lookup 2024010101；"
                           f"查看某个子命令的用法：lookup --help")
    if first in REMOTE_REFUSED:
        raise NotAllowed(f"通过 SSH 不能运行 xueji {first}：{REMOTE_REFUSED[first]}")
    if first not in COMMANDS:
        allowed = " ".join(c for c in COMMANDS if c not in REMOTE_REFUSED)
        raise InvalidInput(f"没有“{shown(first)}”这个命令（远程只运行 xueji 的子命令，不运行其他程序）；"
                           f"可用：{allowed}")
    return argv


def file_arguments(argv: list[str]) -> list[str]:
    """The values the command line gives to file and directory parameters (import FILE, -o …)."""
    from xueji_tui.cli import cli

    out: list[str] = []
    parent = click.Context(cli, info_name="xueji", resilient_parsing=True)
    cmd, name, args = cli.get_command(parent, argv[0]), argv[0], argv[1:]
    while cmd is not None:
        ctx = cmd.make_context(name, list(args), parent=parent, resilient_parsing=True)
        for p in cmd.params:
            if isinstance(p.type, click.Path):
                v = ctx.params.get(p.name)
                for one in (v if isinstance(v, (list, tuple)) else [v]):
                    if one not in (None, "", "-"):
                        out.append(str(one))
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
        if not isinstance(cmd, click.Group) or not rest:
            break
        parent, name, args = ctx, rest[0], rest[1:]
        cmd = cmd.get_command(ctx, name)
    return out


def refuse_private_paths(argv: list[str], data_dir: Path) -> None:
    """A remote clerk's files stay out of the data directory and out of the account's hidden files
    (~/.ssh/authorized_keys, shell start-up files): an export written there would be another key
    line or another program."""
    data = os.path.realpath(data_dir)
    for value in file_arguments(argv):
        real = os.path.realpath(value)
        inside = os.path.commonpath([real, data]) == data
        hidden = any(part.startswith(".") and part not in (".", "..") for part in Path(real).parts)
        keys = Path(real).name.startswith("authorized_keys")  # wherever sshd was told to look
        if inside or hidden or keys:
            what = ("数据目录中的文件" if inside else "隐藏文件或隐藏目录（以 . 开头）中的文件" if hidden
                    else "authorized_keys 文件")
            raise NotAllowed(f"远程会话不能读写{what}：{shown(value)}；请换一个普通目录中的文件")


@click.command("ssh-session", help="SSH 强制命令（写在 authorized_keys 中，经办人不直接运行）："
                                   "以 NAME 打开界面，或运行 $SSH_ORIGINAL_COMMAND 中的一个子命令")
@click.argument("name")
@pass_env
def ssh_session_cmd(env, name):
    from xueji_tui.cli import cli

    if env.clerk_opt:
        raise InvalidInput("ssh-session 的经办人由 NAME 指定，不能再给 --clerk")
    for var in [v for v in os.environ if v.startswith("XUEJI_")]:
        del os.environ[var]  # nothing the client may have sent (SendEnv/SetEnv) chooses for us
    original = os.environ.get("SSH_ORIGINAL_COMMAND", "")
    argv = remote_argv(original)
    if not argv:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise InvalidInput("打开界面需要终端：请用 ssh -t 连接；或在 ssh 命令后写要运行的子命令，如 lookup 2024010101")
        env.clerk_opt = name
        from xueji_tui.cli.tui import open_tui

        open_tui(env)
        return
    refuse_private_paths(argv, env.data)
    cli.main(args=["--data", str(env.data), "--clerk", name, *argv], prog_name="xueji")
