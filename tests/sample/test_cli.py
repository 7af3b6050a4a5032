"""`xueji sample-data` and `xueji demo` (docs/cli.md): through click's runner and as real processes."""

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from xueji_testkit import tree_digest
from xueji_tui.cli import cli
from xueji_tui.sample import bundled
from xueji_tui.store import open_store

pytestmark = pytest.mark.xdist_group("sample-cli")  # its module fixture made once, on one worker

LOOKUP_KEYS = {"KSH", "XH", "XM", "XB", "CSRQ", "SFZH", "MZ", "ZZMM", "ZYDM", "ZYMC", "FY", "XSH", "BH", "CC",
               "XXXS", "XZ", "RXRQ", "YJBYRQ", "BYRQ", "BJYJL", "ZSBH", "status", "verification", "history", "photo"}


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "school"
    r = run("--data", str(root), "--clerk", "zhaoli", "demo", "--no-tui")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == str(root)
    return root


def test_demo_no_tui_prepares_a_usable_school(demo_dir):
    r = run("--data", str(demo_dir), "--clerk", "zhaoli", "users", "list")
    assert r.exit_code == 0
    assert "zhaoli" in r.output and "wenxue" in r.output and "文学院" in r.output
    school = bundled.load()
    someone = next(s for s in school.students if s["FY"] == "文学院" and s["grad_year"])
    r = run("--data", str(demo_dir), "--clerk", "zhaoli", "lookup", someone["XH"], "--json")
    assert r.exit_code == 0, r.output
    [found] = json.loads(r.stdout)
    assert found["XM"] == someone["XM"] and LOOKUP_KEYS <= set(found)
    assert found["photo"]["check"] == "无误"
    r = run("--data", str(demo_dir), "--clerk", "zhaoli", "lookup", someone["XH"])
    assert someone["SFZH"] not in r.output and someone["SFZH"][:6] + "********" in r.output


def test_demo_clerks_see_only_their_college(demo_dir):
    school = bundled.load()
    mine = next(s for s in school.students if s["FY"] == "文学院")
    other = next(s for s in school.students if s["FY"] == "体育学院")
    assert run("--data", str(demo_dir), "--clerk", "wenxue", "lookup", mine["XH"]).exit_code == 0
    r = run("--data", str(demo_dir), "--clerk", "wenxue", "lookup", other["XH"])
    assert r.exit_code == 3 and "文学院" in r.output


def test_demo_precheck_reports_exactly_the_planted_findings(demo_dir):
    planted = json.loads((bundled.sample_dir() / "planted.json").read_text("utf-8"))
    r = run("--data", str(demo_dir), "--clerk", "zhaoli", "precheck", "--year", str(planted["year"]), "--json")
    assert r.exit_code == 1, r.output  # errors found
    got = json.loads(r.stdout)
    assert got["checked"] == planted["checked"] and got["registered"] == 0
    found = {(f["rule"], f["KSH"], f["field"]) for f in got["findings"] if (f["rule"], f["field"]) != ("missing-field", "ZSBH")}
    assert found == {(f["rule"], f["KSH"], f["field"]) for f in planted["findings"]}
    assert got["pending_certno"] == planted["pending_certno"] == planted["checked"] - len(planted["has_zsbh"])


def test_demo_refuses_a_directory_that_holds_data(demo_dir):
    before = tree_digest(demo_dir)
    r = run("--data", str(demo_dir), "--clerk", "zhaoli", "demo", "--no-tui")
    assert r.exit_code == 2 and "不会覆盖" in r.output
    assert tree_digest(demo_dir) == before


def test_demo_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    r = run("--data", str(tmp_path), "demo", "--no-tui")
    assert r.exit_code == 2 and "不是空目录" in r.output
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]


