"""sample_data/ is exactly what its README's command makes, and its files read back as the same school."""

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from xueji_tui.cli import cli
from xueji_tui.domain import idcard
from xueji_tui.formats import profiles, readers
from xueji_tui.sample import bundled
from xueji_tui.sample.bundle import read_bundle
from xueji_tui.sample.files import download_profile

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sample-bundle")]  # the 3000-student sample and its files

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("regen")
    cmd = bundled.command(str(out / "data")).split()[1:]
    cmd[cmd.index("sample_data")] = str(out / "files")
    r = CliRunner().invoke(cli, ["--clerk", "builder", *cmd], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out / "files"


def test_readme_states_the_exact_command():
    assert bundled.command() in (SAMPLE / "README.md").read_text("utf-8")
    assert "synthetic" in (SAMPLE / "README.md").read_text("utf-8")


def test_committed_sample_data_is_byte_for_byte_what_the_command_makes(regenerated):
    mine = sorted(p.name for p in regenerated.iterdir())
    committed = sorted(p.name for p in SAMPLE.iterdir() if p.name != "README.md")
    assert mine == committed
    for name in mine:
        a = hashlib.sha256((regenerated / name).read_bytes()).hexdigest()
        b = hashlib.sha256((SAMPLE / name).read_bytes()).hexdigest()
        assert a == b, f"sample_data/{name} is stale: run the command in sample_data/README.md again"


def test_the_repository_copy_stays_small():
    assert sum(p.stat().st_size for p in SAMPLE.iterdir()) < 15 * 1024 * 1024


def test_the_bundle_is_the_generated_school():
    school = read_bundle(SAMPLE / "school.json.gz")
    from xueji_tui.sample import generate

    assert school.to_json() == generate(bundled.STUDENTS, bundled.SEED, bundled.DATE).to_json()


@pytest.mark.parametrize("name,kind", [("students.dbf", "students"), ("students.xlsx", "students"),
                                       ("freshmen.dbf", "freshmen"), ("graduates.dbf", "graduates"),
                                       ("graduates.xlsx", "graduates"), ("photos.xlsx", "photos"),
                                       ("photos.csv", "photos")])
def test_download_files_read_back_as_the_same_school(name, kind):
    school = read_bundle(SAMPLE / "school.json.gz")
    by_ksh = {s["KSH"]: s for s in school.students}
    profile = profiles.load(profiles.for_import(kind))
    got = readers.read(SAMPLE / name, profile)
    assert not got.bad_rows and not set(profile.codes) - set(got.matched)
    assert len({r["KSH"] for r in got.rows}) == len(got.rows)
    for row in got.rows:
        s = by_ksh[row["KSH"]]
        for f in profile.fields:
            if "." in f.source:  # photo columns
                p = s["photo"]
                key = f.source.split(".", 1)[1]
                want = {True: "是", False: "否"}.get(p[key], p[key]) if isinstance(p[key], bool) else p[key]
            elif f.code == "XJZT":
                want = s["status"] if kind != "freshmen" else ""
            else:
                want = s.get(f.source) or ""
            assert row[f.code] == want, (name, row["KSH"], f.code)


def test_the_downloads_hold_who_chsi_would_send():
    school = read_bundle(SAMPLE / "school.json.gz")
    m = school.manifest
    rows = {n: readers.read(SAMPLE / n, profiles.load(profiles.for_import(k))).rows
            for n, k in (("students.dbf", "students"), ("freshmen.dbf", "freshmen"), ("graduates.dbf", "graduates"),
                         ("photos.csv", "photos"))}
    assert {r["KSH"] for r in rows["graduates.dbf"]} == {s["KSH"] for s in school.students if s["grad_year"] == m["year"]}
    assert {r["KSH"] for r in rows["freshmen.dbf"]} == {s["KSH"] for s in school.students
                                                          if s["RXRQ"].startswith(str(m["school_year"]))}
    assert "XH" not in download_profile("freshmen").codes
    statuses = {r["XJZT"] for r in rows["students.dbf"]}
    assert "注册学籍" in statuses and not statuses & {"退学", "待注册", "毕业"}
    heads = (SAMPLE / "photos.csv").read_text("utf-8-sig").splitlines()[0].split(",")
    assert heads == ["考生号", "身份证号", "采集状态", "采集日期", "链接状态", "校对结论", "校对日期", "身份核验"]
    # the planted 生僻字 survive the DBF (GB18030, as CHSI keeps them); everything else is plain GBK
    rare = [r["XM"] for r in rows["graduates.dbf"] if any(ord(c) > 0xFFFF or 0x3400 <= ord(c) < 0x4DC0 for c in r["XM"])]
    assert len(rare) == 2
    assert all(idcard.mask(r["SFZH"]) for r in rows["students.dbf"])


def test_importing_the_downloads_gives_the_same_precheck(tmp_path):
    """The import path tried at once: CHSI files in, the same findings out — except what is local
    work and not in CHSI's files (open change requests, the 异动 entries that explain a long study)."""
    import json

    d = str(tmp_path / "d")

    def run(*args):
        return CliRunner().invoke(cli, ["--data", d, "--clerk", "office1", *args], catch_exceptions=False)

    assert run("init", "--school-code", "10202", "--school-name", "吉林师范大学", "--president", "李清源").exit_code == 0
    for kind, name in (("students", "students.dbf"), ("freshmen", "freshmen.dbf"), ("graduates", "graduates.xlsx"),
                       ("photos", "photos.csv")):
        r = run("import", kind, str(SAMPLE / name), "--yes")
        assert r.exit_code == 0, r.output
        assert "拒收 0 行" in r.output
    planted = json.loads((SAMPLE / "planted.json").read_text("utf-8"))
    r = run("precheck", "--year", str(planted["year"]), "--json")
    assert r.exit_code == 1
    got = {(f["rule"], f["KSH"], f["field"]) for f in json.loads(r.stdout)["findings"]
           if (f["rule"], f["field"]) != ("missing-field", "ZSBH")}
    want = {(f["rule"], f["KSH"], f["field"]) for f in planted["findings"] if f["rule"] != "pending-correction"}
    school = read_bundle(SAMPLE / "school.json.gz")
    explained = {s["KSH"] for s in school.students
                 if {e["type"] for e in s["history"]} & {"休学", "复学", "留降级", "跳级", "保留学籍"}}
    extra = got - want
    assert extra and all(rule == "study-length" and ksh in explained for rule, ksh, _ in extra)
    assert want - got == set()


def test_without_sample_data_the_same_school_is_generated_again(tmp_path, monkeypatch):
    """An installed wheel has no sample_data/: `xueji demo` regenerates the identical school."""
    committed = read_bundle(SAMPLE / "school.json.gz").to_json()
    monkeypatch.setattr(bundled, "sample_dir", lambda: tmp_path / "nowhere")
    assert bundled.load().to_json() == committed
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "school.json.gz").write_bytes(b"not gzip")
    monkeypatch.setattr(bundled, "sample_dir", lambda: tmp_path / "damaged")
    assert bundled.load().to_json() == committed
