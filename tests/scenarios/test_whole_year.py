"""A whole year in the office (docs/scenarios.md 1, 2), through the commands a clerk types and the files
that pass between the office and the colleges — with no hand-made file in between: CHSI's bare
freshmen download, the workbooks xueji writes and the colleges fill in, the finance office's arrears
list (sample_data/arrears.csv), the upload xueji writes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import dbfread
import openpyxl
import pytest
from click.testing import CliRunner

from xueji_testkit import tree_digest
from xueji_tui.cli import cli
from xueji_tui.domain.annual import registered_for
from xueji_tui.domain.record import ROW
from xueji_tui.sample import bundled
from xueji_tui.sample.bundle import read_bundle
from xueji_tui.services.session import login_name
from xueji_tui.store import open_store

pytestmark = pytest.mark.slow  # a year of work end to end, CLI and files

ME = login_name()
SAMPLE = bundled.sample_dir()
YEAR = 2026


def x(data, *args, clerk=ME):
    return CliRunner().invoke(cli, ["--data", str(data), "--clerk", clerk, *args], catch_exceptions=False)


def ok(data, *args, clerk=ME):
    r = x(data, *args, clerk=clerk)
    assert r.exit_code == 0, r.output
    return r


def fill_workbook(path: Path, leave: set[str] = frozenset()) -> None:
    """What a college does with the workbook: every field checked against the documents, 无误 —
    except the students in ``leave``, whose papers it has not seen yet."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        head = [str(c.value or "") for c in ws[1]]
        if "考生号 KSH" not in head:
            continue
        k = head.index("考生号 KSH")
        checks = [i for i, h in enumerate(head) if h.endswith("_HD")]
        for row in ws.iter_rows(min_row=2):
            if row[k].value and str(row[k].value) not in leave:
                for i in checks:
                    row[i].value = "无误"
    wb.save(path)


def cohort(data) -> dict[str, dict]:
    return {s["KSH"]: s for s in open_store(data).students() if (s.get("RXRQ") or "")[:4] == str(YEAR)}


