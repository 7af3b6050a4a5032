"""Roster rows held by columns: how a shard's rows are kept on disk and in a process.

A list of 16-field lists per student costs 1.7 million Python objects at 100,000 students to parse
and to keep, and most of the launch of the roster went into them (docs/design.md, "Where launch time
goes"). A ``RowSet`` keeps the same rows as one string per student — the search key, which holds the
five text fields (学号, 考生号, 身份证号, pinyin initials, 姓名) — and one list per other field whose
values are shared objects from a small per-file dictionary (学院, 状态, 核对数 …). A row list is
made only when something asks for one (the visible rows of a table, a student opened).

On disk (``NN.rows.json``, format 2)::

    {"format": 2, "n": N, "key": "<key>\\x1e<key>…", "cols": {"XB": [["男", "女"], [0, 1, …]], …}}

each key is ``\\n学号\\n考生号\\n身份证号\\t拼音首字母\\r姓名`` (initials upper-cased), rows sorted by it
(that is, by 学号); ``"cased": true`` when a key has a lower-case letter. Every reader still takes
the first wave's plain row lists (format 1).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence

from xueji_tui.domain.record import ROW, ROW_FIELDS

FORMAT = 2
TEXT = ("XH", "KSH", "SFZH", "py", "XM")  # in the key's order
CODED = tuple(f for f in ROW_FIELDS if f not in TEXT)
_END = "\x1e"
_TEXT_AT = tuple(ROW[f] for f in TEXT)
_CODED_AT = tuple(ROW[f] for f in CODED)
# a separator inside a value (the store never holds one: control characters are refused or replaced
# on the way in) would shift every field after it; it is shown as the lost-character mark instead
_SEPARATOR = re.compile("[\n\t\r" + _END + "]")
_XH, _KSH, _SFZH, _PY, _XM = _TEXT_AT


def _text(v) -> str:
    v = "" if v is None else str(v)
    return _SEPARATOR.sub("\ufffd", v) if _SEPARATOR.search(v) else v


def row_key(r: list) -> str:
    """A row's key: its text fields with separators, initials upper-cased (so that the key of almost
    every student is already what the search needs: upper-case IDs and initials)."""
    return f"\n{_text(r[_XH])}\n{_text(r[_KSH])}\n{_text(r[_SFZH])}\t{_text(r[_PY]).upper()}\r{_text(r[_XM])}"


def split_key(key: str) -> tuple[str, str, str, str, str]:
    """(学号, 考生号, 身份证号, initials, 姓名) of a key."""
    xh, ksh, rest = key[1:].split("\n", 2)
    sfzh, rest = rest.split("\t", 1)
    py, xm = rest.split("\r", 1)
    return xh, ksh, sfzh, py.lower(), xm


def build_row(key: str, cols: dict[str, list], i: int) -> list:
    """Row ``i`` as a list: its key split, and its value in every column."""
    r = [None] * len(ROW_FIELDS)
    for at, v in zip(_TEXT_AT, split_key(key)):
        r[at] = v
    for at, f in zip(_CODED_AT, CODED):
        r[at] = cols[f][i]
    return r


def _fields(keys) -> list[str]:
    """The keys' text fields in one list: "", 学号, 考生号, 身份证号, initials, 姓名, "", 学号 …"""
    # str.replace three times: str.translate takes a slow path on text with Chinese in it
    return _END.join(keys).replace("\t", "\n").replace("\r", "\n").replace(_END, "\n").split("\n")


def build_rows(keys, cols: dict, idx) -> list[list]:
    """Rows ``idx`` as lists, made column by column (C-level joins and splits, no loop per row)."""
    idx = list(idx)
    if not idx:
        return []
    if len(idx) == 1:
        return [build_row(keys[idx[0]], cols, idx[0])]
    pick = operator.itemgetter(*idx)
    parts = _fields(pick(keys))
    columns: list = [None] * len(ROW_FIELDS)
    for k, at in enumerate(_TEXT_AT):
        columns[at] = parts[k + 1::6]
    columns[_PY] = "\n".join(columns[_PY]).lower().split("\n")
    for at, f in zip(_CODED_AT, CODED):
        columns[at] = pick(cols[f])
    return list(map(list, zip(*columns)))


# one field of every key, found in the keys joined (a C-level scan that makes only those strings);
# there every key follows an end mark, and holds one tab and one carriage return
_FIELD = {"XH": re.compile(_END + "\n([^\n]*)"), "KSH": re.compile(_END + "\n[^\n]*\n([^\n]*)"),
          "SFZH": re.compile(_END + "\n[^\n]*\n[^\n]*\n([^\t]*)"), "py": re.compile("\t([^\r]*)\r"),
          "XM": re.compile("\r([^" + _END + "]*)")}


