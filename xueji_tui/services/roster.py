"""Roster rows for the UI: loaded through the store, refreshed when another clerk saves.

Rows are the store's roster rows (``domain.record.ROW_FIELDS``), kept in groups so that a change by
another process costs a re-read of the groups it touched, not of the school.
"""

from __future__ import annotations

from xueji_tui.services.session import Session


def load(session: Session) -> dict[str, list]:
    """Group -> roster rows of every student in the clerk's scope."""
    return session.store.rows_by_shard(session.scope())


def poll(session: Session) -> bool:
    """True once after another process committed (one stat of the audit trail: cheap)."""
    return session.store.changed()


def stale(session: Session, groups) -> list[str]:
    """The groups whose rows changed since this process read them."""
    return session.store.stale_shards(groups)


def school_name(session: Session) -> str:
    return session.store.settings.get("school_name", "")