def test_september_from_a_bare_chsi_file_to_the_registration_upload(tmp_path):
    school = read_bundle(SAMPLE / "school.json.gz")
    data, files = tmp_path / "data", tmp_path / "files"
    files.mkdir()
    for name in ("freshmen.dbf", "arrears.csv"):
        shutil.copy(SAMPLE / name, files / name)
    ok(data, "init", "--school-code", "10202", "--school-name", "吉林师范大学")
    s = school.settings
    ok(data, "settings", "--class-size", str(s["class_size"]), "--xh-pattern", s["xh_pattern"],
       "--bh-pattern", s["bh_pattern"], "--term-start", f"{YEAR}0901")
    for m in school.majors:  # the office keeps the catalogue (once; then only for a new major)
        ok(data, "majors", "add", m["ZYDM"], "--name", m["ZYMC"], "--college", m["FY"], "--level", m["CC"],
           "--years", m["XZ"], "--department", m["XSH"], "--college-no", m["college_no"], "--major-no", m["major_no"],
           "--short", m["short"])
    colleges = sorted({m["FY"] for m in school.majors})
    clerks = {c["college"]: c["name"] for c in school.clerks if c["role"] == "college"}
    for fy in colleges:
        ok(data, "users", "add", clerks[fy], "--role", "college", "--college", fy)
    ok(data, "campaign", "start", "--year", str(YEAR))  # the year's round opens at term start

    # 1. CHSI's admitted list: no 学号, no college, no class
    r = ok(data, "import", "freshmen", str(files / "freshmen.dbf"), "--yes")
    fresh = cohort(data)
    assert len(fresh) == 795 and "新增 795 人" in r.output
    assert all(not f.get("XH") and not f.get("BH") and f["FY"] and f["status"] == "待注册" for f in fresh.values())

    # 2. placement: preview, apply, and a second run changes nothing
    before = tree_digest(data)
    r = ok(data, "assign", "--year", str(YEAR), "--dry-run")
    assert "分配 795 人" in r.output and tree_digest(data) == before
    ok(data, "assign", "--year", str(YEAR), "--yes")
    fresh = cohort(data)
    numbers = {f["XH"] for f in fresh.values()}
    assert len(numbers) == 795
    college_no = {m["FY"]: m["college_no"] for m in school.majors}
    for f in fresh.values():
        m = re.fullmatch(rf"{YEAR}(\d\d)(\d{{4}})", f["XH"])
        assert m and m[1] == college_no[f["FY"]], f["XH"]
        assert re.fullmatch(r"\D+\d{4}", f["BH"]) and f["YJBYRQ"].endswith(("0630", "0131"))
    sizes = {}
    for f in fresh.values():
        sizes[f["BH"]] = sizes.get(f["BH"], 0) + 1
    assert max(sizes.values()) <= s["class_size"]
    placed = tree_digest(data)
    r = ok(data, "assign", "--year", str(YEAR), "--yes")
    assert "无需分配" in r.output and tree_digest(data) == placed

    # 3. the colleges mark who never came, who enlisted, who failed the re-check (Art. 8)
    by_college = {}
    for f in sorted(fresh.values(), key=lambda f: f["XH"]):
        by_college.setdefault(f["FY"], []).append(f)
    flawed = {f["KSH"] for f in school.manifest["freshman_flaws"]}
    arrears = [line.split(",")[0] for line in (files / "arrears.csv").read_text("utf-8-sig").splitlines()[1:]]
    usable = lambda fy: [f for f in by_college[fy] if f["KSH"] not in flawed and f["KSH"] not in arrears]  # noqa: E731
    gone, kept, failed = usable("文学院")[-1], usable("外国语学院")[-1], usable("体育学院")[-1]
    r = ok(data, "change", gone["XH"], "1502", "--date", f"{YEAR}0920", clerk="wenxue")
    assert "报送" in r.output
    ok(data, "review", "accept", "--all", "--college", "文学院")
    ok(data, "change", kept["XH"], "1401", "--date", f"{YEAR}0915")
    ok(data, "change", failed["XH"], "1601", "--date", f"{YEAR}1010", "--doc", "吉师大学字〔2026〕21号",
       "--approved", f"{YEAR}1009")

    # 4. the arrears list: 暂缓注册 for those who owe fees (returning students are not in this school yet)
    r = ok(data, "import", "deferrals", str(files / "arrears.csv"), "--yes")
    deferred = {k for k in arrears if k in fresh}
    assert len(deferred) >= 3 and all(cohort(data)[k]["status"] == "暂缓注册" for k in deferred)
    assert r.output.count("找不到") == len(arrears) - len(deferred)

    # 5. each college checks its freshmen in the workbook xueji wrote; 文学院 has not seen one student yet
    unseen = usable("文学院")[0]
    for fy in colleges:
        book = tmp_path / f"{fy}.xlsx"
        ok(data, "export", "workbook", "--college", fy, "--year", str(YEAR), "-o", str(book))
        fill_workbook(book, {unseen["KSH"]})
        r = ok(data, "import", "workbook", str(book), "--yes", clerk=clerks[fy])

    # 6. the office registers everyone reported and checked, skipping exactly the deferred and the unchecked
    incomplete = {unseen["KSH"]} | {f["KSH"] for f in school.manifest["freshman_flaws"]
                                    if f["rule"] in ("id-checksum", "identity-flag")}
    before = tree_digest(data)
    r = ok(data, "register", "--year", str(YEAR), "--dry-run")
    assert tree_digest(data) == before
    listed = r.output.split("跳过：", 1)[1]
    skipped = {k for k in fresh if k in listed}
    assert skipped == deferred | incomplete
    for line in listed.splitlines():
        k = next((k for k in fresh if k in line), None)
        if k is None:
            continue
        assert ("暂缓注册（0501 未按规定缴纳学费" in line) == (k in deferred)
        assert ("核对未完成" in line) == (k in incomplete)
    ok(data, "register", "--year", str(YEAR), "--yes")
    now = cohort(data)
    registered = {k for k, f in now.items() if f["status"] == "注册学籍"}
    assert registered == set(fresh) - deferred - incomplete - {gone["KSH"], kept["KSH"], failed["KSH"]}
    assert {now[k]["status"] for k in incomplete} == {"待注册"}
    assert all(now[k]["history"][-1]["code"] == "0101" for k in registered)
    done = tree_digest(data)
    r = ok(data, "register", "--year", str(YEAR), "--yes")
    assert "没有可以注册的学生" in r.output and tree_digest(data) == done

    # 7. the upload and the reports
    upload = tmp_path / "新生注册.dbf"
    ok(data, "export", "registration", "--year", str(YEAR), "-o", str(upload))
    rows = {r["KSH"]: r for r in dbfread.DBF(str(upload), encoding="gbk")}
    assert set(rows) == set(fresh) - incomplete
    assert all(rows[k]["XH"] == now[k]["XH"] and rows[k]["ZCZT"] == "注册学籍" for k in registered)
    assert {rows[k]["ZCZT"] for k in deferred} == {"暂缓注册"}
    assert (rows[gone["KSH"]]["ZCZT"], rows[kept["KSH"]]["ZCZT"], rows[failed["KSH"]]["ZCZT"]) == \
        ("放弃入学资格", "保留入学资格", "取消入学资格")
    summary = tmp_path / "新生汇总.xlsx"
    ok(data, "export", "intake", "--year", str(YEAR), "-o", str(summary))
    sheet = list(openpyxl.load_workbook(summary, read_only=True).worksheets[0].iter_rows(values_only=True))
    total = [int(v) for v in sheet[-1][2:]]
    assert sheet[-1][0] == "合计" and total == [795, 795 - 3 - len(incomplete), 1, 1, 1, len(incomplete)]
    st = json.loads(ok(data, "stats", "--year", str(YEAR), "--json").output)
    assert st["total"]["注册学籍"] == len(registered) and st["total"]["暂缓注册"] == len(deferred)
    assert "新生核对完成" in ok(data, "progress").output

    # 8. next year's round: this year's verdicts stay in the history and no longer count
    ok(data, "campaign", "start", "--year", str(YEAR + 1))
    paid = sorted(deferred)[0]
    r = x(data, "change", now[paid]["XH"], "0103", "--date", f"{YEAR + 1}0910")
    assert r.exit_code == 2 and "尚未核对 13 项" in r.output
    kept_history = open_store(data).get(paid)["rounds"][str(YEAR)]
    assert len(kept_history) == 13 and all(v["v"] == "ok" for v in kept_history.values())


