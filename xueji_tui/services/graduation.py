"""Graduation (Ch. 5, Art. 24–29): the precheck, conclusions, certificate numbers, the 学历注册 upload
and the registration once CHSI accepted it. The CLI and the screens call these functions.

Every action runs the one precheck engine (``xueji_tui.precheck``) on the whole school, so a
college clerk's view, ``certno assign``, ``export graduates`` and ``graduate`` always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import hashlib

from xueji_tui.bulk import gc_paused
from xueji_tui.domain.codes import codes
from xueji_tui.domain.text import typed
from xueji_tui.domain.errors import Blocked, InvalidInput, Refused
from xueji_tui.domain.permissions import require
from xueji_tui.domain.validate import code_value, year_value
from xueji_tui.precheck import Result, graduates, run, verdicts, verdicts_for
from xueji_tui.precheck.rules import RULES, title
from xueji_tui.services.session import Session

Progress = Callable[[int, int], None]


def default_year(today: date | None = None) -> int:
    """The graduation year of the current school year: graduates leave in June/July, so from
    September on the class to prepare is next year's."""
    d = today or date.today()
    return d.year + (1 if d.month >= 9 else 0)


def _widths(session: Session):
    from xueji_tui.precheck.widths import graduates_widths

    return graduates_widths(session.store.format_override("graduates"))


def check_year(year) -> int:
    return year_value(year, "毕业年份")


def precheck(session: Session, year: int | None = None, college: str | None = None,
             progress: Progress | None = None, groups: Iterable[tuple[str, Iterable[dict]]] | None = None) -> Result:
    """The precheck of ``year``'s expected graduates; a college clerk always gets only its college.

    Each student's own findings are kept in the store's derived file ``precheck.verdicts.NAME``,
    by the content of the file the student was read from: a student whose file has not changed
    since the last precheck is not checked again. ``groups``: the school as a transaction reads it
    (``tx.student_groups()``: under the writers' lock; a list when already read)."""
    y = check_year(year if year is not None else default_year())
    scope = session.limit_college(college)
    store = session.store
    settings, widths = store.settings, _widths(session)
    kept = verdicts_for(store.derived(verdicts.NAME), settings, widths)
    # bulk work: the whole school read, a million objects the collector would walk again and again
    # as they pile up (0.3 s of 2 for 30,000 graduates with nothing kept)
    with gc_paused():
        students = kept.students(store.student_groups() if groups is None else groups)
        # the whole school is read: whether the year's CHSI list was imported is seen in the same pass
        result = run(students, year=y, settings=settings, list_imported=None, college=scope, progress=progress,
                     corrections=store.corrections(), widths=widths, verdicts=kept)
    if kept.changed:
        store.keep_derived(verdicts.NAME, kept.dumps())
    sent = graduates.sent_to_chsi(store.exports(), y)
    if sent:
        for s in result.students:
            why = graduates.resend_reason(s, sent.get(s.get("KSH", "")))
            if why:
                result.reupload.append((s, why))
    return result


def summary_line(result: Result) -> str:
    """The precheck's headline, with the stage (numbers still to assign), the students kept out of
    the upload and those to upload again — the lines the CLI and the 预审 area show above findings."""
    where = f"（{result.college}）" if result.college else "（全校）"
    line = (f"{result.year} 届毕业生预审{where}：检查 {result.checked} 人，已注册学历 {result.registered} 人；"
            f"错误 {result.errors} 条，警告 {result.warnings} 条")
    if result.pending_certno:
        line += f"；{result.pending_certno} 名待分配证书编号"
    if result.excluded:
        line += f"；已排除出上报 {len(result.excluded)} 人"
    if result.reupload:
        line += f"；{len(result.reupload)} 名导出后结论或证书编号已改变，须重新上报"
    return line


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

    from xueji_tui.services.settings import check_output

    check_output(session, out)
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
    note = typed(note, "说明")
    student = resolve(session, key)

    def refuse_if_wrong(s: dict) -> None:
        status = s.get("status", "")
        if status == "毕业":
            raise Refused(f"{s.get('XM')} 已注册为毕业，结论不能再改；如系录入错误，请学生工作处以 9801 撤销")
        if status == "结业":
            if v == "结业":
                raise Refused(f"{s.get('XM')} 已注册为结业")
            require(session.clerk, "change.graduate")
            if not note:
                raise InvalidInput("结业换发毕业证书须说明依据（--note，如 补考通过、文号）")
        elif codes().is_ended(status):
            raise Refused(f"{s.get('XM')} 的学籍状态为“{status}”（已终结），不能记录毕结业结论")
        elif status != "注册学籍":
            raise Refused(f"{s.get('XM')} 的学籍状态为“{status}”，不是在籍的毕业生，不能记录毕结业结论；"
                          f"复学或注册后再记录")
        else:
            due = graduates.grad_date(s)[:4]
            if due.isdigit() and int(due) > default_year():
                raise Refused(f"{s.get('XM')} 预计 {due} 年毕业，还不是 {default_year()} 届或以前的毕业生，"
                              f"不能记录毕结业结论；如已提前毕业，请先办理跳级等学籍异动")

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


# -- the 学历注册 upload file -----------------------------------------------------------------------
@dataclass
class Exported:
    path: Path
    written: int
    result: Result
    excluded: list[tuple[dict, list[str]]] = field(default_factory=list)  # (student, its error rules)


