"""docs/scenarios.md on the bundled sample school, through the command line a clerk types."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xueji_testkit import tree_digest
from xueji_tui.cli import cli
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.record import ROW
from xueji_tui.services.session import login_name
from xueji_tui.store import open_store

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("year-in-office")]  # a year of work end to end, CLI and files

ME = login_name()


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo") / "data"
    r = CliRunner().invoke(cli, ["--data", str(d), "demo", "--no-tui"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return d


@pytest.fixture
def demo(demo_template, tmp_path) -> Path:
    from xueji_testkit import copy_dir

    d = tmp_path / "data"
    copy_dir(demo_template, d)
    return d


def x(data, *args, clerk=ME):
    return CliRunner().invoke(cli, ["--data", str(data), "--clerk", clerk, *args], catch_exceptions=False)


def student(data, **want) -> dict:
    for r in open_store(data).rows():
        if all(r[ROW[k]] == v for k, v in want.items()):
            return json.loads(x(data, "lookup", r[ROW["KSH"]], "--json", "--reveal").output)[0]
    raise LookupError(want)


def test_october_annual_registration(demo, tmp_path):
    # unpaid fees: 暂缓注册, registered later with 0103
    s = student(demo, FY="文学院", status="注册学籍", DQSZJ="2024")
    assert x(demo, "change", s["XH"], "0501", "--date", "20251008").exit_code == 0
    r = x(demo, "change", s["XH"], "0103", "--date", "20251020")  # Art. 18: checked before registered
    assert r.exit_code == 2 and "尚未核对 13 项" in r.output
    for field in ART6_FIELDS:
        assert x(demo, "verify", s["XH"], field, "ok", clerk="wenxue").exit_code == 0
    assert x(demo, "change", s["XH"], "0103", "--date", "20251020").exit_code == 0
    got = json.loads(x(demo, "lookup", s["XH"], "--json").output)[0]
    assert got["status"] == "注册学籍" and [h["code"] for h in got["history"]][-2:] == ["0501", "0103"]

    # 转专业 approved by 吉师大教字〔2025〕31号: the changes export carries the new major
    t = student(demo, FY="文学院", status="注册学籍", DQSZJ="2025")
    target = next(m for m in open_store(demo).majors() if m["FY"] == "数学与计算机学院")
    r = x(demo, "change", t["XH"], "2301", "--date", "20251015", "--doc", "吉师大教字〔2025〕31号",
          "--approved", "20251010", "--to-major", target["ZYDM"], "--to-class", "转入班")
    assert r.exit_code == 0, r.output
    out = tmp_path / "异动.xlsx"
    assert x(demo, "export", "changes", "--format", "xlsx", "--year", "2025", "-o", str(out)).exit_code == 0
    ws = openpyxl.load_workbook(out, read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    head = [str(h) for h in rows[0]]
    col = lambda code: next(i for i, h in enumerate(head) if h == code or h.endswith(" " + code))
    mine = [r for r in rows[1:] if r[col("KSH")] == t["KSH"]]
    assert mine and mine[-1][col("ZYDM")] == target["ZYDM"] and mine[-1][col("WH")] == "吉师大教字〔2025〕31号"

    # back from 休学: 复学 1201, then 留降级 0202 into the next grade
    u = student(demo, status="休学(病休)")
    grade = u["DQSZJ"] or u["RXRQ"][:4]
    assert x(demo, "change", u["XH"], "1201", "--date", "20250901", "--doc", "复学文号",
             "--approved", "20250828").exit_code == 0
    r = x(demo, "change", u["XH"], "0202", "--date", "20250902", "--doc", "编级文号", "--approved", "20250828",
          "--to-grade", str(int(grade) + 1), "--to-class", "编入班")
    assert r.exit_code == 0, r.output
    after = json.loads(x(demo, "lookup", u["XH"], "--json").output)[0]
    assert after["status"] == "注册学籍" and after["DQSZJ"] == str(int(grade) + 1)
    assert int(after["YJBYRQ"][:4]) == int(u["YJBYRQ"][:4]) + 1

    # 开除学籍 4204 (替考): in the cancellations export; afterwards only an office reversal changes it
    v = student(demo, FY="文学院", status="注册学籍", DQSZJ="2023")
    assert x(demo, "change", v["XH"], "4204", "--date", "20251020", "--doc", "吉师大学字〔2025〕40号",
             "--approved", "20251018").exit_code == 0
    out = tmp_path / "注销.xlsx"
    assert x(demo, "export", "cancellations", "--format", "xlsx", "--year", "2025", "-o", str(out)).exit_code == 0
    assert any(v["KSH"] in (c or "") for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True)
               for c in map(str, row))
    assert x(demo, "change", v["XH"], "7101", "--date", "20251021", "--note", "奖学金").exit_code == 2

    # the statistics table: per-college numbers add up to the totals
    st = json.loads(x(demo, "stats", "--json").output)
    for key, total in st["total"].items():
        if isinstance(total, int):
            assert sum(r[key] for r in st["rows"]) == total, key


def test_any_day_the_window(demo):
    s = student(demo, status="注册学籍")
    r = x(demo, "lookup", s["XH"])
    assert r.exit_code == 0 and s["XM"] in r.output and "注册学籍" in r.output
    assert s["SFZH"] not in r.output


def test_boundaries_other_college_and_last_years_file(demo, tmp_path):
    other = student(demo, FY="物理学院", status="注册学籍")
    r = x(demo, "lookup", other["XH"], clerk="wenxue")
    assert r.exit_code == 3 and "文学院" in r.output and other["XM"] not in r.output

    # last year's file by mistake: almost every row would change; nothing without confirmation
    mine = next(s for r in open_store(demo).rows("文学院") if r[ROW["status"]] == "注册学籍"
                and not (s := open_store(demo).get(r[ROW["KSH"]])).get("history"))
    assert x(demo, "verify", mine["XH"], "XM", "ok", clerk="wenxue").exit_code == 0
    rows = [json.loads(x(demo, "lookup", r[ROW["KSH"]], "--json", "--reveal").output)[0]
            for r in open_store(demo).rows("文学院")[:40] if r[ROW["KSH"]] != mine["KSH"]]
    old = tmp_path / "去年的在校生.csv"
    heads = ["KSH", "XH", "XM", "XB", "CSRQ", "SFZH", "MZ", "ZZMM", "ZYDM", "ZYMC", "FY", "XSH", "BH", "CC",
             "XXXS", "XZ", "RXRQ", "YJBYRQ"]
    with open(old, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(heads)
        for s in rows + [mine]:
            s = dict(s, BH=s["BH"] + "（旧）", XM=s["XM"] + "旧" if s["KSH"] == mine["KSH"] else s["XM"])
            w.writerow([s.get(h, "") for h in heads])
    before = tree_digest(demo)
    r = x(demo, "import", "students", str(old))  # no --yes, not a terminal: summary only
    assert r.exit_code == 0 and "未应用" in r.output
    import re

    changed = int(re.search(r"变更 (\d+) 人", r.output)[1])
    only_conflicts = int((re.search(r"(\d+) 人的不同都须核实、未修改", r.output) or [0, 0])[1])
    assert changed + only_conflicts == len({s["KSH"] for s in rows + [mine]})  # every row differs
    assert tree_digest(demo) == before
    r = x(demo, "import", "students", str(old), "--yes")
    assert r.exit_code == 0 and "冲突" in r.output
    after = json.loads(x(demo, "lookup", mine["XH"], "--json").output)[0]
    assert after["XM"] == mine["XM"] and after["verification"]["XM"] == "ok"  # the verified name is kept
    assert after["BH"].endswith("（旧）")  # an unverified field takes CHSI's value
