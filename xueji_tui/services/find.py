"""Finding students: by 学号, 考生号 or 身份证号, by name, and under the writers' lock.

Every service that acts on "the student a clerk named" goes through ``resolve`` (outside a
transaction) and ``fresh`` (inside it), so the scope check and the ambiguity check are written once.
"""

from __future__ import annotations

from xueji_tui.domain import idcard
from xueji_tui.domain.errors import InvalidInput, NotAllowed, NotFound
from xueji_tui.domain.record import ROW
from xueji_tui.services.session import Session

NAME_HITS_LIMIT = 200


class Found(list):
    """Students found by name; ``total`` counts every match, beyond the ones returned."""

    total = 0


def visible(session: Session, found: list[dict], key: str) -> list[dict]:
    """The students of ``found`` this clerk may see; refused when there were some but none is."""
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
        return visible(session, exact, q)
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


def resolve(session: Session, key: str) -> dict:
    """The one student a 学号 or 考生号 names (scope-checked)."""
    k = (key or "").strip()
    if not k:
        raise InvalidInput("请给出学生的学号或考生号")
    found = visible(session, session.store.find(idcard.normalise(k)), k)
    if not found:
        raise NotFound(f"没有学号或考生号为“{k}”的学生")
    if len(found) > 1:
        names = "、".join(f"{s.get('XM')}（考生号 {s['KSH']}）" for s in found[:5])
        raise InvalidInput(f"“{k}”对应多名学生：{names}；请改用考生号")
    return found[0]


def get_student(session: Session, ksh: str) -> dict:
    """The student with this 考生号 (scope-checked)."""
    s = session.store.get(ksh)
    if s is None:
        raise NotFound(f"没有考生号为“{ksh}”的学生")
    session.clerk.require_sees(s)
    return s


def fresh(tx, session: Session, student: dict) -> dict:
    """The student as stored now, under the lock (another clerk may have saved meanwhile)."""
    s = tx.get(student["KSH"])
    if s is None:
        raise NotFound(f"考生号为“{student['KSH']}”的学生已不存在")
    session.clerk.require_sees(s)
    return s
