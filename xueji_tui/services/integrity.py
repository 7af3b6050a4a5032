"""Who may ask for the trail's anchor, its verification, the data directory's checkup and the
acknowledgement of a break (the work itself is store/integrity.py)."""

from __future__ import annotations

from pathlib import Path

from xueji_tui.domain.errors import InvalidInput, NotAllowed, StoreDamaged
from xueji_tui.domain.permissions import require
from xueji_tui.domain.text import refuse_control
from xueji_tui.services.session import Session
from xueji_tui.store import integrity, is_store, unchecked_store
from xueji_tui.store.integrity import Checkup, Verdict


def anchor(session: Session) -> str:
    require(session.clerk, "audit.anchor")
    return integrity.anchor(session.store.root)


def verify(session: Session, anchor_text: str | None = None) -> Verdict:
    return integrity.verify(session.store.root, anchor_text)


def _clerk_record(data_dir: Path, who: str) -> dict | None:
    """The clerk as registered — or None when clerks.json itself is unreadable (doctor must still run)."""
    try:
        return unchecked_store(data_dir).clerk(who)
    except StoreDamaged:
        return None


def doctor(data_dir: Path, who: str) -> tuple[Checkup, list[str]]:
    """The checkup and the office's procedure. Not for a registered college clerk (exit 3); the
    service account itself, or anyone when clerks.json is unreadable, may run it."""
    if is_store(Path(data_dir)):
        rec = _clerk_record(data_dir, who)
        if rec is not None and rec.get("role") != "office":
            raise NotAllowed("数据目录检查限学生工作处经办人")
    return integrity.checkup_with_procedure(Path(data_dir))


def acknowledge(data_dir: Path, who: str, reason: str) -> tuple[int, str]:
    """The office accepts what doctor found in the trail and the data files: one appended line;
    returns the new anchor (seq, hash)."""
    reason = refuse_control((reason or "").strip(), "确认的说明")
    if not reason:
        raise InvalidInput("确认须说明原因：写明发现了什么、核实了什么")
    rec = _clerk_record(data_dir, who)
    if rec is None or rec.get("role") != "office":
        raise NotAllowed("确认审计记录的中断限学生工作处经办人")
    return integrity.acknowledge(Path(data_dir), who, reason)
