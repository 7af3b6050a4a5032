"""Finding students and recording what clerks decide about them: verdicts, changes, reveals."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from xueji_tui.domain import idcard
from xueji_tui.domain.codes import Reason, codes
from xueji_tui.domain.errors import InvalidInput, NotAllowed, NotFound, Refused
from xueji_tui.domain.fields import ART6_FIELDS, IDENTITY_FIELDS, label, normalise_field
from xueji_tui.domain.record import ROW
from xueji_tui.domain.status import ChangeRequest, allowed_reasons as _allowed, plan_change
from xueji_tui.domain.validate import check_value
from xueji_tui.services.session import Session

VERDICTS = {"ok": "ok", "无误": "ok", "y": "ok", "yes": "ok", "对": "ok",
            "wrong": "wrong", "有误": "wrong", "n": "wrong", "no": "wrong", "错": "wrong"}
NAME_HITS_LIMIT = 200


def validate_field(field: str, value: str, record: dict | None = None) -> str:
    """The edge rule for a typed value (forms validate with it as the clerk types)."""
    return check_value(field, value, record)


# -- finding -------------------------------------------------------------------------------------
def _visible(session: Session, found: list[dict], key: str) -> list[dict]:
    mine = [s for s in found if session.clerk.sees(s)]
    if found and not mine:
        raise NotAllowed(f"{key} 对应的学生不属于{session.clerk.college}，{session.clerk.name} 无权查看")
    return mine


def lookup(session: Session, query: str) -> list[dict]:
    """By 学号, 考生号 or 身份证号 (exact), else by name, name prefix or pinyin initials."""
    q = (query or "").strip()
    if not q:
        raise InvalidInput("请输入学号、考生号、身份证号或姓名")
    exact = session.store.find(idcard.normalise(q) if q[:1].isdigit() else q)
    if exact:
        return _visible(session, exact, q)
    rows = session.store.rows(session.scope())
    i_xm, i_py = ROW["XM"], ROW["py"]
    ql = q.lower()
    hits = [r for r in rows if r[i_xm] == q]
    hits += [r for r in rows if r[i_xm] != q and r[i_xm].startswith(q)]
    if q.isascii() and q.isalpha():
        seen = {r[0] for r in hits}
        hits += [r for r in rows if r[0] not in seen and r[i_py] == ql]
    if not hits:
        raise NotFound(f"没有找到“{q}”：请确认学号、考生号、身份证号或姓名")
    out = Found()
    out.total = len(hits)
    for r in hits[:NAME_HITS_LIMIT]:
        s = session.store.get(r[0])
        if s is not None and session.clerk.sees(s):
            out.append(s)
    return out


class Found(list):
    """Students found by name; ``total`` counts every match, beyond the ones returned."""

    total = 0


def resolve(session: Session, key: str) -> dict:
    """The one student a 学号 or 考生号 names (scope-checked)."""
    k = (key or "").strip()
    if not k:
        raise InvalidInput("请给出学生的学号或考生号")
    found = _visible(session, session.store.find(idcard.normalise(k)), k)
    if not found:
        raise NotFound(f"没有学号或考生号为“{k}”的学生")
    if len(found) > 1:
        names = "、".join(f"{s.get('XM')}（考生号 {s['KSH']}）" for s in found[:5])
        raise InvalidInput(f"“{k}”对应多名学生：{names}；请改用考生号")
    return found[0]


def get_student(session: Session, ksh: str) -> dict:
    s = session.store.get(ksh)
    if s is None:
        raise NotFound(f"没有考生号为“{ksh}”的学生")
    session.clerk.require_sees(s)
    return s


def _fresh(tx, session: Session, student: dict) -> dict:
    """The student as stored now, under the lock (another clerk may have saved meanwhile)."""
    s = tx.get(student["KSH"])
    if s is None:
        raise NotFound(f"考生号为“{student['KSH']}”的学生已不存在")
    session.clerk.require_sees(s)
    return s


def _require_open(s: dict) -> None:
    if codes().is_ended(s.get("status", "")):
        raise Refused(f"{s.get('XM')} 的学籍状态为“{s.get('status')}”（终态），不能再修改；"
                      f"如系录入错误，请学生工作处以 9801 撤销原记录")


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
    note = (note or "").strip()
    if v == "ok" and value:
        raise InvalidInput("“无误”不需要 --value；如有错误请用 wrong --value")
    if v == "wrong" and not value and not note:
        raise InvalidInput(f"请说明{label(f)}错在哪里：给出更正值（--value）或说明（--note）")
    return f, v, value, note


def corrected_value(f: str, value: str, student: dict) -> str:
    """A corrected value checked by the edge rules against the student's record."""
    if f == "ZP":
        raise InvalidInput("电子图像（照片）不能在此更正；请注明问题（--note）后联系新华社/学信网")
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
    _require_open(student)
    if value is not None:
        value = corrected_value(f, value, student)
    with session.store.write(session.clerk.name, note) as tx:
        s = _fresh(tx, session, student)
        outcome = verify_in(tx, session, s, f, v, value, note, evidence)
        tx.put(s)
    return outcome