def text_column(keys: list[str], field: str) -> list[str]:
    """One text field of every key (the key holds it)."""
    if not keys:
        return []
    out = _FIELD[field].findall(_END + _END.join(keys))
    return "\n".join(out).lower().split("\n") if field == "py" else out


class RowSet(Sequence):
    """Roster rows by columns. Indexing gives a fresh row list (``domain.record.ROW_FIELDS``)."""

    __slots__ = ("keys", "search", "cols")

    def __init__(self, keys: list[str], search: list[str], cols: dict[str, list]) -> None:
        self.keys = keys        # one per row, in the stored order
        self.search = search    # the keys upper-cased (the same list when nothing changes)
        self.cols = cols        # field -> values, every field of CODED

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.row(j) for j in range(*i.indices(len(self.keys)))]
        return self.row(i)

    def __iter__(self):
        return iter(self.lists())

    def row(self, i: int) -> list:
        return build_row(self.keys[i], self.cols, i)

    def lists(self) -> list[list]:
        """Every row as a list (by columns at once: several times cheaper than ``row`` one by one)."""
        return build_rows(self.keys, self.cols, range(len(self.keys)))

    def text(self, field: str) -> list[str]:
        """One text field of every row (made on demand: the key holds it)."""
        return text_column(self.keys, field)

    # -- the file ----------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: Iterable[list]) -> "RowSet":
        if isinstance(rows, RowSet):
            return rows
        rows = list(rows)
        keys = [f"\n{r[_XH] or ''}\n{r[_KSH] or ''}\n{r[_SFZH] or ''}\t{(r[_PY] or '').upper()}\r{r[_XM] or ''}"
                for r in rows]
        blob = _END.join(keys)
        n = len(keys)
        if not (blob.count("\n") == 3 * n and blob.count("\t") == n and blob.count("\r") == n
                and blob.count(_END) == max(n - 1, 0)):
            keys = [row_key(r) for r in rows]  # a separator inside a value: the careful way
        order = sorted(range(n), key=keys.__getitem__)
        keys = [keys[i] for i in order]
        rows = [rows[i] for i in order]
        search = keys if blob.upper() == blob else [k.upper() for k in keys]
        columns = list(zip(*rows)) if rows else [()] * len(ROW_FIELDS)  # rows turned into columns at once
        cols = {f: list(columns[at]) for f, at in zip(CODED, _CODED_AT)}
        return cls(keys, search, cols)

    def to_json(self, cased: bool | None = None) -> dict:
        """What the rows file holds (format 2). ``cased``: whether a key has a lower-case letter,
        when the caller knows (upper-casing a college's keys to find out is a fifth of its snapshot)."""
        n = len(self.keys)
        blob = _END.join(self.keys)
        cols = {}
        for f in CODED:
            values = self.cols[f]
            codes = list(dict.fromkeys(values))
            at = {v: i for i, v in enumerate(codes)}
            cols[f] = [codes, list(map(at.__getitem__, values))]
        out = {"format": FORMAT, "n": n, "key": blob, "cols": cols}
        if (blob.upper() != blob) if cased is None else (cased and n):
            out["cased"] = True
        return out

    @classmethod
    def from_json(cls, data) -> "RowSet":
        """A rows file's content (format 2, or format 1's row lists)."""
        if isinstance(data, list):
            return cls.from_rows(data)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a rows file")
        n = data["n"]
        keys = data["key"].split(_END) if n else []
        # upper-casing costs more than the rest of reading the file: done only when the writer saw a
        # lower-case letter (a 身份证号 ending in x, a name in Latin letters)
        search = [k.upper() for k in keys] if data.get("cased") else keys
        if len(keys) != n:
            raise ValueError("row count")
        cols = {}
        stored = data["cols"]
        for f in CODED:
            got = stored.get(f)
            if got is None:
                cols[f] = (None,) * n
                continue
            values, idx = got
            if len(idx) != n:
                raise ValueError(f"column {f}")
            # the values of a column are few (a shard's colleges, classes, statuses): one object each,
            # shared by the rows that have it
            cols[f] = operator.itemgetter(*idx)(values) if n > 1 else tuple(values[i] for i in idx)
        return cls(keys, search, cols)


def rowsets(groups: Iterable) -> list[RowSet]:
    return [g if isinstance(g, RowSet) else RowSet.from_rows(g) for g in groups]


__all__ = ["RowSet", "build_row", "build_rows", "row_key", "split_key", "rowsets", "text_column", "TEXT", "CODED", "FORMAT"]
