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
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from xueji_tui.formats.profiles import Field, Profile
from xueji_tui.formats.transforms import renderer, text
from xueji_tui.formats.writers import FORMULA_START, UnfitValues, _ILLEGAL_XLSX, atomic_write, column_width, sheet_title

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


# -- writing: XML streamed into the zip, one college's sheet after another --------------------------
# openpyxl took 37 s and 448 MB for a whole school of 100,000 (a cell object a cell, the whole book
# in memory); the workbook's few kinds of cell are written here as the XML openpyxl wrote for them.
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
# cell styles (cellXfs, by position): text is number format 49 (@) everywhere, so a 身份证号 typed
# into 更正为 stays text; editable columns are unlocked; a value that begins like a formula is
# quote-prefixed (shown as typed, never evaluated)
TEXT_LOCKED, TEXT_OPEN, HEAD_LOCKED, HEAD_OPEN, QUOTED_LOCKED, QUOTED_OPEN = 1, 2, 3, 4, 5, 6
_STYLES = (
    f'<styleSheet {_NS}><numFmts count="0"/>'
    '<fonts count="2"><font><name val="Calibri"/><family val="2"/><color theme="1"/><sz val="11"/>'
    '<scheme val="minor"/></font><font><b val="1"/></font></fonts>'
    '<fills count="4"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00D9D9D9"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00FFF2CC"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" xfId="0"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" applyProtection="1" xfId="0">'
    '<protection locked="0" hidden="0"/></xf>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" applyFont="1" applyFill="1" applyAlignment="1" xfId="0">'
    '<alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="1" fillId="3" borderId="0" applyFont="1" applyFill="1" applyAlignment="1" xfId="0">'
    '<alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" quotePrefix="1" xfId="0"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" applyProtection="1" quotePrefix="1"'
    ' xfId="0"><protection locked="0" hidden="0"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
MAX_CELL = 32767  # Excel's limit of characters in a cell
# what a row's values (joined by DEL) may hold that the plain path cannot write: a character XLSX
# refuses, one to escape, or a space at the edge of a value (kept with xml:space)
_ODD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f&<>]|^\\s|\\s$|\x7f\\s|\\s\x7f")


