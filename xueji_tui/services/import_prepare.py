"""Reading an import file into a plan: normalise the rows, reject the structurally unusable ones,
then compare with the store (import_diff, import_photos, workbooks). No writes.

Rules: students are identified by 考生号; only structurally unusable rows are rejected (no KSH, a
KSH twice in the file, text that cannot be decoded); flawed values are imported as received and
flagged.
"""

from __future__ import annotations

import hashlib
import operator
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from xueji_tui.bulk import gc_paused
from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.permissions import require
from xueji_tui.domain.text import CONTROL_RE, replace_control
from xueji_tui.domain.fields import label
from xueji_tui.formats import profiles, readers
from xueji_tui.formats.guess import likely_kind
from xueji_tui.formats.mangled import refuse_lost_zeros
from xueji_tui.formats.normalise import normaliser
from xueji_tui.formats.workbook import reading_profile
from xueji_tui.services.import_diff import diff_rows
from xueji_tui.services.import_photos import plan_photos
from xueji_tui.services.import_plan import KINDS, ImportPlan, Reject, originals
from xueji_tui.services.remote import check_file
from xueji_tui.services.session import Session
from xueji_tui.services.workbooks import plan_verdicts, read_workbook


def profile_for(session: Session, kind: str) -> profiles.Profile:
    name = profiles.for_import(kind)
    return profiles.load(name, session.store.format_override(name))


def check_kind(session: Session, kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"未知的导入类型“{kind}”，应为 {' / '.join(KINDS)}")
    if kind != "workbook":
        require(session.clerk, "import.chsi")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


CONTROL_NOTE = "控制字符（如 ESC、回车）改为 �，须按原始材料更正"


def _prepare(plan: ImportPlan, result: readers.ReadResult, profile: profiles.Profile,
             key_fields: tuple[str, ...] = ("KSH",)) -> list[dict]:
    """Normalised rows ('_row', '_sheet', field codes); rejects the structurally unusable ones."""
    # kind 1: numbers and dates (clean when ASCII digits), 2: text (clean when nothing to strip)
    present = [(f.code, 1 if f.transform in ("id", "date") else 2 if f.transform in ("", "status") else 0,
                normaliser(f.transform, f.code, f.width)) for f in profile.fields if f.code in result.matched]
    clean = _Clean(present, {f.code: f.transform for f in profile.fields})
    # the rejects file shows a row as read, under the file's headings (not the whole result: the
    # rows read would refer to themselves through it)
    headings = Headings(result.matched)
    rows = []
    for r in result.rows:
        if r.get("_problem"):
            plan.rejected.append(Reject(r["_row"], f"无法识别：{r['_problem']}", originals(r, result), r.get("_sheet", "")))
            continue
        if clean(r):  # nothing to normalise or count in the whole row: the row as read is the row
            vals = r
            vals.setdefault("_sheet", "")
        else:
            vals = {"_row": r["_row"], "_sheet": r.get("_sheet", "")}
            _normalise_row(plan, r, present, vals)
            vals["_src"] = r
        if not any(vals.get(k) for k in key_fields):
            need = "或".join(f"{label(k)}（{k}）" for k in key_fields)
            plan.rejected.append(Reject(r["_row"], f"没有{need}，无法确定是哪名学生", originals(r, result),
                                        r.get("_sheet", "")))
            continue
        vals["_read"] = headings
        rows.append(vals)
    return _drop_duplicates(plan, rows, key_fields[0])


@dataclass(frozen=True)
class Headings:
    matched: dict  # field code -> the file's heading


def _normalise_row(plan: ImportPlan, r: dict, present: list, vals: dict) -> None:
    for code, kind, norm in present:
        raw = r.get(code, "")
        if kind == 1 and (not raw or (raw.isdigit() and raw.isascii())):
            vals[code] = raw
            continue
        if isinstance(raw, str) and CONTROL_RE.search(raw):
            # kept in its place but harmless: U+FFFD, which the precheck reports as a lost character
            raw, n = replace_control(raw.strip())
            plan.normalised[CONTROL_NOTE] += n
            plan.flagged["lost-character"] += 1
        elif kind == 2 and raw.strip() is raw:  # CPython returns the same object when nothing is stripped
            vals[code] = raw
            continue
        v, note = norm(raw)
        if note:
            plan.normalised[note] += 1
            if len(plan.normalised_examples) < 50:
                plan.normalised_examples.append((r["_row"], code, raw, v))
        vals[code] = v


