"""The code tables of docs/codes.md, loaded from the one data file ``data/codes.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from xueji_tui.domain.errors import InvalidInput


@dataclass(frozen=True)
class CodeTable:
    key: str  # the CHSI field code the table belongs to (XB, MZ, ...)
    title: str
    entries: tuple[tuple[str, str], ...]  # (code, name)
    aliases: dict[str, str] = field(default_factory=dict)  # any accepted spelling -> name
    tolerated: frozenset[str] = frozenset()  # accepted with a warning (港澳台 in MZ, 函授 in XXXS)
    refused: dict[str, str] = field(default_factory=dict)  # known but not for registration

    def names(self) -> list[str]:
        return [n for _, n in self.entries]

    def normalise(self, value: str) -> str | None:
        """The table's canonical name for a code, name or alias; None when unknown."""
        v = (value or "").strip()
        return self.aliases.get(v)

    def code_of(self, name: str) -> str | None:
        n = self.normalise(name)
        for c, nm in self.entries:
            if nm == n:
                return c
        return None

    def display(self, value: str) -> str:
        n = self.normalise(value)
        c = self.code_of(n) if n else None
        return f"{c} {n}" if c and c != n else (n or value)


@dataclass(frozen=True)
class Effects:
    """What an entry sets on the record besides the status (``effects`` in codes.json)."""

    sets: tuple[str, ...] = ()  # the fields it sets, in the order they are worked out
    grade: tuple[int, int] | None = None  # (fewest, most) years the grade moves: + later, - earlier
    level: str = ""   # "same": a new major keeps the 层次
    cohort: str = ""  # "return": the student joins the cohort of the return (0102)

    @classmethod
    def of(cls, raw: dict | None) -> "Effects":
        raw = raw or {}
        grade = raw.get("grade")
        return cls(tuple(raw.get("sets", ())), (int(grade[0]), int(grade[1])) if grade else None,
                   raw.get("level", ""), raw.get("cohort", ""))


@dataclass(frozen=True)
class Reason:
    code: str  # 4 digits: type + reason
    name: str
    type: "ChangeType"
    to: str | None  # the state this reason leads to (overrides the type's)
    starts: tuple[str, ...]  # states it may start from
    extra_needs: tuple[str, ...] = ()  # needs of this reason beyond its type's (e.g. verified)
    extra_optional: tuple[str, ...] = ()
    own_effects: Effects | None = None  # the reason's effects, in place of its type's

    @property
    def needs(self) -> frozenset[str]:
        """What an entry of this reason must carry: doc, approved, note, to_major, to_class, to_grade,
        and verified (the student's Art. 6 check is complete)."""
        return frozenset(self.type.needs) | frozenset(self.extra_needs)

    @property
    def takes(self) -> frozenset[str]:
        """Everything an entry of this reason may carry: its needs and what it may carry besides."""
        return self.needs | frozenset(self.type.optional) | frozenset(self.extra_optional)

    @property
    def effects(self) -> Effects:
        return self.own_effects if self.own_effects is not None else self.type.effects

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def irreversible(self) -> bool:
        """注销 (退学, 取消学籍, 开除学籍, 死亡) and 取消入学资格 end the record for good: only an
        office reversal of a mistaken entry (9801) undoes them, so a clerk confirms them first."""
        return self.type.kind == "cancellation" or self.type.type == "16"


@dataclass(frozen=True)
class ChangeType:
    type: str
    name: str
    kind: str  # status | movement | cancellation | graduation | record | reversal
    starts: tuple[str, ...] | None  # None = any state (reversal)
    to: str | None
    needs: tuple[str, ...]
    office_only: bool
    optional: tuple[str, ...] = ()
    effects: Effects = Effects()

    @property
    def needs_doc(self) -> bool:
        return "doc" in self.needs


