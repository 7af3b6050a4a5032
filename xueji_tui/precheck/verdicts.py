"""Each student's own findings, kept between runs so the precheck re-checks only what changed.

A student's own findings (every rule but those needing the rest of the school or the year: duplicate,
pending-correction, not-on-list and the stage-2 missing number) depend on nothing but the record, the
school's settings, the upload widths and the rules. They are kept by the content of the file that
held the record: the store gives each group of records the sha256 of the bytes they were read from,
so a group whose file changed in any way — a save, a restore, an edit outside xueji — is checked
again, and one whose file did not is not. The rules themselves are part of the key (the sources of
``domain`` and ``precheck`` and the code tables), so a new version of xueji checks everything again.

The last run's whole result is kept too, by every file's digest in order, the rules, the settings,
the stage and the open correction requests (``result_key``): a run over exactly that school takes it
as it was. ``certno assign`` runs right after the precheck that came out clean, so its precheck of
30,000 graduates takes a few hundredths of a second instead of a second (docs/design.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from itertools import repeat
from pathlib import Path

import orjson

NAME = "precheck-verdicts.json"  # the store's derived file
VERSION = 2  # 2: a result per scope

Own = list  # [(rule, field, message)] as tuples, or lists once read back


@cache
def _rules_digest() -> str:
    """The rules as shipped: the source of every module they are written in, the code tables, and
    the package's version (its ``__init__``)."""
    package = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for folder, pattern in (("domain", "*.py"), ("precheck", "*.py"), ("data", "codes.json"), (".", "__init__.py")):
        for path in sorted((package / folder).glob(pattern)):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def context_of(school: dict[str, str], widths: dict) -> str:
    """What besides the record a student's own findings depend on."""
    h = hashlib.sha256(_rules_digest().encode())
    h.update(orjson.dumps([school, widths], option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS))
    return h.hexdigest()


class Verdicts:
    """The own findings of this run's students, read from and written back to ``saved`` bytes."""

    def __init__(self, context: str, saved: bytes | None = None) -> None:
        self.context = context
        self._old: dict[str, dict[str, Own]] = {}
        d: dict = {}
        if saved:
            try:
                d = orjson.loads(saved)
                if isinstance(d, dict) and d.get("v") == VERSION and d.get("context") == context \
                        and isinstance(d.get("groups"), dict):
                    self._old = d["groups"]
            except orjson.JSONDecodeError:
                pass  # a torn or foreign file: everything is checked again
        results = d.get("results") if self._old else None
        # the last run's result of each scope (year, college), with its key: a college clerk's
        # precheck does not put aside the office's whole-school one
        self._results: dict[str, dict] = results if isinstance(results, dict) else {}
        self._result_new = False
        self._seen: list[str] = []  # every group's token, in the order read ('' for one without)
        self._groups: dict[str, dict[str, Own]] = {}  # token -> KSH -> own findings, this run
        self._token: dict[int, str] = {}  # id(record) -> its group's token (records stay alive in the run)
        self.checked = 0  # students whose own findings were worked out in this run
        self.read = False  # every group's token known (``students`` given a list)

    def students(self, groups: Iterable[tuple[str, Iterable[dict]]]) -> Iterable[dict]:
        """The records of ``groups`` (token, records: a collection, not an iterator) in order, each
        remembered with its token. Given a list (a school already read: a transaction's), every
        token is known before the first record is looked at: ``read`` is then True, and a run whose
        result was kept need not select anyone (``engine.run``)."""
        if isinstance(groups, list):
            for token, records in groups:
                self._note(token, records)
            self.read = True
            return [s for _, records in groups for s in records]
        return self._streamed(groups)

    def _streamed(self, groups) -> Iterator[dict]:
        for token, records in groups:
            self._note(token, records)
            yield from records

    def _note(self, token: str, records: Iterable[dict]) -> None:
        self._seen.append(token)
        if not token:
            return
        if token not in self._groups:
            kept = self._old.get(token)
            self._groups[token] = kept if isinstance(kept, dict) else {}
        self._token.update(zip(map(id, records), repeat(token)))  # records: a view, read twice

    def own(self, s: dict, work_out: Callable[[dict], Own]) -> Own:
        """``s``'s own findings: kept ones when its file has not changed since, else worked out."""
        token = self._token.get(id(s))
        if token is None:
            return work_out(s)
        group = self._groups[token]
        ksh = s.get("KSH") or ""
        found = group.get(ksh)
        if isinstance(found, list):
            return found
        found = group[ksh] = work_out(s)
        self.checked += 1
        return found

    # -- a whole run: the same files, rules and settings give the same result ----------------
    def result_key(self, more: list) -> str | None:
        """A run's key once every group was read: the tokens of all of them in order and ``more``
        (what else the run depends on); None when a group has no token."""
        if not self._seen or "" in self._seen:
            return None
        h = hashlib.sha256(self.context.encode())
        h.update(orjson.dumps([self._seen, more], option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS))
        return h.hexdigest()

    def result(self, key: str | None) -> dict | None:
        if key is None:
            return None
        return next((r for r in self._results.values() if isinstance(r, dict) and r.get("key") == key), None)

    def keep_result(self, scope: str, key: str, kept: dict) -> None:
        self._results[scope] = dict(kept, key=key)
        self._result_new = True

    @property
    def changed(self) -> bool:
        return bool(self.checked) or self._result_new or self._groups.keys() != self._old.keys()

    def dumps(self) -> bytes:
        """Only the groups of this run: a file that changed since leaves its old findings behind."""
        return orjson.dumps({"v": VERSION, "context": self.context, "groups": self._groups,
                             "results": self._results})
