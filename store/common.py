"""What every store implementation does the same way: audit lines, record stamps, and the
invariants no caller can bypass (one student per 考生号, 学号 and 身份证号)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from xueji_tui.domain import idcard
from xueji_tui.domain.errors import Refused
from xueji_tui.domain.fields import label
from xueji_tui.domain.record import initials
from xueji_tui.domain.text import shown

_PRIVATE_FIELDS = {"SFZH", "ZJHM"}
KEY_FIELDS = (("K", "KSH"), ("X", "XH"), ("S", "SFZH"))
PLACED = frozenset({"KSH", "XH", "SFZH", "FY", "rev"})  # what only ``put_many`` may change: keys, shard


def index_keys(s: dict | None) -> list[str]:
    """The index keys of a student: K:考生号, X:学号, S:身份证号 (upper-cased)."""
    if not s:
        return []
    keys = []
    for prefix, f in KEY_FIELDS:
        v = (s.get(f) or "").strip().upper()
        if v:
            keys.append(f"{prefix}:{v}")
    return keys


def audit_line(at: str, clerk: str, default_why: str, action: str, *, ksh: str = "", xh: str = "",
               field: str = "", old=None, new=None, why: str = "", **extra) -> dict:
    """One audit line; a 身份证号 is masked in the trail, which every clerk of the office may read."""
    if field in _PRIVATE_FIELDS:
        old, new = (idcard.mask(v) if isinstance(v, str) else v for v in (old, new))
    line = {"at": at, "clerk": clerk, "action": action, "KSH": ksh, "XH": xh, "field": field,
            "old": old, "new": new, "why": why or default_why}
    if extra:
        line.update(extra)
    return line


def audit_lines(at: str, clerk: str, default_why: str, action: str, rows, why: str = "") -> list[dict]:
    """``audit_line`` for many changes of one kind, from (KSH, XH, field, old, new) rows (each line
    laid out by ``audit_line``: one home for the trail's keys and their masking)."""
    return list(AuditBatch(at, clerk, default_why, action, list(rows), why))


class AuditBatch:
    """The lines of ``audit_lines``, made one at a time as they are read (a transaction's 30,000
    are chained and dropped one by one, never all held as dicts)."""

    __slots__ = ("args", "rows")

    def __init__(self, at: str, clerk: str, default_why: str, action: str, rows: list, why: str = "") -> None:
        self.args = (at, clerk, default_why, action, why)
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        at, clerk, default_why, action, why = self.args
        base = audit_line(at, clerk, default_why, action, why=why)
        for ksh, xh, field, old, new in self.rows:
            if field in _PRIVATE_FIELDS:
                yield audit_line(at, clerk, default_why, action, ksh=ksh, xh=xh, field=field, old=old, new=new,
                                 why=why)
            else:
                yield {**base, "KSH": ksh, "XH": xh, "field": field, "old": old, "new": new}


class Bodies:
    """A transaction's audit lines as ``AuditLog.seal`` reads them: lines and batches of lines."""

    __slots__ = ("parts",)

    def __init__(self, parts: list) -> None:
        self.parts = parts

    def __len__(self) -> int:
        return sum(len(p) if isinstance(p, AuditBatch) else 1 for p in self.parts)

    def __iter__(self):
        for p in self.parts:
            if isinstance(p, AuditBatch):
                yield from p
            else:
                yield p


def stamp(new: dict, old: dict | None) -> None:
    """The store's own keys of a record about to be written: revision, pinyin initials of the name."""
    new["rev"] = (old or {}).get("rev", 0) + 1
    if not new.get("py") or (old or {}).get("XM") != new.get("XM"):
        new["py"] = initials(new.get("XM", ""))


def change_in_place(record: dict, fields: dict) -> None:
    """``fields`` set on ``record`` itself, stamped as a replacement would be."""
    before = {"rev": record.get("rev", 0), "XM": record.get("XM")}  # all ``stamp`` reads of the old
    record.update(fields)
    stamp(record, before)


def check_unique(writes: Iterable[tuple[dict, dict | None, str]],
                 holders: Callable[[str], list[str]], describe: Callable[[str], dict | None],
                 keys_of: Callable[[dict | None], list[str]] = index_keys) -> None:
    """Refuse a write that would give two students the same 考生号, 学号 or 身份证号.

    ``writes``: (the record after the write, the record before or None, the 考生号 it was stored
    under); ``holders(key)``: the 考生号 of the students holding an index key before the write;
    ``describe(ksh)``: a stored student, to name in the refusal. Only keys a write adds are checked,
    so a duplicate already in the store (from before this rule) never blocks other work on it.
    ``keys_of``: ``index_keys``, or a caller's remembered copy of it.
    """
    writes = list(writes)
    adding: list[tuple[dict, list[str] | set[str]]] = []
    for s, old, was in writes:
        if was == s["KSH"] and same_keys(s, old):
            continue  # no key added (certno assign: 30,000 records, not one index key looked at)
        keys = keys_of(s)
        added = set(keys) - set(keys_of(old)) if old is not None and was == s["KSH"] else keys
        if added:
            adding.append((s, added))
    if not adding:
        return
    rewritten = {was for _, _, was in writes} | {s["KSH"] for s, _, _ in writes}
    every = [key for s, _, _ in writes for key in keys_of(s)]
    final: dict[str, list[dict]] | None = None
    if len(set(every)) < len(every):  # a key twice in the batch (else, as almost always, no batch to look at)
        final = {}
        for s, _, _ in writes:
            for key in keys_of(s):
                final.setdefault(key, []).append(s)
    for s, added in adding:
        for key in added:
            if final is not None and len(batch := final[key]) > 1:
                raise _duplicate(key, s, next(t for t in batch if t is not s))
            held = holders(key)
            others = [k for k in held if k not in rewritten] if held else held
            if others:
                raise _duplicate(key, s, describe(others[0]) or {"KSH": others[0]})


def same_keys(s: dict, old: dict | None) -> bool:
    """The 考生号, 学号 and 身份证号 as they were (so the index keys are too)."""
    return old is not None and all(s.get(f) == old.get(f) for _, f in KEY_FIELDS)


def _duplicate(key: str, s: dict, other: dict) -> Refused:
    prefix, value = key.split(":", 1)
    field = dict(KEY_FIELDS)[prefix]
    value_shown = idcard.mask(value) if field == "SFZH" else value
    who = f"{shown(other.get('XM', ''))}（考生号 {other.get('KSH', '')}" + (
        f"，学号 {other['XH']}）" if other.get("XH") else "）")
    return Refused(f"{label(field)} {value_shown} 已属于 {who}，不能再给 {shown(s.get('XM', ''))}"
                   f"（考生号 {s.get('KSH', '')}）：一个{label(field)}只能属于一名学生。请核对两人的证件和"
                   f"录取数据，更正有误的一方；未保存任何修改")
