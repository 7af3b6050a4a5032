"""Graduation (Ch. 5, Art. 24–29): the precheck, conclusions, certificate numbers, the 学历注册 upload
and the registration once CHSI accepted it. The CLI and the screens call these functions.

Every action runs the one precheck engine (``xueji_tui.precheck``) on the whole school, so a
college clerk's view, ``certno assign``, ``export graduates`` and ``graduate`` always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from xueji_tui.bulk import gc_paused
from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import Blocked, InvalidInput, Refused
from xueji_tui.domain.record import ROW, copy_record
from xueji_tui.domain.status import ChangeRequest, plan_change
from xueji_tui.domain.validate import code_value, year_value
from xueji_tui.precheck import Result, certno, graduates, run
from xueji_tui.precheck.rules import RULES, title
from xueji_tui.services.session import Session

Progress = Callable[[int, int], None]
# the conclusion -> the change entry that registers it (docs/codes.md: 61 毕业, 62 结业)
GRADUATION_CODES = {"毕业": "6101", "结业": "6201"}
REISSUE_CODE = "6202"  # 结业换发毕业证书 (结业 -> 毕业), keeps the certificate number


def default_year(today: date | None = None) -> int:
    """The graduation year of the current school year: graduates leave in June/July, so from
    September on the class to prepare is next year's."""
    d = today or date.today()
    return d.year + (1 if d.month >= 9 else 0)


def list_imported(session: Session, year: int) -> bool:
    """Was a CHSI expected-graduate list of ``year`` imported (anyone in the school is on it)?"""
    i = ROW["grad_year"]
    return any(len(r) > i and r[i] == year for r in session.store.rows())


def _widths(session: Session):
    from xueji_tui.precheck.widths import graduates_widths

    return graduates_widths(session.store.format_override("graduates"))


def check_year(year) -> int:
    return year_value(year, "毕业年份")


def precheck(session: Session, year: int | None = None, college: str | None = None,
             progress: Progress | None = None) -> Result:
    """The precheck of ``year``'s expected graduates; a college clerk always gets only its college."""
    y = check_year(year if year is not None else default_year())
    scope = session.clerk.limit_college(college)
    if scope and session.office:
        known = colleges(session)
        if scope not in known:
            raise InvalidInput(f"没有名为“{scope}”的学院（现有：{'、'.join(known) or '无'}）")
    store = session.store
    return run(store.students(keep=False), year=y, settings=store.settings, list_imported=list_imported(session, y),
               college=scope, progress=progress, corrections=store.corrections(), widths=_widths(session))


def summary_line(result: Result) -> str:
    where = f"（{result.college}）" if result.college else "（全校）"
    return (f"{result.year} 届毕业生预审{where}：检查 {result.checked} 人，已注册学历 {result.registered} 人；"
            f"错误 {result.errors} 条，警告 {result.warnings} 条")


def rule_counts(result: Result, severity: str | None = None) -> str:
    """'id-checksum 身份证号校验位错误 3、photo-missing … 5' for messages."""
    parts = [f"{r} {title(r)} {n}" for r, n in result.by_rule().items()
             if severity is None or RULES[r][0] == severity]
    return "、".join(parts)


# -- the precheck report ------------------------------------------------------------------------
SEVERITY_WORDS = {"error": "错误", "warning": "警告"}


def report_records(result: Result) -> list[dict]:
    """One row per finding for the XLSX report (the ``precheck`` profile's sources)."""
    return [{"RULE": f.rule, "SEVERITY": SEVERITY_WORDS[f.severity], "KSH": f.KSH, "XH": f.XH, "XM": f.XM,
             "FY": f.FY, "FIELD": f.field, "MESSAGE": f.message} for f in result.findings]


def write_report(session: Session, result: Result, out: Path, force: bool = False) -> int:
    from xueji_tui.formats import profiles, writers

    profile = profiles.load("precheck", session.store.format_override("precheck"))
    return writers.write_xlsx(Path(out), profile, report_records(result),
                              sheet_title=f"{result.year}届预审结果", force=force)


def export_precheck(session: Session, out: Path, year: int | None = None, college: str | None = None,
                    progress: Progress | None = None, force: bool = False) -> Result:
    """``xueji export precheck``: the precheck report as XLSX. Changes nothing in the store."""
    result = precheck(session, year, college, progress)
    write_report(session, result, out, force)
    return result


