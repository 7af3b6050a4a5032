"""Bad input never crashes and never changes anything (docs/quality.md, at least 500 cases).

Generated from valid DBF / XLSX / CSV files: truncations, random byte mutations, mutations inside the
XLSX's XML, garbage, empty files, wrong encodings, wrong columns and oversized files. Each import
(``--yes``) must exit 2 with the file named and the data directory byte-for-byte unchanged, or — when
the mutation left a readable file — import cleanly. Never a traceback, never an internal error.
"""

from __future__ import annotations

import io
import re
import random
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from filekit import chsi_file, students
from xueji_testkit import build_school, tree_digest
from xueji_tui.cli import cli
from xueji_tui.formats import grid, readers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bad-input")]  # over 500 bad files, each imported

SEED = 20250901
FORMATS = ["dbf", "xlsx", "xls", "csv", "gbcsv"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad")
    root = base / "data"
    build_school(root, n=20)
    good = students(20)
    good[3]["XM"] = "阿依古丽·买买提"
    files = {
        "dbf": chsi_file(base / "good.dbf", good).read_bytes(),
        "xlsx": chsi_file(base / "good.xlsx", good).read_bytes(),
        "csv": chsi_file(base / "good.csv", good).read_bytes(),
    }
    files["gbcsv"] = files["csv"].decode("utf-8-sig").encode("gb18030")
    files["xls"] = (Path(__file__).parent / "data" / "students.xls").read_bytes()
    return base, root, files


def check(world, name: str, data: bytes, kind: str = "students", category: str = "") -> str:
    """Import ``data`` as file ``name``; assert the contract; returns 'bad' or 'clean'."""
    base, root, _ = world
    path = base / "cases" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    before = tree_digest(root)
    r = CliRunner().invoke(cli, ["--data", str(root), "--clerk", "office1", "import", kind, str(path), "--yes"])
    out = r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), (name, repr(r.exception))
    assert "Traceback" not in out and "内部错误" not in out, (name, out)
    assert r.exit_code in (0, 2), (name, r.exit_code, out)
    if r.exit_code == 2:
        assert name in out, (name, out)
        # the clerk's words: no Python exception's name (was: "（XLRDError）") nor the system's English
        assert not re.search(r"[A-Za-z]*(Error|Exception)\b|No such file|[Pp]ermission denied", out), (name, out)
        assert tree_digest(root) == before, name
        return "bad"
    return "clean"


def _cut_points(n: int, rnd: random.Random, k: int) -> list[int]:
    pts = {0, 1, 31, 32, 33, n // 2, n - 1, n - 2}
    while len(pts) < k:
        pts.add(rnd.randrange(1, n))
    return sorted(p for p in pts if 0 <= p < n)


# -- the generated cases: (file name, bytes, category); the same for a seed on every run and machine
def truncated(files: dict, fmt: str):
    rnd = random.Random(SEED + zlib.crc32(fmt.encode()) % 1000)  # a stable digest: hash() is salted
    data = files[fmt]
    ext = "csv" if "csv" in fmt else fmt
    for p in _cut_points(len(data), rnd, 32):
        yield f"cut-{fmt}-{p}.{ext}", data[:p], "truncated"


def byte_mutations(files: dict, fmt: str):
    rnd = random.Random(SEED + 7 + len(fmt))
    data = files[fmt]
    ext = "csv" if "csv" in fmt else fmt
    for i in range(60):
        b = bytearray(data)
        for _ in range(rnd.choice([1, 1, 2, 3, 8, 40])):
            pos = rnd.randrange(len(b))
            b[pos] = rnd.randrange(256)
        if i % 10 == 0:  # insert and delete bytes too
            pos = rnd.randrange(len(b))
            b[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 50)))
        if i % 10 == 5:
            pos = rnd.randrange(len(b))
            del b[pos:pos + rnd.randrange(1, 200)]
        yield f"mut-{fmt}-{i}.{ext}", bytes(b), "mutated"


