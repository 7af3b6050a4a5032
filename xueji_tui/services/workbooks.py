"""College workbooks: exported for a college to check (Art. 6), imported back with its verdicts.

Importing applies each verdict with the terminal's own rules (``students.verify_in``:
identity fields become change requests) in one transaction. A verdict is a conflict — reported,
not applied — when the student's value shown in the workbook is no longer the stored one, or when
the field was verified in the terminal after the workbook was exported.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from xueji_tui.domain import idcard
from xueji_tui.domain.codes import codes
from xueji_tui.domain.corrections import contradictions, open_by_student_field
from xueji_tui.domain.verification import opened_since, refuse_ok_on_broken
from xueji_tui.domain.errors import NotFound, XuejiError
from xueji_tui.domain.fields import ART6_FIELDS, IDENTITY_FIELDS, label
from xueji_tui.domain.record import ROW
from xueji_tui.domain.text import has_control, one_line
from xueji_tui.formats import readers
from xueji_tui.formats.profiles import Profile
from xueji_tui.formats.transforms import renderer
from xueji_tui.formats.workbook import columns, reading_profile, verdict_words
from xueji_tui.services.import_plan import Conflict, Reject
from xueji_tui.services.session import Session
from xueji_tui.services.widths import check_widths
from xueji_tui.services.students import VERDICTS, corrected_value, verify_in

UNASSIGNED = "未分配学院"


# -- export --------------------------------------------------------------------------------------

def needs_check(s: dict) -> bool:
    ver = s.get("verification") or {}
    return any((ver.get(f) or {}).get("v") != "ok" for f in ART6_FIELDS)


def _wanted(year: int | None, ended):
    """The test a student passes to be in the workbook: a cohort (--year: entry year) or everyone
    not yet fully verified; students whose status has ended are left out."""
    def wanted(s: dict) -> bool:
        if ended(s.get("status", "")):
            return False
        if year is not None:
            return (s.get("RXRQ") or "")[:4] == str(year)
        return needs_check(s)
    return wanted


def _order(s: dict) -> tuple:
    return (s.get("BH") or "", s.get("XH") or "", s.get("KSH"))


def _by_college(names) -> list[str]:
    return sorted(names, key=lambda fy: (fy == "", fy))


def _colleges_to_check(session: Session, scope: str | None, year: int | None) -> list[str]:
    """The colleges with a student to check, from the roster rows (no record read). Without --year
    this is exact (a row counts the verified Art. 6 fields); a cohort needs the entry date, which
    rows do not hold: every college with a student still at school is then read."""
    fy, st, ver = ROW["FY"], ROW["status"], ROW["verified"]
    ended = codes().is_ended
    names: set[str] = set()
    for rows in session.store.rows_by_shard(scope).values():
        cols = getattr(rows, "cols", None)  # the disk store's rows by columns: no row list is made
        triples = zip(cols["FY"], cols["status"], cols["verified"]) if cols is not None else (
            (r[fy], r[st], r[ver]) for r in rows)
        names |= {f or "" for f, status, done in triples
                  if not ended(status) and (year is not None or (done or 0) < len(ART6_FIELDS))}
    return _by_college(names)


def export_workbook(session: Session, out: Path, profile: Profile, college: str | None, year: int | None,
                    exported_at: str, force: bool = False) -> int:
    """The workbook, written college by college: one college's students are read, sorted and written
    before the next college is read (a whole school of 100,000 in about the memory of its largest
    college)."""
    from xueji_tui.formats.workbook import write_workbook

    scope = session.limit_college(college)
    colleges = _colleges_to_check(session, scope, year)

    def nothing() -> NotFound:
        return NotFound(f"{scope or '全校'}没有需要核对的学生" + (f"（{year} 级）" if year else "（都已核对无误）")
                        + "，未写出文件")

    if not colleges:
        raise nothing()
    wanted = _wanted(year, codes().is_ended)

    def sheets():
        found = False
        for fy in colleges:
            rows = [s for s in session.store.students(fy, keep=False) if wanted(s) and (s.get("FY") or "") == fy]
            if rows:
                found = True
                rows.sort(key=_order)
                yield fy or UNASSIGNED, rows
        if not found:  # a cohort with nobody in it: raised while writing, so no file is kept
            raise nothing()

    return write_workbook(out, profile, sheets(), exported_at, force)


# -- import --------------------------------------------------------------------------------------

def read_workbook(session: Session, path: Path, profile: Profile):
    result = readers.read(path, reading_profile(profile), all_sheets=True)
    return result, profile


def _parse_at(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).strip())
    except ValueError:
        return None


def _later(at: str, exported: datetime | None) -> bool:
    if exported is None:
        return True
    mine = _parse_at(at or "")
    if mine is None:
        return True
    try:  # same second counts as later: the student was saved after the export (rev changed)
        return mine >= exported
    except TypeError:  # one of them without a time zone
        return mine.replace(tzinfo=None) >= exported.replace(tzinfo=None)


def plan_verdicts(session: Session, plan, rows: list[dict]) -> None:
    profile = plan.profile
    cols = columns(profile)
    checks = [c for c in cols if c.kind == "verdict"]
    corr = {c.check: c.field.code for c in cols if c.kind == "correction"}
    values = {c.field.code: c.field for c in cols if c.kind == "value"}
    note_col = next((c.field.code for c in cols if c.kind == "note"), None)
    evidence_col = next((c.field.code for c in cols if c.kind == "evidence"), None)
    words = {v: k for k, v in verdict_words(profile).items()}
    ended = codes().is_ended
    seen_rows: dict[str, int] = {}
    open_requests = open_by_student_field(session.store.corrections())
    catalogue = session.store.majors()  # a corrected 专业名称 is an entry of it
    for r in rows:
        where = (r["_row"], r.get("_sheet", ""))
        if r.get("_problem"):
            plan.rejected.append(Reject(*where[:1], f"无法识别：{r['_problem']}", {}, where[1]))
            continue
        ksh = idcard.normalise(r.get("_KSH") or r.get("KSH") or "")
        orig = {k: v for k, v in r.items() if not k.startswith("_") and v}
        if not ksh:
            plan.rejected.append(Reject(r["_row"], "没有考生号（KSH），无法确定是哪名学生", orig, where[1]))
            continue
        if ksh in seen_rows:
            plan.rejected.append(Reject(r["_row"], f"考生号 {ksh} 与第 {seen_rows[ksh]} 行重复，以先出现的一行为准",
                                        orig, where[1]))
            continue
        seen_rows[ksh] = r["_row"]
        s = session.store.get(ksh)
        if s is None:
            plan.rejected.append(Reject(r["_row"], f"找不到考生号为 {ksh} 的学生", orig, where[1]))
            continue
        filled = any((r.get(c.field.code) or "").strip() for c in cols if c.kind in ("verdict", "correction"))
        if not session.clerk.sees(s):
            if not filled:
                continue  # another college's sheet left as it was
            plan.rejected.append(Reject(r["_row"], f"考生号 {ksh} 的学生不属于{session.clerk.college}，学院账号只能导入"
                                                   f"本学院的行", orig, where[1]))
            continue
        if ended(s.get("status", "")):
            if any((r.get(c.field.code) or "").strip() for c in checks):
                plan.rejected.append(Reject(r["_row"], f"{s.get('XM')} 的学籍状态为“{s.get('status')}”（已终结），"
                                                       f"核对结论未导入", orig, where[1]))
            continue
        exported = _parse_at(r.get("_AT") or "")
        opened = opened_since(session.store.settings, exported)
        if opened is not None and filled:
            plan.rejected.append(Reject(r["_row"], f"这份核对表导出于 {exported:%Y-%m-%d}，之后学生工作处已开启 {opened['year']} "
                                                   f"学年的核对（第十七条）：上一轮的核对结论不计入本轮，请重新导出核对表",
                                        orig, where[1]))
            continue
        rev = str(r.get("_REV") or "").strip()
        untouched = rev.isdigit() and int(rev) == s.get("rev")  # nothing saved for this student since
        note = one_line(r.get(note_col)) if note_col else ""
        evidence = one_line(r.get(evidence_col)) if evidence_col else ""
        if has_control(note) or has_control(evidence):
            plan.rejected.append(Reject(r["_row"], "“说明”或“证明材料”列含有控制字符（如 ESC），不是可保存的文字；"
                                                   "请删除后重新导入", orig, where[1]))
            continue
        ver = s.get("verification") or {}
        row_items: list[dict] = []
        for c in checks:
            f = c.check
            said = (r.get(c.field.code) or "").strip()
            value = (r.get(corr.get(f, "")) or "").strip()
            if not said and not value:
                continue
            v = words.get(said) or VERDICTS.get(said.lower()) if said else "wrong"
            bad = None
            if v is None:
                bad = f"{label(f)}的核对结论“{said}”应为“无误”或“有误”"
            elif v == "ok" and value:
                bad = f"{label(f)}选了“无误”却填写了更正值“{value}”，请二选一"
            elif v == "wrong" and not value and not note:
                bad = f"{label(f)}选了“有误”，请在“更正为”列填写正确的值或在“说明”列写明错在哪里"
            if bad is None and value:
                try:
                    value = corrected_value(f, value, s, catalogue)
                    check_widths(session, {f: value})  # as the terminal's verify does
                except XuejiError as e:
                    bad = f"{label(f)}的更正值不能接受：{e.message}"
            if bad is None and v == "ok":
                try:
                    refuse_ok_on_broken(s, f)
                except XuejiError as e:
                    bad = e.message
            if bad is None and value and f in IDENTITY_FIELDS and not evidence:
                bad = (f"{label(f)}属于身份信息（第二十条），更正须在“证明材料”列写明县级以上公安部门证明的编号和日期")
            old = ver.get(f) or {}
            if bad is None and old.get("v") == v and (old.get("value") or None) == (value or None):
                continue  # already recorded (the same workbook imported twice)
            direct = session.office and f not in IDENTITY_FIELDS  # else verify_in files a change request
            if bad is None and value and direct and not note:
                bad = f"{label(f)}由学生工作处直接更正时须在“说明”列写明原因"
            if bad is None and value and not direct:
                pending = next((q for q in open_requests.get((s["KSH"], f), [])), None)
                if pending is not None:
                    bad = f"{label(f)}已有未办结的更正申请 #{pending.get('id')}，请先办结或驳回"
            if bad is not None:
                plan.rejected.append(Reject(r["_row"], bad, orig, where[1]))
                continue
            if f in values and f != "ZP":
                shown_then = r.get(f, "")
                now = renderer(values[f])(s)
                if shown_then.strip() != now.strip():
                    plan.conflicts.append(Conflict(s["KSH"], s.get("XH", ""), s.get("XM", ""), f, now, shown_then,
                                                   "表中的值与系统中现在的值不同（导出后已修改，或表中被改动），该项未导入"))
                    continue
            if old.get("v") and not untouched and _later(old.get("at", ""), exported):
                done = "无误" if old["v"] == "ok" else "有误"
                plan.conflicts.append(Conflict(
                    s["KSH"], s.get("XH", ""), s.get("XM", ""), f, f"{done}（{old.get('by', '')} {str(old.get('at', ''))[:16]}）",
                    verdict_words(profile)[v] + (f"，更正为“{value}”" if value else ""),
                    "导出之后已在系统中核对过该项，以系统中的结论为准，该项未导入"))
                continue
            shown = f"{s['KSH']} {s.get('XM', '')} {label(f)}：{verdict_words(profile)[v]}"
            if value:
                shown += f"，更正为“{idcard.mask(value) if f == 'SFZH' else value}”"
            if note:
                shown += f"（{note}）"
            row_items.append({"ksh": s["KSH"], "field": f, "v": v, "value": value or None, "note": note,
                              "evidence": evidence, "row": r["_row"], "sheet": where[1], "shown": shown})
        plan.verdicts += _one_request_per_row(s, row_items, plan, orig, where[1])


def _one_request_per_row(s: dict, items: list[dict], plan, orig: dict, sheet: str) -> list[dict]:
    """The identity corrections of one row become ONE change request (Art. 20: one application with
    its evidence), so a 身份证号 and the 出生日期 it implies are corrected together — and the record they
    would give must hold together."""
    ident = [i for i in items if i["value"] and i["field"] in IDENTITY_FIELDS]
    if not ident:
        return items
    changes = {i["field"]: i["value"] for i in ident}
    problems = contradictions(dict(s, **changes))
    if problems:
        plan.rejected.append(Reject(ident[0]["row"], "更正后身份信息互相矛盾：" + "；".join(problems)
                                    + "。请在同一行一并更正相关字段，或核对证件", orig, sheet))
        return [i for i in items if i not in ident]
    first = ident[0]
    first["also"] = {i["field"]: i["value"] for i in ident[1:]}
    return [i for i in items if i not in ident[1:]]


def apply_verdicts(session: Session, plan, why: str) -> dict:
    applied = requests = 0
    with session.store.write(session.clerk.name, why) as tx:
        if session.store.state() != plan.head:
            plan.verdicts, plan.conflicts = [], []
            plan.rejected = list(plan.file_rejects)
            plan.head = session.store.state()
            plan_verdicts(session, plan, plan.prepared)
            plan.notes.append("预览之后其他经办人保存了修改，已按最新数据重新比对")
        touched: dict[str, dict] = {}
        for item in plan.verdicts:
            s = touched.get(item["ksh"]) or tx.get(item["ksh"])
            if s is None:
                continue
            try:
                outcome = verify_in(tx, session, s, item["field"], item["v"], item["value"], item["note"],
                                    item.get("evidence", ""), item.get("also") or None)
            except XuejiError as e:
                plan.rejected.append(Reject(item["row"], f"{label(item['field'])}：{e.message}", {}, item["sheet"]))
                continue
            touched[item["ksh"]] = s
            applied += 1
            requests += outcome.kind == "request"
        if touched:
            tx.put_many(list(touched.values()))
        counts = plan.counts()
        counts.update(applied=applied, requests=requests, rejected=len(plan.rejected))
        tx.record_import({
            "kind": "workbook", "file": plan.path.name, "sha256": plan.sha256, "at": tx.at,
            "clerk": session.clerk.name, "counts": counts})
        tx.log("import", why=why, new=counts, file=plan.path.name, sha256=plan.sha256, kind="workbook")
        for c in plan.conflicts:
            tx.log("import-conflict", ksh=c.ksh, xh=c.xh, field=c.field, old=c.local, new=c.chsi, why=c.why)
    return counts
