"""Imports of CHSI files: a summary first (``plan_import``, no writes), then one transaction
(``apply_import``). The CLI (`xueji import`) and the Files screen call these same functions.

Rules (spec/chsi-files.md, spec/cli.md):
- students are identified by 考生号; only structurally unusable rows are rejected (no KSH, a KSH twice
  in the file, text that cannot be decoded); flawed values are imported as received and flagged;
- a CHSI value differing from a value a clerk verified or corrected is a conflict: reported, local
  value kept; other changed CHSI values are applied;
- a re-import never changes an existing student's status; nothing is ever deleted.
"""

from __future__ import annotations

import gc
import hashlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from xueji_tui.domain import idcard
from xueji_tui.domain.checks import record_issues
from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.fields import label
from xueji_tui.domain.record import ROW
from xueji_tui.formats import profiles, readers
from xueji_tui.formats.mangled import refuse_lost_zeros
from xueji_tui.formats.normalise import normaliser, same_code
from xueji_tui.services.session import Session

KINDS = {"students": "在校生学籍数据", "freshmen": "录取新生数据", "graduates": "预计毕业生名单",
         "photos": "电子图像采集状态", "workbook": "学院核对表"}
DEFAULT_STATUS = {"students": "注册学籍", "graduates": "注册学籍", "freshmen": "待注册"}
SCHOOL_ASSIGNED = ("XH", "FY", "XSH", "BH", "YJBYRQ")  # absent from the freshman download
GIVEN_ONLY = {"graduates": ("BYRQ", "BJYJL", "ZSBH")}  # an empty cell means "not given", not "cleared"
OPEN_REQUESTS = ("申请", "已报教育厅")
BULK = 2000  # above this many rows, read the whole store once instead of one look-up a row
FLAG_LIMIT = 20_000  # the summary counts flawed values up to here; the store flags them anyway (roster)


@dataclass
class Reject:
    row: int
    reason: str
    values: dict
    sheet: str = ""

    @property
    def where(self) -> str:
        return (f"工作表“{self.sheet}”" if self.sheet else "") + f"第 {self.row} 行"


@dataclass
class Conflict:
    ksh: str
    xh: str
    xm: str
    field: str
    local: object
    chsi: object
    why: str


@dataclass
class Changed:
    ksh: str
    xh: str
    xm: str
    fields: list[tuple[str, object, object]]  # (field, old, new)


@dataclass
class ImportPlan:
    kind: str
    path: Path
    sha256: str
    title: str
    format: str = ""
    columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    new: list[dict] = field(default_factory=list)           # whole records to insert
    updates: list[dict] = field(default_factory=list)       # whole records to replace
    changed: list[Changed] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)      # KSH
    conflicted: list[str] = field(default_factory=list)     # KSH: only conflicts, nothing applied
    missing: list[tuple[str, str, str, str]] = field(default_factory=list)  # KSH, XH, XM, FY
    rejected: list[Reject] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    normalised: Counter = field(default_factory=Counter)
    normalised_examples: list[tuple[int, str, str, object]] = field(default_factory=list)
    flagged: Counter = field(default_factory=Counter)       # rule -> values imported as received
    notes: list[str] = field(default_factory=list)
    kind_note: str = ""                                     # the columns look like another kind
    majors: list[dict] = field(default_factory=list)        # catalogue entries learned
    verdicts: list[dict] = field(default_factory=list)      # workbook: verdicts to apply
    head: tuple = ()                                        # the store's state the plan was made on
    year: int | None = None
    prepared: list = field(default_factory=list, repr=False)  # normalised rows, to re-plan under the lock
    profile: profiles.Profile | None = field(default=None, repr=False)
    matched: set = field(default_factory=set, repr=False)
    file_rejects: list = field(default_factory=list, repr=False)  # rejected on reading, not by the store
    rejected_keys: set = field(default_factory=set, repr=False)  # in the file, but on a rejected row

    def counts(self) -> dict:
        return {"rows": self.rows_read, "new": len(self.new), "changed": len(self.changed),
                "changed_fields": sum(len(c.fields) for c in self.changed), "unchanged": len(self.unchanged),
                "conflicted": len(self.conflicted),
                "missing": len(self.missing), "rejected": len(self.rejected), "conflicts": len(self.conflicts),
                "normalised": sum(self.normalised.values()), "verdicts": len(self.verdicts)}

    @property
    def empty(self) -> bool:
        return not (self.new or self.updates or self.verdicts or self.majors)