@pytest.fixture
def demo(tmp_path) -> Path:
    d = tmp_path / "data"
    ok(d, "demo", "--no-tui")
    return d


def test_october_the_annual_round_and_registration(demo, tmp_path):
    store = open_store(demo)
    wen_fresh = {r[ROW["KSH"]]: r[ROW["verified"]] for r in store.rows("文学院") if r[ROW["DQSZJ"]] == str(YEAR)}
    r = ok(demo, "campaign", "start", "--year", str(YEAR))
    # this autumn's freshman verdicts belong to this round: they still count
    assert {r[ROW["KSH"]]: r[ROW["verified"]] for r in open_store(demo).rows("文学院")
            if r[ROW["DQSZJ"]] == str(YEAR)} == wen_fresh

    arrears = tmp_path / "arrears.csv"
    shutil.copy(SAMPLE / "arrears.csv", arrears)
    listed = [line.split(",") for line in arrears.read_text("utf-8-sig").splitlines()[1:]]
    ok(demo, "import", "deferrals", str(arrears), "--yes")
    after = open_store(demo)
    assert all(after.get(k)["status"] == "暂缓注册" for k, *_ in listed)

    # 文学院 checks its students in the workbook and reports its registration list
    book = tmp_path / "文学院.xlsx"
    ok(demo, "export", "workbook", "--college", "文学院", "-o", str(book), clerk="wenxue")
    fill_workbook(book)
    ok(demo, "import", "workbook", str(book), "--yes", clerk="wenxue")
    r = ok(demo, "register", "--year", str(YEAR), "--college", "文学院", "--yes", clerk="wenxue")
    assert "已报送" in r.output
    ok(demo, "review", "accept", "--all", "--college", "文学院")
    now = open_store(demo)
    wen = [s for s in now.students("文学院")]
    returning = [s for s in wen if s["status"] == "注册学籍" and s["RXRQ"][:4] < str(YEAR)]
    marked = [s for s in returning if registered_for(s, YEAR)]  # the mark, or a 0103 this year
    assert returning and len(marked) > len(returning) * 0.9
    # the rest could not be cleared in the workbook (a planted broken 身份证号 …): each is listed with why
    r = ok(demo, "register", "--year", str(YEAR), "--college", "文学院", "--dry-run")
    assert "新生注册 0 人 · 学年注册 0 人" in r.output
    lines = {k: line for line in r.output.split("跳过：", 1)[1].splitlines()
             for k in [next((s["KSH"] for s in wen if s["KSH"] in line), None)] if k}
    for s in returning:
        if s not in marked:
            assert "核对未完成" in lines[s["KSH"]]
    for s in wen:
        if s["status"] == "暂缓注册":
            assert str(YEAR) not in (s.get("annual") or {}) and "暂缓注册（05" in lines[s["KSH"]]

    # the figures at 10-30: per-college rows add up to the totals; 暂缓注册 as the store has it
    st = json.loads(ok(demo, "stats", "--year", str(YEAR), "--json").output)
    for key, total in st["total"].items():
        if isinstance(total, int):
            assert sum(row[key] for row in st["rows"]) == total, key
    assert st["total"]["暂缓注册"] == sum(1 for s in now.students() if s["status"] == "暂缓注册")

    # next year the colleges check again: last year's verdicts do not count
    ok(demo, "campaign", "start", "--year", str(YEAR + 1))
    r = ok(demo, "register", "--year", str(YEAR + 1), "--college", "文学院", "--dry-run")
    assert "学年注册 0 人" in r.output and "核对未完成" in r.output
