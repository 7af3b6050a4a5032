"""The roster as a pure model: the rows in scope, a typed filter, facet filters and a sort order.

No Textual here: the roster screen renders only the visible slice of ``view``, and the tests
exercise filtering and sorting without a terminal. Rows are the store's roster rows
(``domain.record.ROW_FIELDS``) held by columns (``domain.rowset``); a row list is made only for a
row someone looks at.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass

from xueji_tui.domain import idcard
from xueji_tui.domain.codes import codes
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.record import ROW
from xueji_tui.domain.rowset import CODED, RowSet, build_row, build_rows, text_column

KSH = ROW["KSH"]


@dataclass(frozen=True)
class Facets:
    """The ``f`` filters; empty means any."""

    college: str = ""
    grade: str = ""
    status: str = ""
    level: str = ""
    problems: bool = False

    def describe(self) -> list[str]:
        out = [v for v in (self.college, self.grade and f"{self.grade}级", self.status, self.level) if v]
        if self.problems:
            out.append("有问题")
        return out

    def keep(self, r: list) -> bool:
        return ((not self.college or r[ROW["FY"]] == self.college)
                and (not self.grade or r[ROW["DQSZJ"]] == self.grade)
                and (not self.status or r[ROW["status"]] == self.status)
                and (not self.level or r[ROW["CC"]] == self.level)
                and (not self.problems or bool(r[ROW["problems"]]) or bool(r[ROW["wrong"]])))


def needles(query: str) -> tuple[str, ...]:
    """What to look for in a row's search key (``domain.rowset``: ``\\n学号\\n考生号\\n身份证号\\t首字母\\r姓名``,
    upper-cased): an ID from its start (prefix match), initials from theirs, a name anywhere."""
    q = idcard.normalise(query)
    if not q:
        return ()
    q = q.upper()
    if not q.isascii():
        return (q.replace("\n", "").replace("\t", "").replace("\r", ""),)
    if q.isalpha():
        return ("\t" + q, "\n" + q)
    return ("\n" + q,)


def _ksh(key: str) -> str:
    return key[1:].split("\n", 2)[1]


class Rows(Sequence):
    """Rows held by columns as a sequence of row lists, each made when asked for: all of them
    (``order`` None: the model's rows) or some, in an order (the verification queue). Iterating
    makes them a few thousand at a time, column by column. A new object after every load: ``rows
    is`` tells a reader whether anything changed."""

    CHUNK = 4096

    def __init__(self, keys: list[str], cols: dict[str, list], order: list[int] | None = None) -> None:
        self.keys, self.cols, self.order = keys, cols, order

    def __len__(self) -> int:
        return len(self.keys if self.order is None else self.order)

    def _index(self, pos: int) -> int:
        return pos if self.order is None else self.order[pos]

    def __getitem__(self, pos):
        if isinstance(pos, slice):
            return build_rows(self.keys, self.cols, map(self._index, range(*pos.indices(len(self)))))
        if pos < 0:
            pos += len(self)
        i = self._index(pos)
        return build_row(self.keys[i], self.cols, i)

    def __iter__(self):
        order = range(len(self.keys)) if self.order is None else self.order
        for start in range(0, len(order), self.CHUNK):
            yield from build_rows(self.keys, self.cols, order[start:start + self.CHUNK])

    def position(self, ksh: str) -> int | None:
        """Where the student with this 考生号 is (a scan of the keys: no row is made)."""
        mark, keys = f"\n{ksh}\n", self.keys
        for pos, i in enumerate(range(len(keys)) if self.order is None else self.order):
            if mark in keys[i] and _ksh(keys[i]) == ksh:
                return pos
        return None

    def column(self, field: str) -> list:
        """One field of every row, in order (made at once: a key string holds the text fields)."""
        if self.order is None:
            return self.cols[field] if field in self.cols else text_column(self.keys, field)
        if len(self.order) < 2:
            return [self[0][ROW[field]]] if self.order else []
        pick = operator.itemgetter(*self.order)
        return list(pick(self.cols[field])) if field in self.cols else text_column(pick(self.keys), field)


class RosterModel:
    """Rows in scope, and ``view``: the indices of the rows shown, in display order.

    Rows are held by columns (``domain.rowset``): one key string a student and one shared value per
    field, concatenated from the store's shards as they are."""

    def __init__(self) -> None:
        self.shards: dict[str, object] = {}
        self._parts: dict[str, RowSet] = {}
        self._orig: list[str] = []       # row keys as stored (sorted, they sort by 学号)
        self.keys: list[str] = []        # search keys: the row keys upper-cased
        self.cols: dict[str, list] = {f: [] for f in CODED}
        self.rows: Rows = Rows(self._orig, self.cols)
        self.query = ""
        self.facets = Facets()
        self.sort_field = "XH"
        self.descending = False
        self._base: list[int] = []       # sorted and facet-filtered
        self._base_keys: list[str] = []  # search keys in _base order
        self.view: list[int] = []
        self._needles: tuple[str, ...] = ()

    # -- loading ---------------------------------------------------------------------------
    def load(self, shards: dict[str, object]) -> None:
        """Take the rows of every shard; the query, facets and sort order stay as they are."""
        parts = {k: (self._parts[k] if rows is self.shards.get(k) and k in self._parts else
                     rows if isinstance(rows, RowSet) else RowSet.from_rows(rows))
                 for k, rows in shards.items()}
        orig: list[str] = []
        cols: dict[str, list] = {f: [] for f in CODED}
        for part in parts.values():
            orig += part.keys
            for f, col in cols.items():
                col += part.cols[f]
        keys = orig
        if any(part.search is not part.keys for part in parts.values()):  # a lower-case letter somewhere
            keys = []
            for part in parts.values():
                keys += part.search
        self.shards, self._parts = dict(shards), parts
        self._orig, self.keys, self.cols = orig, keys, cols
        self.rows = Rows(orig, cols)
        self._rebase()

    def changed(self, shards: dict[str, object]) -> bool:
        """Whether ``shards`` (as the store returns them now) differ from what is loaded."""
        return shards.keys() != self.shards.keys() or any(shards[k] is not self.shards[k] for k in shards)

    @property
    def total(self) -> int:
        return len(self._orig)

    def __len__(self) -> int:
        return len(self.view)

    def row(self, pos: int) -> list:
        i = self.view[pos]
        return build_row(self._orig[i], self.cols, i)

    # -- filtering and sorting -------------------------------------------------------------
    def _sorted(self) -> list[int]:
        orig = self._orig
        order = sorted(range(len(orig)), key=orig.__getitem__)  # by 学号 (each shard's rows come sorted)
        field = self.sort_field
        if field == "XM":
            py, xm = self.rows.column("py"), self.rows.column("XM")
            order.sort(key=lambda i: (py[i], xm[i]))
        elif field in ("verified", "problems", "wrong"):
            col = self.cols[field]
            order.sort(key=lambda i: col[i] or 0)
        elif field != "XH":
            col = self.rows.column(field)
            order.sort(key=lambda i: col[i] or "")
        if self.descending:
            order.reverse()
        return order

    def _faceted(self, order: list[int]) -> list[int]:
        f, c = self.facets, self.cols
        for field, want in (("FY", f.college), ("DQSZJ", f.grade), ("status", f.status), ("CC", f.level)):
            if want:
                col = c[field]
                order = [i for i in order if col[i] == want]
        if f.problems:
            p, w = c["problems"], c["wrong"]
            order = [i for i in order if p[i] or w[i]]
        return order

    def _rebase(self) -> None:
        order = self._faceted(self._sorted())
        self._base = order
        keys = self.keys
        self._base_keys = operator.itemgetter(*order)(keys) if len(order) > 1 else [keys[i] for i in order]
        self._needles = ()
        self.view = order
        self._apply_query(self.query)

    def _apply_query(self, query: str) -> None:
        new = needles(query)
        old = self._needles
        self.query = query
        narrowing = (len(new) == len(old) and old and all(n.startswith(o) for n, o in zip(new, old))
                     and len(self.view) * 2 < len(self._base))
        if not new:
            self.view = self._base
        elif narrowing:
            # every row matching the longer query matched the shorter one: look only at those
            keys = self.keys
            if len(new) == 1:
                n = new[0]
                self.view = [i for i in self.view if n in keys[i]]
            else:
                a, b = new
                self.view = [i for i in self.view if a in keys[i] or b in keys[i]]
        elif len(new) == 1:
            n = new[0]
            self.view = list(itertools.compress(self._base, [n in k for k in self._base_keys]))
        else:
            a, b = new
            self.view = list(itertools.compress(self._base, [a in k or b in k for k in self._base_keys]))
        self._needles = new

    def set_query(self, query: str) -> None:
        if query != self.query:
            self._apply_query(query)

    def set_facets(self, facets: Facets) -> None:
        if facets != self.facets:
            self.facets = facets
            self._rebase()

    def sort(self, field: str, descending: bool = False) -> None:
        if (field, descending) != (self.sort_field, self.descending):
            self.sort_field, self.descending = field, descending
            self._rebase()

    def clear(self) -> None:
        self.facets = Facets()
        self.query = ""
        self._rebase()

    # -- questions the screen asks ---------------------------------------------------------
    @staticmethod
    def _marks(query: str) -> tuple[str, str] | None:
        """An exact 学号 or 考生号 ends at a newline in the key, a 身份证号 at the tab."""
        q = idcard.normalise(query).upper()
        if not q or not q[:1].isalnum() or not q.isascii():
            return None
        return f"\n{q}\n", f"\n{q}\t"

    def exact(self, query: str) -> list[list]:
        """Rows in view whose 学号, 考生号 or 身份证号 is exactly the query."""
        marks = self._marks(query)
        if marks is None:
            return []
        a, b = marks
        keys, orig, cols = self.keys, self._orig, self.cols
        return [build_row(orig[i], cols, i) for i in self.view if a in keys[i] or b in keys[i]]

    def position(self, ksh: str, hint: int = 0) -> int | None:
        """Where the student with this 考生号 is in ``view`` (``hint`` is checked first)."""
        orig = self._orig
        if 0 <= hint < len(self.view) and _ksh(orig[self.view[hint]]) == ksh:
            return hint
        mark = f"\n{ksh}\n"
        for pos, i in enumerate(self.view):
            if mark in orig[i] and _ksh(orig[i]) == ksh:
                return pos
        return None

    def search(self, query: str, limit: int = 20) -> list[list]:
        """Rows anywhere in scope (whatever the filter) matching a query; exact IDs first."""
        found = self.exact_all(query)
        new = needles(query)
        if not new:
            return found
        seen = {r[KSH] for r in found}
        orig, cols = self._orig, self.cols
        for i, k in enumerate(self.keys):
            if len(found) >= limit:
                break
            if any(n in k for n in new):
                r = build_row(orig[i], cols, i)
                if r[KSH] not in seen:
                    found.append(r)
        return found

    def exact_all(self, query: str) -> list[list]:
        marks = self._marks(query)
        if marks is None:
            return []
        a, b = marks
        orig, cols = self._orig, self.cols
        return [build_row(orig[i], cols, i) for i, k in enumerate(self.keys) if a in k or b in k]

    def values(self, field: str) -> list[str]:
        """The distinct values of a facet field among all rows, sorted."""
        vals = {v for v in set(self.rows.column(field)) if v}
        if field == "status":
            rank = {name: n for n, name in enumerate(codes().statuses)}
            return sorted(vals, key=lambda v: (rank.get(v, 99), v))
        return sorted(vals, reverse=field == "DQSZJ")

    def describe(self) -> str:
        """'显示 312 / 28,415 · 筛选“zs” · 文学院 · 2024级' — the always-visible status line."""
        parts = [f"显示 {len(self.view):,} / {self.total:,}"]
        if self.query.strip():
            parts.append(f"筛选“{self.query.strip()}”")
        parts += self.facets.describe()
        return " · ".join(parts)


class Walk:
    """The students a clerk walks through with J/K: a snapshot of a list taken when they opened one.

    A snapshot, so saving a verdict (which may drop the student from the verification queue) does not
    make the walk skip or repeat anyone.
    """

    def __init__(self, kshs, pos: int = 0) -> None:
        self.kshs = kshs  # a sequence of 考生号 (a list, or a lazy view over rows)
        self.pos = pos

    def step(self, n: int) -> str | None:
        j = self.pos + n
        if 0 <= j < len(self.kshs):
            self.pos = j
            return self.kshs[j]
        return None

    @property
    def where(self) -> str:
        return f"{self.pos + 1:,} / {len(self.kshs):,}"


class KshView:
    """The 考生号 of ``rows`` in ``order`` without copying 100,000 strings."""

    def __init__(self, rows: list[list], order: list[int]) -> None:
        self.rows, self.order = rows, order

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, pos: int) -> str:
        return self.rows[self.order[pos]][KSH]


