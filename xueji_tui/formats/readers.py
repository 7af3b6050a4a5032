"""Readers of CHSI tables: .dbf (dbfread, raw bytes decoded as GB18030 here), .xlsx (our streaming
reader, formats/excel.py), .xls (xlrd) and .csv (UTF-8 with or without BOM, or GB18030, detected).

Columns are matched by NAME (code, Chinese title or an alias of the profile), case-insensitively,
never by position (formats/grid.py). Whatever the bytes, a bad file raises ``InvalidInput`` (exit 2)
whose Chinese message names the file and, when known, the row, column and field — never a traceback.
Row-level trouble (text that cannot be decoded) is reported on the row (``_problem``) so the import
can reject that row and keep the others, unless most of the file is unreadable.

Every reader is bounded whatever the file claims (rows, cells per row, cells per file, bytes), so a
verdict comes in seconds and a few hundred MB on any input.
"""

from __future__ import annotations

import csv
import io
import os
import struct
from itertools import chain
from pathlib import Path

from xueji_tui.domain.errors import InvalidInput, os_reason
from xueji_tui.formats.grid import (_CONTROL, MAX_CELL, MAX_COLUMNS, MAX_ROWS, Budget, ReadResult, RowBuilder, _fail,
                                    garbled_check, grid_rows, match_columns)
from xueji_tui.formats.profiles import Profile

MAX_BYTES = 256 * 1024 * 1024        # a 100,000-row DBF is ~40 MB; a larger file is not a CHSI table
MAX_TEXT_BYTES = 64 * 1024 * 1024    # a CSV is decoded whole: 100,000 rows are ~20 MB
MAX_DBF_CELLS = 8_000_000            # records × fields: the header says it before anything is read
_DBF_VERSIONS = {0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0xCB, 0xF5, 0xFB}
SUFFIXES = (".dbf", ".xlsx", ".xlsm", ".xls", ".csv", ".txt")


# -- DBF -------------------------------------------------------------------------------------

def read_dbf(path: Path, profile: Profile) -> ReadResult:
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(32)
    if len(head) < 32:
        raise _fail(path, f"文件只有 {size} 字节，不是完整的 dBase (.dbf) 表（可能被截断）")
    version = head[0]
    if version not in _DBF_VERSIONS:
        raise _fail(path, "不是 dBase (.dbf) 文件（文件头标志不符），请确认文件类型或扩展名")
    nrec, header_len, record_len = struct.unpack("<IHH", head[4:12])
    if header_len < 33 or header_len > size:
        raise _fail(path, f"dBase 文件头损坏（文件头长度 {header_len} 字节，文件 {size} 字节）")
    if record_len < 2:
        raise _fail(path, f"dBase 文件头损坏（记录长度 {record_len} 字节）")
    from dbfread import DBF

    try:
        table = DBF(str(path), encoding="gb18030", char_decode_errors="replace", raw=True,
                    recfactory=None, ignorecase=False, ignore_missing_memofile=True)
    except Exception:  # dbfread raises ValueError, struct.error … on a damaged header
        raise _fail(path, "dBase 字段定义损坏；请重新从学信网下载该文件") from None
    fields = table.fields
    if not fields:
        raise _fail(path, "dBase 文件中没有字段定义")
    if len(fields) > MAX_COLUMNS:
        raise _fail(path, f"字段数 {len(fields)} 过多，不是学信网表格")
    if 1 + sum(f.length for f in fields) != record_len:
        raise _fail(path, f"dBase 文件头损坏：字段宽度之和 {sum(f.length for f in fields)} 与记录长度 "
                          f"{record_len} 不符")
    names = [f.name.strip() for f in fields]
    for i, n in enumerate(names):
        if not n or _CONTROL.search(n) or "\ufffd" in n:
            raise _fail(path, f"dBase 文件头损坏：第 {i + 1} 个字段的名称无法识别")
    body = size - table.header.headerlen
    have = body // record_len
    if nrec > MAX_ROWS:
        raise _fail(path, f"文件声明 {nrec} 条记录，超过上限 {MAX_ROWS}，不是学信网表格")
    if nrec * len(fields) > MAX_DBF_CELLS:
        raise _fail(path, f"文件声明 {nrec} 条记录 × {len(fields)} 个字段，超过上限 {MAX_DBF_CELLS:,} 个单元格，"
                          f"不是学信网表格；数据确实这么多时请分成几个文件导入")
    if have < nrec:
        raise _fail(path, f"文件不完整（可能被截断）：文件头记录 {nrec} 条，实际只有 {have} 条完整记录。"
                          f"请重新下载或复制该文件")
    by_index, extra = match_columns(path, profile, names)
    build = RowBuilder(by_index, names)
    rows: list[dict] = []
    samples: list[bytes] = []  # non-ASCII field bytes of the first records, to tell UTF-8 from GBK
    n = 0
    try:
        nf = len(names)

        def record(raws: list[bytes]) -> None:
            problem = ""
            try:  # one decode per record: 0x0A never occurs inside a GB18030 character
                values = b"\n".join(raws).decode("gb18030").split("\n")
                if len(values) != nf:
                    raise ValueError
            except (UnicodeDecodeError, ValueError):
                values, problem = _decode_fields(raws, names, by_index, profile)
            rows.append(build(values, n, problem))

        start = table.header.headerlen
        if _all_live(path, start, nrec, record_len):
            for n, raws in _dbf_blocks(path, start, fields, nrec, build, rows, samples):
                record(raws)  # a record its block could not take whole, the careful way
            n = nrec
        else:
            for rec in table:
                n += 1
                if n > nrec:
                    break  # bytes after the declared records (a trailer without the 0x1A mark) are not data
                raws = [raw.rstrip(b" \x00") for _, raw in rec]
                if n <= 200:
                    samples.extend(b for b in raws if not b.isascii())
                record(raws)
    except InvalidInput:
        raise
    except Exception:
        raise _fail(path, f"读到第 {n} 条记录时出错，文件可能已损坏；请重新从学信网下载该文件") from None
    _utf8_check(path, samples)
    garbled_check(path, rows)
    return ReadResult(path, "dbf", names, {c: names[i] for i, c in by_index.items()}, extra, rows)


