"""证书编号 (Art. 27): ``xueji certno assign`` gives the year's graduates their numbers, ``certno
reassign`` replaces a duplicate or malformed one. Office only, audited; the layout and the serials are
``precheck/certno.py``. Assigning starts the year's second precheck stage (docs/precheck.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import methodcaller

from xueji_tui.bulk import gc_paused
from xueji_tui.domain.errors import InvalidInput, Refused
from xueji_tui.domain.permissions import require
from xueji_tui.domain.text import typed
from xueji_tui.precheck import Result, certno, graduates
from xueji_tui.precheck.rules import RULES, rule_words
from xueji_tui.services.graduation import Progress, check_year, precheck
from xueji_tui.services.session import Session


@dataclass
class Assigned:
    year: int
    numbers: list[tuple[dict, str]] = field(default_factory=list)  # (student, number)
    waiting: int = 0  # the year's graduates without a number who still fail another error rule
    blocked_by: str = ""  # rule counts of those


def _needs_number(result: Result) -> tuple[list[dict], list[dict]]:
    """(ready for a number, still failing another error rule) among those without one."""
    errors = result.error_rules()
    ready, waiting = [], []
    school_bad = bool(result.school_errors)
    for s in result.students:
        if (s.get("ZSBH") or "").strip():
            continue
        found = errors.get(s.get("KSH"))  # most have none: no set made for them
        others = found is not None and bool(found - {("missing-field", "ZSBH")})
        (waiting if others or school_bad else ready).append(s)
    return ready, waiting


def assign_numbers(session: Session, year: int, start: int | None = None,
                   progress: Progress | None = None) -> Assigned:
    """``xueji certno assign``: numbers for the year's graduates that have none and pass every other
    error rule, in the order college, major, class, 学号. Office only; one audited transaction.
    """
    require(session.clerk, "certno")
    y = check_year(year)
    if start is not None and not 1 <= start <= certno.MAX_SERIAL:
        raise InvalidInput(f"起始流水号 --start 应为 1–{certno.MAX_SERIAL} 之间的整数（流水号 {certno.SERIAL_DIGITS} 位）")
    with gc_paused():  # 30,000 records read and written: millions of objects the collector need not walk
        return _assign(session, y, start, progress)


def _assign(session: Session, y: int, start: int | None, progress: Progress | None) -> Assigned:
    store = session.store
    out = Assigned(y)
    with store.write(session.clerk.name, f"分配 {y} 届毕业证书编号") as tx:
        # under the lock: nobody can hand out a number between our reading and our writing. One pass
        # over the school both runs the precheck and collects every number already in use.
        used: list[str] = []

        def noting_numbers(groups):
            number = methodcaller("get", "ZSBH")
            for token, group in groups:
                used.extend(filter(None, map(number, group)))
                yield token, group

        # read whole first (the transaction holds every file anyway): a kept result is then taken
        # before anyone is selected
        result = precheck(session, y, None, progress, groups=list(noting_numbers(tx.student_groups())))
        if not result.checked:  # nothing to number: the year's stage 2 is not started on a typo
            raise InvalidInput(f"没有 {y} 届的预计毕业生，未分配证书编号；请核对届别，"
                               f"或先导入学信网的预计毕业生名单（xueji import graduates）")
        ready, waiting = _needs_number(result)
        out.waiting = len(waiting)
        if waiting:
            errs = result.error_rules()
            counts: dict[str, int] = {}
            for s in waiting:
                for rule, f in errs.get(s.get("KSH"), ()):
                    if (rule, f) != ("missing-field", "ZSBH"):
                        counts[rule] = counts.get(rule, 0) + 1
            for f in result.school_errors:
                counts[f.rule] = counts.get(f.rule, 0) + 1
            out.blocked_by = "、".join(f"{rule_words(r)} {n} 人"
                                       for r, n in sorted(counts.items(), key=lambda kv: list(RULES).index(kv[0])))
        started = sorted({*(store.settings.get("certno_years") or ()), y})
        if started != list(store.settings.get("certno_years") or ()):
            # stage 2 of the year's precheck from now on: a graduate still without a number is an error
            tx.update_settings({"certno_years": started})
            tx.log("settings", field="certno_years", old=store.settings.get("certno_years"), new=started,
                   why=f"开始分配 {y} 届毕业证书编号")
        if not ready:
            return out
        school = str(store.settings.get("school_code") or "")
        by_year: dict[str, list[dict]] = {}
        for s in ready:  # a student's number carries its own graduation year (BYRQ)
            by_year.setdefault(graduates.grad_date(s)[:4], []).append(s)
        for gy, group in sorted(by_year.items()):
            planned = certno.plan(group, used=used, school_code=school, year=int(gy), start=start)
            out.numbers += planned
            used += [n for _, n in planned]
        changes, lines = {}, []
        for s, number in out.numbers:
            changes[s["KSH"]] = {"ZSBH": number}
            lines.append((s["KSH"], s.get("XH", ""), "ZSBH", "", number))
        # the number is neither a key nor shown in the roster: no index or row work for 30,000 students
        written = tx.set_fields(changes)
        out.numbers = [(written[s["KSH"]], number) for s, number in out.numbers]
        tx.log_many("certno", lines, why=f"分配 {y} 届毕业证书编号")
    return out


def reassign_number(session: Session, key: str, reason: str) -> tuple[dict, str, str]:
    """``xueji certno reassign``: a new number for a student whose number is a duplicate or malformed
    (the next serial of its year and level); (student, old, new). A number that is right is kept:
    numbers are never changed or reused otherwise."""
    from xueji_tui.services.find import fresh, resolve

    require(session.clerk, "certno")
    reason = typed(reason, "原因")
    if not reason:
        raise InvalidInput("请说明重新分配证书编号的原因（--reason，如 与某某证书编号重复）")
    student = resolve(session, key)
    store = session.store
    with store.write(session.clerk.name, reason) as tx:
        s = fresh(tx, session, student)
        old = (s.get("ZSBH") or "").strip()
        if not old:
            raise Refused(f"{s.get('XM')} 还没有证书编号；请用 xueji certno assign 分配")
        if graduates.is_registered(s):
            raise Refused(f"{s.get('XM')} 已注册学历（{s.get('status')}），证书编号 {old} 已在学信网，不能重新分配")
        byrq = graduates.grad_date(s)
        if not byrq[:4].isdigit():
            raise Refused(f"{s.get('XM')} 没有毕业日期，无法确定证书编号的年份；请先补充毕业日期")
        school = str(store.settings.get("school_code") or "")
        others = [o.get("ZSBH") or "" for o in store.students(keep=False) if o.get("KSH") != s["KSH"]]
        wrong = certno.disagreements(old, school_code=school, year=byrq[:4], cc=s.get("CC", ""))
        if not wrong and old not in others:
            raise Refused(f"{s.get('XM')} 的证书编号 {old} 格式正确且不与他人重复，不能重新分配"
                          f"（已发的证书编号不改动、不重用）")
        [(_, new)] = certno.plan([s], used=[*others, old], school_code=school, year=int(byrq[:4]))
        s["ZSBH"] = new
        tx.put(s)
        why = "；".join(wrong) if wrong else "与其他学生的证书编号重复"
        tx.log("certno-reassign", ksh=s["KSH"], xh=s.get("XH", ""), field="ZSBH", old=old, new=new,
               why=f"{reason}（{why}）")
    return s, old, new