# -- the verification queue (Art. 6) ------------------------------------------------------------
N_FIELDS = len(ART6_FIELDS)


_DESCENDING = str.maketrans("0123456789", "9876543210")  # '2025' sorts before '2024'


def _ended() -> frozenset[str]:
    return frozenset(name for name, group in codes().statuses.items() if group == "ended")


def _columns(rows) -> tuple[list, dict[str, list]]:
    """(keys, columns) of a model's ``Rows`` or of a list of row lists (tests, the memory store)."""
    if isinstance(rows, Rows) and rows.order is None:
        return rows.keys, rows.cols
    if not isinstance(rows, RowSet):
        rows = RowSet.from_rows(rows)
    return rows.keys, rows.cols


def verification_queue(rows) -> Rows:
    """Students still at school with unverified or wrong Art. 6 fields: college by college, newest
    grade first, class by class (an ended record is not verified any more)."""
    keys, c = _columns(rows)
    fy, grade, bh, st, ver, wrong = (c[k] for k in ("FY", "DQSZJ", "BH", "status", "verified", "wrong"))
    ended = _ended()
    todo = [i for i in range(len(keys)) if st[i] not in ended and (ver[i] < N_FIELDS or wrong[i])]
    # by college, grade (newest first), class, 学号 (the key starts with it): stable sorts from the
    # last criterion to the first, each on a plain column (no tuple a student)
    newest = {g: (g or "").translate(_DESCENDING) for g in set(grade)}
    for col in (keys, bh, list(map(newest.__getitem__, grade)), fy):
        todo.sort(key=col.__getitem__)
    return Rows(keys, c, todo)


def verification_progress(rows) -> tuple[dict[str, list[int]], dict[tuple[str, str], list[int]]]:
    """[verified, total] students per college and per (college, class), students still at school."""
    keys, c = _columns(rows)
    ended = _ended()
    colleges: dict[str, list[int]] = {}
    classes: dict[tuple[str, str], list[int]] = {}
    for fy, bh, st, ver, wrong in zip(c["FY"], c["BH"], c["status"], c["verified"], c["wrong"]):
        if st in ended:
            continue
        done = 1 if ver >= N_FIELDS and not wrong else 0
        k = colleges.get(fy)
        if k is None:
            k = colleges[fy] = [0, 0]
        k[0] += done
        k[1] += 1
        k = classes.get((fy, bh))
        if k is None:
            k = classes[(fy, bh)] = [0, 0]
        k[0] += done
        k[1] += 1
    return colleges, classes
