"""Fields set on students a transaction read, without placing them again (``Txn.set_fields``).

certno assign gives 30,000 graduates a number: a field that is neither a key (考生号, 学号, 身份证号:
the index and the uniqueness check) nor where the record lives (学院: its shard), nor shown in the
roster (``domain.record.NOT_IN_ROW``: its rows file). ``put_many`` would look up, check and place each
record again; here each file the transaction read is gone through once and its records are changed
where they are — they are the transaction's alone (``Txn.student_groups`` read them past the
process's cache) — and anyone else is found by the index and replaced by a changed copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xueji_tui.domain.record import NOT_IN_ROW
from xueji_tui.store.common import PLACED, change_in_place, stamp

if TYPE_CHECKING:
    from xueji_tui.store.txn import Txn

STUDENTS = "students"


def set_fields(tx: "Txn", changes: dict[str, dict]) -> dict[str, dict]:
    for fields in changes.values():
        if not PLACED.isdisjoint(fields):
            raise ValueError(f"set_fields cannot change {sorted(PLACED & fields.keys())}: use put_many")
    left = dict(changes)
    written: dict[str, dict] = {}
    for shard in tx._own:
        if not left:
            break
        staged = False
        for d in ((tx._load(shard) or {}).get(STUDENTS) or {}).values():
            ksh = d.get("KSH")
            fields = left.pop(ksh, None)
            if fields is None:
                continue
            if not staged:  # the shard is written; its records stay the ones changed here
                tx._students_table(shard)
                staged = True
            row = _row_changes(d, fields)
            change_in_place(d, fields)
            if row:
                tx._rows_dirty[shard][ksh] = d
            written[ksh] = d
    for ksh, fields in left.items():
        found = [sh for k, sh in tx._index(f"K:{ksh.upper()}") if k == ksh]
        if not found:
            raise ValueError(f"set_fields: no student {ksh}")
        shard = found[0]
        table = tx._students_table(shard)
        i = tx._ids_in(shard)[ksh]
        old = table[i]
        new = table[i] = {**old, **fields}
        stamp(new, old)
        if _row_changes(old, fields):
            tx._rows_dirty[shard][ksh] = new
        written[ksh] = new
    return {ksh: written[ksh] for ksh in changes}  # in the order given


def _row_changes(record: dict, fields: dict) -> bool:
    return not NOT_IN_ROW.issuperset(fields) and any(record.get(f) != v for f, v in fields.items())