class _Clean:
    """Whether a row has nothing to normalise — the numbers ASCII digits, no control character and
    nothing to strip in the text, each coded value its table's name — checked over the whole row at
    once (``_normalise_row`` would keep every value as it is and count nothing)."""

    def __init__(self, present: list, transforms: dict[str, str]) -> None:
        def getter(codes: list[str]):
            return operator.itemgetter(*codes) if len(codes) > 1 else lambda r: tuple(r[c] for c in codes)

        self.ids = getter([code for code, kind, _ in present if kind == 1 and transforms[code] == "id"])
        self.dates = getter([code for code, kind, _ in present if kind == 1 and transforms[code] != "id"])
        self.text = getter([code for code, kind, _ in present if kind != 1])
        self.norms = [norm for _, kind, norm in present if kind == 0]
        self.coded = getter([code for code, kind, _ in present if kind == 0])
        self.seen: dict[tuple, bool] = {}  # coded values of a row -> each is its table's name

    def __call__(self, r: dict) -> bool:
        try:
            ids, dates = "".join(self.ids(r)), "".join(self.dates(r))
            text = "|".join(self.text(r))
            coded = self.coded(r) if self.norms else ()
        except (KeyError, TypeError):
            return False
        # as ``normaliser`` keeps them: a number of ASCII letters and digits (no lower-case x), a date of digits
        if ids and not (ids.isascii() and ids.isalnum() and "x" not in ids):
            return False
        if dates and not (dates.isascii() and dates.isdigit()):
            return False
        # printable: no control character, and no white space but the ASCII space (Python's definition)
        if not text.isprintable() or (" " in text and (text[0] == " " or text[-1] == " " or " |" in text
                                                        or "| " in text)):
            return False  # (a | beside a space inside a value only costs the careful way)
        if not coded:
            return True
        ok = self.seen.get(coded)
        if ok is None:
            ok = self.seen[coded] = all(norm(v) == (v, "") for norm, v in zip(self.norms, coded))
        return ok


def _drop_duplicates(plan: ImportPlan, rows: list[dict], key: str) -> list[dict]:
    seen: dict[str, list[dict]] = {}
    for r in rows:
        k = r.get(key) or ""
        if k:
            seen.setdefault(k, []).append(r)
    dup = {k for k, rs in seen.items() if len(rs) > 1}
    plan.rejected_keys |= dup
    if not dup:
        return rows
    out = []
    for r in rows:
        k = r.get(key) or ""
        if k in dup:
            where = "、".join(str(x["_row"]) for x in seen[k])
            plan.rejected.append(Reject(r["_row"], f"{label(key)} {k} 在文件中出现 {len(seen[k])} 次（第 {where} 行），"
                                                   f"无法确定以哪一行为准，全部拒收", originals(r, None), r["_sheet"]))
        else:
            out.append(r)
    return out


def plan_rows(session: Session, plan: ImportPlan, profile: profiles.Profile, matched: set[str]) -> None:
    """(Re)compute everything that depends on the store from the prepared rows."""
    plan.new, plan.updates, plan.changed, plan.unchanged, plan.missing = [], [], [], [], []
    plan.conflicted = []
    plan.conflicts, plan.majors, plan.verdicts, plan.identity = [], [], [], []
    plan.flagged = Counter()
    plan.rejected = list(plan.file_rejects)
    plan.head = session.store.state()
    if plan.kind == "photos":
        plan_photos(session, plan, plan.prepared, profile, matched)
    elif plan.kind == "workbook":
        plan_verdicts(session, plan, plan.prepared)
    elif plan.kind in ("placement", "deferrals"):  # services/import_year.py
        from xueji_tui.services import import_year

        (import_year.plan_placement_file if plan.kind == "placement" else import_year.plan_deferrals)(
            session, plan, plan.prepared)
    else:
        diff_rows(session, plan, plan.prepared, profile, matched)


def plan_import(session: Session, kind: str, path, year: int | None = None,
                accept_identity: bool = False) -> ImportPlan:
    """Read ``path`` and compare it with the store: the summary, no writes. ``accept_identity``
    (office): CHSI's 身份信息 of registered students is applied, audited with the file (Art. 20)."""
    with gc_paused():
        return _plan_import(session, kind, path, year, accept_identity)


def _plan_import(session: Session, kind: str, path, year: int | None, accept_identity: bool) -> ImportPlan:
    check_kind(session, kind)
    if accept_identity:
        require(session.clerk, "import.identity")
    if accept_identity and kind in ("workbook", "photos"):
        raise InvalidInput("只有学信网的学生数据（在校生、新生、毕业生）可以按学信网更正身份信息")
    path = Path(path)
    check_file(path, session.remote_root)
    profile = profile_for(session, kind)
    if kind == "workbook":
        result, profile = read_workbook(session, path, profile)
    else:
        result = readers.read(path, profile)
        refuse_lost_zeros(path, result.rows, result.matched, {m.get("ZYDM") for m in session.store.majors()})
    plan = ImportPlan(kind, path, _sha256(path), KINDS[kind], format=result.format, columns=result.columns,
                      extra_columns=result.extra, rows_read=len(result.rows), year=year)
    if kind == "workbook":
        plan.prepared = result.rows
        plan.notes.extend(result.problems)
    else:
        keys = {"photos": ("KSH", "SFZH"), "deferrals": ("KSH", "XH")}.get(kind, ("KSH",))
        plan.prepared = _prepare(plan, result, profile, keys)
    plan.profile, plan.matched, plan.file_rejects = profile, set(result.matched), list(plan.rejected)
    plan.kind_note = kind_note(session, kind, result.columns)
    plan.accept_identity = accept_identity
    plan_rows(session, plan, profile, plan.matched)
    return plan


def kind_note(session: Session, kind: str, columns: list[str]) -> str:
    """A warning when the file's columns fit another import kind better than the one chosen."""
    def load(k: str) -> profiles.Profile:
        p = profile_for(session, k)
        return reading_profile(p) if k == "workbook" else p

    guess = likely_kind(columns, kind, load)
    if guess is None:
        return ""
    other, theirs, mine = guess
    return (f"这个文件的列更像{KINDS[other]}（{theirs} 列对得上），不像{KINDS[kind]}（{mine} 列）："
            f"按{KINDS[kind]}导入时其余的列会被忽略。请确认导入类型是否选对")
