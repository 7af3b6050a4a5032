"""`xueji export KIND`: upload files for CHSI and reports for people. Exporting never changes the store.

What goes into each upload (docs/formats.md):
- registration — students with a registration state (注册学籍, 暂缓注册, 保留学籍, 休学, 保留入学资格);
  ``--year`` selects the entry cohort and then also carries its 放弃/取消入学资格 freshmen;
- changes — 异动 entries (跳级, 留降级, 转学, 转专业, 复学) and 休学 / 保留学籍, one row each;
- cancellations — 注销 entries (退学, 取消学籍, 开除学籍, 死亡);
- admission — 保留入学资格 and 放弃入学资格 entries, in their two layouts;
- corrections — students with an approved identity change request, with the corrected values.
For entries ``--year`` is the year of the effective date; reversed entries and reversals are left out.

An existing output file is kept unless ``force`` (``OutputExists``, so the terminal can ask); a file
that carries whole 身份证号 leaves one audit line (kind, file, rows): a read of full IDs is evidence.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from xueji_tui.bulk import gc_paused
from xueji_tui.domain.annual import awaiting_annual
from xueji_tui.domain.errors import InvalidInput, NotFound, OutputExists
from xueji_tui.domain.permissions import require
from xueji_tui.domain.progress import school_year_of
from xueji_tui.formats import profiles, writers
from xueji_tui.formats.transforms import ZCZT
from xueji_tui.precheck.rules import rule_words
from xueji_tui.services.session import Session
from xueji_tui.services.settings import check_output

KINDS = ("registration", "changes", "cancellations", "admission", "corrections", "graduates", "workbook",
         "stats", "precheck", "photos")
XLSX_ONLY = ("workbook", "precheck", "photos")
UPLOADS = ("registration", "changes", "cancellations", "admission", "corrections", "graduates")
TITLES = {"registration": "学籍注册", "changes": "学籍异动", "cancellations": "学籍注销", "admission": "入学资格",
          "corrections": "学籍信息修改", "graduates": "学历注册", "workbook": "学院核对表", "stats": "学年注册统计",
          "precheck": "毕业生预审", "photos": "照片催办"}
# the year's reports (figures from services/reports.py) and the 奖惩 upload
KINDS += ("intake", "awards")
XLSX_ONLY += ("intake",)
UPLOADS += ("awards",)
TITLES.update(intake="新生注册汇总", awards="奖惩")
# profiles of each kind's files, to tell which carry whole 身份证号
PROFILES = {"registration": ("registration",), "cancellations": ("cancellations",),
            "corrections": ("corrections",), "graduates": ("graduates",), "workbook": ("workbook",),
            "changes": ("changes",), "admission": ("admission-keep", "admission-waive"), "stats": ("stats",),
            "precheck": ("precheck",), "intake": ("intake", "intake-due"), "awards": ("awards",)}
ID_FIELDS = ("SFZH", "ZJHM")
CHANGE_TYPES = {"04", "02", "22", "21", "23", "12", "11", "19"}  # 异动 and 休学 / 保留学籍
ADMISSION = {"14": ("admission-keep", "保留入学资格"), "15": ("admission-waive", "放弃入学资格")}
REGISTERED_NOW = {k for k in ZCZT if k not in ("放弃入学资格", "取消入学资格")}


@dataclass
class Exported:
    kind: str
    paths: list[Path]
    rows: int
    notes: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # students left out (--skip-invalid), shown
    per_file: dict[str, int] = field(default_factory=dict)  # rows of each file, when there are several


def profile(session: Session, name: str) -> profiles.Profile:
    return profiles.load(name, session.store.format_override(name))


def default_format(kind: str) -> str:
    return "xlsx" if kind in ("workbook", "stats", "precheck", "photos", "intake") else "dbf"


def with_format(out: Path, fmt: str) -> Path:
    """The file an export named ``out`` writes: ``out`` when it ends in .dbf or .xlsx, else with
    ``.fmt`` added — what the forms show before writing and what is written."""
    return out if out.suffix.lower() in (".dbf", ".xlsx") else out.with_name(out.name + f".{fmt}")


def default_name(kind: str, fmt: str, year: int | None, college: str | None) -> Path:
    stamp = str(year) if year else datetime.now().strftime("%Y%m%d")
    parts = [TITLES[kind], stamp] + ([college] if college else [])
    return Path("-".join(parts) + f".{fmt}")


def _students(session: Session, college: str | None):
    return session.store.students(college, keep=False)


def _entries(session: Session, college: str | None, year: int | None, want) -> list[dict]:
    """One row per live change entry ``want(entry)`` accepts: the student's values with the entry's
    moved fields as they were right after it, and the entry under ``entry``."""
    out = []
    for s in _students(session, college):
        for e in s.get("history") or []:
            if e.get("reversed_by") or e.get("kind") == "reversal" or not want(e):
                continue
            if year is not None and (e.get("date") or "")[:4] != str(year):
                continue
            row = dict(s)
            for f, pair in (e.get("fields") or {}).items():
                if isinstance(pair, (list, tuple)) and len(pair) == 2:
                    row[f] = pair[1]
            row["entry"] = e
            out.append(row)
    out.sort(key=lambda r: (r["entry"].get("date") or "", r.get("FY") or "", r.get("XH") or "", r["KSH"]))
    return out


def _undated(recs: list[dict]) -> list[str]:
    """Entries of a type that needs a 批准日期 (codes.json) recorded without one (before the rule):
    the upload row would lack PZRQ, so the clerk is told which to reverse and record again."""
    from xueji_tui.domain.codes import codes

    bad = [r for r in recs if "approved" in codes().reason(r["entry"]["code"]).needs and not r["entry"].get("approved")]
    if not bad:
        return []
    shown = "、".join(f"{r['KSH']} {r['entry']['id']} {r['entry']['code']}" for r in bad[:10])
    return [f"{len(bad)} 条异动记录没有批准日期（{shown}{' …' if len(bad) > 10 else ''}），上报时批准日期为空；"
            f"请核对后以 9801 撤销并补录批准日期"]


def registration_records(session: Session, college: str | None, year: int | None) -> tuple[list[dict], list[str]]:
    notes = []
    pending = 0
    this = school_year_of(date.today())
    begun = False  # the year's 学年注册 round: once it has begun, only those it registered are 注册学籍
    out, waiting = [], []
    for s in _students(session, college):
        begun = begun or str(this) in (s.get("annual") or {})
        if year is not None and (s.get("RXRQ") or "")[:4] != str(year):
            continue
        st = s.get("status", "")
        if st == "待注册":
            pending += 1
            continue
        if st in REGISTERED_NOW or (year is not None and st in ZCZT):
            (waiting if awaiting_annual(s, this) else out).append(s)
    if pending:
        notes.append(f"{pending} 名学生仍为“待注册”（入学资格尚未复查），未写入注册文件")
    if waiting and begun:
        notes.append(f"{len(waiting)} 名在校生尚未办理 {this} 学年注册，未写入注册文件：办理学年注册（批量注册）后再导出")
    elif waiting:
        out += waiting
        notes.append(f"{this} 学年的学年注册尚未开始：{len(waiting)} 名在校生按现有学籍状态写入；"
                     f"开学注册后请办理学年注册（批量注册），再导出本学年的注册结果")
    out.sort(key=lambda s: (s.get("FY") or "", s.get("BH") or "", s.get("XH") or "", s["KSH"]))
    return out, notes


def correction_records(session: Session, college: str | None, year: int | None) -> list[dict]:
    approved: dict[str, str] = {}
    for r in session.store.corrections():
        if r.get("status") != "批准":
            continue
        when = next((st.get("at", "") for st in reversed(r.get("steps") or []) if st.get("status") == "批准"), "")
        if year is not None and when[:4] != str(year):
            continue
        approved[r["KSH"]] = max(approved.get(r["KSH"], ""), when)
    out = []
    for ksh in approved:
        s = session.store.get(ksh)
        if s is not None and (college is None or (s.get("FY") or "") == college):
            out.append(s)
    out.sort(key=lambda s: (s.get("FY") or "", s.get("XH") or "", s["KSH"]))
    return out


def award_records(session: Session, college: str | None, year: int | None) -> list[dict]:
    """One row per live 奖励 / 处分 entry (71, 72); ``year``: the year of the effective date."""
    return _entries(session, college, year, lambda e: str(e.get("code", ""))[:2] in ("71", "72"))


def _write(path: Path, fmt: str, sheets: list[tuple[profiles.Profile, list[dict], str]],
           skip_invalid: bool, excluded: list[str], force: bool = False) -> int:
    """Write one file (DBF: one sheet only); with ``skip_invalid`` leave out unfit students."""
    unfit: list[dict] | None = [] if skip_invalid else None
    if fmt == "dbf":
        p, recs, _ = sheets[0]
        n = writers.write_dbf(path, p, recs, force=force, unfit=unfit)
    else:
        n = writers.write_xlsx_sheets(path, sheets, force=force, unfit=unfit)
    # a student unfit in two sheets of one workbook is told once per problem
    excluded += dict.fromkeys(f"{p['ksh']}（{p['field']}：{p['why']}）" for p in unfit or ())
    return n


def carries_full_ids(session: Session, kind: str) -> bool:
    """Whether files of ``kind`` hold whole 身份证号 (by their profiles, overrides included)."""
    for name in PROFILES.get(kind, ()):
        if any(f.code in ID_FIELDS or f.source in ID_FIELDS for f in profile(session, name).fields):
            return True
    return False


def export(session: Session, kind: str, out: Path | None = None, fmt: str | None = None,
           year: int | None = None, college: str | None = None, skip_invalid: bool = False,
           force: bool = False, as_of: str | None = None) -> Exported:
    """Write the files of ``kind``; then, when they carry whole 身份证号, one audit line per file.
    ``as_of``: the day the statistics form is taken at (stats only; default today)."""
    with gc_paused():  # a whole school's records and rows: objects the collector need not walk
        res = _export(session, kind, out, fmt, year, college, skip_invalid, force, as_of)
    if carries_full_ids(session, kind) and kind != "graduates":  # graduates: logged with what was sent
        try:
            with session.store.write(session.clerk.name, f"导出{TITLES[kind]}") as tx:
                for p in res.paths:
                    rows = res.rows if len(res.paths) == 1 else res.per_file.get(str(p), 0)
                    tx.log("export", why=f"导出{TITLES[kind]}（含完整身份证号）", kind=kind, file=str(p), rows=rows)
        except BaseException:
            for p in res.paths:  # an unaudited read of full IDs does not stay on disk
                Path(p).unlink(missing_ok=True)
            raise
    return res


def _export(session: Session, kind: str, out: Path | None, fmt: str | None, year: int | None,
            college: str | None, skip_invalid: bool, force: bool, as_of: str | None = None) -> Exported:
    if kind not in KINDS:
        raise InvalidInput(f"未知的导出类型“{kind}”，应为 {' / '.join(KINDS)}")
    if kind in UPLOADS:
        require(session.clerk, "export.upload")
    college = session.limit_college(college)
    asked = (fmt or "").lower().lstrip(".")
    fmt = asked or default_format(kind)
    if fmt not in ("dbf", "xlsx"):
        raise InvalidInput(f"导出格式应为 dbf 或 xlsx，现为“{fmt}”")
    if out and asked and Path(out).suffix.lower() in (".dbf", ".xlsx") and Path(out).suffix.lower() != f".{asked}":
        raise InvalidInput(f"输出文件 {out} 的扩展名与 --format {asked} 不一致，请改一个")
    if kind in XLSX_ONLY and fmt != "xlsx":
        raise InvalidInput(f"{TITLES[kind]}只能导出为 xlsx（Excel）")
    out = with_format(Path(out), fmt) if out else default_name(kind, fmt, year, college)
    if out.suffix.lower() != f".{fmt}":
        fmt = out.suffix.lower().lstrip(".")
        if kind in XLSX_ONLY and fmt != "xlsx":
            raise InvalidInput(f"{TITLES[kind]}只能导出为 xlsx（Excel），输出文件名应以 .xlsx 结尾")
    if out.is_dir():
        raise InvalidInput(f"{out} 是目录；请另指定一个文件名")
    targets = [out.with_name(f"{out.stem}-{t}.dbf") for _, t in ADMISSION.values()] \
        if kind == "admission" and fmt == "dbf" else [out]
    for t in targets:
        check_output(session, t)
    existing = next((t for t in targets if os.path.lexists(t)), None)  # a planted symlink counts too
    if existing is not None and not force:
        raise OutputExists(existing)

    if kind == "graduates":
        from xueji_tui.services.graduation import export_graduates

        res = export_graduates(session, out, fmt, year, college, skip_invalid, force=force)
        excl = [f"{s.get('KSH')} {s.get('XM', '')}（{'、'.join(map(rule_words, rules))}）" for s, rules in res.excluded]
        return Exported(kind, [Path(res.path)], res.written, [], excl)
    if kind == "precheck":
        from xueji_tui.services.graduation import export_precheck

        res = export_precheck(session, out, year, college, force=force)
        return Exported(kind, [out], len(res.findings), [f"预审 {res.checked} 人，错误 {res.errors} 条，警告 {res.warnings} 条"])
    if kind == "workbook":
        from xueji_tui.services.workbooks import export_workbook

        at = datetime.now().astimezone().isoformat(timespec="seconds")
        n = export_workbook(session, out, profile(session, "workbook"), college, year, at, force)
        return Exported(kind, [out], n, ["学院核对后请交回学生工作处，或由学院账号执行 xueji import workbook 文件名"])
    if kind == "stats":
        from xueji_tui.services.stats import school_year_words, stats, write_form

        st = stats(session, year, college, as_of)
        if fmt == "xlsx":  # the form itself, Chinese headings under their groups
            n = write_form(st, out, force, college)
        else:  # the same figures for machines: the profile's field codes as DBF columns
            n = _write(out, fmt, [(profile(session, "stats"), st.records(), "")], False, [], force) - 1
        return Exported(kind, [out], n, [f"{school_year_words(st.year)}，截至 {st.as_of}；学籍异动、注销、奖惩按 "
                                         f"{st.window[0]}–{st.window[1]}（上一学年）统计"])

    if kind in ("intake", "awards"):
        return _report(session, kind, out, fmt, year, college, skip_invalid, force)
    if kind == "photos":
        from xueji_tui.services.photos import export_chase_list

        n = export_chase_list(session, out, year, college, force=force)
        return Exported(kind, [out], n, ["照片催办名单：未采集、未链接、未校对、有异议或拍摄后不足 40 天校对的毕业生"])

    excluded: list[str] = []
    notes: list[str] = []
    if kind == "registration":
        recs, notes = registration_records(session, college, year)
        sheets = [(profile(session, "registration"), recs, "注册结果")]
    elif kind == "changes":
        recs = _entries(session, college, year, lambda e: str(e.get("code", ""))[:2] in CHANGE_TYPES)
        sheets = [(profile(session, "changes"), recs, "学籍异动")]
        notes += _undated(recs)
    elif kind == "cancellations":
        recs = _entries(session, college, year, lambda e: e.get("kind") == "cancellation")
        sheets = [(profile(session, "cancellations"), recs, "学籍注销")]
    elif kind == "corrections":
        recs = correction_records(session, college, year)
        sheets = [(profile(session, "corrections"), recs, "学籍信息修改")]
    else:  # admission: two layouts
        sheets = []
        for t, (name, title) in ADMISSION.items():
            recs = _entries(session, college, year, lambda e, t=t: str(e.get("code", ""))[:2] == t)
            sheets.append((profile(session, name), recs, title))
    total = sum(len(r) for _, r, _ in sheets)
    if total == 0:
        what = "、".join(t for _, _, t in sheets)
        raise NotFound(f"没有可导出的{what}记录" + (f"（{year} 年）" if year else "") +
                           (f"（{college}）" if college else "") + "，未写出文件" +
                           "".join(f"；{n}" for n in notes))
    paths = []
    per_file: dict[str, int] = {}
    if kind == "admission" and fmt == "dbf":
        n = 0
        targets = [(out.with_name(f"{out.stem}-{title}.dbf"), p, recs, title) for p, recs, title in sheets]
        for target, *_ in targets:
            if not force and os.path.lexists(target):
                raise OutputExists(target)
        for target, p, recs, title in targets:
            if recs:
                try:
                    k = _write(target, "dbf", [(p, recs, title)], skip_invalid, excluded, force)
                except BaseException:
                    for done in paths:  # both files or neither
                        done.unlink(missing_ok=True)
                    raise
                n += k
                per_file[str(target)] = k
                paths.append(target)
            else:
                notes.append(f"没有{title}记录，未写出 {target.name}")
    else:
        n = _write(out, fmt, sheets, skip_invalid, excluded, force)
        paths.append(out)
    return Exported(kind, paths, n, notes, excluded, per_file)


def _report(session: Session, kind: str, out: Path, fmt: str, year: int | None, college: str | None,
            skip_invalid: bool, force: bool) -> Exported:
    """The 奖惩 upload, or the freshman summary with its due-back list (figures from reports.py)."""
    if kind == "awards":
        recs = award_records(session, college, year)
        if not recs:
            raise NotFound("没有可导出的奖惩记录" + (f"（{year} 年）" if year else "") + "，未写出文件")
        excluded: list[str] = []
        n = _write(out, fmt, [(profile(session, "awards"), recs, "奖惩")], skip_invalid, excluded, force)
        return Exported(kind, [out], n, [], excluded)
    from xueji_tui.services.reports import due_back, intake_rows

    y = year or school_year_of(date.today())
    rows = intake_rows(session, y, college)
    due = due_back(session, y, college)
    if not rows and not due:
        raise NotFound(f"没有 {y} 级新生，也没有应返校的保留入学资格学生，未写出文件")
    sheets = [(profile(session, "intake"), rows, f"{y}级新生学籍电子注册情况汇总"),
              (profile(session, "intake-due"), due, "保留入学资格应返校名单")]
    _write(out, "xlsx", sheets, False, [], force)
    notes = [f"{y} 级新生汇总（第九条）：录取 {rows[-1]['LQRS'] if rows else 0} 人，报到 {rows[-1]['BD'] if rows else 0} 人",
             f"保留入学资格应返校 {len(due)} 人" + (f"（其中 {sum(1 for d in due if d['overdue'])} 人已逾期）" if due else "")]
    return Exported(kind, [out], max(0, len(rows) - 1), notes, [], {})
