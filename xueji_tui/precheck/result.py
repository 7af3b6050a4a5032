"""What a precheck found (``Finding``, ``Result``), and a result kept by 考生号 and put back together
with the records of a later run (``precheck.verdicts`` keeps it; ``engine.run`` takes it back).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from xueji_tui.precheck.rules import ERROR, RULES, WARNING


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str
    KSH: str
    XH: str
    field: str
    message: str
    XM: str = ""  # for reports and screens, not part of the JSON of docs/precheck.md
    FY: str = ""

    def as_json(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "KSH": self.KSH, "XH": self.XH,
                "field": self.field, "message": self.message}


@dataclass
class Result:
    year: int
    checked: int = 0
    registered: int = 0
    findings: list[Finding] = field(default_factory=list)
    students: list[dict] = field(default_factory=list)  # the checked students, in graduate order
    registered_students: list[dict] = field(default_factory=list)
    college: str | None = None
    pending: list[str] = field(default_factory=list)  # KSH of checked students waiting for a number (stage 1)
    excluded: list[dict] = field(default_factory=list)  # kept out by the office (precheck exclude)
    reupload: list[tuple[dict, str]] = field(default_factory=list)  # (student, why): exported, since changed

    @property
    def pending_certno(self) -> int:
        return len(self.pending)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def school_errors(self) -> list[Finding]:
        """Errors of the school's settings (no student): they block every student."""
        return [f for f in self.findings if f.severity == ERROR and not f.KSH]

    def error_rules(self) -> dict[str, set[tuple[str, str]]]:
        """KSH -> {(rule, field)} of its errors."""
        out: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for f in self.findings:
            if f.severity == ERROR and f.KSH:
                out[f.KSH].add((f.rule, f.field))
        return out

    def passing(self) -> list[dict]:
        """The checked students without any error and with a certificate number (none at all while
        the school's settings fail)."""
        if self.school_errors:
            return []
        bad = self.error_rules()
        waiting = set(self.pending)
        return [s for s in self.students if s.get("KSH") not in bad and s.get("KSH") not in waiting]

    def failing(self) -> list[dict]:
        if self.school_errors:
            return list(self.students)
        bad = self.error_rules()
        waiting = set(self.pending)
        return [s for s in self.students if s.get("KSH") in bad or s.get("KSH") in waiting]

    def by_rule(self) -> dict[str, int]:
        """Rule -> number of findings, in catalogue order."""
        counts: dict[str, int] = defaultdict(int)
        for f in self.findings:
            counts[f.rule] += 1
        return {r: counts[r] for r in RULES if counts.get(r)}

    def to_json(self) -> dict:
        return {"year": self.year, "checked": self.checked, "registered": self.registered,
                "errors": self.errors, "warnings": self.warnings, "pending_certno": self.pending_certno,
                "findings": [f.as_json() for f in self.findings]}


def kept(result: Result) -> dict:
    """A result by 考生号 (``result_again`` puts the records back)."""
    return {"students": [s.get("KSH") or "" for s in result.students],
            "registered": [s.get("KSH") or "" for s in result.registered_students],
            "excluded": [s.get("KSH") or "" for s in result.excluded], "pending": result.pending,
            "findings": [[f.rule, f.severity, f.KSH, f.XH, f.field, f.message, f.XM, f.FY] for f in result.findings]}


def result_again(kept: dict | None, year: int, college: str | None, students: list[dict]) -> Result | None:
    """The kept result with this run's records (found by 考生号 among ``students``), or None when it
    does not fit them."""
    if kept is None:
        return None
    by_ksh: dict[str, dict] = {}
    for s in students:
        by_ksh[s.get("KSH") or ""] = s
    if len(by_ksh) != len(students):
        return None  # a 考生号 twice: records cannot be put back by it
    try:
        lists = [[by_ksh[k] for k in kept[name]] for name in ("students", "registered", "excluded")]
        findings = [Finding(*f) for f in kept["findings"]]
        pending = [str(k) for k in kept["pending"]]
    except (KeyError, TypeError, ValueError):
        return None
    result = Result(year=year, college=college, students=lists[0], registered_students=lists[1],
                    excluded=lists[2], findings=findings, pending=pending)
    result.checked, result.registered = len(lists[0]), len(lists[1])
    return result


def done(result: Result, progress: Callable[[int, int], None] | None) -> Result:
    if progress:
        progress(result.checked, result.checked)
    return result
