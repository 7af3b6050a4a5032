"""Who is acting on which data directory (docs/cli.md: --data, --clerk and its ownership rule)."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path

from xueji_tui.domain.clerks import Clerk
from xueji_tui.domain.errors import InvalidInput, NotAllowed
from xueji_tui.store import Store, open_store


def default_data_dir() -> Path:
    return Path(os.environ.get("XUEJI_DATA") or "./xueji-data")


def login_name() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def acting_identity(data_dir: Path, requested: str | None) -> tuple[str, str | None]:
    """The identity every write is attributed to, and a warning when ``--clerk`` was not honoured.

    ``--clerk`` (or $XUEJI_CLERK) counts only when this process runs as the owner of the data
    directory: the service-account deployment, where each clerk's SSH key forces ``--clerk``.
    """
    requested = (requested or os.environ.get("XUEJI_CLERK") or "").strip() or None
    me = login_name()
    if not requested:
        return me, None
    try:
        owner = os.stat(data_dir).st_uid
    except FileNotFoundError:
        owner = os.geteuid()  # a directory about to be created will be ours
    if owner == os.geteuid():
        return requested, None
    return me, f"--clerk {requested} 未生效：只有数据目录的属主账号才能指定经办人；本次以登录名 {me} 办理"


@dataclass
class Session:
    store: Store
    clerk: Clerk
    remote_root: Path | None = None  # over SSH: the data directory, which the clerk's files stay out of

    @property
    def office(self) -> bool:
        return self.clerk.office

    def scope(self) -> str | None:
        """The college this clerk is limited to, None for the office."""
        return None if self.clerk.office else self.clerk.college

    def limit_college(self, college: str | None) -> str | None:
        """The college a listing, an export or a run is limited to: a college clerk only ever gets its
        own; the office any college the school has — a name that is none is refused with the list (it
        would give an empty file or nothing to do, as if the college had no one)."""
        scope = self.clerk.limit_college(college)
        if scope and self.clerk.office:
            known = self.colleges()
            if scope not in known:
                raise InvalidInput(f"没有名为“{scope}”的学院（现有：{'、'.join(known) or '无'}）；请核对学院名称")
        return scope

    def colleges(self) -> list[str]:
        """The colleges a clerk may pick: the school's (its students' and its majors'), a college's own."""
        if not self.clerk.office:
            return [self.clerk.college]
        from xueji_tui.domain.record import ROW

        i = ROW["FY"]
        found = {r[i] for r in self.store.rows() if r[i]}
        found.update(m.get("FY") for m in self.store.majors() if m.get("FY"))
        return sorted(found)


def clerk_from(store: Store, name: str) -> Clerk:
    rec = store.clerk(name)
    if rec is None:
        office = [c["name"] for c in store.clerks() if c.get("role") == "office"]
        who = "、".join(office[:3]) or "学生工作处"
        raise NotAllowed(
            f"经办人“{name}”未在本数据目录登记。请学生工作处（{who}）执行："
            f"xueji users add {name} --role college --college 学院名称（或 --role office）"
        )
    return Clerk(rec["name"], rec["role"], rec.get("college") or "")


def open_data(data_dir: Path) -> Store:
    """The store, once the data directory passed the guard (owner only, no links, no foreign files)."""
    return open_store(data_dir)


def open_session(data_dir: Path, clerk_name: str) -> Session:
    store = open_data(data_dir)
    return Session(store, clerk_from(store, clerk_name))
