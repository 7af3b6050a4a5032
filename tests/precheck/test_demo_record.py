"""The issue's findings, replayed on the demo school through the command line: impossible changes are
refused with the record untouched, a demoted graduate leaves the year's precheck and upload, and
nothing is registered as graduated without an upload."""

from __future__ import annotations

import json
from pathlib import Path

import dbfread
import pytest
from click.testing import CliRunner

from xueji_testkit import tree_digest
from xueji_tui.cli import cli
from xueji_tui.domain.record import ROW
from xueji_tui.store import open_store

pytestmark = pytest.mark.xdist_group("precheck-demo")  # its module fixture made once, on one worker

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
MANIFEST = json.loads((SAMPLE / "planted.json").read_text("utf-8"))
YEAR = MANIFEST["year"]  # 2027
OFFICE = "xjk"


def xueji(root: Path, *args, clerk: str = OFFICE):
    return CliRunner().invoke(cli, ["--data", str(root), "--clerk", clerk, *[str(a) for a in args]])


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "data"
    assert xueji(root, "demo", "--no-tui").exit_code == 0
    return root


def clean_graduate(root: Path, n: int = 0, **want) -> dict:
    planted = {f["KSH"] for f in MANIFEST["findings"]} | set(MANIFEST["has_zsbh"])
    store = open_store(root)
    rows = [r for r in store.rows() if r[ROW["grad_year"]] == YEAR and r[ROW["status"]] == "注册学籍"
            and r[ROW["KSH"]] not in planted and r[ROW["CC"]] == "本科"
            and all(r[ROW[k]] == v for k, v in want.items())]
    return store.get(rows[n][ROW["KSH"]])


def lookup(root: Path, key: str) -> dict:
    return json.loads(xueji(root, "lookup", key, "--json").stdout)[0]


def test_impossible_changes_are_refused_and_change_nothing(demo):
    s = clean_graduate(demo, 0)
    before = tree_digest(demo)
    refused = [
        ["change", s["XH"], "0201", "--date", "20261120", "--doc", "吉师大教字〔2026〕9号", "--approved", "20261118",
         "--to-grade", "2031", "--to-class", "x"],                                      # 留降级 by 8 years
        ["change", s["XH"], "2301", "--date", "20261120", "--doc", "吉师大教字〔2026〕9号", "--approved", "20261118",
         "--to-major", "570104K", "--to-class", "语教专2601"],                          # 本科 → 专科
        ["change", s["XH"], "1101", "--date", "19990101", "--doc", "x", "--approved", "19981230"],  # before entry
        ["change", s["XH"], "1101", "--date", "20990101", "--doc", "x", "--approved", "20261118"],  # far ahead
        ["change", s["XH"], "1101", "--date", "٢٠٢٦١١٢٠", "--doc", "x", "--approved", "20261118"],  # Arabic-Indic
        ["change", s["XH"], "1101", "--date", "20261120"],                              # no 文号 or 批准日期
        ["change", s["XH"], "1901", "--date", "20261120", "--doc", "x"],                # no 批准日期
        ["verify", s["XH"], "ZYMC", "wrong", "--value", "体育学", "--note", "x"],        # not a catalogue major
        ["graduate", "--year", YEAR],                                                    # nothing was uploaded
    ]
    for args in refused:
        r = xueji(demo, *args)
        assert r.exit_code == 2, (args, r.output)
        assert "Traceback" not in r.output and r.output.strip()
    assert tree_digest(demo) == before
    r = xueji(demo, "change", s["XH"], "2301", "--date", "20261120", "--doc", "x", "--approved", "20261118",
              "--to-major", "570104K", "--to-class", "x")
    assert "不能跨层次" in r.output and "本科" in r.output


def test_a_demoted_graduate_leaves_the_years_precheck_and_upload(demo, tmp_path):
    s = clean_graduate(demo, 1)
    grade = int((s.get("DQSZJ") or s["RXRQ"])[:4])
    before = json.loads(xueji(demo, "precheck", "--year", YEAR, "--json").stdout)
    r = xueji(demo, "change", s["XH"], "0201", "--date", "20261120", "--doc", "吉师大教字〔2026〕9号",
              "--approved", "20261118", "--to-grade", grade + 1, "--to-class", "降级2401")
    assert r.exit_code == 0, r.output
    after = lookup(demo, s["XH"])
    assert (after["DQSZJ"], after["BH"], after["YJBYRQ"], after["BYRQ"]) == (
        str(grade + 1), "降级2401", f"{YEAR + 1}0630", "")
    now = json.loads(xueji(demo, "precheck", "--year", YEAR, "--json").stdout)
    assert now["checked"] == before["checked"] - 1
    assert s["KSH"] not in {f["KSH"] for f in now["findings"]}
    later = json.loads(xueji(demo, "precheck", "--year", YEAR + 1, "--json").stdout)
    assert s["KSH"] not in {f["KSH"] for f in later["findings"] if f["rule"] == "status"}
    assert xueji(demo, "certno", "assign", "--year", YEAR).exit_code == 0
    assert not lookup(demo, s["XH"]).get("ZSBH")  # no number for the class the student left
    out = tmp_path / "g.dbf"
    r = xueji(demo, "export", "graduates", "--year", YEAR, "--skip-invalid", "-o", out)
    assert r.exit_code == 0, r.output
    assert s["KSH"] not in {row["KSH"] for row in dbfread.DBF(str(out), encoding="gbk")}


def test_0102_on_the_demo_joins_the_new_cohort(demo):
    """恢复入学资格 of a 2026 freshman who enlisted: the 2027 cohort's entry date, grade, class and
    expected graduation — not the ones of the cohort left."""
    store = open_store(demo)
    kept = next(store.get(r[ROW["KSH"]]) for r in store.rows() if r[ROW["status"]] == "保留入学资格")
    key = kept.get("XH") or kept["KSH"]
    assert xueji(demo, "change", key, "0102", "--date", "20270906").exit_code == 2  # the class joined is needed
    r = xueji(demo, "change", key, "0102", "--date", "20270906", "--to-class", "复入2701")
    assert r.exit_code == 0, r.output
    after = lookup(demo, kept["KSH"])
    xz = int(float(kept["XZ"]))
    assert (after["status"], after["RXRQ"], after["DQSZJ"], after["BH"], after["YJBYRQ"]) == (
        "注册学籍", "20270901", "2027", "复入2701", f"{2027 + xz}0630")
    assert after["history"][-1]["code"] == "0102"
