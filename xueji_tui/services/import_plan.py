"""What an import will do, before it does it: the plan a clerk reads as the summary.

Shared by every step of an import (prepare, diff, photos, workbooks, apply, summary); holds types and
the import kinds, no logic that reads files or the store.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from xueji_tui.domain import idcard
from xueji_tui.domain.fields import label
from xueji_tui.formats import profiles

KINDS = {"students": "在校生学籍数据", "freshmen": "录取新生数据", "graduates": "预计毕业生名单",
         "photos": "电子图像采集状态", "workbook": "学院核对表", "placement": "编班文件", "deferrals": "暂缓注册名单"}
DEFAULT_STATUS = {"students": "注册学籍", "graduates": "注册学籍", "freshmen": "待注册"}
SCHOOL_ASSIGNED = ("XH", "FY", "XSH", "BH", "YJBYRQ")  # absent from the freshman download
GIVEN_ONLY = {"graduates": ("BYRQ", "BJYJL", "ZSBH")}  # an empty cell means "not given", not "cleared"
FLAG_LIMIT = 20_000  # the summary counts flawed values up to here; the store flags them anyway (roster)


@dataclass
class Reject:
    row: int
    reason: str
    values: dict
    sheet: str = ""

    @property
    def where(self) -> str:
        return (f"工作表“{self.sheet}”" if self.sheet else "") + f"第 {self.row} 行"


@dataclass
class Conflict:
    ksh: str
    xh: str
    xm: str
    field: str
    local: object
    chsi: object
    why: str


@dataclass
class IdentityDiff:
    """A 身份信息 field (Art. 20) of a registered student that the file gives differently."""

    ksh: str
    xh: str
    xm: str
    field: str
    local: object
    chsi: object
    held: str = ""  # why it was not applied even with --accept-identity ('' when applied or only held)


@dataclass
class Changed:
    ksh: str
    xh: str
    xm: str
    fields: list[tuple[str, object, object]]  # (field, old, new)


@dataclass
class ImportPlan:
    kind: str
    path: Path
    sha256: str
    title: str
    format: str = ""
    columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    new: list[dict] = field(default_factory=list)           # whole records to insert
    updates: list[dict] = field(default_factory=list)       # whole records to replace
    changed: list[Changed] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)      # KSH
    conflicted: list[str] = field(default_factory=list)     # KSH: only conflicts, nothing applied
    missing: list[tuple[str, str, str, str]] = field(default_factory=list)  # KSH, XH, XM, FY
    rejected: list[Reject] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    normalised: Counter = field(default_factory=Counter)
    normalised_examples: list[tuple[int, str, str, object]] = field(default_factory=list)
    flagged: Counter = field(default_factory=Counter)       # rule -> values imported as received
    notes: list[str] = field(default_factory=list)
    kind_note: str = ""                                     # the columns look like another kind
    accept_identity: bool = False                           # --accept-identity: CHSI's 身份信息 applied
    identity: list[IdentityDiff] = field(default_factory=list)  # 身份信息 the file gives differently
    majors: list[dict] = field(default_factory=list)        # catalogue entries learned
    verdicts: list[dict] = field(default_factory=list)      # workbook: verdicts to apply
    head: tuple = ()                                        # the store's state the plan was made on
    year: int | None = None
    prepared: list = field(default_factory=list, repr=False)  # normalised rows, to re-plan under the lock
    profile: profiles.Profile | None = field(default=None, repr=False)
    matched: set = field(default_factory=set, repr=False)
    file_rejects: list = field(default_factory=list, repr=False)  # rejected on reading, not by the store
    rejected_keys: set = field(default_factory=set, repr=False)  # in the file, but on a rejected row

    def counts(self) -> dict:
        return {"rows": self.rows_read, "new": len(self.new), "changed": len(self.changed),
                "changed_fields": sum(len(c.fields) for c in self.changed), "unchanged": len(self.unchanged),
                "conflicted": len(self.conflicted),
                "missing": len(self.missing), "rejected": len(self.rejected), "conflicts": len(self.conflicts),
                "normalised": sum(self.normalised.values()), "verdicts": len(self.verdicts),
                "identity": len(self.identity)}

    @property
    def empty(self) -> bool:
        return not (self.new or self.updates or self.verdicts or self.majors)


def originals(row: dict, result) -> dict:
    """A row's cells under the file's own headings, for the rejects file (``result``: what was read,
    or a prepared row, which keeps the row as read — itself when nothing in it was normalised — and
    the file's headings)."""
    if "_src" in row:
        row, result = row["_src"], row["_read"]
    elif "_read" in row:
        result = row["_read"]
    out = {}
    for code, heading in result.matched.items():
        if code in row:
            out[heading] = row[code]
    out.update(row.get("_extra") or {})
    return out


PHOTO_LABELS = {"photo.taken": "采集状态", "photo.taken_on": "采集日期", "photo.linked": "链接状态",
                "photo.check": "校对结论", "photo.checked_on": "校对日期", "photo.identity": "身份核验",
                "grad_year": "毕业年份"}


def field_label(f: str) -> str:
    return PHOTO_LABELS.get(f) or label(f)


def shown(f: str, v) -> str:
    if f == "SFZH" and isinstance(v, str):
        return idcard.mask(v)
    if isinstance(v, bool):
        return "是" if v else "否"
    return "" if v is None else str(v)