def dbf_header_mutations(files: dict):
    data = files["dbf"]
    rnd = random.Random(SEED + 11)
    for i in range(40):
        b = bytearray(data)
        header_len = struct.unpack("<H", data[8:10])[0]
        for _ in range(rnd.randrange(1, 4)):
            b[rnd.randrange(header_len)] = rnd.randrange(256)
        yield f"hdr-{i}.dbf", bytes(b), "mutated"


@pytest.mark.parametrize("fmt", FORMATS)
def test_truncated(world, fmt):
    outcomes = [check(world, name, data, category=c) for name, data, c in truncated(world[2], fmt)]
    if fmt in ("dbf", "xlsx", "xls"):
        assert outcomes.count("bad") >= len(outcomes) - 2  # a cut binary file is a bad file


@pytest.mark.parametrize("fmt", FORMATS)
def test_random_byte_mutations(world, fmt):
    for name, data, c in byte_mutations(world[2], fmt):
        check(world, name, data, category=c)


def test_dbf_header_mutations(world):
    for name, data, c in dbf_header_mutations(world[2]):
        check(world, name, data, category=c)
    data = world[2]["dbf"]
    # a header that claims a billion records, a record length of 1, a field 0 bytes wide
    b = bytearray(data)
    b[4:8] = struct.pack("<I", 10**9)
    assert check(world, "huge-count.dbf", bytes(b), category="oversized") == "bad"
    b = bytearray(data)
    b[10:12] = struct.pack("<H", 1)
    assert check(world, "reclen.dbf", bytes(b), category="garbled") == "bad"


def _xlsx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return buf.getvalue()


def xml_mutations(files: dict):
    parts = _xlsx_parts(files["xlsx"])
    rnd = random.Random(SEED + 13)
    names = [n for n in parts if n.endswith(".xml")]
    for i in range(50):
        p = dict(parts)
        n = rnd.choice(names + ["xl/worksheets/sheet1.xml"] * 4)
        b = bytearray(p[n])
        op = i % 5
        pos = rnd.randrange(len(b))
        if op == 0:
            b[pos] = rnd.choice(b"<>&\"'/\x00\xff")
        elif op == 1:
            del b[pos:pos + rnd.randrange(1, 300)]
        elif op == 2:
            b[pos:pos] = rnd.choice([b"<c r=\"A9999999\"><v>1</v></c>", b"&bogus;", b"<row r=\"0\">", b"\xe4\xb8"])
        elif op == 3:
            p.pop(n)
        else:
            b = b.replace(b"KSH", b"K" + bytes([rnd.randrange(65, 90)]) + b"H")
        if op != 3:
            p[n] = bytes(b)
        yield f"xml-{i}.xlsx", _zip(p), "mutated"


def test_xlsx_xml_mutations(world):
    for name, data, c in xml_mutations(world[2]):
        check(world, name, data, category=c)


def garbage_and_empty(files: dict, ext: str):
    rnd = random.Random(SEED + len(ext))
    yield f"empty.{ext}", b"", "empty"
    for i, size in enumerate([1, 7, 31, 32, 33, 100, 512, 4096, 70000]):
        yield f"junk-{i}.{ext}", bytes(rnd.randrange(256) for _ in range(size)), "garbled"
    other = {"dbf": files["xlsx"], "xlsx": files["dbf"], "xls": files["xlsx"], "csv": files["dbf"]}[ext]
    yield f"renamed.{ext}", other, "garbled"


@pytest.mark.parametrize("ext", ["dbf", "xlsx", "xls", "csv"])
def test_garbage_and_empty(world, ext):
    for name, data, c in garbage_and_empty(world[2], ext):
        assert check(world, name, data, category=c) == "bad", name


def test_header_only_and_blank(world):
    csv = world[2]["csv"].decode("utf-8-sig")
    header = csv.splitlines()[0]
    assert check(world, "header-only.csv", (header + "\n").encode(), category="empty") == "bad"
    assert check(world, "blank-lines.csv", b"\n\n\r\n  \n", category="empty") == "bad"
    assert check(world, "commas.csv", b",,,,\n,,,\n", category="empty") == "bad"


