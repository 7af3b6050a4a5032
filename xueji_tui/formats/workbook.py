"""The college workbook (学院核对表): one sheet per college, every Art. 6 field with a verdict.

Layout, from the ``workbook`` profile: the value columns (locked), and after each Art. 6 field its
verdict column (dropdown 无误 / 有误, Excel data validation) and corrected-value column (unlocked),
one note column per student, and hidden locked columns (KSH, rev, export time) that let the import
tell a college's verdict from work done in the terminal since the export. The sheet is protected
without a password: protection stops slips, not people; an edited value column is caught on import
(it no longer matches the store) and reported as a conflict.

身份证号 is written in full: Art. 6 makes the college check it against the student's documents, the
workbook only ever holds that college's own students, and the file is created 0640 like every export.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from xueji_tui.formats.profiles import Field, Profile
from xueji_tui.formats.transforms import renderer
from xueji_tui.formats.writers import (TEXT, TextCells, UnfitValues, _ILLEGAL_XLSX, atomic_write,
                                       column_width, sheet_title)

INSTRUCTIONS = (
    "填写说明",
    [
        "本表由学生工作处用 xueji 导出，供学院按《学籍学历电子注册管理办法》第六条核对新生录取信息。",
        "每个核对项后有“核对”列：从下拉框选择 无误 或 有误；“有误”时在“更正为”列填写正确的值，"
        "或在“说明”列写明错在哪里。",
        "灰色表头的列是学信网数据，已锁定，请勿修改；隐藏列用于导入时检查表格导出后是否在系统中又有改动，请勿删除。",
        "身份信息（姓名、性别、出生日期、身份证号、民族、考生号）有误时，须在“证明材料”列写明县级以上公安部门证明的"
        "编号和日期；导入后生成更正申请，经教育厅批准前保留原值。",
        "填好后把文件交回学生工作处，或由学院账号执行：xueji import workbook 文件名.xlsx",
    ],
)


@dataclass(frozen=True)
class Col:
    field: Field
    kind: str   # value | verdict | correction | note | evidence | hidden
    check: str  # the Art. 6 field a verdict/correction column belongs to, else ''


def columns(profile: Profile) -> list[Col]:
    checks = list(profile.option("check_fields") or [])
    vt = profile.option("verdict_title", "{label}核对")
    ct = profile.option("correction_title", "{label}更正为")
    vs = profile.option("verdict_suffix", "_HD")
    cs = profile.option("correction_suffix", "_GZ")
    out: list[Col] = []
    for f in profile.fields:
        out.append(Col(f, "value", ""))
        if f.code in checks:
            out.append(Col(Field(code=f"{f.code}{vs}", source="", width=6, title=vt.format(label=f.label)),
                           "verdict", f.code))
            out.append(Col(Field(code=f"{f.code}{cs}", source="", width=max(f.width, 12),
                                 title=ct.format(label=f.label)), "correction", f.code))
    evidence = profile.extra_field("evidence")
    if evidence is not None:  # an identity correction (Art. 20) is filed only with its evidence
        out.append(Col(evidence, "evidence", ""))
    note = profile.extra_field("note")
    if note is not None:
        out.append(Col(note, "note", ""))
    out += [Col(h, "hidden", "") for h in profile.extra_fields("hidden")]
    return out


ID_CODES = frozenset({"KSH", "XH", "SFZH", "ZSBH", "ZYDM", "YXDM"})
DATE_CODES = frozenset({"CSRQ", "RXRQ", "YJBYRQ", "BYRQ"})


def reading_profile(profile: Profile) -> Profile:
    """Every workbook column as a profile field, so the reader matches them all by name. Identifier
    and date columns, their 更正为 columns included, must come back as text (formats/mangled.py)."""
    cols = columns(profile)
    fields = []
    for c in cols:
        f = c.field
        required = f.code == "KSH"
        base = c.check if c.kind == "correction" else f.code.lstrip("_") if c.kind in ("value", "hidden") else ""
        transform = "id" if base in ID_CODES else "date" if base in DATE_CODES else ""
        fields.append(Field(code=f.code, source=f.source, width=f.width, required=required,
                            transform=transform, aliases=f.aliases, title=f.title))
    return Profile(name=profile.name, title=profile.title, direction="import", fields=tuple(fields),
                   options=dict(profile.options))


def verdict_words(profile: Profile) -> dict[str, str]:
    return dict(profile.option("verdicts") or {"ok": "无误", "wrong": "有误"})


def workbook_bytes(path: Path, profile: Profile, sheets: list[tuple[str, list[dict]]], exported_at: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    cols = columns(profile)
    fns = [renderer(c.field) if c.kind in ("value", "hidden") else None for c in cols]
    words = verdict_words(profile)
    problems = []
    rendered = []
    for title, records in sheets:
        rows = []
        for r in records:
            rec = dict(r, _exported_at=exported_at)
            row = [fn(rec) if fn else "" for fn in fns]
            for v, c in zip(row, cols):
                if v and _ILLEGAL_XLSX.search(v):
                    problems.append({"ksh": r.get("KSH", ""), "xh": r.get("XH", ""), "field": c.field.code,
                                     "value": v.encode("unicode_escape").decode(), "why": "含有 Excel 不允许的控制字符"})
            rows.append(row)
        rendered.append((title, rows))
    if problems:
        raise UnfitValues(path, problems)

    wb = Workbook(write_only=True)
    unlocked = Protection(locked=False)
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="D9D9D9")
    yellow = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="center")
    editable = {"verdict", "correction", "note", "evidence"}
    for title, rows in rendered:
        ws = wb.create_sheet(title=sheet_title(title))
        for i, c in enumerate(cols, start=1):
            dim = ws.column_dimensions[get_column_letter(i)]
            dim.width = 8.0 if c.kind == "verdict" else column_width(c.field)
            dim.number_format = TEXT  # a 身份证号 typed into 更正为 stays text, never 2.2E+17
            if c.kind == "hidden":
                dim.hidden = True
            if c.kind in editable:
                dim.protection = unlocked  # new rows typed below the data stay editable too
        ws.freeze_panes = "C2"  # 学号 and 姓名 stay in view
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # widths may be changed
        ws.protection.autoFilter = False
        ws.protection.sort = True
        last = len(rows) + 1
        dv = DataValidation(type="list", formula1=f'"{words["ok"]},{words["wrong"]}"', allow_blank=True,
                            showErrorMessage=True, errorTitle="核对结论",
                            error=f"请从下拉框选择“{words['ok']}”或“{words['wrong']}”")
        for i, c in enumerate(cols, start=1):
            if c.kind == "verdict":
                letter = get_column_letter(i)
                dv.add(f"{letter}2:{letter}{max(last, 2)}")
        ws.data_validations.append(dv)
        heads = []
        for c in cols:
            cell = WriteOnlyCell(ws, value=c.field.heading)
            cell.data_type = "s"
            cell.font = bold
            cell.alignment = wrap
            cell.fill = yellow if c.kind in editable else grey
            heads.append(cell)
        ws.append(heads)
        kinds = [c.kind in editable for c in cols]
        locked_cells, open_cells = TextCells(ws), TextCells(ws, unlocked)
        for row in rows:
            ws.append([open_cells(v, keep_empty=True) if open_ else locked_cells(v) for v, open_ in zip(row, kinds)])
    info = wb.create_sheet(title=INSTRUCTIONS[0])
    info.column_dimensions["A"].width = 110
    for line in INSTRUCTIONS[1]:
        info.append([TextCells(info)(line)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_workbook(path, profile: Profile, sheets: list[tuple[str, list[dict]]], exported_at: str,
                   force: bool = False) -> int:
    """One sheet per (title, records); returns the number of student rows."""
    path = Path(path)
    sheets = [(t, list(r)) for t, r in sheets]
    atomic_write(path, workbook_bytes(path, profile, sheets, exported_at), force)
    return sum(len(r) for _, r in sheets)