@contextmanager
def bulk_work():
    """Pause the cyclic garbage collector while a file's rows become records: 100,000 rows make
    millions of objects and no cycles, and the collector rescanning them costs a third of the time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# -- reading -------------------------------------------------------------------------------------

def profile_for(session: Session, kind: str) -> profiles.Profile:
    name = profiles.for_import(kind)
    return profiles.load(name, session.store.format_override(name))


def _check_kind(session: Session, kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"未知的导入类型“{kind}”，应为 {' / '.join(KINDS)}")
    if kind != "workbook":
        session.clerk.require_office(f"导入{KINDS[kind]}")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _head(session: Session) -> tuple:
    h = session.store.audit.head()
    return (h.seq, h.hash)


def _originals(row: dict, result) -> dict:
    """A row's cells under the file's own headings, for the rejects file (``result``: what was read,
    or a prepared row, which keeps the row as read and its headings)."""
    if "_src" in row:
        row, result = row["_src"], row["_read"]
    out = {}
    for code, heading in result.matched.items():
        if code in row:
            out[heading] = row[code]
    out.update(row.get("_extra") or {})
    return out


def _prepare(plan: ImportPlan, result: readers.ReadResult, profile: profiles.Profile,
             key_fields: tuple[str, ...] = ("KSH",)) -> list[dict]:
    """Normalised rows ('_row', '_sheet', field codes); rejects the structurally unusable ones."""
    # kind 1: numbers and dates (clean when ASCII digits), 2: text (clean when nothing to strip)
    present = [(f.code, 1 if f.transform in ("id", "date") else 2 if f.transform in ("", "status") else 0,
                normaliser(f.transform, f.code, f.width)) for f in profile.fields if f.code in result.matched]
    rows = []
    for r in result.rows:
        if r.get("_problem"):
            plan.rejected.append(Reject(r["_row"], f"无法识别：{r['_problem']}", _originals(r, result), r.get("_sheet", "")))
            continue
        vals: dict = {"_row": r["_row"], "_sheet": r.get("_sheet", "")}
        for code, kind, norm in present:
            raw = r.get(code, "")
            if kind == 1 and (not raw or (raw.isdigit() and raw.isascii())):
                vals[code] = raw
                continue
            if kind == 2 and raw.strip() is raw:  # CPython returns the same object when nothing is stripped
                vals[code] = raw
                continue
            v, note = norm(raw)
            if note:
                plan.normalised[note] += 1
                if len(plan.normalised_examples) < 50:
                    plan.normalised_examples.append((r["_row"], code, raw, v))
            vals[code] = v
        if not any(vals.get(k) for k in key_fields):
            need = "或".join(f"{label(k)}（{k}）" for k in key_fields)
            plan.rejected.append(Reject(r["_row"], f"没有{need}，无法确定是哪名学生", _originals(r, result),
                                        r.get("_sheet", "")))
            continue
        vals["_src"], vals["_read"] = r, result  # the rejects file shows a row as read
        rows.append(vals)
    return _drop_duplicates(plan, rows, key_fields[0])


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
                                                   f"无法确定以哪一行为准，全部拒收", _originals(r, None), r["_sheet"]))
        else:
            out.append(r)
    return out


# -- comparing with the store --------------------------------------------------------------------

def _copy(doc: dict) -> dict:
    return orjson.loads(orjson.dumps(doc))


def _existing(session: Session, keys: list[str]) -> dict[str, dict]:
    """KSH -> the stored record (read-only dicts when bulk: copy before changing)."""
    if len(keys) > BULK:
        return {s["KSH"]: s for s in session.store.students()}
    out = {}
    for k in keys:
        s = session.store.get(k)
        if s is not None:
            out[k] = s
    return out


def _requests(session: Session) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for r in session.store.corrections():
        if r.get("status") in (*OPEN_REQUESTS, "批准"):
            out.setdefault((r.get("KSH"), r.get("field")), []).append(r)
    return out


def protected(s: dict, f: str, requests: dict) -> tuple[object, str] | None:
    """(the local value a clerk stands behind, why) when a clerk verified or corrected field ``f``."""
    ver = (s.get("verification") or {}).get(f) or {}
    who = f"{ver.get('by', '')} {str(ver.get('at', ''))[:10]}".strip()
    if ver.get("v") == "ok" and "seen" in ver:
        return ver["seen"], f"{who} 核对无误"
    if ver.get("v") == "wrong" and ver.get("value"):
        return ver["value"], f"{who} 核对有误并更正为“{_shown(f, ver['value'])}”"
    for r in requests.get((s.get("KSH"), f), []):
        return r.get("new"), f"更正申请 #{r.get('id')}（{r.get('status')}）"
    for e in reversed(s.get("history") or []):
        if f in (e.get("fields") or {}):
            return s.get(f, ""), f"异动 {e.get('code')} {e.get('type')}（{e.get('date')}）"
    return None


PHOTO_LABELS = {"photo.taken": "采集状态", "photo.taken_on": "采集日期", "photo.linked": "链接状态",
                "photo.check": "校对结论", "photo.checked_on": "校对日期", "photo.identity": "身份核验",
                "grad_year": "毕业年份"}


def _label(f: str) -> str:
    return PHOTO_LABELS.get(f) or label(f)


def _shown(f: str, v) -> str:
    if f == "SFZH" and isinstance(v, str):
        return idcard.mask(v)
    if isinstance(v, bool):
        return "是" if v else "否"
    return "" if v is None else str(v)


def _year(v) -> int | None:
    s = str(v or "")
    return int(s[:4]) if len(s) >= 4 and s[:4].isdigit() and 1950 <= int(s[:4]) <= 2100 else None


def _status_of(plan: ImportPlan, kind: str, xjzt) -> str:
    if xjzt and xjzt in codes().statuses:
        return xjzt
    if xjzt:
        plan.notes.append(f"学籍状态“{xjzt}”不是已知状态，新生按“{DEFAULT_STATUS[kind]}”导入")
    return DEFAULT_STATUS[kind]


def _diff_rows(session: Session, plan: ImportPlan, rows: list[dict], profile: profiles.Profile,
               matched: set[str]) -> None:
    kind = plan.kind
    fields = [f for f in profile.fields if f.code in matched and f.code != "XJZT"]
    given_only = set(GIVEN_ONLY.get(kind, ()))
    existing = _existing(session, [r["KSH"] for r in rows])
    requests = _requests(session)
    catalog = {m.get("ZYDM"): m for m in session.store.catalog("majors")}
    learned: dict[str, Counter] = {}
    unknown_major: Counter = Counter()
    status_diff = 0
    source = {"kind": kind, "file": plan.path.name, "sha256": plan.sha256[:16]}
    flag = len(rows) <= FLAG_LIMIT
    for r in rows:
        ksh = r["KSH"]
        if kind != "freshmen" and r.get("ZYDM") and r.get("FY"):
            seen_major = learned.get(r["ZYDM"])
            if seen_major is None:
                seen_major = learned[r["ZYDM"]] = Counter()
            seen_major[(r.get("ZYMC", ""), r["FY"], r.get("XSH", ""))] += 1
        grad_year = None
        if kind == "graduates":
            grad_year = _year(r.get("BYRQ")) or _year(r.get("YJBYRQ")) or plan.year
            if grad_year is None:
                plan.rejected.append(Reject(r["_row"], "无法确定毕业年份（毕业日期、预计毕业日期都为空）：请加 --year YYYY",
                                            _originals(r, None), r["_sheet"]))
                continue
        old = existing.get(ksh)
        if old is None:
            rec = {f.source: r[f.code] for f in fields if not (f.code in given_only and r[f.code] in ("", None))}
            rec["status"] = _status_of(plan, kind, r.get("XJZT"))
            if kind == "freshmen":
                m = catalog.get(rec.get("ZYDM"))
                if m:
                    rec["FY"], rec["XSH"] = m.get("FY", ""), m.get("XSH", "")
                    rec.setdefault("ZYMC", m.get("ZYMC", ""))
                else:
                    rec["FY"] = ""
                    unknown_major[rec.get("ZYDM") or "（空）"] += 1
            rec.update(verification={}, history=[], grad_year=grad_year, source=source)
            plan.new.append(rec)
            if flag:
                for rule in {i.rule for _, i in record_issues(rec)}:
                    plan.flagged[rule] += 1
            continue
        changes: list[tuple[str, object, object]] = []
        after = None
        conflicts_before = len(plan.conflicts)
        for f in fields:
            new = r[f.code]
            if f.code in given_only and new in ("", None):
                continue
            cur = old.get(f.source)
            if (cur or "") == (new or "") or (f.transform == "code" and same_code(f.code, cur, new)):
                continue
            guard = protected(old, f.source, requests)
            if guard is not None and guard[0] != new:
                plan.conflicts.append(Conflict(ksh, old.get("XH", ""), old.get("XM", ""), f.source, cur, new,
                                               guard[1]))
                continue
            if after is None:
                after = _copy(old)
            after[f.source] = new
            changes.append((f.source, cur, new))
        if grad_year is not None and old.get("grad_year") != grad_year:
            if after is None:
                after = _copy(old)
            after["grad_year"] = grad_year
            changes.append(("grad_year", old.get("grad_year"), grad_year))
        if r.get("XJZT") and r["XJZT"] != old.get("status"):
            status_diff += 1
        if changes:
            after["source"] = source
            plan.updates.append(after)
            plan.changed.append(Changed(ksh, old.get("XH", ""), old.get("XM", ""), changes))
            if flag:
                for rule in {i.rule for _, i in record_issues(after)} - {i.rule for _, i in record_issues(old)}:
                    plan.flagged[rule] += 1
        elif len(plan.conflicts) > conflicts_before:
            plan.conflicted.append(ksh)
        else:
            plan.unchanged.append(ksh)
    for zydm, seen in learned.items():
        if zydm not in catalog:
            (zymc, fy, xsh), _ = seen.most_common(1)[0]
            plan.majors.append({"ZYDM": zydm, "ZYMC": zymc, "FY": fy, "XSH": xsh})
    if unknown_major:
        shown = "、".join(f"{k}（{n} 人）" for k, n in unknown_major.most_common(10))
        plan.notes.append(f"专业代码 {shown} 不在专业目录中：这些新生暂不分配学院（仅学生工作处可见），"
                          f"请先导入带学院的在校生数据或在专业目录中补充")
    if status_diff:
        plan.notes.append(f"{status_diff} 名已有学生的学籍状态与文件不同：重新导入不改变学籍状态"
                          f"（状态只能通过异动办理）")
    if not flag:
        plan.notes.append(f"文件超过 {FLAG_LIMIT:,} 行：有问题的值（校验位、代码、日期等）按原样导入后在核对队列和预审中标出，"
                          f"摘要不逐条统计")
    _missing(session, plan, {r["KSH"] for r in rows} | plan.rejected_keys)


def _missing(session: Session, plan: ImportPlan, in_file: set[str]) -> None:
    c = codes()
    kind = plan.kind
    i_ksh, i_xh, i_xm, i_fy, i_st, i_gy = (ROW[k] for k in ("KSH", "XH", "XM", "FY", "status", "grad_year"))
    years = {s.get("grad_year") for s in plan.new} | {plan.year}
    for row in session.store.rows():
        if row[i_ksh] in in_file:
            continue
        status = row[i_st]
        if kind == "students":  # freshmen not yet registered are not in CHSI's in-school data
            hit = c.statuses.get(status) in ("in-school", "suspended")
        elif kind == "freshmen":
            hit = c.statuses.get(status) == "freshman"
        elif kind == "graduates":
            hit = row[i_gy] is not None and row[i_gy] in years
        else:
            hit = False
        if hit:
            plan.missing.append((row[i_ksh], row[i_xh], row[i_xm], row[i_fy]))


def _plan_photos(session: Session, plan: ImportPlan, rows: list[dict], profile: profiles.Profile,
                 matched: set[str]) -> None:
    fields = [f for f in profile.fields if f.code in matched and f.source.startswith("photo.")]
    seen: dict[str, int] = {}
    for r in rows:
        s = session.store.get(r["KSH"]) if r.get("KSH") else None
        if s is None and r.get("SFZH"):
            hits = session.store.find(r["SFZH"])
            s = hits[0] if len(hits) == 1 else None
        if s is None:
            who = " / ".join(f"{label(k)} {_shown(k, r[k])}" for k in ("KSH", "SFZH") if r.get(k))
            plan.rejected.append(Reject(r["_row"], f"找不到{who}对应的学生，请核对", _originals(r, None), r["_sheet"]))
            continue
        if s["KSH"] in seen:
            plan.rejected.append(Reject(r["_row"], f"与第 {seen[s['KSH']]} 行是同一名学生（考生号 {s['KSH']}），"
                                                   f"以先出现的一行为准", _originals(r, None), r["_sheet"]))
            continue
        seen[s["KSH"]] = r["_row"]
        photo = dict(s.get("photo") or {})
        changes = []
        for f in fields:
            key = f.source.split(".", 1)[1]
            new = r[f.code]
            if f.transform == "yesno" and isinstance(new, str):
                plan.notes.append(f"第 {r['_row']} 行 {f.label}“{new}”应为 是/否，该项未导入")
                continue
            cur = photo.get(key)
            if cur == new or (cur in (None, "") and new in (None, "")):
                continue
            changes.append((f.source, photo.get(key), new))
            photo[key] = new
        if changes:
            s["photo"] = photo
            plan.updates.append(s)
            plan.changed.append(Changed(s["KSH"], s.get("XH", ""), s.get("XM", ""), changes))
        else:
            plan.unchanged.append(s["KSH"])


def _plan_rows(session: Session, plan: ImportPlan, profile: profiles.Profile, matched: set[str]) -> None:
    """(Re)compute everything that depends on the store from the prepared rows."""
    plan.new, plan.updates, plan.changed, plan.unchanged, plan.missing = [], [], [], [], []
    plan.conflicted = []
    plan.conflicts, plan.majors, plan.verdicts = [], [], []
    plan.flagged = Counter()
    plan.rejected = list(plan.file_rejects)
    plan.head = _head(session)
    if plan.kind == "photos":
        _plan_photos(session, plan, plan.prepared, profile, matched)
    elif plan.kind == "workbook":
        from xueji_tui.services.workbooks import plan_verdicts

        plan_verdicts(session, plan, plan.prepared)
    else:
        _diff_rows(session, plan, plan.prepared, profile, matched)


def plan_import(session: Session, kind: str, path, year: int | None = None) -> ImportPlan:
    """Read ``path`` and compare it with the store: the summary, no writes."""
    with bulk_work():
        return _plan_import(session, kind, path, year)


def _plan_import(session: Session, kind: str, path, year: int | None) -> ImportPlan:
    _check_kind(session, kind)
    path = Path(path)
    profile = profile_for(session, kind)
    if kind == "workbook":
        from xueji_tui.services.workbooks import read_workbook

        result, profile = read_workbook(session, path, profile)
    else:
        result = readers.read(path, profile)
        refuse_lost_zeros(path, result.rows, result.matched, {m.get("ZYDM") for m in session.store.catalog("majors")})
    plan = ImportPlan(kind, path, _sha256(path), KINDS[kind], format=result.format, columns=result.columns,
                      extra_columns=result.extra, rows_read=len(result.rows), year=year)
    if kind == "workbook":
        plan.prepared = result.rows
        plan.notes.extend(result.problems)
    else:
        keys = ("KSH", "SFZH") if kind == "photos" else ("KSH",)
        plan.prepared = _prepare(plan, result, profile, keys)
    plan.profile, plan.matched, plan.file_rejects = profile, set(result.matched), list(plan.rejected)
    plan.kind_note = kind_note(session, kind, result.columns)
    _plan_rows(session, plan, profile, plan.matched)
    return plan


def kind_note(session: Session, kind: str, columns: list[str]) -> str:
    from xueji_tui.formats.guess import likely_kind
    from xueji_tui.formats.workbook import reading_profile

    def load(k: str) -> profiles.Profile:
        p = profile_for(session, k)
        return reading_profile(p) if k == "workbook" else p

    guess = likely_kind(columns, kind, load)
    if guess is None:
        return ""
    other, theirs, mine = guess
    return (f"这个文件的列更像{KINDS[other]}（{other}，{theirs} 列对得上），不像{KINDS[kind]}（{mine} 列）："
            f"按{KINDS[kind]}导入时其余的列会被忽略。请确认导入类型是否选对")


# -- applying ------------------------------------------------------------------------------------

def rejects_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


def write_rejects(plan: ImportPlan) -> Path | None:
    """``<stem>.rejects.csv`` next to the input (UTF-8 with BOM, opens in Excel): row, reason, values."""
    if not plan.rejected:
        return None
    from xueji_tui.formats.rejects import write_rejects as write

    return write(plan.path, [(r.sheet, r.row, r.reason, r.values) for r in plan.rejected])


def apply_import(session: Session, plan: ImportPlan) -> dict:
    """Store every accepted row in ONE transaction (all or nothing); returns the final counts."""
    with bulk_work():
        return _apply_import(session, plan)


def _apply_import(session: Session, plan: ImportPlan) -> dict:
    _check_kind(session, plan.kind)
    rejects = write_rejects(plan) if plan.rejected else None
    why = f"导入{plan.title} {plan.path.name}"
    if plan.kind == "workbook":
        from xueji_tui.services.workbooks import apply_verdicts

        counts = apply_verdicts(session, plan, why)
        counts["rejects_file"] = str(rejects) if rejects else ""
        return counts
    with session.store.write(session.clerk.name, why) as tx:
        if _head(session) != plan.head:  # another clerk saved since the summary: compare again
            _plan_rows(session, plan, plan.profile, plan.matched)
            plan.notes.append("预览之后其他经办人保存了修改，已按最新数据重新比对")
        if plan.new or plan.updates:
            tx.put_many(plan.new + plan.updates)
        if plan.majors:
            tx.table("catalog.json", "majors").insert_multiple(plan.majors)
        counts = plan.counts()
        tx.table("catalog.json", "imports").insert({
            "kind": plan.kind, "file": plan.path.name, "sha256": plan.sha256, "at": tx.at,
            "clerk": session.clerk.name, "counts": counts})
        tx.log("import", why=why, new=counts, file=plan.path.name, sha256=plan.sha256, kind=plan.kind)
        for s in plan.new:
            tx.log("import-new", ksh=s["KSH"], xh=s.get("XH", ""), field="status", new=s.get("status"), why=why)
        for c in plan.changed:
            for f, old, new in c.fields:
                tx.log("import-change", ksh=c.ksh, xh=c.xh, field=f, old=old, new=new, why=why)
        for c in plan.conflicts:
            tx.log("import-conflict", ksh=c.ksh, xh=c.xh, field=c.field, old=c.local, new=c.chsi,
                   why=f"{why}：保留本地值（{c.why}）")
    counts["rejects_file"] = str(rejects) if rejects else ""
    counts["with_problems"] = _with_problems(session, plan)
    return counts


def _with_problems(session: Session, plan: ImportPlan) -> int:
    """New or changed students the roster now marks as having problems (the store's own check)."""
    touched = {s["KSH"] for s in plan.new} | {c.ksh for c in plan.changed}
    i_ksh, i_p = ROW["KSH"], ROW["problems"]
    return sum(1 for r in session.store.rows() if r[i_p] and r[i_ksh] in touched)


# -- the summary a clerk reads -------------------------------------------------------------------

def summary_lines(plan: ImportPlan, limit: int = 100) -> list[str]:
    c = plan.counts()
    out = [f"导入{plan.title}：{plan.path}（{plan.format.upper()}，{c['rows']} 行，SHA-256 {plan.sha256[:16]}…）"]
    if plan.kind_note:
        out.insert(0, "注意：" + plan.kind_note)
    if plan.kind == "workbook":
        out.append(f"  核对结论 {c['verdicts']} 项 · 冲突 {c['conflicts']} 处 · 拒收 {c['rejected']} 行")
    else:
        out.append(f"  新增 {c['new']} 人 · 变更 {c['changed']} 人（{c['changed_fields']} 个字段）· 无变化 {c['unchanged']} 人"
                   f" · 文件中没有的 {c['missing']} 人 · 拒收 {c['rejected']} 行 · 冲突 {c['conflicts']} 处"
                   + (f"（其中 {c['conflicted']} 人只有冲突）" if c["conflicted"] else ""))
    if plan.extra_columns:
        out.append(f"  未使用的列（已忽略）：{'、'.join(plan.extra_columns[:20])}")

    def section(title: str, items: list[str]) -> None:
        if not items:
            return
        out.append(title)
        out.extend("  " + x for x in items[:limit])
        if len(items) > limit:
            out.append(f"  …另有 {len(items) - limit} 条未列出")

    section("变更（字段：原值 → 新值）：", [
        f"{ch.ksh} {ch.xm}：" + "；".join(f"{_label(f)} {_shown(f, o) or '（空）'} → {_shown(f, n) or '（空）'}"
                                        for f, o, n in ch.fields) for ch in plan.changed])
    section("冲突（学信网的值与本地已核对/更正的值不同：保留本地值，未覆盖，请核实）：", [
        f"{x.ksh} {x.xm} {label(x.field)}：本地“{_shown(x.field, x.local)}”（{x.why}）· 文件“{_shown(x.field, x.chsi)}”"
        for x in plan.conflicts])
    section("拒收的行（写入拒收文件，供跟进）：",
            [f"{r.where}：{r.reason}" for r in sorted(plan.rejected, key=lambda r: (r.sheet, r.row))])
    if plan.verdicts:
        section("将记录的核对结论：", [v["shown"] for v in plan.verdicts])
    if plan.normalised:
        out.append("已规范化：" + "；".join(f"{k} {n} 处" for k, n in plan.normalised.most_common()))
    if plan.flagged:
        out.append("按原样导入并标记待核对（预审和核对队列会提示）：" + "；".join(
            f"{k} {n} 人" for k, n in plan.flagged.most_common()))
    section("文件中没有的学生（仅报告，不会删除）：", [
        f"{k} {xm}（学号 {xh or '无'}，{fy or '未分配学院'}）" for k, xh, xm, fy in plan.missing])
    if plan.majors:
        out.append("专业目录新增：" + "、".join(f"{m['ZYDM']} {m['ZYMC']}（{m['FY']}）" for m in plan.majors[:20]))
    for n in plan.notes:
        out.append("注意：" + n)
    return out
