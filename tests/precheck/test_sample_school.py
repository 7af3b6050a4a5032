"""The sample school (sample_data/): the precheck reports exactly the planted defects, and the whole
graduation flow from the CHSI download files to an upload file read back by an independent reader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dbfread
import pytest
from click.testing import CliRunner

from xueji_tui.cli import cli
from xueji_tui.domain.clerks import Clerk
from xueji_tui.domain.idcard import check_char
from xueji_tui.precheck.graduates import UPLOAD_FIELDS, order_key
from xueji_tui.services import graduation
from xueji_tui.services.session import Session
from xueji_tui.store import open_store

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("precheck-sample")]  # the 3000-student sample and its files

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
MANIFEST = json.loads((SAMPLE / "planted.json").read_text("utf-8"))
YEAR = MANIFEST["year"]
OFFICE = "xjk"


def xueji(root: Path, *args, clerk: str = OFFICE):
    return CliRunner().invoke(cli, ["--data", str(root), "--clerk", clerk, *[str(a) for a in args]])


def keyed(findings) -> set[tuple[str, str, str]]:
    return {(f["rule"], f["KSH"], f["field"]) for f in findings}


def without_numbers(findings) -> list[dict]:
    return [f for f in findings if (f["rule"], f["field"]) != ("missing-field", "ZSBH")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "data"
    r = xueji(root, "demo", "--no-tui")
    assert r.exit_code == 0, r.output
    return root


def test_precheck_reports_exactly_the_planted_defects(demo):
    r = xueji(demo, "precheck", "--year", YEAR, "--json")
    assert r.exit_code == 1
    got = json.loads(r.stdout)
    assert got["checked"] == MANIFEST["checked"]
    found = without_numbers(got["findings"])
    assert keyed(found) == keyed(MANIFEST["findings"])
    assert {f["rule"] for f in found} == set(MANIFEST["rules"])  # every rule is exercised
    # nothing on clean students: only the planted ones have findings besides the missing number
    planted = {f["KSH"] for f in MANIFEST["findings"]}
    assert {f["KSH"] for f in found} == planted
    # before any number is assigned, the students without one are one count, not a finding each
    assert not [f for f in got["findings"] if (f["rule"], f["field"]) == ("missing-field", "ZSBH")]
    assert got["pending_certno"] == MANIFEST["pending_certno"] == got["checked"] - len(MANIFEST["has_zsbh"])


def test_severities_match_the_catalogue(demo):
    got = json.loads(xueji(demo, "precheck", "--year", YEAR, "--json").stdout)
    sev = {(f["rule"], f["KSH"], f["field"]): f["severity"] for f in got["findings"]}
    for f in MANIFEST["findings"]:
        assert sev[(f["rule"], f["KSH"], f["field"])] == f["severity"]


def test_college_clerk_gets_its_college_share(demo):
    got = json.loads(xueji(demo, "precheck", "--year", YEAR, "--json", clerk="wenxue").stdout)
    mine = {(f["rule"], f["KSH"], f["field"]) for f in MANIFEST["findings"] if f["FY"] == "文学院"}
    assert keyed(without_numbers(got["findings"])) == mine


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """A new data directory filled only from the CHSI-style download files."""
    work = tmp_path_factory.mktemp("flow")
    for name in ("students.dbf", "graduates.dbf", "photos.xlsx"):
        shutil.copy(SAMPLE / name, work / name)
    root = work / "data"
    r = xueji(root, "init", "--school-code", "10202", "--school-name", "吉林师范大学", "--president", "李清源")
    assert r.exit_code == 0, r.output
    assert xueji(root, "users", "add", "xjk2", "--role", "office").exit_code == 0  # approvals need two
    for kind, name in (("students", "students.dbf"), ("graduates", "graduates.dbf"), ("photos", "photos.xlsx")):
        r = xueji(root, "import", kind, work / name, "--yes")
        assert r.exit_code == 0, r.output
    return root


def test_the_whole_flow_from_chsi_files_to_the_upload(imported, tmp_path):
    root = imported
    got = json.loads(xueji(root, "precheck", "--year", YEAR, "--json").stdout)
    assert got["checked"] == MANIFEST["checked"]
    # the files carry every planted error except the open change requests, which live only in a store
    errors = keyed(f for f in without_numbers(got["findings"]) if f["severity"] == "error")
    planted_errors = {(f["rule"], f["KSH"], f["field"]) for f in MANIFEST["findings"]
                      if f["severity"] == "error" and f["rule"] != "pending-correction"}
    assert errors == planted_errors

    # fix one: an id-checksum student's number, through an approved correction (Art. 20)
    bad = next(f for f in MANIFEST["findings"] if f["rule"] == "id-checksum")
    store = open_store(root)
    s = store.get(bad["KSH"])
    right = s["SFZH"][:17] + check_char(s["SFZH"][:17])
    r = xueji(root, "correction", "file", bad["KSH"], "SFZH", right, "--reason", "核对身份证原件",
              "--evidence", "四平市公安局证明 2027-033")
    assert r.exit_code == 0, r.output
    rid = r.stdout.strip().splitlines()[-1]
    # scenario 4.2: the finding stays, joined by pending-correction, until the request is approved
    got = json.loads(xueji(root, "precheck", "--year", YEAR, "--json").stdout)
    mine = {(f["rule"], f["field"]) for f in got["findings"] if f["KSH"] == bad["KSH"]}
    assert {("id-checksum", "SFZH"), ("pending-correction", "SFZH")} <= mine
    assert xueji(root, "correction", "submit", rid).exit_code == 0
    assert xueji(root, "correction", "approve", rid, "--doc", "吉教学字〔2027〕8号", clerk="xjk2").exit_code == 0
    got = json.loads(xueji(root, "precheck", "--year", YEAR, "--json").stdout)
    assert not [f for f in got["findings"] if f["KSH"] == bad["KSH"] and f["rule"] == "id-checksum"]

    # numbers for everyone who passes every other error rule; given numbers are kept
    before = {k: open_store(root).get(k)["ZSBH"] for k in MANIFEST["has_zsbh"]}
    r = xueji(root, "certno", "assign", "--year", YEAR)
    assert r.exit_code == 0, r.output
    store = open_store(root)
    assert {k: store.get(k)["ZSBH"] for k in before} == before

    # the upload: refused while errors remain, then only the passing students
    session = Session(store, Clerk(OFFICE, "office"))
    with pytest.raises(Exception) as refused:
        graduation.export_graduates(session, tmp_path / "refused.dbf", "dbf", YEAR)
    assert getattr(refused.value, "exit_code", None) == 1 and not (tmp_path / "refused.dbf").exists()
    out = tmp_path / f"{YEAR}毕业生.dbf"
    done = graduation.export_graduates(session, out, "dbf", YEAR, skip_invalid=True)
    result = graduation.precheck(session, YEAR)
    passing = result.passing()
    assert done.written == len(passing) > 600
    excluded = {s["KSH"] for s, _ in done.excluded}
    assert excluded == {s["KSH"] for s in result.failing()}
    # excluded: exactly the students with a planted error that was not fixed (the fixed one is in)
    assert excluded == {k for _, k, _ in planted_errors} - {bad["KSH"]}

    table = dbfread.DBF(str(out), encoding="gbk", char_decode_errors="strict")
    assert table.field_names == list(UPLOAD_FIELDS)
    rows = list(table)
    expected = sorted(passing, key=order_key)
    assert [r["KSH"] for r in rows] == [s["KSH"] for s in expected]
    numbers = [r["ZSBH"] for r in rows]
    assert len(set(numbers)) == len(numbers)
    for r, s in zip(rows, expected):
        for f in ("XM", "XB", "CSRQ", "SFZH", "ZYDM", "ZYMC", "XZ", "RXRQ", "ZSBH"):
            assert r[f] == (s.get(f) or ""), (s["KSH"], f)
        assert (r["YXDM"], r["YXMC"], r["XZXM"]) == ("10202", "吉林师范大学", "李清源")
        assert r["BYRQ"] == (s.get("BYRQ") or s.get("YJBYRQ")) and r["BYRQ"][:4] == str(YEAR)
        assert r["BJYJL"] in ("毕业", "结业")
        assert r["ZSBH"][:5] == "10202" and r["ZSBH"][5] == "1" and r["ZSBH"][6:10] == str(YEAR)
        assert r["ZSBH"][10:12] == {"本科": "05", "专科": "06", "第二学士学位": "04"}[r["CC"]]

    # CHSI accepted the file: register exactly the students it lists
    r = xueji(root, "graduate", "--year", YEAR, "--from", out)
    assert r.exit_code == 0, r.output
    got = json.loads(xueji(root, "precheck", "--year", YEAR, "--json").stdout)
    assert got["registered"] == done.written
    assert got["checked"] == MANIFEST["checked"] - done.written