def verify_in(tx, session: Session, s: dict, f: str, v: str, value: str | None = None, note: str = "",
              evidence: str = "") -> VerifyOutcome:
    """``verify`` inside an open transaction, on ``s`` fresh from ``tx`` (checked by ``verdict_args``
    and ``corrected_value``); the caller puts ``s``. The workbook import applies a sheet in one go."""
    from xueji_tui.services import corrections

    _require_open(s)
    ver = dict(s.get("verification") or {})
    old = (ver.get(f) or {}).get("v")
    entry = {"v": v, "seen": s.get(f, "") if f != "ZP" else _photo_word(s), "note": note,
             "by": session.clerk.name, "at": tx.at}
    outcome = VerifyOutcome("verdict", f"{s.get('XM')} 的{label(f)}已标记为{'无误' if v == 'ok' else '有误'}")
    if value is not None:
        entry["value"] = value
        if f in IDENTITY_FIELDS or not session.office:
            rid = corrections.file_in(tx, session, s, f, value, note or "核对发现有误", (evidence or "").strip())
            entry["request"] = rid
            why = "身份信息（第二十条）" if f in IDENTITY_FIELDS else "更正"
            outcome = VerifyOutcome(
                "request", f"{label(f)}属于{why}，已提交更正申请 #{rid}，批准前保留原值", rid)
        else:
            if not note:
                raise InvalidInput("学生工作处直接更正须说明原因（--note）")
            tx.log("edit", ksh=s["KSH"], xh=s.get("XH", ""), field=f, old=s.get(f, ""), new=value, why=note)
            entry.update(v="ok", corrected_from=s.get(f, ""), seen=value)
            s[f] = value
            outcome = VerifyOutcome("edited", f"{label(f)}已更正为“{value}”")
    ver[f] = entry
    s["verification"] = ver
    tx.log("verify", ksh=s["KSH"], xh=s.get("XH", ""), field=f, old=old, new=entry["v"], why=note)
    return outcome


def _photo_word(s: dict) -> str:
    p = s.get("photo") or {}
    return "已链接" if p.get("linked") else ("已采集" if p.get("taken") else "无照片")


# -- status changes ------------------------------------------------------------------------------
def allowed_reasons(session: Session, student: dict) -> list[Reason]:
    return _allowed(student.get("status", ""), session.office)


def majors(session: Session) -> list[dict]:
    return sorted(session.store.catalog("majors"), key=lambda m: (m.get("FY", ""), m.get("ZYDM", "")))


def _fill_major(session: Session, req: ChangeRequest) -> None:
    if not req.to_major:
        return
    code = req.to_major.strip().upper()
    hit = next((m for m in session.store.catalog("majors") if m.get("ZYDM", "").upper() == code), None)
    if hit is None:
        raise InvalidInput(f"专业代码“{req.to_major}”不在专业目录中（xueji 从导入的数据中学习专业目录）")
    req.to_major = hit["ZYDM"]
    req.to_major_name = req.to_major_name or hit.get("ZYMC", "")
    req.to_college = req.to_college or hit.get("FY", "")
    req.to_department = req.to_department or hit.get("XSH", "")


def change(session: Session, key: str, req: ChangeRequest) -> dict:
    """Record a 4-digit change entry (异动 / 注销 / 记载 / 撤销), refused when the state machine forbids it."""
    student = resolve(session, key)
    _fill_major(session, req)
    with session.store.write(session.clerk.name, req.note) as tx:
        s = _fresh(tx, session, student)
        history = list(s.get("history") or [])
        plan = plan_change(s, req, office=session.office, clerk=session.clerk.name, at=tx.at,
                           entry_id=f"E{len(history) + 1}")
        entry = plan.entry
        for f, new in plan.updates.items():
            s[f] = new
        if entry.get("reverses"):
            history = [dict(e, reversed_by=entry["id"]) if e.get("id") == entry["reverses"] else e
                       for e in history]
        history.append(entry)
        s["history"] = history
        tx.put(s)
        why = f"{entry['code']} {entry['type']}·{entry['reason']}" + (f"；{entry['doc']}" if entry["doc"] else "")
        if entry["note"]:
            why += f"；{entry['note']}"
        tx.log("change", ksh=s["KSH"], xh=s.get("XH", ""), field="status", old=entry["from"],
               new=entry["to"], why=why, entry=entry["id"], code=entry["code"])
        for f, (old, new) in entry["fields"].items():
            tx.log("change", ksh=s["KSH"], xh=s.get("XH", ""), field=f, old=old, new=new, why=why,
                   entry=entry["id"], code=entry["code"])
    return entry


# -- privacy and history -------------------------------------------------------------------------
def reveal_id(session: Session, ksh: str) -> str:
    """The full 身份证号, for the student screen; the reveal is audited."""
    s = get_student(session, ksh)
    with session.store.write(session.clerk.name, "查看完整身份证号") as tx:
        tx.log("reveal", ksh=s["KSH"], xh=s.get("XH", ""), field="SFZH", old=None, new=s.get("SFZH", ""))
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
    needle = orjson.dumps(ksh) if ksh else None
    out = []
    try:
        f = open(session.store.audit.path, "rb")
    except FileNotFoundError:
        return out
    with f:
        for raw in f:
            if needle is not None and needle not in raw:
                continue
            try:
                d = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if ksh is not None and d.get("KSH") != ksh:
                continue
            if mine is not None and d.get("KSH") not in mine:
                continue
            out.append(d)
    return out


def history(session: Session, ksh: str) -> list[dict]:
    """A student's change entries and audit lines, oldest first (both carry ``at``)."""
    s = get_student(session, ksh)
    entries = [dict(e, source="entry") for e in s.get("history") or []]
    lines = [dict(d, source="audit") for d in audit_lines(session, s["KSH"])]
    return sorted(entries + lines, key=lambda d: (d.get("at") or "", 0 if d["source"] == "entry" else 1))