def test_demo_without_data_makes_a_new_temporary_directory(monkeypatch):
    monkeypatch.delenv("XUEJI_DATA", raising=False)
    r = run("--clerk", "zhaoli", "demo", "--no-tui")
    assert r.exit_code == 0, r.output
    root = Path(r.stdout.strip())
    try:
        assert root.is_dir() and root.name.startswith("xueji-demo-")
        assert open_store(root).clerk("zhaoli")["role"] == "office"
        assert oct(root.stat().st_mode & 0o777) == "0o700"
    finally:
        shutil.rmtree(root)


def test_demo_opens_the_terminal_ui_on_the_new_school(tmp_path, monkeypatch):
    import xueji_tui.cli.tui as tui

    opened = []
    monkeypatch.setattr(tui, "open_tui", lambda env: opened.append(env.session()))
    r = run("--data", str(tmp_path / "d"), "--clerk", "zhaoli", "demo")
    assert r.exit_code == 0, r.output
    [session] = opened
    assert session.store.root == tmp_path / "d" and session.clerk.office
    assert session.store.count() == len(bundled.load().students)


def test_sample_data_makes_a_store_and_the_files(tmp_path):
    r = run("--clerk", "maker", "sample-data", "--students", "500", "--seed", "9", "--date", "20270315",
            "-o", str(tmp_path / "d"), "--files", str(tmp_path / "f"))
    assert r.exit_code == 0, r.output
    store = open_store(tmp_path / "d")
    assert store.count() >= 500 and store.clerk("maker")["role"] == "office"
    assert store.settings["school_code"] == "10202" and store.settings["president"]
    assert {m["ZYDM"] for m in store.majors()} >= {"050101", "050107T", "040202K"}
    names = sorted(p.name for p in (tmp_path / "f").iterdir())
    assert names == sorted(["students.dbf", "students.xlsx", "freshmen.dbf", "graduates.dbf", "graduates.xlsx",
                            "photos.xlsx", "photos.csv", "arrears.csv", "planted.json", "school.json.gz"])
    assert all((p.stat().st_mode & 0o007) == 0 for p in (tmp_path / "f").iterdir())
    planted = json.loads((tmp_path / "f" / "planted.json").read_text("utf-8"))
    assert planted["year"] == 2027 and planted["date"] == "20270315"
    assert run("--data", str(tmp_path / "d"), "--clerk", "maker", "audit", "--verify").exit_code == 0


@pytest.mark.parametrize("args,words", [
    (["--students", "50"], "至少"),
    (["--date", "20261345"], "日期"),
])
def test_sample_data_refuses_bad_options(tmp_path, args, words):
    r = run("sample-data", *args, "-o", str(tmp_path / "d"))
    assert r.exit_code == 2 and words in r.output
    assert not (tmp_path / "d").exists()


def test_sample_data_refuses_existing_data_and_files_inside_it(demo_dir, tmp_path):
    before = tree_digest(demo_dir)
    r = run("sample-data", "--students", "400", "-o", str(demo_dir))
    assert r.exit_code == 2 and "不会覆盖" in r.output
    assert tree_digest(demo_dir) == before
    r = run("sample-data", "--students", "400", "-o", str(tmp_path / "d"), "--files", str(tmp_path / "d" / "f"))
    assert r.exit_code == 2 and not (tmp_path / "d").exists()


@pytest.mark.slow  # real processes
def test_demo_and_lookup_as_real_processes(tmp_path):
    env = dict(os.environ, XUEJI_CLERK="")
    root = tmp_path / "school"
    r = subprocess.run([sys.executable, "-m", "xueji_tui", "--data", str(root), "demo", "--no-tui"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(root) and "经办人" in r.stderr
    xh = bundled.load().students[0]["XH"]
    r = subprocess.run([sys.executable, "-m", "xueji_tui", "--data", str(root), "lookup", xh, "--json"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["XH"] == xh
    r = subprocess.run([sys.executable, "-m", "xueji_tui", "--data", str(root), "demo", "--no-tui"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr


async def test_the_real_app_opens_on_the_demo_school(demo_dir):
    from tui_kit import make_app

    app = make_app(demo_dir, "zhaoli", today=date.today())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "吉林师范大学" in app.title
