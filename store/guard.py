"""Refuse a data directory that anyone but its owner could change, before anything is read or written.

The deployment is one service account owning the directory (0700, files 0600) and clerks reaching it
through SSH with a forced command. Each hole closed here let a clerk become someone else in the trail:
a directory or file others can write (edit clerks.json, make oneself office), a file another account
owns (it replaced a file and now holds it), a symlink (the clerk's own directory of links to the real
store: ``--clerk`` is honoured there and writes land in the real files), and a process running as
another account than the owner (root's writes leave root-owned files the service account cannot
replace). The walk costs one lstat a file: about a thousand files at 100,000 students.
"""

from __future__ import annotations

import os
import pwd
import shlex
import stat
from pathlib import Path

from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.text import shown

SHOW = 5  # offending paths named in the message, per kind
FIX = "\n  修正："  # each fix on a line of its own, nothing after it: it can be copied as it stands


def _account(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _q(path) -> str:
    return shown(shlex.quote(str(path)))


def _refuse(text: str) -> None:
    raise InvalidInput(text)


def check(root: Path) -> None:
    """InvalidInput (exit 2) naming what is wrong and the command that fixes it; None when safe."""
    root = Path(root)
    try:
        st = os.lstat(root)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        real = os.path.realpath(root)
        _refuse(f"数据目录 {_q(root)} 是符号链接（指向 {_q(real)}），不能使用；未读取或写入任何数据。"
                f"请直接写实际目录：{FIX}xueji --data {_q(real)} …")
    owner, me = st.st_uid, os.geteuid()
    if owner != me:
        _refuse(f"数据目录 {_q(root)} 属于账号 {_account(owner)}，本进程以账号 {_account(me)} 运行；"
                f"其他账号写入的文件会使属主无法再修改，未读取或写入任何数据。请以属主身份运行："
                f"{FIX}sudo -u {_account(owner)} xueji --data {_q(root)} …")
    bad = _walk(root, owner)
    bad += _ancestors(root, owner)
    if bad:
        _refuse(f"数据目录 {_q(root)} 不安全（只能由属主账号写入），未读取或写入任何数据：\n" + "\n".join(bad))


def _walk(root: Path, owner: int) -> list[str]:
    writable, foreign, links, odd = [], [], [], []
    stack = [root]
    while stack:
        d = stack.pop()
        st = os.lstat(d)
        if st.st_mode & 0o022:
            writable.append(d)
        if st.st_uid != owner:
            foreign.append((d, st.st_uid))
        with os.scandir(d) as it:
            for e in it:
                p = Path(e.path)
                try:
                    est = e.stat(follow_symlinks=False)
                except FileNotFoundError:  # another clerk's save renamed its temporary meanwhile
                    continue
                if stat.S_ISLNK(est.st_mode):
                    links.append(p)
                    continue
                if stat.S_ISDIR(est.st_mode):
                    stack.append(p)
                    continue
                if not stat.S_ISREG(est.st_mode):
                    odd.append(p)
                    continue
                if est.st_mode & 0o022:
                    writable.append(p)
                if est.st_uid != owner:
                    foreign.append((p, est.st_uid))
    name, out = _account(owner), []
    if writable:
        out.append(_listing("其他账号可写", writable) + f"{FIX}chmod -R u=rwX,go= {_q(root)}")
    if foreign:
        others = sorted({_account(uid) for _, uid in foreign})
        out.append(_listing(f"属于其他账号（{'、'.join(others)}）", [p for p, _ in foreign]) +
                   f"；以 root 运行：{FIX}chown -R {name} {_q(root)}")
    if links:
        fixes = "".join(f"{FIX}cp --remove-destination {_q(os.path.realpath(p))} {_q(p)}" for p in links[:SHOW])
        out.append(_listing("是符号链接", links) +
                   f"；确认链接指向的文件可信后用实际文件替换，否则删除链接并从备份恢复：{fixes}")
    if odd:
        out.append(_listing("不是普通文件或目录", odd) + "；请删除：" +
                   "".join(f"{FIX}rm {_q(p)}" for p in odd[:SHOW]))
    return out


def _listing(what: str, paths: list) -> str:
    names = "、".join(_q(p) for p in sorted(paths, key=str)[:SHOW])
    more = f" 等 {len(paths)} 个" if len(paths) > SHOW else ""
    return f"- {what}：{names}{more}"


def _ancestors(root: Path, owner: int) -> list[str]:
    """Whoever can write a parent directory can put another directory in the data directory's place."""
    out = []
    here = Path(os.path.realpath(root)).parent
    while True:
        st = os.stat(here)
        sticky = st.st_mode & stat.S_ISVTX
        if st.st_uid not in (0, owner):
            out.append(f"- 上级目录 {_q(here)} 属于账号 {_account(st.st_uid)}，该账号可替换数据目录；"
                       f"请把数据目录移到属主或 root 的目录下，或以 root 运行：{FIX}chown {_account(owner)} {_q(here)}")
        elif st.st_mode & 0o022 and not sticky:
            out.append(f"- 上级目录 {_q(here)} 其他账号可写，可替换数据目录：{FIX}chmod go-w {_q(here)}")
        if here.parent == here:
            return out
        here = here.parent