def _blocked_message(result: Result, what: str) -> str:
    if not result.errors:
        return (f"{what}：{result.year} 届有 {result.pending_certno} 名毕业生尚未分配证书编号，"
                f"请先执行 xueji certno assign --year {result.year}，或加 --skip-invalid 只导出已有编号的学生")
    failing = [s for s in result.failing() if s.get("KSH") in result.error_rules()] \
        if not result.school_errors else result.failing()
    pending = f"；另有 {result.pending_certno} 名待分配证书编号" if result.pending_certno else ""
    return (f"{what}：{result.year} 届预审仍有 {result.errors} 条错误（涉及 {len(failing)} 名学生"
            f"{'及学校设置' if result.school_errors else ''}）——{rule_counts(result, 'error')}{pending}。"
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

    require(session.clerk, "export.upload")
    fmt = (fmt or "").lower().lstrip(".") or "dbf"
    if fmt not in ("dbf", "xlsx"):
        raise InvalidInput(f"学历注册上报文件的格式应为 dbf 或 xlsx，现为“{fmt}”")
    result = precheck(session, year, college, progress)
    if (result.errors or result.pending_certno) and not skip_invalid:
        raise Blocked(_blocked_message(result, "未导出学历注册文件"))
    passing = result.passing()
    errs = result.error_rules()
    school_rules = sorted({f.rule for f in result.school_errors})
    pending = set(result.pending)
    excluded = [(s, sorted({r for r, _ in errs.get(s.get("KSH"), ())}) or school_rules or
                 (["待分配证书编号"] if s.get("KSH") in pending else [])) for s in result.failing()]
    if not passing:
        raise Blocked(_blocked_message(result, "没有通过预审的毕业生，未写出文件")
                      if result.errors or result.pending_certno
                      else f"{result.year} 届没有待上报的毕业生（已注册 {result.registered} 人），未写出文件")
    profile = profiles.load("graduates", session.store.format_override("graduates"))
    records = upload_records(session, passing)
    path = Path(out)
    if fmt == "dbf":
        n = writers.write_dbf(path, profile, records, force=force)
    else:
        n = writers.write_xlsx(path, profile, records, force=force)
    try:
        log_export(session, result.year, path, fmt, records)
    except BaseException:
        path.unlink(missing_ok=True)  # a 学历注册 file nobody logged is not left to be uploaded
        raise
    return Exported(path, n, result, excluded)


def log_export(session: Session, year: int, path: Path, fmt: str, records: list[dict]) -> dict:
    """Log a written 学历注册 file through the store: its name and digest, and for every student the
    conclusion and number it carried — what ``graduate`` later records, and what a change after it
    is compared with (须重新上报). The file holds whole 身份证号, so the line is also the evidence
    of that read."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    entry = {"kind": "graduates", "year": year, "file": str(Path(path).resolve()), "format": fmt,
             "sha256": digest, "rows": len(records), "clerk": session.clerk.name,
             "students": [{"KSH": r["KSH"], "BJYJL": r.get("BJYJL", ""), "ZSBH": r.get("ZSBH", "")} for r in records]}
    with session.store.write(session.clerk.name, f"导出 {year} 届学历注册上报文件") as tx:
        entry["at"] = tx.at
        tx.record_export(entry)
        tx.log("export", why="导出学历注册上报文件（含完整身份证号）", kind="graduates", file=str(path), rows=len(records),
               sha256=digest, year=year)
    return entry


def exclude(session: Session, key: str, reason: str) -> dict:
    """``xueji precheck exclude``: keep a student whom CHSI's expected-graduate list still names (退学,
    转出 …) out of the precheck and the 学历注册 upload, audited, without touching their history."""
    from xueji_tui.services.find import fresh, resolve

    require(session.clerk, "precheck.exclude")
    reason = typed(reason, "原因")
    if not reason:
        raise InvalidInput("请说明排除的原因（--reason，如 已退学，学信网名单待更正）")
    student = resolve(session, key)

    def refuse_if_wrong(s: dict) -> None:
        if graduates.is_registered(s):
            raise Refused(f"{s.get('XM')} 已注册学历（{s.get('status')}），不在上报范围内，无须排除")
        if s.get("excluded"):
            e = s["excluded"]
            raise Refused(f"{s.get('XM')} 已于 {str(e.get('at', ''))[:10]} 由 {e.get('by', '')} 排除出上报"
                          f"（{e.get('reason', '')}）")

    refuse_if_wrong(student)
    with session.store.write(session.clerk.name, reason) as tx:
        s = fresh(tx, session, student)
        refuse_if_wrong(s)
        s["excluded"] = {"reason": reason, "by": session.clerk.name, "at": tx.at}
        tx.put(s)
        tx.log("precheck-exclude", ksh=s["KSH"], xh=s.get("XH", ""), field="excluded", old=None, new=reason,
               why=reason)
    return s


def resend_note(session: Session, s: dict) -> str:
    """须重新上报 when the student's conclusion or number changed since a logged 学历注册 file, else ''."""
    day = graduates.grad_date(s)
    if not day[:4].isdigit():
        return ""
    sent = graduates.sent_to_chsi(session.store.exports(), int(day[:4])).get(s.get("KSH", ""))
    return graduates.resend_reason(s, sent)


__all__ = [
    "precheck", "export_precheck", "record_conclusion", "export_graduates", "exclude", "summary_line",
    "rule_counts",
]
