"""The data directory: TinyDB made safe for several clerks and for crashes.

Only this package imports TinyDB or touches the data directory. What the rest of xueji may ask of a
store is ``store.api`` (named reads, and named writes in a transaction); it returns plain dicts
(domain records), never TinyDB documents.

Layout of a data directory::

    meta.json                 settings, schema version            (TinyDB)
    clerks.json               clerks and roles                    (TinyDB)
    corrections.json          identity change requests (Art. 20)  (TinyDB)
    catalog.json              majors -> college, imports, expected-graduate lists (TinyDB)
    exports.json              upload files written: 学历注册 files with what each student was sent (TinyDB)
    students/<college>/NN.json       one small TinyDB shard of a college's students
    students/<college>/NN.rows.json  the shard's roster rows by columns (derived, written with the shard)
    students/<college>/all.rows.json the college's rows in one file, checked against the trail
                              before use (store/snapshot.py)
    index/NN.json             学号 / 考生号 / 身份证号 -> student, bucketed (NN in hex; how many
                              shards and buckets grows with the school: store/layout.py)
    audit.jsonl, audit.head   the hash-chained audit trail, which is also the commit journal, and
                              its last line, length and the data files' digests (store/audit.py)
    .lock                     the writers' lock
"""

from xueji_tui.store.api import Store, Transaction
from xueji_tui.store.db import DiskStore, create_store, is_store, open_store, unchecked_store
from xueji_tui.store.memory import MemoryStore, memory_store

__all__ = ["DiskStore", "MemoryStore", "Store", "Transaction", "create_store", "is_store", "memory_store",
           "open_store", "unchecked_store"]
