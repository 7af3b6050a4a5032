"""The sample school as CHSI-style download files, written with the formats package's profiles and
writers (the same layouts ``xueji import`` reads):

    students.dbf / .xlsx   在校生: every student in school (注册学籍, 暂缓注册, 休学, 保留学籍), with XJZT
    freshmen.dbf           录取新生: the newest cohort as admitted (no XH/FY/XSH/BH/YJBYRQ)
    graduates.dbf / .xlsx  预计毕业生名单 of the graduation year, with BYRQ and BJYJL
    photos.xlsx / .csv     照片采集与校对状态, with the Chinese headings of docs/formats.md
    arrears.csv            暂缓注册名单: the finance office's list of students with unpaid fees
    planted.json           the planted defects (tests and the demo's guide)
    school.json.gz         the whole school as a compact bundle (what ``xueji demo`` unpacks)

CHSI keeps 生僻字 that GBK lacks, so the downloads are written in GB18030 (GBK's superset: every GBK
character has the same bytes), and their XM column is C(60), as in templates that carry long
minority names. Every file is byte-for-byte the same for a seed and a reference day.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import orjson

from xueji_tui.domain.codes import codes
from xueji_tui.formats import profiles, writers
from xueji_tui.formats.transforms import render
from xueji_tui.sample import bundle
from xueji_tui.sample.generate import School

PHOTO_HEADINGS = {"KSH": "考生号", "SFZH": "身份证号", "CJZT": "采集状态", "CJRQ": "采集日期", "LJZT": "链接状态",
                  "JDJL": "校对结论", "JDRQ": "校对日期", "SFHY": "身份核验"}
DOWNLOAD_WIDTHS = {"XM": 60}
ENCODING = "gb18030"


def download_profile(kind: str):
    """The import profile of ``kind`` as a download template: XM widened to hold long names."""
    name = profiles.for_import(kind)
    keep = set(profiles.load(name).codes)
    return profiles.load(name, {"field_changes": {c: {"width": w} for c, w in DOWNLOAD_WIDTHS.items() if c in keep}})


def _in_school(s: dict) -> bool:
    group = codes().statuses.get(s.get("status", ""))
    return group in ("in-school", "suspended")


def write_files(school: School, out: Path) -> dict[str, int]:
    """Write every download file into ``out`` (created if needed); returns file name -> rows."""
    out = Path(out)
    out.mkdir(mode=0o770, parents=True, exist_ok=True)
    m = school.manifest
    when = datetime(school.ref.year, school.ref.month, school.ref.day, 8, 0, 0)
    students = [dict(s, XJZT=s["status"]) for s in school.students if _in_school(s)]
    freshmen = [s for s in school.students if s["RXRQ"][:4] == str(m["school_year"])]
    graduates = [dict(s, XJZT=s["status"]) for s in school.students if s.get("grad_year") == m["year"]]
    photos = [s for s in school.students if s.get("photo")]
    rows: dict[str, int] = {}

    def dbf(name: str, kind: str, records: list[dict]) -> None:
        data = writers.dbf_bytes(out / name, download_profile(kind), records, encoding=ENCODING, today=school.ref)
        writers.atomic_write(out / name, data)
        rows[name] = len(records)

    def xlsx(name: str, kind: str, records: list[dict]) -> None:
        profile = download_profile(kind)
        data = writers.xlsx_bytes(out / name, [(profile, records, profile.title)])
        writers.atomic_write(out / name, stable_zip(data, when))
        rows[name] = len(records)

    dbf("students.dbf", "students", students)
    xlsx("students.xlsx", "students", students)
    dbf("freshmen.dbf", "freshmen", freshmen)
    dbf("graduates.dbf", "graduates", graduates)
    xlsx("graduates.xlsx", "graduates", graduates)
    heads, table = photo_table(photos)
    writers.atomic_write(out / "photos.xlsx", stable_zip(photo_xlsx(heads, table), when))
    writers.atomic_write(out / "photos.csv", photo_csv(heads, table))
    rows["photos.xlsx"] = rows["photos.csv"] = len(table)
    arrears = arrears_rows(school)
    writers.atomic_write(out / "arrears.csv", arrears_csv(arrears))
    rows["arrears.csv"] = len(arrears)
    writers.atomic_write(out / "planted.json", manifest_bytes(school))
    writers.atomic_write(out / bundle.NAME, bundle.dump(school))
    return rows


ARREARS_FRESHMEN = 3   # freshmen still 待注册 whose fees are unpaid (the list names them by 考生号)
ARREARS_RETURNING = 2  # returning students in school whose fees are unpaid


def arrears_rows(school: School) -> list[list[str]]:
    """考生号, 学号, 姓名, 原因 of the students the finance office lists as owing fees: those already
    暂缓注册 for fees, a few of the year's freshmen not yet registered and a few returning students. The
    year's freshmen are listed by 考生号 only: finance knows them before they have a 学号. Chosen by order, not drawn: the school's other files stay as they were."""
    year = school.manifest["school_year"]
    flawed = {f["KSH"] for f in school.manifest.get("freshman_flaws", [])}
    pending = sorted((s for s in school.students if s["RXRQ"][:4] == str(year) and s["status"] == "待注册"
                      and s["KSH"] not in flawed), key=lambda s: s["KSH"])[:ARREARS_FRESHMEN]
    deferred = [s for s in school.students if s["status"] == "暂缓注册"
                and any(e.get("code") == "0501" for e in s.get("history") or [])]
    returning = sorted((s for s in school.students if s["status"] == "注册学籍" and s["RXRQ"][:4] < str(year)
                        and not s.get("history")), key=lambda s: s["KSH"])[:ARREARS_RETURNING]
    listed = sorted(pending + deferred + returning, key=lambda s: s["KSH"])
    return [[s["KSH"], "" if s["RXRQ"][:4] == str(year) else s["XH"], s["XM"], f"欠缴{year}学年学费"] for s in listed]


def arrears_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["考生号", "学号", "姓名", "原因"])
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def manifest_bytes(school: School) -> bytes:
    return orjson.dumps(school.manifest, option=orjson.OPT_INDENT_2) + b"\n"


def photo_table(students: list[dict]) -> tuple[list[str], list[list[str]]]:
    profile = profiles.load(profiles.for_import("photos"))
    heads = [PHOTO_HEADINGS.get(f.code, f.label) for f in profile.fields]
    return heads, render(profile, students)


def photo_xlsx(heads: list[str], table: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("照片状态")
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGH", (18, 20, 10, 10, 10, 10, 10, 16)):
        ws.column_dimensions[col].width = width
    bold = Font(bold=True)
    cells = []
    for h in heads:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        cells.append(c)
    ws.append(cells)
    for row in table:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def photo_csv(heads: list[str], table: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(heads)
    w.writerows(table)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def stable_zip(data: bytes, when: datetime) -> bytes:
    """An .xlsx with every timestamp (zip entries, document properties) set to ``when``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _STAMP.sub(lambda m: m.group(1) + stamp + m.group(2), body)
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, body)
    return buf.getvalue()