def wrong_encodings(files: dict):
    text = files["csv"].decode("utf-8-sig")
    for i, enc in enumerate(["utf-16-le", "utf-16-be", "big5", "shift_jis", "cp1252", "latin-1"]):
        yield f"enc-{i}.csv", text.encode(enc, errors="replace"), "wrong-encoding"


def test_wrong_encoding(world):
    for name, data, c in wrong_encodings(world[2]):
        check(world, name, data, category=c)
    # a DBF whose text is UTF-8: CHSI tables are GBK
    dbf = bytearray(world[2]["dbf"])
    header_len = struct.unpack("<H", dbf[8:10])[0]
    body = bytes(dbf[header_len:])
    swapped = body.decode("gbk", errors="replace").encode("utf-8")
    nrec, reclen = struct.unpack("<I", dbf[4:8])[0], struct.unpack("<H", dbf[10:12])[0]
    rows = [body[i * reclen:(i + 1) * reclen] for i in range(nrec)]
    # re-encode field by field so widths still hold (names get longer in UTF-8: XM is 40 bytes)
    fields, off = [], 32
    while dbf[off] != 0x0D:
        fields.append(dbf[off + 16])
        off += 32
    out = []
    for row in rows:
        pos, rec = 1, [b" "]
        for w in fields:
            v = row[pos:pos + w].decode("gbk").rstrip().encode("utf-8")
            rec.append(v[:w].ljust(w))
            pos += w
        out.append(b"".join(rec))
    utf8 = bytes(dbf[:header_len]) + b"".join(out) + b"\x1a"
    assert swapped and check(world, "utf8.dbf", utf8, category="wrong-encoding") == "bad"


def test_wrong_columns(world):
    base = world[2]["csv"].decode("utf-8-sig")
    head, *rest = base.splitlines()
    cols = head.split(",")
    cases = {
        "no-ksh": ",".join("考号" if c == "KSH" else c for c in cols),
        "dup-ksh": ",".join("考生号" if c == "XH" else c for c in cols),
        "shifted": ",".join(cols[1:] + cols[:1]).replace("KSH", "NOTKSH"),
        "numbers": ",".join(str(i) for i in range(len(cols))),
    }
    for name, h in cases.items():
        r = check(world, f"cols-{name}.csv", ("\n".join([h, *rest]) + "\n").encode("utf-8"), category="wrong-column")
        assert r == "bad", name
    base_path = world[0] / "cases" / "cols-no-ksh.csv"
    r = CliRunner().invoke(cli, ["--data", str(world[1]), "--clerk", "office1", "import", "students", str(base_path)])
    assert "KSH（考生号）" in r.output  # the missing column is named
    for name, data, c in dbf_headings(world[2]):
        check(world, name, data, category=c)


def dbf_headings(files: dict):
    for i in range(24):  # any single required heading garbled in the DBF
        rnd = random.Random(SEED + 100 + i)
        b = bytearray(files["dbf"])
        b[32 + rnd.randrange(3)] = rnd.randrange(65, 90)  # the first field (KSH) renamed
        yield f"cols-dbf-{i}.dbf", bytes(b), "wrong-column"


def test_rows_with_bad_text_are_rejected_or_flagged_and_named(world):
    """A NUL is not text: a CSV holding one is not a text table, refused with its line. Another control
    character (ESC …) keeps the student: it is replaced, flagged (a lost character blocks the upload)
    and said in the summary."""
    text = world[2]["csv"].decode("utf-8-sig").splitlines()
    nul = list(text)
    nul[3] = nul[3].replace(nul[3].split(",")[2], "坏\x00名字")
    r = CliRunner().invoke(cli, ["--data", str(world[1]), "--clerk", "office1", "import", "students",
                                 str(_write(world, "nul.csv", ("\n".join(nul) + "\n").encode())), "--dry-run"])
    assert r.exit_code == 2 and "第 4 行" in r.output and "空字符" in r.output and "Traceback" not in r.output
    text[3] = text[3].replace(text[3].split(",")[2], "坏\x01名字")
    r = CliRunner().invoke(cli, ["--data", str(world[1]), "--clerk", "office1", "import", "students",
                                 str(_write(world, "ctl.csv", ("\n".join(text) + "\n").encode())), "--dry-run"])
    assert r.exit_code == 0 and "控制字符" in r.output and "拒收 0 行" in r.output and "\x01" not in r.output


