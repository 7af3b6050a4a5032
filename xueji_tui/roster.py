"""The roster as a pure model: the rows in scope, a typed filter, facet filters and a sort order.

No Textual here: the roster screen renders only the visible slice of ``view``, and the tests
exercise filtering and sorting without a terminal. Rows are the store's roster rows
(``domain.record.ROW_FIELDS``), shared with the store's cache rather than copied.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from xueji_tui.domain import idcard
from xueji_tui.domain.codes import codes
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.record import ROW

XH, KSH, XM, SFZH, PY = ROW["XH"], ROW["KSH"], ROW["XM"], ROW["SFZH"], ROW["py"]


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


def search_key(r: list) -> str:
    # One string per row so a keystroke costs one C-level ``in`` per row: "\n" starts an ID
    # (prefix match), "\t" starts the pinyin initials, "\r" the name (substring match).
    return f"\n{r[XH].upper()}\n{r[KSH].upper()}\n{(r[SFZH] or '').upper()}\t{r[PY]}\r{r[XM]}"


def needles(query: str) -> tuple[str, ...]:
    """What to look for in ``search_key`` for a typed query; empty when the query is empty."""
    q = idcard.normalise(query)
    if not q:
        return ()
    if not q.isascii():
        return (q.replace("\n", "").replace("\t", ""),)
    if q.isalpha():
        return ("\t" + q.lower(), "\n" + q.upper())
    return ("\n" + q.upper(),)


def _sort_value(field: str):
    i = ROW[field]
    if field == "XM":
        return lambda r: (r[PY], r[XM])
    if field in ("verified", "problems", "wrong"):
        return lambda r: r[i] or 0
    return lambda r: r[i] or ""


class RosterModel:
    """Rows in scope, and ``view``: the indices of the rows shown, in display order."""

    def __init__(self) -> None:
        self.shards: dict[str, list] = {}
        self._shard_keys: dict[str, list[str]] = {}
        self.rows: list[list] = []
        self.keys: list[str] = []
        self.query = ""
        self.facets = Facets()
        self.sort_field = "XH"
        self.descending = False
        self._base: list[int] = []       # sorted and facet-filtered
        self._base_keys: list[str] = []  # search keys in _base order
        self.view: list[int] = []
        self._needles: tuple[str, ...] = ()

    # -- loading ---------------------------------------------------------------------------
    def load(self, shards: dict[str, list]) -> None:
        """Take the rows of every shard; the query, facets and sort order stay as they are."""
        keys = {k: (self._shard_keys[k] if shards[k] is self.shards.get(k) else [search_key(r) for r in rows])
                for k, rows in shards.items()}
        self.shards = dict(shards)
        self._shard_keys = keys
        self.rows = [r for rows in self.shards.values() for r in rows]
        self.keys = [k for ks in keys.values() for k in ks]
        self._rebase()

    def changed(self, shards: dict[str, list]) -> bool:
        """Whether ``shards`` (as the store returns them now) differ from what is loaded."""
        return shards.keys() != self.shards.keys() or any(shards[k] is not self.shards[k] for k in shards)

    @property
    def total(self) -> int:
        return len(self.rows)

    def __len__(self) -> int:
        return len(self.view)

    def row(self, pos: int) -> list:
        return self.rows[self.view[pos]]

    # -- filtering and sorting -------------------------------------------------------------
    def _rebase(self) -> None:
        order = sorted(range(len(self.rows)), key=lambda i: self.rows[i][XH])
        if self.sort_field != "XH":
            value = _sort_value(self.sort_field)
            order.sort(key=lambda i: value(self.rows[i]))
        if self.descending:
            order.reverse()
        if self.facets != Facets():
            order = [i for i in order if self.facets.keep(self.rows[i])]
        self._base = order
        self._base_keys = [self.keys[i] for i in order]
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
    def exact(self, query: str) -> list[list]:
        """Rows in view whose 学号, 考生号 or 身份证号 is exactly the query."""
        q = idcard.normalise(query).upper()
        if not q:
            return []
        return [r for r in (self.rows[i] for i in self.view)
                if q in (r[XH].upper(), r[KSH].upper(), (r[SFZH] or "").upper())]

    def position(self, ksh: str, hint: int = 0) -> int | None:
        """Where the student with this 考生号 is in ``view`` (``hint`` is checked first)."""
        if 0 <= hint < len(self.view) and self.rows[self.view[hint]][KSH] == ksh:
            return hint
        for pos, i in enumerate(self.view):
            if self.rows[i][KSH] == ksh:
                return pos
        return None

    def search(self, query: str, limit: int = 20) -> list[list]:
        """Rows anywhere in scope (whatever the filter) matching a query; exact IDs first."""
        found = self.exact_all(query)
        new = needles(query)
        if not new:
            return found
        seen = {r[KSH] for r in found}
        for r, k in zip(self.rows, self.keys):
            if len(found) >= limit:
                break
            if r[KSH] not in seen and any(n in k for n in new):
                found.append(r)
        return found

    def exact_all(self, query: str) -> list[list]:
        q = idcard.normalise(query).upper()
        if not q or not q[:1].isalnum() or not q.isascii():
            return []
        marks = (f"\n{q}\n", f"\n{q}\t")
        return [r for r, k in zip(self.rows, self.keys) if marks[0] in k or marks[1] in k]

    def values(self, field: str) -> list[str]:
        """The distinct values of a facet field among all rows, sorted."""
        i = ROW[field]
        vals = {r[i] for r in self.rows if r[i]}
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


def verification_queue(rows: list[list]) -> list[list]:
    """Students still at school with unverified or wrong Art. 6 fields: college by college, newest
    grade first, class by class (an ended record is not verified any more)."""
    fy, grade, bh, st, ver, wrong = (ROW[k] for k in ("FY", "DQSZJ", "BH", "status", "verified", "wrong"))
    ended = _ended()
    todo = [r for r in rows if r[st] not in ended and (r[ver] < N_FIELDS or r[wrong])]
    todo.sort(key=lambda r: (r[fy], (r[grade] or "").translate(_DESCENDING), r[bh], r[XH]))
    return todo


def verification_progress(rows: list[list]) -> tuple[dict[str, list[int]], dict[tuple[str, str], list[int]]]:
    """[verified, total] students per college and per (college, class), students still at school."""
    fy, bh, st, ver, wrong = (ROW[k] for k in ("FY", "BH", "status", "verified", "wrong"))
    ended = _ended()
    colleges: dict[str, list[int]] = {}
    classes: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        if r[st] in ended:
            continue
        done = 1 if r[ver] >= N_FIELDS and not r[wrong] else 0
        c = colleges.get(r[fy])
        if c is None:
            c = colleges[r[fy]] = [0, 0]
        c[0] += done
        c[1] += 1
        k = classes.get((r[fy], r[bh]))
        if k is None:
            k = classes[(r[fy], r[bh])] = [0, 0]
        k[0] += done
        k[1] += 1
    return colleges, classes
