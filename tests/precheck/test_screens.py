"""Screens 3 照片 and 4 预审: pilot tests (keys -> screen state and store) on either store, and SVG
snapshots at 80×24 and 120×40 (fixed clock, seeded data) drawn in memory and the same on disk."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from grad_factory import graduate
from grad_kit import edit, grad_school
from tui_kit import make_app, messages, still, text_of
from xueji_testkit import SchoolKit

TODAY = date(2026, 6, 1)


def seeded(root: Path | None) -> SchoolKit:
    """The graduating class with a planted flaw per rule, in a data directory at ``root`` or in memory."""
    st = [graduate(i) for i in range(30)]
    st[3]["SFZH"] = st[3]["SFZH"][:17] + "Y"
    st[5]["XM"] = "王 五"
    st[7]["photo"] = {"taken": False, "linked": False, "check": "未校对"}
    st[9]["photo"].update(linked=False)
    st[10]["photo"].update(check="未校对", checked_on="")
    st[11]["photo"].update(check="有异议")
    st[12]["photo"].update(taken_on="20251010", checked_on="20251101")
    st[13]["ZSBH"] = ""
    store = grad_school(root, st)
    with store.write("office1", "测试：证书编号已开始分配") as tx:  # the precheck's second stage
        tx.update_settings({"certno_years": [2026]})
        tx.log("settings", field="certno_years", new=[2026])
    return SchoolKit(store, root)


@pytest.fixture(params=["memory", pytest.param("disk", marks=pytest.mark.slow)])
def data(request, tmp_path) -> SchoolKit:
    """On either store, as ``any_school``: in memory in the fast set, in a data directory in the full run."""
    return seeded(None if request.param == "memory" else tmp_path / "data")


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def open_area(pilot, key: str) -> None:
    await pilot.press(key)
    await settle(pilot)


# -- 4 预审 ---------------------------------------------------------------------------------------
async def test_precheck_runs_and_summarises_by_rule(data):
    app = make_app(data.office, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_area(pilot, "4")
        screen = app.screen
        assert type(screen).__name__ == "PrecheckScreen"
        assert screen.result.checked == 30
        rules = screen.query_one("#pc-rules")
        assert [r[3] for r in rules.source.rows] == ["", "missing-field", "id-format", "photo-missing",
                                                      "photo-unchecked", "photo-early-check", "name-format"]
        assert [r[0] for r in rules.source.rows][:3] == ["全部", "必填项为空", "身份证号格式错误"]  # shown
        assert not screen.query_one("#pc-progress").display
        head = str(screen.query_one("#pc-head").render())
        assert "检查 30 人" in head and "错误 6 条" in head
        # moving in the rule summary filters the findings
        rules.focus()
        await pilot.press("down", "down")
        findings = screen.query_one("#pc-findings")
        assert [f.rule for f in findings.source.rows] == ["id-format"]


async def test_enter_opens_the_student_on_the_field_and_r_reruns(data):
    app = make_app(data.office, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "4")
        screen = app.screen
        rules = screen.query_one("#pc-rules")
        rules.focus()
        await pilot.press("down", "down", "enter")  # id-format, then to the findings
        assert app.focused.id == "pc-findings"
        await pilot.press("enter")
        await pilot.pause()
        student = app.screen
        assert type(student).__name__ == "StudentScreen"
        assert student.ksh == graduate(3)["KSH"] and student.start_field == "SFZH"
        assert student.field == "SFZH"
        # no list to walk from a finding: J/K are not offered (was: "J 下一个" that only said so)
        assert not {"J", "K"} & set(student.active_bindings)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        # the photo is fixed meanwhile (another clerk, another process): r shows the new state
        edit(data.reopened(), graduate(7)["KSH"], photo={"taken": True, "linked": True, "check": "无误",
                                                "taken_on": "20251010", "checked_on": "20251201"})
        await pilot.press("r")
        await settle(pilot)
        assert dict((r[3], r[1]) for r in screen.rule_rows)["photo-missing"] == 1  # was 2


async def test_school_setting_finding_explains_itself():
    from grad_factory import SETTINGS

    school = SchoolKit(grad_school(None, [graduate(i) for i in range(3)], settings={**SETTINGS, "president": ""}))
    app = make_app(school.office, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "4")
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "PrecheckScreen"  # no student to open
        assert any("学校设置中填写校长姓名" in str(n.message).replace("\n", "") for n in app._notifications)


async def test_precheck_year_and_export(data, tmp_path):
    app = make_app(data.office, today=TODAY)
    out = tmp_path / "预审.xlsx"
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "4")
        screen = app.screen
        await pilot.press("y")
        await pilot.pause()
        year = app.screen.query_one("#year")
        year.value = "2027"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.year == 2027 and screen.result.checked == 0
        await pilot.press("y")
        await pilot.pause()
        app.screen.query_one("#year").value = "2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#path").value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
        # a name without .xlsx: the form shows the file that will be written, and that is written
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#path").value = str(tmp_path / "r2.txt")
        await pilot.pause()
        assert f"写到 {tmp_path / 'r2.txt.xlsx'}" in text_of(app, "#export-full")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any(f"{tmp_path / 'r2.txt.xlsx'}" in m for m in messages(app))
    assert out.exists() and (tmp_path / "r2.txt.xlsx").exists() and not (tmp_path / "r2.txt").exists()


async def test_college_clerk_sees_only_its_college(data):
    app = make_app(data.wenxue, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "4")
        r = app.screen.result
        assert r.college == "文学院" and r.checked == 8
        assert {f.FY for f in r.findings} <= {"文学院"}


# -- 3 照片 ---------------------------------------------------------------------------------------
async def test_photo_checklist_counts_and_lists(data):
    app = make_app(data.office, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_area(pilot, "3")
        screen = app.screen
        assert type(screen).__name__ == "PhotosScreen"
        c = screen.checklist
        assert (c.total, c.counts["missing"], c.counts["unlinked"], c.counts["unchecked"], c.counts["disputed"],
                c.counts["early"]) == (30, 1, 1, 1, 1, 1)
        students = screen.query_one("#ph-students")
        assert [s["KSH"] for s in students.source.rows] == [graduate(7)["KSH"]]
        # pick 有异议 in the list of steps
        await pilot.press("enter")  # college table (合计) -> the steps
        assert app.focused.id == "ph-lacks"
        await pilot.press("down", "down", "down", "enter")
        assert [s["KSH"] for s in students.source.rows] == [graduate(11)["KSH"]]
        assert app.focused.id == "ph-students"
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "StudentScreen" and app.screen.ksh == graduate(11)["KSH"]


async def test_photo_college_filter_and_chase_export(data, tmp_path):
    app = make_app(data.office, today=TODAY)
    out = tmp_path / "催办.xlsx"
    async with app.run_test(size=(120, 40)) as pilot:
        await open_area(pilot, "3")
        screen = app.screen
        colleges = screen.query_one("#ph-colleges")
        names = [r[0] for r in colleges.source.rows]
        await pilot.press("down" if names[1] != "文学院" else "down")
        pos = names.index("文学院")
        colleges.move_to(pos)
        await pilot.pause()
        assert screen.shown_college == "文学院"
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#path").value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
    import openpyxl

    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))[1:]
    wen = {graduate(i)["XH"] for i in range(30) if graduate(i)["FY"] == "文学院"}
    assert rows and all(r[2] in wen for r in rows)


# -- snapshots ------------------------------------------------------------------------------------
def area(key: str):
    async def run_before(pilot):
        await open_area(pilot, key)
        await still(pilot)
    return run_before


@pytest.mark.slow  # SVG snapshots at two sizes
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_precheck(snap_compare, size):
    assert snap_compare(make_app(seeded(None).office, today=TODAY), terminal_size=size, run_before=area("4"))


@pytest.mark.slow  # SVG snapshots at two sizes
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_photos(snap_compare, size):
    assert snap_compare(make_app(seeded(None).office, today=TODAY), terminal_size=size, run_before=area("3"))


@pytest.mark.slow
@pytest.mark.parametrize("key, snapshot", [("4", "test_snapshot_precheck"), ("3", "test_snapshot_photos")])
def test_a_data_directory_shows_the_same_picture(tmp_path, key, snapshot):
    """The snapshots above are drawn in memory; on a data directory each area is the same picture."""
    from pytest_textual_snapshot import normalize_svg
    from textual._doc import take_svg_screenshot  # what snap_compare takes its pictures with

    kept = Path(__file__).parent / "__snapshots__" / "test_screens" / f"{snapshot}[80x24].svg"
    app = make_app(seeded(tmp_path / "data").office, today=TODAY)
    shot = take_svg_screenshot(app, terminal_size=(80, 24), run_before=area(key))
    assert normalize_svg(shot) == normalize_svg(kept.read_text("utf-8"))
