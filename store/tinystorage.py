"""TinyDB's storage seam, bound to our transactions.

TinyDB's stock JSONStorage rewrites the file in place on every operation. ``TxnStorage`` instead
reads through the store's stat-validated cache and stages writes in the open transaction, which
writes each touched file once, atomically, at commit.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from xueji_tui.domain.record import copy_record
from tinydb import TinyDB
from tinydb.storages import Storage

if TYPE_CHECKING:
    from xueji_tui.store.txn import Txn


class TxnStorage(Storage):
    def __init__(self, txn: "Txn", rel: str):
        # not a reference: the transaction holds its TinyDB instances, and a cycle through them would
        # keep every file it staged (an import's 100,000 records) until a full collection of the heap
        self._txn = weakref.ref(txn)
        self.rel = rel

    @property
    def txn(self) -> "Txn":
        return self._txn()  # type: ignore[return-value]

    def read(self):
        staged = self.txn.staged.get(self.rel)
        if staged is not None:
            return staged
        data = self.txn._load(self.rel)
        if not data:
            return None
        # A private copy, so that an aborted transaction leaves the shared cache as it was. Shards
        # are written only by Txn.put_many, which replaces whole documents (remove, then insert under
        # the same id) and never edits one in place: copying the tables is enough. The small files
        # (clerks, requests, settings) are edited in place by TinyDB's update(): copy them deeply.
        if self.rel.startswith("students/"):
            return {name: dict(table) for name, table in data.items()}
        return copy_record(data)

    def write(self, data) -> None:
        self.txn.staged[self.rel] = data

    def close(self) -> None:
        pass


class ReadStorage(Storage):
    """Read-only view of a cached file, for queries outside a transaction."""

    def __init__(self, data):
        self.data = data

    def read(self):
        return self.data

    def write(self, data) -> None:  # pragma: no cover - guarded by the store API
        raise RuntimeError("read-only view; writes go through Store.write()")


def tinydb_for(txn: "Txn", rel: str) -> TinyDB:
    return TinyDB(storage=TxnStorage, txn=txn, rel=rel)


def tinydb_read(data) -> TinyDB:
    return TinyDB(storage=ReadStorage, data=data)
