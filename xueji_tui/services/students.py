"""What clerks decide about a student's record: field verdicts (Art. 6), ID reveals, history."""

from __future__ import annotations

from dataclasses import dataclass

from xueji_tui.domain.errors import InvalidInput, Refused
from xueji_tui.domain.fields import ART6_FIELDS, IDENTITY_FIELDS, label, normalise_field
from xueji_tui.domain.majors import expected_graduation, find_major, grade_of, pair_entry, taken_from, years
from xueji_tui.domain.status import require_open
from xueji_tui.domain.text import typed
from xueji_tui.domain.validate import check_value
from xueji_tui.domain.verification import refuse_ok_on_broken, rounds, year_at
from xueji_tui.services import corrections
from xueji_tui.services.find import fresh, get_student, resolve
from xueji_tui.services.session import Session
from xueji_tui.services.widths import check_widths

VERDICTS = {"ok": "ok", "无误": "ok", "y": "ok", "yes": "ok", "对": "ok",
            "wrong": "wrong", "有误": "wrong", "n": "wrong", "no": "wrong", "错": "wrong"}


def validate_field(field: str, value: str, record: dict | None = None) -> str:
    """The edge rule for a typed value (forms validate with it as the clerk types)."""
    return check_value(field, value, record)


# -- verification (Art. 6) -----------------------------------------------------------------------
@dataclass
class VerifyOutcome:
    kind: str  # verdict | request | edited
    message: str
    request_id: str = ""


def verdict_args(field: str, verdict: str, value: str | None = None, note: str = "") -> tuple:
    """(field code, 'ok'|'wrong', value or None, note) checked as a clerk typed them."""
    f = normalise_field(field)
    if f not in ART6_FIELDS:
        shown = " ".join(ART6_FIELDS)
        raise InvalidInput(f"“{field}”不是第六条核对项；可核对：{shown}")
    v = VERDICTS.get((verdict or "").strip().lower())
    if v is None:
        raise InvalidInput(f"核对结论应为 ok（无误）或 wrong（有误），现为“{verdict}”")
    value = (value or "").strip() or None
    note = typed(note, "说明")
    if v == "ok" and value:
        raise InvalidInput("“无误”不需要 --value；如有错误请用 wrong --value")
    if v == "wrong" and not value and not note:
        raise InvalidInput(f"请说明{label(f)}错在哪里：给出更正值（--value）或说明（--note）")
    return f, v, value, note


MAJOR_FIELDS = ("ZYDM", "ZYMC")  # one value: a corrected major is an entry of the major catalogue


def corrected_value(f: str, value: str, student: dict, catalogue: list[dict] | None = None) -> str:
    """A corrected value checked by the edge rules against the student's record. A major (ZYMC or
    ZYDM) must be an entry of ``catalogue``; it comes back as '专业代码 专业名称', which names one
    entry however the clerk typed it."""
    if f == "ZP":
        raise InvalidInput("电子图像（照片）不能在此更正；请注明问题（--note）后联系新华社/学信网")
    if f in MAJOR_FIELDS:
        entry = find_major(catalogue or [], value)
        if pair_entry([entry], student.get("ZYDM", ""), student.get("ZYMC", "")) is not None:
            raise InvalidInput(f"更正值与现有专业“{entry['ZYDM']} {entry.get('ZYMC', '')}”相同")
        return f"{entry['ZYDM']} {entry.get('ZYMC', '')}"
    value = validate_field(f, value, student)
    if value == (student.get(f) or ""):
        raise InvalidInput(f"更正值与现有{label(f)}“{value}”相同")
    return value


def verify(session: Session, key: str, field: str, verdict: str, value: str | None = None,
           note: str = "", evidence: str = "") -> VerifyOutcome:
    """Record a field verdict. ``wrong`` with a value on an identity field files a change request.

    ``evidence`` (公安证明 number and date) goes on that request; the UI's request form asks for it.
    """
    f, v, value, note = verdict_args(field, verdict, value, note)
    student = resolve(session, key)
    require_open(student)
    if value is not None:
        value = corrected_value(f, value, student, session.store.majors())
        check_widths(session, {f: value})
    with session.store.write(session.clerk.name, note) as tx:
        s = fresh(tx, session, student)
        outcome = verify_in(tx, session, s, f, v, value, note, evidence)
        tx.put(s)
    return outcome


