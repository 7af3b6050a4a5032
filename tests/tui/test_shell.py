"""The app shell: areas, help from the real bindings, the command palette, Esc and quit."""

from __future__ import annotations

from tui_kit import make_app, memory_only, messages, palette_listed, ready, text_of, wait_until

from xueji_tui.screens.files import FilesScreen
from xueji_tui.screens.help import HelpScreen
from xueji_tui.screens.queue import QueueScreen
from xueji_tui.screens.roster import RosterScreen
from xueji_tui.screens.student import StudentScreen

pytestmark = memory_only  # keys and what they show: the store only supplies the rows


async def test_starts_on_the_roster_with_clerk_and_count(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        assert isinstance(office_app.screen, RosterScreen)
        assert "显示 60 / 60" in text_of(office_app, "#count")
        bar = office_app.screen.query_one("AreaBar").render().plain
        assert "1名册" in bar and "2核对" in bar and "office1（学生工作处）" in bar and "吉林师范大学" in bar


async def test_area_keys_switch_and_keep_each_area(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        roster = office_app.screen
        await pilot.press("j", "j", "j")  # the clerk's place in the roster
        assert roster.query_one("#roster").cursor_row == 3
        await pilot.press("2")
        assert isinstance(office_app.screen, QueueScreen)
        await pilot.press("5")
        await pilot.pause()
        assert isinstance(office_app.screen, FilesScreen) and office_app.current_mode == "5"
        await pilot.press("1")
        assert office_app.screen is roster  # the same roster, at the same row
        assert roster.query_one("#roster").cursor_row == 3


async def test_help_lists_the_screens_real_keys(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        await pilot.press("question_mark")
        assert isinstance(office_app.screen, HelpScreen)
        rows = office_app.screen.rows
        what = {desc for _, _, desc in rows}
        assert {"筛选", "条件", "升序", "降序", "打开", "帮助", "退出"} <= what
        assert rows[-1][0] == "全局"
        await pilot.press("escape")
        assert isinstance(office_app.screen, RosterScreen)


async def test_palette_finds_a_student_by_number(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = office_app.feed.model.rows[5]
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in row[1]:
            await pilot.press(ch)
        await palette_listed(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(office_app.screen, StudentScreen))
        assert isinstance(office_app.screen, StudentScreen)
        assert office_app.screen.ksh == row[0]


async def from_palette(pilot, words: str) -> None:
    """ctrl+p, ``words`` typed, the first command found run."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    for ch in words:
        await pilot.press(ch)
    await palette_listed(pilot)
    await pilot.press("enter")


async def test_palette_lists_the_screens_actions(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        await from_palette(pilot, "核对")
        assert await wait_until(pilot, lambda: isinstance(office_app.screen, QueueScreen))
        # the app's own keys too (was: 帮助, 筛选 and 返回 missing while the palette had the keyboard)
        await from_palette(pilot, "帮助")
        assert await wait_until(pilot, lambda: isinstance(office_app.screen, HelpScreen))


async def test_escape_goes_back_and_ctrl_q_quits(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        await pilot.press("enter")
        assert isinstance(office_app.screen, StudentScreen)
        await pilot.press("escape")
        assert isinstance(office_app.screen, RosterScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert office_app.return_code == 0


async def test_college_clerk_sees_only_its_college(seeded):
    app = make_app(seeded.session("wenxue"))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        fys = {r[4] for r in app.feed.model.rows}
        assert fys == {"文学院"}
        assert "wenxue（学院·文学院）" in app.screen.query_one("AreaBar").render().plain


async def test_palette_says_when_a_number_is_outside_the_college(seeded):
    from xueji_tui.domain.record import ROW

    other = [r for r in seeded.store.rows() if r[ROW["FY"]] != "文学院"][0]
    app = make_app(seeded.session("wenxue"))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in other[ROW["XH"]]:
            await pilot.press(ch)
        await palette_listed(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("不属于文学院" in m for m in messages(app)))
        assert not isinstance(app.screen, StudentScreen)
        assert any("不属于文学院" in m for m in messages(app))
