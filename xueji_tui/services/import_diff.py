"""Comparing an import's rows with the store: new students, changed fields, conflicts with local
work, students missing from the file. No writes.

A CHSI value differing from a value a clerk verified or corrected is a conflict: reported, the local
value kept; other changed CHSI values are applied. A re-import never changes an existing student's
status; nothing is ever deleted.
"""

from __future__ import annotations

import operator
from collections import Counter

from xueji_tui.domain import idcard
from xueji_tui.domain.checks import record_issues
from xueji_tui.domain.codes import codes
from xueji_tui.domain.corrections import APPROVED, changes_of, is_open
from xueji_tui.domain.fields import label
from xueji_tui.domain.record import ROW, copy_record
from xueji_tui.formats import profiles
from xueji_tui.formats.normalise import same_code
from xueji_tui.services.import_plan import (DEFAULT_STATUS, FLAG_LIMIT, GIVEN_ONLY, Changed, Conflict, IdentityDiff,
                                            ImportPlan, Reject, originals, shown)
from xueji_tui.services.session import Session

BULK = 2000  # above this many rows, read the whole store once instead of one look-up a row


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
    """(KSH, field) -> the requests that protect the field: open or approved."""
    out: dict[tuple[str, str], list[dict]] = {}
    for r in session.store.corrections():
        if is_open(r) or r.get("status") == APPROVED:
            for f, (_, new) in changes_of(r).items():  # every field of a several-field request
                out.setdefault((r.get("KSH"), f), []).append(dict(r, field=f, new=new))
    return out


def protected(s: dict, f: str, requests: dict) -> tuple[object, str] | None:
    """(the local value a clerk stands behind, why) when a clerk verified or corrected field ``f``."""
    ver = (s.get("verification") or {}).get(f) or {}
    who = f"{ver.get('by', '')} {str(ver.get('at', ''))[:10]}".strip()
    if ver.get("v") == "ok" and "seen" in ver:
        return ver["seen"], f"{who} 核对无误"
    if ver.get("v") == "wrong" and ver.get("value"):
        return ver["value"], f"{who} 核对有误并更正为“{shown(f, ver['value'])}”"
    for r in requests.get((s.get("KSH"), f), []):
        return r.get("new"), f"更正申请 #{r.get('id')}（{r.get('status')}）"
    for e in reversed(s.get("history") or []):
        if f in (e.get("fields") or {}):
            return s.get(f, ""), f"异动 {e.get('code')} {e.get('type')}（{e.get('date')}）"
    return None


def _year(v) -> int | None:
    s = str(v or "")
    return int(s[:4]) if len(s) >= 4 and s[:4].isdigit() and 1950 <= int(s[:4]) <= 2100 else None


def _status_of(plan: ImportPlan, kind: str, xjzt) -> str:
    if xjzt and xjzt in codes().statuses:
        return xjzt
    if xjzt:
        plan.notes.append(f"学籍状态“{xjzt}”不是已知状态，新生按“{DEFAULT_STATUS[kind]}”导入")
    return DEFAULT_STATUS[kind]


def diff_rows(session: Session, plan: ImportPlan, rows: list[dict], profile: profiles.Profile,
               matched: set[str]) -> None:
    kind = plan.kind
    fields = [f for f in profile.fields if f.code in matched and f.code != "XJZT"]
    given_only = set(GIVEN_ONLY.get(kind, ()))
    existing = _existing(session, [r["KSH"] for r in rows])
    requests = _requests(session)
    catalog = {m.get("ZYDM"): m for m in session.store.majors()}
    learned: dict[str, Counter] = {}
    unknown_major: Counter = Counter()
    status_diff = 0
    source = {"kind": kind, "file": plan.path.name, "sha256": plan.sha256[:16]}
    flag = len(rows) <= FLAG_LIMIT
    numbers = _Numbers(session)
    sources = [f.source for f in fields]
    values = operator.itemgetter(*[f.code for f in fields]) if len(fields) > 1 else None
    for r in rows:
        ksh = r["KSH"]
        if kind != "freshmen" and r.get("ZYDM") and r.get("FY"):
            seen_major = learned.get(r["ZYDM"])
            if seen_major is None:
                seen_major = learned[r["ZYDM"]] = Counter()
            seen_major[(r.get("ZYMC", ""), r["FY"], r.get("XSH", ""), r.get("CC", ""), r.get("XZ", ""))] += 1
        grad_year = None
        if kind == "graduates":
            grad_year = _year(r.get("BYRQ")) or _year(r.get("YJBYRQ")) or plan.year
            if grad_year is None:
                plan.rejected.append(Reject(r["_row"], "无法确定毕业年份（毕业日期、预计毕业日期都为空）：请加 --year YYYY",
                                            originals(r, None), r["_sheet"]))
                continue
        old = existing.get(ksh)
        if old is None:
            if given_only or values is None:
                rec = {f.source: r[f.code] for f in fields if not (f.code in given_only and r[f.code] in ("", None))}
            else:
                rec = dict(zip(sources, values(r)))
            rec["status"] = _status_of(plan, kind, r.get("XJZT"))
            if kind == "freshmen":
                m = catalog.get(rec.get("ZYDM"))
                if m:
                    rec["FY"], rec["XSH"] = m.get("FY", ""), m.get("XSH", "")
                    rec.setdefault("ZYMC", m.get("ZYMC", ""))
                else:
                    rec["FY"] = ""
                    unknown_major[rec.get("ZYDM") or "（空）"] += 1
            rec["verification"], rec["history"], rec["grad_year"], rec["source"] = {}, [], grad_year, source
            if clash := numbers.clash(rec, ksh):
                plan.rejected.append(Reject(r["_row"], clash, originals(r, None), r["_sheet"]))
                continue
            plan.new.append(rec)
            if flag:
                for rule in {i.rule for _, i in record_issues(rec)}:
                    plan.flagged[rule] += 1
            continue
        set_apart = len(plan.conflicts) + len(plan.identity)
        changes = _field_changes(plan, old, r, fields, given_only, requests)
        after = None
        if changes:
            after = copy_record(old)
            for f, _, new in changes:
                after[f] = new
        if grad_year is not None and old.get("grad_year") != grad_year:
            if after is None:
                after = copy_record(old)
            after["grad_year"] = grad_year
            changes.append(("grad_year", old.get("grad_year"), grad_year))
        if r.get("XJZT") and r["XJZT"] != old.get("status"):
            status_diff += 1
        if changes and (clash := numbers.clash(after, ksh)):
            plan.rejected.append(Reject(r["_row"], clash, originals(r, None), r["_sheet"]))
            continue
        if changes:
            after["source"] = source
            plan.updates.append(after)
            plan.changed.append(Changed(ksh, old.get("XH", ""), old.get("XM", ""), changes))
            if flag:
                for rule in {i.rule for _, i in record_issues(after)} - {i.rule for _, i in record_issues(old)}:
                    plan.flagged[rule] += 1
        elif len(plan.conflicts) + len(plan.identity) > set_apart:
            plan.conflicted.append(ksh)  # only what a clerk must decide: nothing applied
        else:
            plan.unchanged.append(ksh)
    for zydm, seen in learned.items():
        if zydm not in catalog:
            (zymc, fy, xsh, cc, xz), _ = seen.most_common(1)[0]
            plan.majors.append({"ZYDM": zydm, "ZYMC": zymc, "FY": fy, "XSH": xsh, "CC": cc, "XZ": xz})
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


