"""Clerks of a data directory: the office adds them; each is office or one college's officer."""

from __future__ import annotations

import re

from xueji_tui.domain.clerks import ROLES
from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.permissions import require
from xueji_tui.services.session import Session


def add(session: Session, name: str, role: str, college: str = "") -> dict:
    require(session.clerk, "users")
    name = (name or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,32}", name):
        raise InvalidInput(f"经办人名“{name}”应为登录名（字母、数字、_ . -，最多 32 个字符）")
    if role not in ROLES:
        raise InvalidInput(f"角色应为 office（学生工作处）或 college（学院），现为“{role}”")
    college = (college or "").strip()
    if role == "college" and not college:
        raise InvalidInput("学院账号须指定学院：--college 学院名称（与数据中的“学院 FY”一致）")
    if role == "office" and college:
        raise InvalidInput("学生工作处账号不属于某个学院，请去掉 --college")
    if session.store.clerk(name):
        raise InvalidInput(f"经办人“{name}”已登记")
    known = {m.get("FY") for m in session.store.majors()}
    doc = {"name": name, "role": role, "college": college, "added_by": session.clerk.name}
    with session.store.write(session.clerk.name, "添加经办人") as tx:
        doc["at"] = tx.at
        tx.add_clerk(doc)
        tx.log("users-add", field="clerk", new={"name": name, "role": role, "college": college})
    if role == "college" and known and college not in known:
        doc["warning"] = f"注意：数据中还没有学院“{college}”的学生（已知学院：{'、'.join(sorted(k for k in known if k))}）"
    return doc


def list_clerks(session: Session) -> list[dict]:
    require(session.clerk, "users")
    return session.store.clerks()