_BLOCK = 4096          # records decoded at once: one codec call instead of one per record …
_BLOCK_BYTES = 1 << 20  # … and no more than this many bytes of the file held at once


def _block_records(record_len: int) -> int:
    return max(1, min(_BLOCK, _BLOCK_BYTES // record_len))


def _all_live(path: Path, start: int, nrec: int, record_len: int) -> bool:
    """Whether every declared record is there and marked live (a space): then dbfread would give
    exactly those records, in order, and they can be read in blocks (``_dbf_blocks``)."""
    per = _block_records(record_len)
    with open(path, "rb") as fh:
        fh.seek(start)
        for first in range(0, nrec, per):
            count = min(per, nrec - first)
            block = fh.read(count * record_len)
            if len(block) != count * record_len or block[::record_len] != b" " * count:
                return False
    return True


def _dbf_blocks(path: Path, start: int, fields, nrec: int, build: RowBuilder, rows: list[dict],
                samples: list[bytes]):
    """The rows of the records (all live) appended block by block: a block's fields stripped, joined
    and decoded at once, as each record would be. Yields (row number, stripped fields) of each
    record of a block that does not decode whole or holds NUL or a newline, for the caller to read
    record by record; the rows stay in file order. ``samples``: the first 200 records' non-ASCII fields."""
    unpack = struct.Struct("<x" + "".join(f"{f.length}s" for f in fields))  # the deleted mark skipped
    nf, rl = len(fields), unpack.size
    per = _block_records(rl)
    long_cells = max(f.length for f in fields) > MAX_CELL
    with open(path, "rb") as fh:
        fh.seek(start)
        for first in range(0, nrec, per):
            count = min(per, nrec - first)
            cells = [raw.rstrip(b" \x00") for raw in chain.from_iterable(unpack.iter_unpack(fh.read(count * rl)))]
            if first < 200:
                samples.extend(b for b in cells[:(200 - first) * nf] if not b.isascii())
            try:
                text = b"\n".join(cells).decode("gb18030")
            except UnicodeDecodeError:
                text = None
            if text is not None and not long_cells and not _CONTROL.search(text):
                parts = text.split("\n")
                if len(parts) == count * nf:
                    rows.extend(build.clean(parts, first + 1))
                    continue
            for i in range(count):
                yield first + i + 1, cells[i * nf:(i + 1) * nf]


def _decode_fields(raws: list[bytes], names: list[str], by_index: dict, profile: Profile) -> tuple[list[str], str]:
    """Field by field, to name the field that cannot be decoded."""
    values, problem = [], ""
    for i, raw in enumerate(raws):
        try:
            values.append(raw.decode("gb18030"))
        except UnicodeDecodeError:
            values.append(raw.decode("gb18030", errors="replace"))
            if not problem:
                code = by_index.get(i, "")
                f = profile.field(code) if code else None
                problem = f"字段 {names[i]}{('（' + f.label + '）') if f else ''}的内容无法按 GBK/GB18030 解码（乱码）"
    return values, problem


def _utf8_check(path: Path, samples: list[bytes]) -> None:
    """A DBF saved as UTF-8: its Chinese bytes are valid UTF-8, which GBK text almost never is (and
    read as GB18030 they give mojibake or errors, not a message that helps)."""
    if len(samples) < 3:
        return
    utf8 = 0
    for b in samples:
        try:
            b.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            pass
    if utf8 * 10 >= len(samples) * 9:
        raise _fail(path, "文件中的中文是 UTF-8 编码，学信网 DBF 文件应为 GBK 编码。请用原始下载文件，"
                          "或另存为 GBK 编码后再导入")


# -- CSV -------------------------------------------------------------------------------------

def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        encs = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encs = ["utf-16"]
    else:
        encs = ["utf-8", "gb18030"]
    err = None
    for enc in encs:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as e:
            err = e
    assert err is not None
    line = data[: err.start].count(b"\n") + 1
    raise _fail(path, f"第 {line} 行有无法识别的字符（文件编码应为 UTF-8 或 GBK/GB18030，可能是乱码或其他编码）")


def read_csv(path: Path, profile: Profile) -> ReadResult:
    if os.path.getsize(path) > MAX_TEXT_BYTES:
        raise _fail(path, f"文本表格有 {os.path.getsize(path) // (1024 * 1024)} MB，超过上限 "
                          f"{MAX_TEXT_BYTES // (1024 * 1024)} MB，不是学信网表格")
    data = Path(path).read_bytes()
    text, enc = decode_text(path, data)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _fail(path, f"第 {line} 行含有空字符（\\0），不是文本表格（可能是其他格式的文件被改了扩展名）")
    first = text.split("\n", 1)[0]
    delim = max([",", "\t", ";"], key=first.count)
    result = ReadResult(path, "csv", [], {}, [])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    del data
    try:
        grid_rows(path, profile, "", enumerate(reader, start=1), "", result, Budget(path), typed=False)
    except csv.Error as e:
        raise _fail(path, f"第 {reader.line_num} 行不是有效的 CSV（{e}）") from None
    garbled_check(path, result.rows)
    return result


# -- entry point -----------------------------------------------------------------------------

def read(path, profile: Profile, all_sheets: bool = False) -> ReadResult:
    """Read a CHSI table in any supported container; raises InvalidInput (exit 2) on a bad file."""
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"找不到文件 {path}，请检查路径")
    if path.is_dir():
        raise InvalidInput(f"{path} 是目录，不是文件")
    suffix = path.suffix.lower()
    if suffix in (".ods", ".fods"):
        raise _fail(path, "OpenDocument 表格（.ods）不能直接导入，请用 LibreOffice 或 WPS 另存为 .xlsx 后再导入")
    if suffix not in SUFFIXES:
        raise InvalidInput(f"不支持的文件类型 {path}：请用 .dbf、.xlsx、.xls 或 .csv 文件")
    try:
        size = os.path.getsize(path)
    except OSError as e:
        raise _fail(path, f"无法访问（{e.strerror}）") from None
    if size == 0:
        raise _fail(path, "文件是空的（0 字节）")
    if size > MAX_BYTES:
        raise _fail(path, f"文件有 {size // (1024 * 1024)} MB，超过上限 {MAX_BYTES // (1024 * 1024)} MB，"
                          f"不是学信网表格")
    try:
        if suffix == ".dbf":
            result = read_dbf(path, profile)
        elif suffix in (".xlsx", ".xlsm"):
            from xueji_tui.formats.excel import read_xlsx

            result = read_xlsx(path, profile, all_sheets)
        elif suffix == ".xls":
            from xueji_tui.formats.excel import read_xls

            result = read_xls(path, profile, all_sheets)
        else:
            result = read_csv(path, profile)
    except InvalidInput:
        raise
    except MemoryError:
        raise _fail(path, "文件过大，内存不足") from None
    except OSError as e:
        raise _fail(path, f"读取失败（{os_reason(e)}）；请检查路径和权限") from None
    except Exception:  # any other surprise from a damaged file is still a bad file, not a crash
        raise _fail(path, "文件内容无法解析，可能已损坏；请重新下载，或用 Excel 另存为 .xlsx 后再导入") from None
    if not result.rows:
        raise _fail(path, "没有任何数据行（只有表头或内容为空）")
    return result