IDENTITY = ("XM", "XB", "CSRQ", "SFZH", "MZ")  # Art. 20 (考生号 is the key an import matches by)
MAJOR_PAIR = ("ZYDM", "ZYMC")  # one value: a code and a name of two majors never stand together


def _field_changes(plan: ImportPlan, old: dict, r: dict, fields, given_only: set, requests: dict) -> list:
    """(field, old, new) the file may change for an existing student. Conflicts with local work and
    the 身份信息 of a registered student (Art. 20) are set apart in the plan, never applied unasked."""
    diffs: dict[str, tuple] = {}
    for f in fields:
        new = r[f.code]
        if f.code in given_only and new in ("", None):
            continue
        cur = old.get(f.source)
        if (cur or "") == (new or "") or (f.transform == "code" and same_code(f.code, cur, new)):
            continue
        diffs[f.source] = (cur, new)
    ksh, xh, xm = old["KSH"], old.get("XH", ""), old.get("XM", "")
    if diffs.keys() & set(MAJOR_PAIR):  # the pair moves together, or not at all
        guards = [g for f in MAJOR_PAIR if (g := protected(old, f, requests)) is not None]
        if guards:
            for f in MAJOR_PAIR:
                if f in diffs:
                    plan.conflicts.append(Conflict(ksh, xh, xm, f, diffs.pop(f)[0], r.get(f, ""),
                                                   guards[0][1] + "；专业代码和专业名称一起保留"))
    registered = old.get("status") != "待注册"
    out = []
    for f, (cur, new) in diffs.items():
        if registered and f in IDENTITY:
            held = _identity_held(f, new, old, requests)
            plan.identity.append(IdentityDiff(ksh, xh, xm, f, cur, new, held))
            if plan.accept_identity and not held:
                out.append((f, cur, new))
            continue
        guard = protected(old, f, requests)
        if guard is not None and guard[0] != new:
            plan.conflicts.append(Conflict(ksh, xh, xm, f, cur, new, guard[1]))
            continue
        out.append((f, cur, new))
    return out


def _identity_held(field: str, new, old: dict, requests: dict) -> str:
    """Why CHSI's value is not taken even when the office accepts CHSI's 身份信息 ('' = taken)."""
    approved = next((r for r in requests.get((old["KSH"], field), []) if r.get("status") == APPROVED), None)
    if approved is not None:
        return f"本地已按批准的更正申请 #{approved.get('id')} 修改，学信网数据尚未更新，保留本地值"
    if field == "SFZH":
        bad = [m for rule, sev, m in idcard.problems(str(new or ""), "", "") if sev == "error"]
        if bad:
            return f"文件中的身份证号本身有误（{bad[0]}），未采用"
    if not new:
        return "文件中为空，未采用"
    return ""


class _Numbers:
    """Who holds each 学号 and 身份证号 (the store's roster rows, read once), so an import can reject
    a row that would give another student's number instead of failing the whole import."""

    def __init__(self, session: Session) -> None:
        self.owner: dict[tuple[str, str], str] = {}
        for row in session.store.rows():
            for f in ("XH", "SFZH"):
                v = (row[ROW[f]] or "").strip().upper()
                if v:
                    self.owner.setdefault((f, v), row[ROW["KSH"]])

    def clash(self, rec: dict, ksh: str) -> str:
        for f in ("XH", "SFZH"):
            v = (rec.get(f) or "").strip().upper()
            if not v:
                continue
            other = self.owner.setdefault((f, v), ksh)
            if other != ksh:
                shown_v = idcard.mask(v) if f == "SFZH" else v
                return (f"{label(f)} {shown_v} 已属于考生号 {other} 的学生：一个{label(f)}只能属于一名学生，"
                        f"该行未导入；请核对学信网数据")
        return ""


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
