"""Numbers where text belongs: a spreadsheet that turned 身份证号 into 2.20183200405108E+17 or
专业代码 050101 into 50101 has already lost digits, so such a column is refused, never converted.

Identifier and date columns (the profile's ``id`` and ``date`` fields: KSH, XH, SFZH, ZSBH, ZYDM,
YXDM, dates …) must hold text. A number cell there is accepted only when its digits are certainly
the ones typed: a whole number below 10^15 (what a spreadsheet keeps exactly) with at least the
digits its field always has. Scientific or decimal text in such a column (a CSV saved by a
spreadsheet) is refused as well, and a 专业代码 that lost its leading zero against the major
catalogue is named as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from xueji_tui.domain.errors import InvalidInput

FIX = "该列被电子表格转成了数字，请设为文本后重新保存"
EXACT = 10 ** 15  # spreadsheets keep 15 significant digits: below this a whole number is exact
# digits a value of the field always has (when it is all digits): fewer means leading zeros were lost
MIN_DIGITS = {"SFZH": 15, "ZJHM": 15, "ZSBH": 18, "ZYDM": 6, "YXDM": 5, "DQSZJ": 4}
DATE_DIGITS = 8
_SCIENTIFIC = re.compile(r"^\s*[+-]?\d+(\.\d*)?[eE][+-]?\d+\s*$")
_DECIMAL = re.compile(r"^\s*[+-]?\d+\.\d*\s*$")
SHOWN_ROWS = 10


def text_only(f) -> bool:
    """Whether a profile field must hold text (an identifier, a code with digits, a date)."""
    return f.transform in ("id", "date")


@dataclass
class Finding:
    code: str
    heading: str
    rows: list[int] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    lost_zero: bool = False
    count: int = 0


class Mangled:
    """Collects number cells found in text columns while a sheet is read; ``raise_if_any`` at the end."""

    def __init__(self, path: Path):
        self.path = path
        self.found: dict[tuple[str, str], Finding] = {}

    def add(self, code: str, heading: str, row: int, shown: str, lost_zero: bool = False, sheet: str = "") -> None:
        key = (sheet, code)
        f = self.found.get(key)
        if f is None:
            f = self.found[key] = Finding(code, (f"工作表“{sheet}”" if sheet else "") + heading)
        f.count += 1
        f.lost_zero = f.lost_zero or lost_zero
        if len(f.rows) < SHOWN_ROWS:
            f.rows.append(row)
        if len(f.examples) < 3 and shown not in f.examples:
            f.examples.append(shown)

    def raise_if_any(self) -> None:
        if not self.found:
            return
        parts = []
        for f in self.found.values():
            rows = "、".join(str(r) for r in f.rows)
            more = "等" if f.count > len(f.rows) else ""
            what = "丢失了开头的 0" if f.lost_zero else "是数字"
            parts.append(f"列“{f.heading}”第 {rows} 行{more}（共 {f.count} 行）{what}，如“{'”“'.join(f.examples)}”")
        raise InvalidInput(f"无法导入 {self.path}：" + "；".join(parts) + f"。{FIX}。未导入任何数据")


def number_problem(code: str, transform: str, value) -> tuple[str, bool] | None:
    """(how the value shows, whether it lost leading zeros) when a number cell cannot be trusted."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return repr(value), False
        if not value.is_integer() or abs(value) >= EXACT:
            return _shown(value), False
        value = int(value)
    if abs(value) >= EXACT:
        return _shown(value), False
    digits = str(abs(value))
    need = DATE_DIGITS if transform == "date" else MIN_DIGITS.get(code, 0)
    if len(digits) < need:
        return digits, True
    return None


def text_problem(value: str) -> str | None:
    """How a text cell shows when it is a number written by a spreadsheet (2.2E+17, 20040510.0)."""
    if value and value[0] in "0123456789+-. " and (_SCIENTIFIC.match(value) or _DECIMAL.match(value)):
        return value.strip()
    return None


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:.15G}"
    return str(value)


def refuse_lost_zeros(path: Path, rows: list[dict], matched: dict[str, str], catalogue: set[str]) -> None:
    """A 专业代码 one leading zero short of a code in the major catalogue (50101 for 050101) is a
    column a spreadsheet turned into numbers: refuse the file, naming it."""
    if "ZYDM" not in matched or not catalogue:
        return
    found = Mangled(path)
    for r in rows:
        v = r.get("ZYDM") or ""
        if v and v.isdigit() and len(v) < 6 and v not in catalogue and v.zfill(6) in catalogue:
            found.add("ZYDM", f"{matched['ZYDM']}", r.get("_row", 0), f"{v}（专业目录中为 {v.zfill(6)}）",
                      lost_zero=True, sheet=r.get("_sheet", ""))
    found.raise_if_any()
