"""Files of a clerk working over SSH (docs/deploy.md): whatever a remote clerk names — a file to
import, an export, an output folder — stays out of the data directory and out of the service account's
hidden files (~/.ssh/authorized_keys, shell start-up files), on the command line and in the terminal
UI alike: an export written there would be another key line or another program."""

from __future__ import annotations

import os
from pathlib import Path

from xueji_tui.domain.errors import NotAllowed
from xueji_tui.domain.text import shown


def private_reason(value: str | Path, data_dir: str | Path) -> str:
    """Why a remote clerk may not read or write ``value`` ('' when it may)."""
    data = os.path.realpath(data_dir)
    real = os.path.realpath(os.path.expanduser(str(value)))
    if os.path.commonpath([real, data]) == data:
        return "数据目录中的文件"
    if any(part.startswith(".") and part not in (".", "..") for part in Path(real).parts):
        return "隐藏文件或隐藏目录（以 . 开头）中的文件"
    if Path(real).name.startswith("authorized_keys"):  # wherever sshd was told to look
        return "authorized_keys 文件"
    return ""


def check_file(value: str | Path, data_dir: str | Path | None) -> None:
    """Refuse (exit 3) a file a remote clerk may not use; ``data_dir`` None: not over SSH."""
    if data_dir is None:
        return
    what = private_reason(value, data_dir)
    if what:
        raise NotAllowed(f"远程会话不能读写{what}：{shown(str(value))}；请换一个普通目录中的文件")