@dataclass(frozen=True)
class Codes:
    tables: dict[str, CodeTable]
    statuses: dict[str, str]  # name -> group (freshman, in-school, suspended, ended)
    types: dict[str, ChangeType]
    reasons: dict[str, Reason]
    calendar: dict = field(default_factory=dict)  # the school calendar (codes.json "calendar")

    def table(self, key: str) -> CodeTable:
        return self.tables[key]

    def reason(self, code_or_words: str) -> Reason:
        """A reason by its 4-digit code, or by a unique match of its words ('因病休学')."""
        q = (code_or_words or "").strip()
        if q in self.reasons:
            return self.reasons[q]
        head = q.split(" ", 1)[0]
        if head in self.reasons:
            return self.reasons[head]
        hits = [r for r in self.reasons.values() if q and (q in r.name or q in r.type.name + r.name)]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise InvalidInput(f"原因“{q}”匹配多个代码：" + "、".join(r.label for r in hits[:6]) + "，请输入 4 位代码")
        raise InvalidInput(f"未知的异动/原因代码“{q}”：应为 4 位代码（如 1101 因病休学）或其名称中的词；"
                           f"全部代码见 xueji change --help")

    def search_reasons(self, query: str, reasons: list[Reason] | None = None) -> list[Reason]:
        """The reasons every word of ``query`` matches, best first (ties keep the code order).

        A word matches a code (exactly or as its start), the reason's name, the type's name, the two
        together ('因病休学'), or their characters in order ('开除作弊' → 4204 替考、组织作弊等严重作弊).
        An irreversible reason comes before others only when a word names its code or its type: '因病'
        puts 1101 因病休学 first, not 5101 死亡·因病.
        """
        pool = list(self.reasons.values()) if reasons is None else reasons
        words = (query or "").split()
        if not words:
            return pool
        scored = []
        for i, r in enumerate(pool):
            total, named = 0, False
            for w in words:
                s = _word_score(r, w)
                if not s:
                    break
                total += s
                named = named or w == r.code or (w.isdigit() and r.code.startswith(w)) or w in r.type.name
            else:
                if r.irreversible and not named:
                    total -= 1000
                scored.append((-total, i, r))
        return [r for _, _, r in sorted(scored)]

    def is_ended(self, status: str) -> bool:
        return self.statuses.get(status) == "ended"


def _in_order(word: str, text: str) -> int:
    """How tightly the characters of ``word`` appear in order in ``text`` (0: they do not)."""
    pos, start = -1, -1
    for ch in word:
        pos = text.find(ch, pos + 1)
        if pos < 0:
            return 0
        start = pos if start < 0 else start
    span = pos - start + 1
    return max(1, 40 - (span - len(word)))


def _word_score(r: Reason, word: str) -> int:
    """How well one typed word matches a reason: an exact code beats a code prefix, which beats the
    reason's own name, which beats the type's name; a shorter name matched is a better match."""
    name, tname = r.name, r.type.name
    both = tname + name
    if word == r.code:
        return 1000
    if word.isdigit():
        return 500 + len(word) if r.code.startswith(word) else 0
    closeness = 20 * len(word) // max(len(name), 1)
    if word == name:
        return 400
    if name.startswith(word):
        return 300 + closeness
    if word in name:
        return 250 + closeness
    if word == tname:
        return 200
    if word in tname:
        return 150
    if word in both:
        return 120
    return _in_order(word, both)


def _load() -> Codes:
    raw = json.loads(resources.files("xueji_tui").joinpath("data/codes.json").read_text("utf-8"))
    tables: dict[str, CodeTable] = {}
    for key, t in raw["tables"].items():
        entries = tuple((e["code"], e["name"]) for e in t["entries"])
        aliases: dict[str, str] = {}
        for e in t["entries"]:
            for spelling in [e["code"], e["name"], *e.get("aliases", [])]:
                if spelling:
                    aliases[spelling] = e["name"]
            if key not in ("XZ",) and e["code"].isdigit() and len(e["code"]) == 2:
                aliases.setdefault(e["code"].lstrip("0"), e["name"])  # '3' for '03'
        tolerated = frozenset(e["name"] for e in t.get("tolerated", []))
        for n in tolerated:
            aliases[n] = n
        refused = {e["name"]: e["code"] for e in t.get("refused", [])}
        tables[key] = CodeTable(key, t["title"], entries, aliases, tolerated, refused)
    statuses = {s["name"]: s["group"] for s in raw["statuses"]}
    types: dict[str, ChangeType] = {}
    reasons: dict[str, Reason] = {}
    for t in raw["change_types"]:
        starts = None if t["from"] == "*" else tuple(t["from"])
        ct = ChangeType(t["type"], t["name"], t["kind"], starts, t["to"], tuple(t.get("needs", [])),
                        t.get("office_only", False), tuple(t.get("optional", [])), Effects.of(t.get("effects")))
        types[ct.type] = ct
        for r in t["reasons"]:
            code, name = r[0], r[1]
            to = r[2] if len(r) > 2 and r[2] else ct.to
            rstarts = tuple(r[3]) if len(r) > 3 and r[3] else starts
            more = r[4] if len(r) > 4 else {}
            own = Effects.of(more["effects"]) if "effects" in more else None
            reasons[code] = Reason(code, name, ct, to, rstarts or (), tuple(more.get("needs", ())),
                                   tuple(more.get("optional", ())), own)
    return Codes(tables, statuses, types, reasons, dict(raw.get("calendar") or {}))


@cache
def codes() -> Codes:
    return _load()