def _write(world, name, data):
    path = world[0] / "cases" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def test_oversized(world, monkeypatch):
    monkeypatch.setattr(readers, "MAX_BYTES", 2000)
    for fmt, ext in (("dbf", "dbf"), ("xlsx", "xlsx"), ("csv", "csv"), ("gbcsv", "csv")):
        for i in range(3):
            data = world[2][fmt] + (b"" if fmt == "xlsx" else b"\n" * i)
            assert check(world, f"big-{fmt}-{i}.{ext}", data, category="oversized") == "bad"
    monkeypatch.setattr(readers, "MAX_BYTES", 256 * 1024 * 1024)
    monkeypatch.setattr(grid, "MAX_UNZIPPED", 5000)
    assert check(world, "bomb.xlsx", world[2]["xlsx"], category="oversized") == "bad"
    monkeypatch.setattr(grid, "MAX_UNZIPPED", 1024 * 1024 * 1024)
    monkeypatch.setattr(readers, "MAX_ROWS", 5)
    monkeypatch.setattr(grid, "MAX_ROWS", 5)
    for fmt, ext in (("dbf", "dbf"), ("xlsx", "xlsx"), ("csv", "csv")):
        assert check(world, f"rows-{fmt}.{ext}", world[2][fmt], category="oversized") == "bad"
    monkeypatch.setattr(readers, "MAX_ROWS", 1_000_000)
    monkeypatch.setattr(grid, "MAX_ROWS", 1_000_000)
    long_cell = world[2]["csv"].decode("utf-8-sig").replace("吉林师范大学", "吉" * 5000, 1)
    assert check(world, "long-cell.csv", long_cell.encode("utf-8"), category="oversized") == "clean"


def other_kinds(files: dict):
    rnd = random.Random(SEED + 17)
    for kind in ("freshmen", "graduates", "photos", "workbook"):
        for i in range(8):
            src = files[rnd.choice(["dbf", "xlsx", "csv"])]
            b = bytearray(src)
            for _ in range(rnd.randrange(1, 6)):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
            ext = "dbf" if src[:1] == b"\x03" else ("xlsx" if src[:2] == b"PK" else "csv")
            yield kind, f"{kind}-{i}.{ext}", bytes(b), "mutated"


def test_other_kinds_survive_mutations(world):
    for kind, name, data, c in other_kinds(world[2]):
        check(world, name, data, kind=kind, category=c)


def test_at_least_500_cases(world):
    """The generators the tests above import from make at least 500 bad files of every category (in any
    order and on any worker: the cases are counted from the generators, not from the runs)."""
    files = world[2]
    made = [*(case for fmt in FORMATS for case in truncated(files, fmt)),
            *(case for fmt in FORMATS for case in byte_mutations(files, fmt)),
            *dbf_header_mutations(files), *xml_mutations(files),
            *(case for ext in ("dbf", "xlsx", "xls", "csv") for case in garbage_and_empty(files, ext)),
            *wrong_encodings(files), *dbf_headings(files), *(case[1:] for case in other_kinds(files))]
    assert len(made) >= 500, len(made)
    assert len({name for name, _, _ in made}) == len(made)  # each its own file
    # (the oversized files are test_oversized's and test_dbf_header_mutations' own: limits lowered around them)
    assert {c for _, _, c in made} == {"truncated", "mutated", "garbled", "empty", "wrong-encoding", "wrong-column"}
