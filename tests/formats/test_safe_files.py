"""Files xueji writes are safe to write and safe to open: never over an existing file without --force,
never through a planted symlink, OS errors told in Chinese, no cell a formula, identifier columns
formatted as text, uploads checked alike in DBF and XLSX, full 身份证号 in a file audited."""

from __future__ import annotations

import errno
import json
import os

import dbfread
import openpyxl
import pytest

from filekit import chsi_file, run, students
from xueji_testkit import make_student, tree_digest
from xueji_tui import durable
from xueji_tui.store import open_store

FORMULAS = ("=HYPERLINK(\"http://example.invalid\",\"点我\")", "+1+2", "-3+4", "@SUM(A1)")


def trail(root) -> list[dict]:
    return [json.loads(x) for x in (root / "audit.jsonl").read_text("utf-8").splitlines()]


def put(root, ksh: str, **values) -> None:
    store = open_store(root)
    with store.write("office1", "测试") as tx:
        s = tx.get(ksh)
        s.update(values)
        tx.put(s)
        tx.log("test", why="测试数据")


@pytest.fixture
def outdir(tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    return d


def test_an_existing_file_is_kept_without_force(school, outdir):
    out = outdir / "reg.dbf"
    out.write_bytes(b"mine")
    before = tree_digest(school)
    r = run(school, "export", "registration", "-o", str(out))
    assert r.exit_code == 2 and str(out) in r.output and "--force" in r.output and "未写入任何数据" in r.output
    assert out.read_bytes() == b"mine" and tree_digest(school) == before
    assert run(school, "export", "registration", "-o", str(out), "--force").exit_code == 0
    assert len(list(dbfread.DBF(str(out)))) == 60
    assert sorted(p.name for p in outdir.iterdir()) == ["reg.dbf"]  # no temporary left


def test_a_symlink_at_the_output_is_never_followed(school, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("别动我")
    os.chmod(victim, 0o600)
    link = tmp_path / "reg.xlsx"
    link.symlink_to(victim)
    r = run(school, "export", "registration", "-o", str(link), "--format", "xlsx")
    assert r.exit_code == 2 and str(link) in r.output
    dangling = tmp_path / "gone.dbf"
    dangling.symlink_to(tmp_path / "nowhere.dbf")
    assert run(school, "export", "registration", "-o", str(dangling)).exit_code == 2
    assert not (tmp_path / "nowhere.dbf").exists()
    assert run(school, "export", "registration", "-o", str(link), "--format", "xlsx", "--force").exit_code == 0
    assert not link.is_symlink() and openpyxl.load_workbook(link).active.max_row == 61  # the link replaced
    assert victim.read_text() == "别动我" and oct(victim.stat().st_mode & 0o777) == "0o600"


def test_temporaries_are_random_and_exclusive(tmp_path, monkeypatch):
    """A symlink planted at the temporary's name (the old `.NAME.PID.tmp`, or a guessed random one)
    is never written through: creation is O_EXCL|O_NOFOLLOW, and a taken name is skipped."""
    victim = tmp_path / "victim.txt"
    victim.write_text("别动我")
    out = tmp_path / "out.dbf"
    (tmp_path / f".out.dbf.{os.getpid()}.tmp").symlink_to(victim)
    names = iter(["0" * 16, "1" * 16])
    monkeypatch.setattr(durable.secrets, "token_hex", lambda n: next(names))
    (tmp_path / f".out.dbf.{'0' * 16}.tmp").symlink_to(victim)
    durable.replace_file(out, b"data", 0o640, force=False)
    assert out.read_bytes() == b"data" and victim.read_text() == "别动我"
    assert oct(out.stat().st_mode & 0o777) == "0o640"
    assert not (tmp_path / f".out.dbf.{'1' * 16}.tmp").exists()
    store_tmp = tmp_path / "shard.json.7.tmp"
    store_tmp.symlink_to(victim)
    with pytest.raises(OSError) as e:  # the store's own temporaries never follow a link either
        durable.write_new(store_tmp, b"x", 0o660)
    assert e.value.errno == errno.ELOOP and victim.read_text() == "别动我"


@pytest.mark.parametrize("err,words", [(errno.ENOSPC, "磁盘空间已满"), (errno.EACCES, "没有权限"),
                                       (errno.EROFS, "只读")])
def test_os_errors_are_told_in_chinese_and_nothing_is_written(school, outdir, monkeypatch, err, words):
    def fail(fd, data):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(durable, "write_all", fail)
    out = outdir / "reg.dbf"
    before = tree_digest(school)
    r = run(school, "export", "registration", "-o", str(out))
    assert r.exit_code == 2, r.output
    assert words in r.output and str(out) in r.output and "未写入任何数据" in r.output
    assert "No space" not in r.output and "Permission" not in r.output
    assert list(outdir.iterdir()) == [] and tree_digest(school) == before


def test_no_cell_is_ever_a_formula_and_identifiers_are_text(school, tmp_path):
    ks = [make_student(i)["KSH"] for i in range(4)]
    for k, f in zip(ks, FORMULAS):
        put(school, k, BZ=f)
    put(school, ks[0], XM="=cmd|' /C calc'!A0")
    made = []
    for kind in ("registration", "workbook", "precheck", "photos"):
        out = tmp_path / f"{kind}.xlsx"
        r = run(school, "export", kind, "-o", str(out), "--format", "xlsx",
                *(["--year", "2026"] if kind in ("precheck", "photos") else []))
        assert r.exit_code == 0, (kind, r.output)
        made.append(out)
    seen = set()
    for path in made:
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (path.name, c.coordinate, c.value)
                    if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")):
                        assert c.data_type == "s" and c.quotePrefix, (path.name, c.coordinate)
                        seen.add(c.value)
    assert set(FORMULAS) | {"=cmd|' /C calc'!A0"} <= seen
    ws = openpyxl.load_workbook(made[0]).active
    heads = [c.value.split()[-1] for c in ws[1]]
    for code in ("KSH", "XH", "SFZH"):
        cells = [r[heads.index(code)] for r in ws.iter_rows(min_row=2)]
        assert all(c.number_format == "@" and c.data_type == "s" for c in cells), code
    wb = openpyxl.load_workbook(made[1])
    ws = wb.worksheets[0]
    heads = [c.value for c in ws[1]]
    for h in heads:
        if h.endswith(("_GZ", "_HD")) or h in ("身份证号 SFZH", "出生日期 CSRQ", "考生号 KSH"):
            cell = ws.cell(2, heads.index(h) + 1)
            assert cell.number_format == "@", h  # a 身份证号 typed there stays text
            letter = openpyxl.utils.get_column_letter(heads.index(h) + 1)
            assert ws.column_dimensions[letter].number_format == "@", h


def test_rejects_never_carry_a_formula(school, tmp_path):
    rows = students(3, start=100)
    rows[0]["KSH"] = ""
    rows[0]["XM"] = "=HYPERLINK(\"http://example.invalid\")"
    rows[0]["BZ"] = "@SUM(1)"
    path = chsi_file(tmp_path / "带公式.csv", rows)
    r = run(school, "import", "students", str(path), "--yes")
    assert r.exit_code == 0, r.output
    text = path.with_name("带公式.rejects.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text and ",=" not in text and ",@" not in text


def test_exports_with_full_ids_are_audited_once_per_file(school, tmp_path):
    n = len(trail(school))
    assert run(school, "export", "registration", "-o", str(tmp_path / "r.dbf")).exit_code == 0
    assert run(school, "export", "stats", "-o", str(tmp_path / "s.xlsx")).exit_code == 0  # no 身份证号
    lines = trail(school)[n:]
    assert [(x["action"], x["kind"], x["rows"], x["file"]) for x in lines] == [
        ("export", "registration", 60, str(tmp_path / "r.dbf"))]
    assert lines[0]["clerk"] == "office1" and "身份证号" in lines[0]["why"]
    assert run(school, "audit", "--verify").exit_code == 0


def test_export_photos_writes_the_chase_list_the_photo_screen_writes(office, school, tmp_path):
    from xueji_tui.services import photos

    out = tmp_path / "chase.xlsx"
    r = run(school, "export", "photos", "-o", str(out), "--year", "2026")
    assert r.exit_code == 0 and str(out) in r.output, r.output
    same = tmp_path / "same.xlsx"
    n = photos.export_chase_list(office, same, 2026)
    a = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    b = list(openpyxl.load_workbook(same).active.iter_rows(values_only=True))
    assert a == b and len(a) == n + 1 and n > 0 and "催办原因 CBYY" in a[0]
    assert run(school, "export", "photos", "-o", str(tmp_path / "x.dbf")).exit_code == 2  # Excel only
    assert run(school, "export", "photos", "-o", str(out)).exit_code == 2  # exists


@pytest.mark.parametrize("fmt", ["dbf", "xlsx"])
def test_uploads_apply_the_same_width_gbk_and_lost_character_checks(school, tmp_path, fmt):
    ks = [make_student(i)["KSH"] for i in range(3)]
    put(school, ks[0], XM="欧阳" * 11)      # 44 bytes in C(40)
    put(school, ks[1], XM="王\U00020000")   # not in GBK
    put(school, ks[2], XM="王?")            # a character lost on the way
    out = tmp_path / f"reg.{fmt}"
    r = run(school, "export", "registration", "-o", str(out))
    assert r.exit_code == 2 and not out.exists(), r.output
    assert "44 字节" in r.output and "无法用 GBK 编码" in r.output and "丢失" in r.output
    assert all(k in r.output for k in ks)
    r = run(school, "export", "registration", "-o", str(out), "--skip-invalid")
    assert r.exit_code == 0 and "已跳过 3 名学生" in r.output
    if fmt == "dbf":
        written = [rec["KSH"] for rec in dbfread.DBF(str(out), encoding="gbk")]
    else:
        sheet = openpyxl.load_workbook(out, read_only=True).worksheets[0]
        heads = [str(c) for c in next(sheet.iter_rows(values_only=True))]
        at = next(i for i, h in enumerate(heads) if h.endswith("KSH"))
        written = [row[at] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # the others are all there, and the count told is the rows written
    assert not set(ks) & set(written) and len(written) == 57 and "已导出 57 行" in r.output, r.output


def test_the_dbf_language_driver_comes_from_the_profile(school, tmp_path):
    out = tmp_path / "reg.dbf"
    assert run(school, "export", "registration", "-o", str(out)).exit_code == 0
    assert out.read_bytes()[29] == 0x4D
    (school / "formats").mkdir(exist_ok=True)
    (school / "formats" / "registration.json").write_text('{"dbf_language_driver": "0x7A"}', "utf-8")
    out2 = tmp_path / "reg2.dbf"
    assert run(school, "export", "registration", "-o", str(out2)).exit_code == 0
    assert out2.read_bytes()[29] == 0x7A
    (school / "formats" / "registration.json").write_text('{"dbf_language_driver": "GBK"}', "utf-8")
    r = run(school, "export", "registration", "-o", str(tmp_path / "reg3.dbf"))
    assert r.exit_code == 2 and "dbf_language_driver" in r.output


def test_a_lost_character_is_a_precheck_error(school):
    k = make_student(1)["KSH"]  # 2022 cohort: expected to graduate in 2026
    put(school, k, XM="王?")
    r = run(school, "precheck", "--year", "2026", "--json")
    found = [f for f in json.loads(r.output)["findings"] if f["rule"] == "lost-character"]
    assert [(f["KSH"], f["field"], f["severity"]) for f in found] == [(k, "XM", "error")]
    assert "恢复原字" in found[0]["message"]