def _letter(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _text(v: str) -> str:
    if "&" in v or "<" in v or ">" in v:
        v = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if v[:1].isspace() or v[-1:].isspace():
        return f'<t xml:space="preserve">{v}</t>'
    return f"<t>{v}</t>"


def _attr(v: str) -> str:
    return (v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


_PLAIN = frozenset({"", "id", "date", "code", "number", "status", "photo_check"})  # the value as text


class _Sheet:
    """One college's sheet: the columns' layout, then its rows as they come.

    A row is made from constant pieces: each column's cell markup is prepared once, with a stand-in
    for the row number that one replace per row fills in (no value can hold it: NUL is refused)."""

    def __init__(self, profile: Profile, exported_at: str) -> None:
        self.cols = columns(profile)
        self.editable = [c.kind in EDITABLE for c in self.cols]
        self.letters = [_letter(i) for i in range(1, len(self.cols) + 1)]
        self.words = verdict_words(profile)
        self.shown = [j for j, c in enumerate(self.cols) if c.kind in ("value", "hidden")]
        self.sources = []   # record key per shown column, read all at once; None: a transform
        self.odd = []       # (position among the shown, function record -> text)
        for k, j in enumerate(self.shown):
            f = self.cols[j].field
            if f.source == "_exported_at":
                self.sources.append(None)
                self.odd.append((k, lambda r, at=exported_at: at))
            elif f.transform in _PLAIN and "." not in f.source:
                self.sources.append(f.source)
            else:
                self.sources.append(None)
                self.odd.append((k, renderer(f)))
        # per column: the markup before a value (plain, quote-prefixed), or the empty editable cell
        self.cells = []
        shown = set(self.shown)
        for j, (L, open_) in enumerate(zip(self.letters, self.editable)):
            plain, quoted = (TEXT_OPEN, QUOTED_OPEN) if open_ else (TEXT_LOCKED, QUOTED_LOCKED)
            self.cells.append((j in shown, f'<c r="{L}\x00" s="{plain}" t="inlineStr"><is>',
                               f'<c r="{L}\x00" s="{quoted}" t="inlineStr"><is>',
                               f'<c r="{L}\x00" s="{TEXT_OPEN}" t="n"/>' if open_ else ""))

    def head(self) -> str:
        cols = []
        for i, c in enumerate(self.cols, start=1):
            width = 8.0 if c.kind == "verdict" else column_width(c.field)
            style = TEXT_OPEN if c.kind in EDITABLE else TEXT_LOCKED  # new rows typed below stay so too
            hidden = ' hidden="1"' if c.kind == "hidden" else ""
            cols.append(f'<col min="{i}" max="{i}" width="{width:g}" customWidth="1" style="{style}"{hidden}/>')
        heads = "".join(f'<c r="{L}1" s="{HEAD_OPEN if e else HEAD_LOCKED}" t="inlineStr"><is>{_text(c.field.heading)}'
                        f"</is></c>" for c, L, e in zip(self.cols, self.letters, self.editable))
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet {_NS}><sheetViews><sheetView workbookViewId="0">'
                '<pane xSplit="2" ySplit="1" topLeftCell="C2" activePane="bottomRight" state="frozen"/>'
                '<selection pane="topRight"/><selection pane="bottomLeft"/>'
                '<selection pane="bottomRight" activeCell="C2" sqref="C2"/></sheetView></sheetViews>'
                f'<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/><cols>{"".join(cols)}</cols>'
                f'<sheetData><row r="1">{heads}</row>')

    def values(self, record: dict) -> list[str]:
        """The text of the shown (value and hidden) columns, in order."""
        got = list(map(record.get, self.sources))
        for k, fn in self.odd:
            got[k] = fn(record)
        return [v if type(v) is str else text(v) for v in got]

    def row(self, n: int, values: list[str], plain: bool) -> str:
        """``plain``: no value needs escaping or keeps edge spaces (most rows: one look decides)."""
        out = ['<row r="\x00">']
        it = iter(values)
        for shown, before, quoted, empty in self.cells:
            if not shown:
                out.append(empty)
                continue
            v = next(it)
            if v:
                out.append(quoted if v[0] in FORMULA_START else before)
                out.append(f"<t>{v}</t></is></c>" if plain else f"{_text(v)}</is></c>")
        out.append("</row>")
        return "".join(out).replace("\x00", str(n))

    def tail(self, last: int) -> str:
        w = self.words
        ranges = " ".join(f"{L}2:{L}{max(last, 2)}" for c, L in zip(self.cols, self.letters) if c.kind == "verdict")
        error = _attr(f"请从下拉框选择“{w['ok']}”或“{w['wrong']}”")
        dv = (f'<dataValidations count="1"><dataValidation type="list" allowBlank="1" showErrorMessage="1" '
              f'errorTitle="核对结论" error="{error}" sqref="{ranges}"><formula1>"{_attr(w["ok"])},{_attr(w["wrong"])}"'
              f"</formula1></dataValidation></dataValidations>") if ranges else ""
        # protected without a password: protection stops slips, not people; widths may be changed
        return ('</sheetData><sheetProtection sheet="1" objects="0" scenarios="0" formatCells="1" formatColumns="0" '
                'formatRows="1" insertColumns="1" insertRows="1" insertHyperlinks="1" deleteColumns="1" deleteRows="1" '
                'selectLockedCells="0" sort="1" autoFilter="0" pivotTables="1" selectUnlockedCells="0"/>'
                f'{dv}<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>')


EDITABLE = frozenset({"verdict", "correction", "note", "evidence"})


def _problems(record: dict, values: list[str], cols: list[Col]) -> list[dict]:
    out = []
    for v, c in zip(values, cols):
        if not v:
            continue
        why = ("含有 Excel 不允许的控制字符" if _ILLEGAL_XLSX.search(v) else
               f"超过 Excel 单元格 {MAX_CELL} 个字符的上限" if len(v) > MAX_CELL else "")
        if why:
            out.append({"ksh": record.get("KSH", ""), "xh": record.get("XH", ""), "field": c.field.code,
                        "value": v[:200].encode("unicode_escape").decode(), "why": why})
    return out


def _instructions() -> str:
    rows = "".join(f'<row r="{n}"><c r="A{n}" s="{TEXT_LOCKED}" t="inlineStr"><is>{_text(line)}</is></c></row>'
                   for n, line in enumerate(INSTRUCTIONS[1], start=1))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet {_NS}><sheetViews><sheetView workbookViewId="0"/>'
            f'</sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/><cols><col min="1" max="1" '
            f'width="110" customWidth="1"/></cols><sheetData>{rows}</sheetData></worksheet>')