# -- conclusions (毕业 / 结业) ---------------------------------------------------------------------
def record_conclusion(session: Session, key: str, value: str, note: str = "") -> dict:
    """Record a student's conclusion (BJYJL) before the 学历注册, audited.

    On a student already registered as 结业, 毕业 means 结业换发毕业证书 (office only): the student is
    uploaded again with the same certificate number and then registered with 6202.
    """
    from xueji_tui.services.find import fresh, resolve

    v = code_value("BJYJL", value)
    note = (note or "").strip()
    student = resolve(session, key)

    def refuse_if_wrong(s: dict) -> None:
        status = s.get("status", "")
        if status == "毕业":
            raise Refused(f"{s.get('XM')} 已注册为毕业，结论不能再改；如系录入错误，请学生工作处以 9801 撤销")
        if status == "结业":
            if v == "结业":
                raise Refused(f"{s.get('XM')} 已注册为结业")
            session.clerk.require_office("结业换发毕业证书")
            if not note:
                raise InvalidInput("结业换发毕业证书须说明依据（--note，如 补考通过、文号）")
        elif codes().is_ended(status):
            raise Refused(f"{s.get('XM')} 的学籍状态为“{status}”（已终结），不能记录毕结业结论")

    refuse_if_wrong(student)
    with session.store.write(session.clerk.name, note) as tx:
        s = fresh(tx, session, student)
        refuse_if_wrong(s)
        old = graduates.conclusion(s)
        recorded = (s.get("conclusion") or {}).get("v")
        if recorded == v and (s.get("BJYJL") or "") == v:
            raise InvalidInput(f"{s.get('XM')} 的毕结业结论已是“{v}”")
        s["conclusion"] = {"v": v, "note": note, "by": session.clerk.name, "at": tx.at}
        before = s.get("BJYJL", "")
        s["BJYJL"] = v
        tx.put(s)
        tx.log("conclusion", ksh=s["KSH"], xh=s.get("XH", ""), field="BJYJL", old=before or old, new=v,
               why=note or f"记录毕结业结论：{v}")
    return s


# -- certificate numbers ------------------------------------------------------------------------
@dataclass
class Assigned:
    year: int
    numbers: list[tuple[dict, str]] = field(default_factory=list)  # (student, number)
    waiting: int = 0  # the year's graduates without a number who still fail another error rule
    blocked_by: str = ""  # rule counts of those


def _needs_number(result: Result, errors: dict) -> tuple[list[dict], list[dict]]:
    """(ready for a number, still failing another error rule) among those without one."""
    ready, waiting = [], []
    school_bad = bool(result.school_errors)
    for s in result.students:
        if (s.get("ZSBH") or "").strip():
            continue
        others = errors.get(s.get("KSH"), set()) - {("missing-field", "ZSBH")}
        (waiting if others or school_bad else ready).append(s)
    return ready, waiting


def assign_numbers(session: Session, year: int, start: int | None = None,
                   progress: Progress | None = None) -> Assigned:
    """``xueji certno assign``: numbers for the year's graduates that have none and pass every other
    error rule, in the order college, major, class, 学号. Office only; one audited transaction.
    """
    session.clerk.require_office("分配证书编号")
    y = check_year(year)
    if start is not None and start < 1:
        raise InvalidInput("起始流水号 --start 应为正整数")
    with gc_paused():  # 30,000 records read and written: millions of objects the collector need not walk
        return _assign(session, y, start, progress)


