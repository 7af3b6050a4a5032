"""Roster rows for the UI: loaded through the store, refreshed when another clerk saves.

Rows are the store's roster rows (``domain.record.ROW_FIELDS``), kept per shard so a change by
another process costs a re-read of the shards it touched, not of the school.
"""

from __future__ import annotations

from xueji_tui.domain.record import ROW
from xueji_tui.services.session import Session

# Columns with few distinct values (gender, college, major, class, grade, status, level). Parsed JSON
# gives every row its own copy of "注册学籍"; sharing one string per value keeps 100,000 rows about
# 50 MB smaller, which a UI process needs to stay under 300 MB (spec/quality.md).
_SHARED = tuple(ROW[f] for f in ("XB", "FY", "ZYMC", "BH", "DQSZJ", "status", "CC"))
_pool: dict[str, str] = {}


def _share(rows: list[list]) -> None:
    pool = _pool
    for r in rows:
        for i in _SHARED:
            v = r[i]
            if isinstance(v, str):
                r[i] = pool.setdefault(v, v)  # an equal string: the row's value does not change


def load(session: Session, known: dict[str, list] | None = None) -> dict[str, list]:
    """Shard -> roster rows of every student in the clerk's scope (``known``: shards already read)."""
    shards = session.store.rows_by_shard(session.scope())
    for shard, rows in shards.items():
        if known is None or rows is not known.get(shard):
            _share(rows)
    return shards


def poll(session: Session) -> bool:
    """True once after another process committed (one stat of the audit trail: cheap)."""
    return session.store.changed()


def stale(session: Session, shards) -> list[str]:
    """The shards whose rows changed on disk since this process read them."""
    return session.store.stale_shards(shards)


def school_name(session: Session) -> str:
    return session.store.settings.get("school_name", "")