def verify_in(tx, session: Session, s: dict, f: str, v: str, value: str | None = None, note: str = "",
              evidence: str = "", also: dict[str, str] | None = None) -> VerifyOutcome:
    """``verify`` inside an open transaction, on ``s`` fresh from ``tx`` (checked by ``verdict_args``
    and ``corrected_value``); the caller puts ``s``. The workbook import applies a sheet in one go,
    filing the identity corrections of one row as one request (``also``: the other fields)."""
    require_open(s)
    if v == "ok":
        refuse_ok_on_broken(s, f)
    ver = dict(s.get("verification") or {})
    old = (ver.get(f) or {}).get("v")
    entry = {"v": v, "seen": s.get(f, "") if f != "ZP" else _photo_word(s), "note": note,
             "by": session.clerk.name, "at": tx.at, "year": year_at(rounds(session.store.settings), tx.at)}
    outcome = VerifyOutcome("verdict", f"{s.get('XM')} 的{label(f)}已标记为{'无误' if v == 'ok' else '有误'}")
    if value is not None:
        moved: dict[str, str] = {}
        if f in MAJOR_FIELDS:
            moved = _major_fields(tx, s, value)
            value = moved.pop(f)
            also = {**moved, **(also or {})}
        entry["value"] = value
        if f in IDENTITY_FIELDS or not session.office:
            rid = corrections.file_in(tx, session, s, f, value, note or "核对发现有误", typed(evidence, "证明材料"),
                                      also or None)
            entry["request"] = rid
            for g, other in (also or {}).items():
                if g in moved:
                    continue  # the rest of the major's fields: not verdicts of their own
                ver[g] = dict(entry, seen=s.get(g, ""), value=other)
                tx.log("verify", ksh=s["KSH"], xh=s.get("XH", ""), field=g, old=(s.get("verification") or {})
                       .get(g, {}).get("v"), new="wrong", why=note)
            why = "身份信息（第二十条）" if f in IDENTITY_FIELDS else "更正"
            outcome = VerifyOutcome(
                "request", f"{label(f)}属于{why}，已提交更正申请 #{rid}，批准前保留原值", rid)
        else:
            if not note:
                raise InvalidInput("学生工作处直接更正须说明原因")
            for g, new in {f: value, **moved}.items():
                tx.log("edit", ksh=s["KSH"], xh=s.get("XH", ""), field=g, old=s.get(g, ""), new=new, why=note)
            entry.update(v="ok", corrected_from=s.get(f, ""), seen=value)
            s.update({f: value, **moved})
            shown = f"“{value}”" + (f"（{'，'.join(f'{label(g)} {v}' for g, v in moved.items())}）" if moved else "")
            outcome = VerifyOutcome("edited", f"{label(f)}已更正为{shown}")
    ver[f] = entry
    s["verification"] = ver
    tx.log("verify", ksh=s["KSH"], xh=s.get("XH", ""), field=f, old=old, new=entry["v"], why=note)
    return outcome


def _major_fields(tx, s: dict, value: str) -> dict[str, str]:
    """The fields a corrected major sets: ZYDM and ZYMC of the catalogue entry, with its CC and XZ
    (and YJBYRQ again when 学制 moves). Refused when the entry is another college's: a move between
    colleges is a 转专业 (23xx), not the correction of a typing error."""
    entry = find_major(tx.majors(), value)
    fy = s.get("FY") or ""
    if fy and entry.get("FY") and entry["FY"] != fy:
        raise Refused(f"专业 {entry['ZYDM']} {entry.get('ZYMC', '')} 属于{entry['FY']}，该生在{fy}：跨学院变更专业"
                      f"请办理转专业（23xx），不能作为录入错误更正")
    out = {g: v for g, v in taken_from(entry, s).items() if g in ("ZYDM", "ZYMC", "CC", "XZ")}
    if not fy and entry.get("FY"):
        out.update(FY=entry["FY"], XSH=entry.get("XSH", ""))
    after = dict(s, **out)
    yj = expected_graduation(grade_of(after), after.get("XZ"))
    if "XZ" in out and yj and years(out["XZ"]) != years(s.get("XZ")):
        out["YJBYRQ"] = yj
    return {g: v for g, v in out.items() if v != (s.get(g) or "") or g in MAJOR_FIELDS}


def _photo_word(s: dict) -> str:
    p = s.get("photo") or {}
    return "已链接" if p.get("linked") else ("已采集" if p.get("taken") else "无照片")


# -- privacy and history -------------------------------------------------------------------------
def reveal_id(session: Session, ksh: str) -> str:
    """The full 身份证号, for the student screen; the reveal is audited."""
    s = get_student(session, ksh)
    reveal_ids(session, [s])
    return s.get("SFZH", "")


def reveal_ids(session: Session, students: list[dict]) -> None:
    """One audit line per student whose full 身份证号 is about to be printed (``lookup --reveal``)."""
    if not students:
        return
    for s in students:
        session.clerk.require_sees(s)
    with session.store.write(session.clerk.name, "查看完整身份证号") as tx:
        for s in students:
            tx.log("reveal", ksh=s["KSH"], xh=s.get("XH", ""), field="SFZH", old=None, new=s.get("SFZH", ""))


def audit_lines(session: Session, ksh: str | None = None) -> list[dict]:
    """Audit lines, oldest first: one student's, or all those this clerk may see."""
    mine: set[str] | None = None
    if ksh is None and not session.office:
        mine = {r[0] for r in session.store.rows(session.clerk.college)}
    return [d for d in session.store.audit_lines(ksh) if mine is None or d.get("KSH") in mine]


def history(session: Session, ksh: str) -> list[dict]:
    """A student's change entries and audit lines, oldest first (both carry ``at``)."""
    s = get_student(session, ksh)
    entries = [dict(e, source="entry") for e in s.get("history") or []]
    lines = [dict(d, source="audit") for d in audit_lines(session, s["KSH"])]
    return sorted(entries + lines, key=lambda d: (d.get("at") or "", 0 if d["source"] == "entry" else 1))
