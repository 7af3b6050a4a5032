"""The school's settings in the data directory (names and dates the files and deadlines use)."""

from __future__ import annotations

import os
from pathlib import Path

from xueji_tui.domain.permissions import require
from xueji_tui.domain.errors import InvalidInput, OutputExists
from xueji_tui.domain.placement import (DEFAULT_BH_PATTERN, DEFAULT_CLASS_SIZE, DEFAULT_XH_PATTERN, class_size_value,
                                        parse_pattern)
from xueji_tui.domain.text import refuse_control
from xueji_tui.domain.validate import normalise_date, setting_text
from xueji_tui.services.remote import check_file
from xueji_tui.services.session import Session
from xueji_tui.services.widths import check_widths

EDITABLE = {"school_name": "院校名称", "president": "校长姓名", "term_start": "开学日期",
            "class_size": "每班人数", "xh_pattern": "学号格式", "bh_pattern": "班号格式"}
# what a placement uses when the school has not set its own (docs/cli.md, "settings")
DEFAULTS = {"class_size": DEFAULT_CLASS_SIZE, "xh_pattern": DEFAULT_XH_PATTERN, "bh_pattern": DEFAULT_BH_PATTERN}


def show(session: Session) -> dict:
    """The settings, with the placement's defaults where the school has set none."""
    return {**DEFAULTS, **session.store.settings}


def update(session: Session, **values: str) -> dict:
    require(session.clerk, "settings")
    changes = {k: (v or "").strip() for k, v in values.items() if v is not None}
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"不能修改的设置：{'、'.join(sorted(unknown))}")
    for key in ("school_name", "president"):
        if key in changes:
            changes[key] = setting_text(changes[key], EDITABLE[key], required=key == "school_name")
    check_widths(session, {"YXMC": changes.get("school_name"), "_president": changes.get("president")})
    if "term_start" in changes:
        changes["term_start"] = normalise_date(changes["term_start"])
    if "class_size" in changes:
        changes["class_size"] = class_size_value(changes["class_size"])
    for key, kind in (("xh_pattern", "xh"), ("bh_pattern", "bh")):
        if key in changes:
            parse_pattern(refuse_control(changes[key], EDITABLE[key]), kind)
    if not changes:
        raise InvalidInput("没有要修改的设置")
    current = session.store.settings
    changes = {k: v for k, v in changes.items() if current.get(k) != v}
    if not changes:
        return current
    with session.store.write(session.clerk.name, "修改学校设置") as tx:
        tx.update_settings(changes)
        for k, v in changes.items():
            tx.log("settings", field=k, old=current.get(k), new=v)
    return session.store.settings


# -- where a clerk's exports go -------------------------------------------------------------------
OUTPUT_KEY = "output_dir."  # + clerk name: each clerk has their own folder (their own home)


def _writable_dir(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def default_output_folder(session: Session) -> Path:
    """The clerk's home directory; where that cannot be written (a service account without a home),
    the data directory's exports/ folder."""
    home = Path(os.path.expanduser("~"))
    if _writable_dir(home):
        return home.resolve()
    return session.store.exports_folder() or Path.cwd().resolve()


def output_folder(session: Session) -> Path:
    """The folder this clerk's exports are written to (the setting, else the default)."""
    chosen = (session.store.settings.get(OUTPUT_KEY + session.clerk.name) or "").strip()
    return Path(chosen) if chosen else default_output_folder(session)


def set_output_folder(session: Session, folder: str | Path) -> Path:
    """Remember ``folder`` as this clerk's output folder (any clerk, for themselves; audited)."""
    raw = str(folder or "").strip()
    if not raw:
        raise InvalidInput("请填写输出目录")
    path = Path(os.path.expanduser(raw)).resolve()
    check_file(path, session.remote_root)
    if not path.is_dir():
        raise InvalidInput(f"输出目录 {path} 不存在或不是目录；请先建立它，或换一个目录")
    if not _writable_dir(path):
        raise InvalidInput(f"输出目录 {path} 不能写入（没有权限）；请换一个目录")
    key = OUTPUT_KEY + session.clerk.name
    current = session.store.settings.get(key)
    if current == str(path):
        return path
    with session.store.write(session.clerk.name, "设置输出目录") as tx:
        tx.update_settings({key: str(path)})
        tx.log("settings", field="output_dir", old=current, new=str(path))
    return path


def output_path(session: Session, name: str | Path, folder: str | Path | None = None) -> Path:
    """The full path a file ``name`` goes to: as given when absolute, else in ``folder`` (default:
    the clerk's output folder). The data directory's exports/ folder is made when first used."""
    p = Path(os.path.expanduser(str(name)))
    if not p.is_absolute():
        base = Path(os.path.expanduser(str(folder))) if folder else output_folder(session)
        p = base / p
    p = p.resolve()
    check_output(session, p)
    if p.parent == session.store.exports_folder():
        session.store.exports_folder(make=True)
    return p


def check_output(session: Session, path: str | Path) -> None:
    """A file a clerk is about to write (an upload file, a report, a workbook): never among the data
    directory's own files — they hold whole 身份证号 and every file there is the trail's — except in
    its ``exports/`` folder; over SSH, never in a private place either."""
    p = Path(os.path.expanduser(str(path))).resolve()
    check_file(p, session.remote_root)
    exports = session.store.exports_folder()
    if exports is not None and p.is_relative_to(exports.parent) and p.parent != exports:
        raise InvalidInput(f"不能把导出文件写进数据目录 {exports.parent}：{p}。"
                           f"请写到自己的目录（如家目录），或数据目录的 exports/ 中")


def refuse_overwrite(path: Path, force: bool = False) -> None:
    """An existing file is replaced only when the clerk said so (``force``)."""
    if not force and Path(path).exists():
        raise OutputExists(path)
