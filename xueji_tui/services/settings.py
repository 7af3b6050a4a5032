"""The school's settings in the data directory (names and dates the files and deadlines use)."""

from __future__ import annotations

from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.validate import normalise_date
from xueji_tui.services.session import Session

EDITABLE = {"school_name": "院校名称", "president": "校长姓名", "term_start": "开学日期"}


def show(session: Session) -> dict:
    return dict(session.store.settings)


def update(session: Session, **values: str) -> dict:
    session.clerk.require_office("修改学校设置")
    changes = {k: (v or "").strip() for k, v in values.items() if v is not None}
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"不能修改的设置：{'、'.join(sorted(unknown))}")
    if "term_start" in changes:
        changes["term_start"] = normalise_date(changes["term_start"])
    if not changes:
        raise InvalidInput("没有要修改的设置")
    current = session.store.settings
    with session.store.write(session.clerk.name, "修改学校设置") as tx:
        tx.update_settings(changes)
        for k, v in changes.items():
            tx.log("settings", field=k, old=current.get(k), new=v)
    return session.store.settings
