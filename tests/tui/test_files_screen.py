"""5 文件 from the keyboard: a CHSI file previewed then applied; an upload file written and read back."""

import csv
from datetime import date
from pathlib import Path

import dbfread
from textual.widgets import Input, Select, Static

from tui_kit import make_app, wait_until
from xueji_testkit import make_student
from xueji_tui.store import open_store


def _text(app, wid: str) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"))
    console.print(app.screen.query_one(wid, Static).content)
    return console.export_text()


def _students_csv(path, rows):
    heads = ["KSH", "XH", "XM", "XB", "CSRQ", "SFZH", "MZ", "ZZMM", "ZYDM", "ZYMC", "FY", "XSH", "BH", "CC",
             "XXXS", "XZ", "RXRQ", "YJBYRQ"]
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(heads)
        for r in rows:
            w.writerow([r.get(h, "") for h in heads])


async def _wait(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_import_preview_then_apply(any_school, tmp_path):
    newcomer = make_student(500)
    changed = dict(make_student(1), BH="新班级1班")
    path = tmp_path / "在校生.csv"
    _students_csv(path, [newcomer, changed])
    app = make_app(any_school.office, today=date(2022, 10, 1))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("5")
        app.screen.query_one("#import-path", Input).value = str(path)
        await pilot.press("ctrl+r")  # preview
        await _wait(app, pilot)
        summary = _text(app, "#import-text")
        assert "新增 1 人" in summary and "变更 1 人" in summary and "新班级1班" in summary
        assert any_school.reopened().get(newcomer["KSH"]) is None  # a preview writes nothing
        await pilot.press("ctrl+y")
        await _wait(app, pilot)
        assert "已导入" in _text(app, "#import-text")
        st = any_school.reopened()
        assert st.get(newcomer["KSH"])["status"] == "注册学籍"
        assert st.get(changed["KSH"])["BH"] == "新班级1班"


async def test_bad_file_is_explained_and_nothing_changes(any_school, tmp_path):
    bad = tmp_path / "坏文件.dbf"
    bad.write_bytes(b"\x03not a dbf at all")
    before = any_school.snapshot()
    app = make_app(any_school.office, today=date(2022, 10, 1))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("5")
        app.screen.query_one("#import-path", Input).value = str(bad)
        await pilot.press("ctrl+r")
        await _wait(app, pilot)
        assert "坏文件.dbf" in _text(app, "#import-text")
        assert app.screen.query_one("#do-apply").disabled
    assert any_school.snapshot() == before


async def test_export_registration_file(any_school, tmp_path):
    out = tmp_path / "注册.dbf"
    app = make_app(any_school.office, today=date(2022, 10, 1))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("5")
        app.screen.query_one("#files-tabs").active = "tab-export"
        await pilot.pause()
        app.screen.query_one("#export-name", Input).value = str(out)
        await pilot.press("ctrl+o")
        await _wait(app, pilot)
        assert str(out) in _text(app, "#export-text")
    rows = list(dbfread.DBF(out, encoding="gbk"))
    assert len(rows) == 60 and {r["KSH"] for r in rows} == {make_student(i)["KSH"] for i in range(60)}


async def test_college_clerk_sees_only_its_kinds(any_school):
    app = make_app(any_school.wenxue, today=date(2022, 10, 1))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("5")
        kinds = app.screen.query_one("#import-kind", Select)
        assert [v for _, v in kinds._options if v != Select.BLANK] == ["workbook"]
        assert app.screen.query_one("#export-college", Input).value == "文学院"


async def test_export_that_cannot_be_written_says_why_and_the_area_stays_usable(any_school, tmp_path, monkeypatch):
    """An operating-system error (the output's folder is a file) and a defect in the writer both end
    the busy state with a Chinese message; the next export then works."""
    blocker = tmp_path / "不是目录.txt"
    blocker.write_text("x")
    good = tmp_path / "注册.dbf"
    from xueji_tui.services import exports

    app = make_app(any_school.office, today=date(2022, 10, 1))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("5")
        app.screen.query_one("#files-tabs").active = "tab-export"
        await pilot.pause()
        app.screen.query_one("#export-name", Input).value = str(blocker / "注册.dbf")
        await pilot.press("ctrl+o")
        # never stuck on "正在导出": the busy bar goes (waited for, not timed: speed is tests/bench's)
        assert await wait_until(pilot, lambda: not app.screen.query_one("#export-busy").display)
        said = _text(app, "#export-text")
        assert "未写入任何数据" in said and "不是目录.txt" in said and "正在导出" not in said
        assert not app.screen.query_one("#export-busy").display

        def broken(*args, **kwargs):
            raise RuntimeError("writer defect")

        with monkeypatch.context() as m:
            m.setattr(exports, "export", broken)
            await pilot.press("ctrl+o")
            await _wait(app, pilot)
        said = _text(app, "#export-text")
        assert "内部错误" in said and "XUEJI_DEBUG" in said and "Traceback" not in said
        assert not app.screen.query_one("#export-busy").display

        app.screen.query_one("#export-name", Input).value = str(good)
        await pilot.press("ctrl+o")
        await _wait(app, pilot)
        assert str(good) in _text(app, "#export-text")
    assert len(list(dbfread.DBF(good, encoding="gbk"))) == 60


def test_output_folder_falls_back_to_the_data_directorys_exports(office, monkeypatch, tmp_path):
    """A clerk without a home that can be written (a service account): exports go to DATA/exports/,
    made when first used, and the path shown is the full one (about the data directory: disk only)."""
    from xueji_tui.services import settings

    monkeypatch.setenv("HOME", str(tmp_path / "no-such-home"))
    root = office.store.root
    assert settings.output_folder(office) == (root / "exports").resolve()
    path = settings.output_path(office, "注册.dbf")
    assert path == (root / "exports" / "注册.dbf").resolve() and path.parent.is_dir()
    assert settings.output_path(office, "/tmp/x/注册.dbf") == Path("/tmp/x/注册.dbf")  # absolute: as given


async def test_over_ssh_the_files_area_keeps_out_of_the_data_directory_and_hidden_files(school, tmp_path, monkeypatch):
    """A clerk in the terminal UI over SSH (ssh-session) names files as freely as on the command line,
    and under the same rule: an export into the data directory or into a hidden directory (~/.ssh …),
    or an import read from the data directory, is refused in Chinese and nothing is written (about the
    data directory: disk only)."""
    from xueji_tui.domain.clerks import Clerk
    from xueji_tui.services.session import Session

    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    session = Session(open_store(school), Clerk("office1", "office"), remote_root=school)
    app = make_app(session, today=date(2022, 10, 1))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("5")
        app.screen.query_one("#files-tabs").active = "tab-export"
        await pilot.pause()
        for target in (home / ".ssh" / "authorized_keys2", school / "注册.dbf"):
            before = sorted(p.name for p in target.parent.iterdir())
            app.screen.query_one("#export-name", Input).value = str(target)
            await pilot.press("ctrl+o")
            await _wait(app, pilot)
            said = _text(app, "#export-text")
            assert "远程会话不能读写" in said and "请换一个普通目录中的文件" in said, said
            assert sorted(p.name for p in target.parent.iterdir()) == before
        app.screen.query_one("#files-tabs").active = "tab-import"
        await pilot.pause()
        app.screen.query_one("#import-path", Input).value = str(school / "meta.json")
        await pilot.press("ctrl+r")  # preview
        await _wait(app, pilot)
        assert "远程会话不能读写数据目录中的文件" in _text(app, "#import-text")
