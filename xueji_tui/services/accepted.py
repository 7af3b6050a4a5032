"""``xueji graduate``: the 学历注册 recorded once CHSI accepted the upload (Art. 26, 27).

Only what was uploaded is recorded. Every written 学历注册 file is logged through the store with the
conclusion and number each student had in it (services/graduation.py ``log_export``); ``graduate``
records the students of those files — or of a file CHSI accepted, given with ``--from`` — with the
conclusion CHSI received. A student whose conclusion or number changed after the file was written
is not recorded: they are listed as 须重新上报 until a new file is written and uploaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from xueji_tui.domain.errors import Blocked, InvalidInput, Refused
from xueji_tui.domain.permissions import require
from xueji_tui.domain.record import copy_record
from xueji_tui.domain.status import ChangeRequest, plan_change
from xueji_tui.precheck import graduates
from xueji_tui.services.graduation import Progress, check_year, precheck
from xueji_tui.services.session import Session

# the conclusion -> the change entry that registers it (docs/codes.md: 61 毕业, 62 结业)
GRADUATION_CODES = {"毕业": "6101", "结业": "6201"}
REISSUE_CODE = "6202"  # 结业换发毕业证书 (结业 -> 毕业), keeps the certificate number


@dataclass
class Registered:
    year: int
    entries: list[tuple[dict, dict]] = field(default_factory=list)  # (student, change entry)
    skipped: list[tuple[str, str]] = field(default_factory=list)     # (KSH, why)
    not_uploaded: int = 0  # passing students in no logged file: never sent, so not recorded


def _listed(path: Path, exports: list[dict], year: int) -> dict[str, dict]:
    """KSH -> what the file says CHSI accepted for the student (BJYJL, ZSBH when it has them); a file
    that is one of our logged 学历注册 files is that file's log."""
    from xueji_tui.formats import profiles, readers

    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else ""
    ours = next((e for e in exports if e.get("kind") == "graduates" and e.get("sha256") == digest), None)
    if ours is not None:
        return {r["KSH"]: dict(r, file=ours.get("file", ""), at=ours.get("at", "")) for r in ours.get("students") or ()}
    profile = profiles.load("import-graduates")
    got = readers.read(Path(path), profile)
    if "KSH" not in got.matched:
        raise InvalidInput(f"文件 {path} 没有考生号（KSH）列，无法确定登记哪些学生")
    out: dict[str, dict] = {}
    for r in got.rows:
        k = str(r.get("KSH") or "").strip().upper()
        if not k or k in out:
            continue
        row = {"KSH": k, "file": str(path)}
        concl = graduates.canonical("BJYJL", str(r.get("BJYJL") or ""))
        if concl:
            row["BJYJL"] = concl
        if str(r.get("ZSBH") or "").strip():
            row["ZSBH"] = str(r["ZSBH"]).strip()
        out[k] = row
    if not out:
        raise InvalidInput(f"文件 {path} 中没有任何考生号")
    return out


def _uploaded(k: str, sent: dict[str, dict], listed: dict[str, dict] | None) -> dict | None:
    """What CHSI received for the student: the accepted file's values where it states them, else the
    log's; None when neither says what conclusion was uploaded."""
    logged = sent.get(k)
    row = (listed or {}).get(k)
    if row is None or not row.get("BJYJL"):
        return logged  # the file lists the student only: the log says what was sent
    return {**(logged or {}), **row}


def graduate(session: Session, year: int, from_file: Path | None = None,
             progress: Progress | None = None) -> Registered:
    """Record 毕业 / 结业 (6101 / 6201, or 6202 for a 结业换发毕业证书) for the year's students of the
    logged 学历注册 files — with ``from_file``, only those whose KSH the file lists — with the conclusion
    that was uploaded. One audit entry each, one transaction. Office only."""
    require(session.clerk, "change.graduate")
    y = check_year(year)
    store = session.store
    exports = store.exports()
    sent = graduates.sent_to_chsi(exports, y)
    listed = _listed(from_file, exports, y) if from_file is not None else None
    if listed is None and not sent:
        raise Refused(f"没有 {y} 届学历注册上报文件的导出记录，不能登记：只有上报给学信网的学生才能登记为毕业/结业。"
                      f"请先导出学历注册文件（xueji export graduates --year {y}）并上报，学信网接收后再登记；"
                      f"或用 --from 文件 指明学信网已接收的学生")
    out = Registered(y)
    with store.write(session.clerk.name, f"{y} 届学历电子注册") as tx:
        result = precheck(session, y, None, progress)
        passing = {s["KSH"]: s for s in result.passing()}
        checked = {s["KSH"]: s for s in result.students}
        registered = {s["KSH"] for s in result.registered_students}
        excluded = {s["KSH"] for s in result.excluded}
        errs = result.error_rules()
        pending = set(result.pending)
        targets: list[tuple[dict, dict]] = []
        for k in (list(listed) if listed is not None else list(sent)):
            uploaded = _uploaded(k, sent, listed)
            if k in registered:
                if listed is not None:  # a file that names them again; the log's earlier files do not
                    out.skipped.append((k, "已登记过学历注册"))
            elif k in excluded:
                out.skipped.append((k, "已排除出上报（xueji precheck exclude）"))
            elif k not in checked:
                out.skipped.append((k, "本校没有此考生号" if store.get(k) is None else f"不是 {y} 届预计毕业生"))
            elif uploaded is None:
                out.skipped.append((k, "不在已导出的学历注册文件中，文件也没有毕结业结论：请先导出学历注册文件并上报"))
            elif k not in passing:
                rules = sorted({r for r, _ in errs.get(k, ())}) or [f.rule for f in result.school_errors]
                out.skipped.append((k, "未通过预审：" + "、".join(rules or (["待分配证书编号"] if k in pending else []))))
            elif why := graduates.resend_reason(passing[k], uploaded):
                out.skipped.append((k, why))
            else:
                targets.append((passing[k], uploaded))
        if listed is None:
            out.not_uploaded = sum(1 for k in passing if k not in sent)
        changed = []
        for s, uploaded in targets:
            rec = copy_record(s)
            history = list(rec.get("history") or [])
            concl = uploaded.get("BJYJL") or graduates.conclusion(rec)
            code = REISSUE_CODE if graduates.reissue(rec) else GRADUATION_CODES[concl]
            byrq = graduates.grad_date(rec)
            note = f"{y} 届学历电子注册，证书编号 {rec.get('ZSBH', '')}"
            plan = plan_change(rec, ChangeRequest(code=code, date=byrq, note=note), office=True,
                               clerk=session.clerk.name, at=tx.at, entry_id=f"E{len(history) + 1}")
            entry = plan.entry
            entry["upload"] = {"file": uploaded.get("file", ""), "at": uploaded.get("at", "")}
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
                   entry=entry["id"], code=entry["code"], file=uploaded.get("file", ""))
        if not changed:
            why = "；".join(f"{k} {w}" for k, w in out.skipped[:10])
            unsent = (f"；{out.not_uploaded} 名通过预审的学生不在已导出的学历注册文件中：请导出、上报后再登记"
                      if out.not_uploaded else "")
            raise Blocked(f"没有可登记的 {y} 届毕业生" + (f"：{why}" if why else
                          f"（已注册 {result.registered} 人；错误 {result.errors} 条）") + unsent)
        tx.put_many(changed)
    return out