def _assign(session: Session, y: int, start: int | None, progress: Progress | None) -> Assigned:
    store = session.store
    out = Assigned(y)
    with store.write(session.clerk.name, f"分配 {y} 届毕业证书编号") as tx:
        # under the lock: nobody can hand out a number between our reading and our writing. One pass
        # over the school both runs the precheck and collects every number already used.
        used: list[str] = []

        def noting_numbers(students):
            for s in students:
                if s.get("ZSBH"):
                    used.append(s["ZSBH"])
                yield s

        result = run(noting_numbers(store.students(keep=False)), year=y, settings=store.settings,
                     list_imported=list_imported(session, y), progress=progress, corrections=store.corrections(),
                     widths=_widths(session))
        errs = result.error_rules()
        ready, waiting = _needs_number(result, errs)
        out.waiting = len(waiting)
        if waiting:
            counts: dict[str, int] = {}
            for s in waiting:
                for rule, f in errs.get(s.get("KSH"), ()):
                    if (rule, f) != ("missing-field", "ZSBH"):
                        counts[rule] = counts.get(rule, 0) + 1
            for f in result.school_errors:
                counts[f.rule] = counts.get(f.rule, 0) + 1
            out.blocked_by = "、".join(f"{r} {n}" for r, n in sorted(counts.items(), key=lambda kv: list(RULES).index(kv[0])))
        if not ready:
            return out
        school = str(store.settings.get("school_code") or "")
        by_year: dict[str, list[dict]] = {}
        for s in ready:  # a student's number carries its own graduation year (BYRQ)
            by_year.setdefault(graduates.grad_date(s)[:4], []).append(s)
        for gy, group in sorted(by_year.items()):
            out.numbers += certno.plan(group, used=used, school_code=school, year=int(gy), start=start)
            used += [n for _, n in out.numbers]
        changed = []
        for s, number in out.numbers:
            rec = dict(s, ZSBH=number)  # a new top level is enough: a write replaces whole records
            changed.append(rec)
            tx.log("certno", ksh=rec["KSH"], xh=rec.get("XH", ""), field="ZSBH", old="", new=number,
                   why=f"分配 {y} 届毕业证书编号")
        tx.put_many(changed)
        out.numbers = [(c, n) for c, (_, n) in zip(changed, out.numbers)]
    return out


# -- the 学历注册 upload file -----------------------------------------------------------------------
@dataclass
class Exported:
    path: Path
    written: int
    result: Result
    excluded: list[tuple[dict, list[str]]] = field(default_factory=list)  # (student, its error rules)


def _blocked_message(result: Result, what: str) -> str:
    failing = result.failing()
    return (f"{what}：{result.year} 届预审仍有 {result.errors} 条错误（涉及 {len(failing)} 名学生"
            f"{'及学校设置' if result.school_errors else ''}）——{rule_counts(result, 'error')}。"
            f"请先处理（xueji precheck --year {result.year} 查看明细），"
            f"或加 --skip-invalid 只导出通过预审的学生")


def upload_records(session: Session, students: list[dict]) -> list[dict]:
    """The graduates profile's records: the upload row plus the sources the profile names."""
    settings = session.store.settings
    out = []
    for s in students:
        row = graduates.upload_row(s, settings)
        row["XH"] = s.get("XH", "")
        row["_president"] = row["XZXM"]
        out.append(row)
    return out


def export_graduates(session: Session, out: Path, fmt: str = "dbf", year: int | None = None,
                     college: str | None = None, skip_invalid: bool = False,
                     progress: Progress | None = None, force: bool = False) -> Exported:
    """The 学历电子注册 upload file (DBF in GBK, or XLSX). Refuses (exit 1) while any precheck error
    remains, unless ``skip_invalid``: then only passing students are written and the others are
    listed. Office only. Changes nothing in the store, so it can be repeated.
    """
    from xueji_tui.formats import profiles, writers

    session.clerk.require_office("导出学历注册上报文件")
    fmt = (fmt or "").lower().lstrip(".") or "dbf"
    if fmt not in ("dbf", "xlsx"):
        raise InvalidInput(f"学历注册上报文件的格式应为 dbf 或 xlsx，现为“{fmt}”")
    result = precheck(session, year, college, progress)
    if result.errors and not skip_invalid:
        raise Blocked(_blocked_message(result, "未导出学历注册文件"))
    passing = result.passing()
    errs = result.error_rules()
    school_rules = sorted({f.rule for f in result.school_errors})
    excluded = [(s, sorted({r for r, _ in errs.get(s.get("KSH"), ())}) or school_rules) for s in result.failing()]
    if not passing:
        raise Blocked(_blocked_message(result, "没有通过预审的毕业生，未写出文件")
                      if result.errors else f"{result.year} 届没有待上报的毕业生（已注册 {result.registered} 人），未写出文件")
    profile = profiles.load("graduates", session.store.format_override("graduates"))
    records = upload_records(session, passing)
    path = Path(out)
    if fmt == "dbf":
        n = writers.write_dbf(path, profile, records, force=force)
    else:
        n = writers.write_xlsx(path, profile, records, force=force)
    return Exported(path, n, result, excluded)


# -- registration after CHSI accepted the upload ------------------------------------------------
@dataclass
class Registered:
    year: int
    entries: list[tuple[dict, dict]] = field(default_factory=list)  # (student, change entry)
    skipped: list[tuple[str, str]] = field(default_factory=list)     # (KSH, why)


