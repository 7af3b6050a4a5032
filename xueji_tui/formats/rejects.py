"""The rejects file: ``<stem>.rejects.csv`` beside an imported file, for following rejected rows up.

UTF-8 with BOM so that Excel opens it; one row per rejected row: (工作表,) 行号, 拒收原因, then the
row's cells under the file's own headings. Linear in its size: the headings are gathered in a dict
(a row with 80,000 extra cells once made this quadratic). A cell that a spreadsheet would take for a
formula (= + - @, or a tab / carriage return first) is written with a leading apostrophe, as the
OWASP guidance on CSV injection advises: the file shows what the clerk's file held, never runs it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from xueji_tui.formats.writers import atomic_write

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def rejects_csv(rows: list[tuple[str, int, str, dict]]) -> bytes:
    """``rows``: (sheet, row number, reason, {heading: value}) each; the file's bytes."""
    heads: dict[str, None] = {}
    for _, _, _, values in rows:
        for k in values:
            heads.setdefault(k, None)
    order = list(heads)
    with_sheet = any(sheet for sheet, _, _, _ in rows)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow((["工作表"] if with_sheet else []) + ["行号", "拒收原因"] + [safe(h) for h in order])
    for sheet, row, reason, values in sorted(rows, key=lambda r: (r[0], r[1])):
        w.writerow(([safe(sheet)] if with_sheet else []) + [row, safe(reason)] +
                   [safe(values.get(h, "")) for h in order])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def rejects_path(path: Path) -> Path:
    return Path(path).with_name(f"{Path(path).stem}.rejects.csv")


def write_rejects(path: Path, rows: list[tuple[str, int, str, dict]]) -> Path:
    """Write the rejects file of the import of ``path``; replaces an earlier one (ours, by name)."""
    out = rejects_path(path)
    atomic_write(out, rejects_csv(rows), force=True)
    return out