def _package(zf, titles: list[str]) -> None:
    """The parts around the sheets: workbook, relationships, content types, styles, theme."""
    from openpyxl.writer.theme import theme_xml

    n = len(titles)
    sheets = "".join(f'<sheet name="{_attr(t)}" sheetId="{i}" r:id="rId{i}"/>' for i, t in enumerate(titles, start=1))
    zf.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook {_NS} xmlns:r="{_REL}">'
                f'<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>'
                f'<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, n + 1))
    zf.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{_PKG}">'
                f'{rels}<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
                f'<Relationship Id="rId{n + 2}" Type="{_REL}/theme" Target="theme/theme1.xml"/></Relationships>')
    zf.writestr("xl/styles.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n{_STYLES}')
    zf.writestr("xl/theme/theme1.xml", theme_xml)
    zf.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{_PKG}">'
                f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
                        for i in range(1, n + 1))
    zf.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.'
                'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
                'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
                f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
                '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                f'theme+xml"/>{overrides}</Types>')


def stream_workbook(f, path: Path, profile: Profile, sheets: Iterable[tuple[str, Iterable[dict]]],
                    exported_at: str) -> int:
    """Write the workbook to the binary file ``f``, sheet by sheet as ``sheets`` yields them; returns
    the student rows. A value no cell can hold stops the writing (the rest is still checked, so that
    every such value is named) and raises UnfitValues: the caller throws the file away."""
    import zipfile

    layout = _Sheet(profile, exported_at)
    problems: list[dict] = []
    titles: list[str] = []
    total = 0
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for title, records in sheets:
            titles.append(sheet_title(title))
            with zf.open(f"xl/worksheets/sheet{len(titles)}.xml", "w", force_zip64=True) as out:
                out.write(layout.head().encode("utf-8"))
                n = 1
                chunk: list[str] = []
                for record in records:
                    values = layout.values(record)
                    joined = "\x7f".join(values)  # DEL: never in a value (a control character)
                    odd = _ODD.search(joined) is not None
                    if problems or (odd and _ILLEGAL_XLSX.search(joined)) or (
                            len(joined) > MAX_CELL and max(map(len, values)) > MAX_CELL):
                        problems += _problems(record, values, [layout.cols[j] for j in layout.shown])
                        continue
                    n += 1
                    chunk.append(layout.row(n, values, not odd))
                    if len(chunk) >= 512:
                        out.write("".join(chunk).encode("utf-8"))
                        chunk = []
                out.write(("".join(chunk) + layout.tail(n)).encode("utf-8"))
                total += n - 1
        if problems:
            raise UnfitValues(path, problems)
        titles.append(INSTRUCTIONS[0])
        zf.writestr(f"xl/worksheets/sheet{len(titles)}.xml", _instructions())
        _package(zf, titles)
    return total


def write_workbook(path, profile: Profile, sheets: Iterable[tuple[str, Iterable[dict]]], exported_at: str,
                   force: bool = False) -> int:
    """One sheet per (title, records) — both may be lazy: a sheet is written as its records come, so
    the whole school is never in memory; returns the number of student rows."""
    path = Path(path)
    written = []

    def fill(f) -> None:
        written.append(stream_workbook(f, path, profile, sheets, exported_at))

    atomic_write(path, fill, force)
    return written[0]


def workbook_bytes(path: Path, profile: Profile, sheets: list[tuple[str, list[dict]]], exported_at: str) -> bytes:
    """The workbook in memory (small workbooks: tests and previews)."""
    buf = io.BytesIO()
    stream_workbook(buf, path, profile, sheets, exported_at)
    return buf.getvalue()