def _listed_kshs(path: Path) -> list[str]:
    from xueji_tui.formats import profiles, readers

    profile = profiles.load("import-graduates")
    got = readers.read(Path(path), profile)
    if "KSH" not in got.matched:
        raise InvalidInput(f"文件 {path} 没有考生号（KSH）列，无法确定登记哪些学生")
    kshs = []
    for r in got.rows:
        k = str(r.get("KSH") or "").strip().upper()
        if k and k not in kshs:
            kshs.append(k)
    if not kshs:
        raise InvalidInput(f"文件 {path} 中没有任何考生号")
    return kshs


def graduate(session: Session, year: int, from_file: Path | None = None,
             progress: Progress | None = None) -> Registered:
    """``xueji graduate``: once CHSI accepted the upload, record 毕业 / 结业 (6101 / 6201, or 6202 for a
    结业换发毕业证书) for the year's passing, numbered graduates — with ``from_file``, only those whose
    KSH the file lists. One audit entry each, one transaction. Office only.
    """
    session.clerk.require_office("登记学历注册（毕业/结业）")
    y = check_year(year)
    listed = _listed_kshs(from_file) if from_file is not None else None
    store = session.store
    out = Registered(y)
    with store.write(session.clerk.name, f"{y} 届学历电子注册") as tx:
        result = precheck(session, y, None, progress)
        passing = {s["KSH"]: s for s in result.passing()}
        if listed is None:
            targets = list(passing.values())
        else:
            targets = []
            checked = {s["KSH"]: s for s in result.students}
            registered = {s["KSH"] for s in result.registered_students}
            errs = result.error_rules()
            for k in listed:
                if k in passing:
                    targets.append(passing[k])
                elif k in registered:
                    out.skipped.append((k, "已登记过学历注册"))
                elif k in checked:
                    rules = sorted({r for r, _ in errs.get(k, ())}) or [f.rule for f in result.school_errors]
                    out.skipped.append((k, "未通过预审：" + "、".join(rules)))
                elif store.get(k) is None:
                    out.skipped.append((k, "本校没有此考生号"))
                else:
                    out.skipped.append((k, f"不是 {y} 届预计毕业生"))
        changed = []
        for s in targets:
            rec = copy_record(s)
            history = list(rec.get("history") or [])
            concl = graduates.conclusion(rec)
            code = REISSUE_CODE if graduates.reissue(rec) else GRADUATION_CODES[concl]
            byrq = graduates.grad_date(rec)
            note = f"{y} 届学历电子注册，证书编号 {rec.get('ZSBH', '')}"
            plan = plan_change(rec, ChangeRequest(code=code, date=byrq, note=note), office=True,
                               clerk=session.clerk.name, at=tx.at, entry_id=f"E{len(history) + 1}")
            entry = plan.entry
            for f, v in plan.updates.items():
                rec[f] = v
            # what was uploaded stays on the record: the date and conclusion CHSI registered
            for f, v in (("BYRQ", byrq), ("BJYJL", concl)):
                if (rec.get(f) or "") != v:
                    entry["fields"][f] = [rec.get(f, ""), v]
                    rec[f] = v
            if code == REISSUE_CODE:
                bz = graduates.upload_bz(rec)
                if bz != (rec.get("BZ") or ""):
                    entry["fields"]["BZ"] = [rec.get("BZ", ""), bz]
                    rec["BZ"] = bz
            history.append(entry)
            rec["history"] = history
            changed.append(rec)
            out.entries.append((rec, entry))
            tx.log("graduate", ksh=rec["KSH"], xh=rec.get("XH", ""), field="status", old=entry["from"],
                   new=entry["to"], why=f"{entry['code']} {entry['type']}·{entry['reason']}；{note}",
                   entry=entry["id"], code=entry["code"])
        if not changed:
            why = "；".join(f"{k} {w}" for k, w in out.skipped[:10])
            raise Blocked(f"没有可登记的 {y} 届毕业生" + (f"：{why}" if why else
                          f"（通过预审且已有证书编号的 0 人；错误 {result.errors} 条，已注册 {result.registered} 人）"))
        tx.put_many(changed)
    return out


def colleges(session: Session) -> list[str]:
    """The colleges a clerk may pick (a college clerk: its own)."""
    if not session.office:
        return [session.clerk.college]
    i = ROW["FY"]
    return sorted({r[i] for r in session.store.rows() if r[i]})


__all__ = [
    "precheck", "export_precheck", "record_conclusion", "assign_numbers", "export_graduates", "graduate",
    "summary_line", "rule_counts", "colleges",
]
