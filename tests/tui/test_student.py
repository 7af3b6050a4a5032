"""The student screen: verdicts, corrections, change requests, reveal, history, J/K."""

from __future__ import annotations

from tui_kit import fill, filtered, memory_only, messages, open_by_number, ready, rows_where, text_of, type_text

from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.screens.forms import RequestModal, VerifyModal
from xueji_tui.screens.history import HistoryScreen
from xueji_tui.screens.student import StudentScreen


def stored(school, ksh: str) -> dict:
    """The student as saved (on disk: read back from the data directory)."""
    return school.reopened().get(ksh)


def audit_actions(school, ksh: str) -> list[str]:
    from xueji_tui.services.students import audit_lines

    return [d["action"] for d in audit_lines(school.elsewhere("office1"), ksh)]


async def goto_field(pilot, field: str) -> None:
    await pilot.press("g")
    for _ in range(ART6_FIELDS.index(field)):
        await pilot.press("j")


async def test_window_lookup_shows_status_and_masked_id(office_app, seeded):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = rows_where(office_app, status="休学(病休)")[0]
        await open_by_number(office_app, pilot, row[1])
        screen = office_app.screen
        assert isinstance(screen, StudentScreen) and screen.ksh == row[0]
        head = text_of(office_app, "#student-head")
        assert "休学(病休)" in head and "********" in head and row[10] not in head
        await pilot.press("v")  # reveal: shown, and audited
        assert row[10] in text_of(office_app, "#student-head")
        assert "reveal" in audit_actions(seeded, row[0])
        await pilot.press("h")
        assert isinstance(office_app.screen, HistoryScreen)
        rows = office_app.screen.rows
        assert any("1101" in r[3] for r in rows) and any("查看身份证号" in r[3] for r in rows)


async def test_space_and_y_mark_fields_correct(office_app, seeded):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = [r for r in rows_where(office_app, status="待注册") if r[9] < 11][0]
        await open_by_number(office_app, pilot, row[1])
        s = stored(seeded, row[0])
        todo = [f for f in ART6_FIELDS if (s["verification"].get(f) or {}).get("v") != "ok"]
        await goto_field(pilot, todo[0])
        await pilot.press("space")
        await pilot.press("y")  # the cursor moved on by itself: this is the next field
        after = stored(seeded, row[0])["verification"]
        second = ART6_FIELDS[ART6_FIELDS.index(todo[0]) + 1]
        assert after[todo[0]]["v"] == "ok" and after[todo[0]]["by"] == "office1"
        assert after[second]["v"] == "ok"
        done = sum(1 for f in ART6_FIELDS if (after.get(f) or {}).get("v") == "ok")
        assert f"核对 {done}/13" in text_of(office_app, "#student-head")
        assert office_app.feed.model.search(row[1])[0][9] == done  # the roster row follows


async def test_wrong_with_a_correction_validated_as_typed(office_app, seeded):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = rows_where(office_app, status="待注册")[0]
        await open_by_number(office_app, pilot, row[1])
        await goto_field(pilot, "RXRQ")
        await pilot.press("n")
        modal = office_app.screen
        assert isinstance(modal, VerifyModal)
        await type_text(pilot, "20250231")  # not a date
        await pilot.pause()
        assert "不是有效日期" in text_of(office_app, "#value-note")
        await pilot.press("ctrl+s")
        assert office_app.screen is modal  # refused: the form stays, with what was typed
        assert modal.query_one("#value").value == "20250231"
        assert "不是有效日期" in text_of(office_app, "#form-error")
        modal.query_one("#value").value = ""
        await type_text(pilot, "20250902")
        await fill(office_app, pilot, "note", "以录取通知书为准")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(office_app.screen, StudentScreen)
        s = stored(seeded, row[0])
        assert s["RXRQ"] == "20250902"  # the office corrects a non-identity field directly
        assert s["verification"]["RXRQ"]["corrected_from"] == "20250901"


async def test_office_edit_without_a_note_keeps_the_form_open(office_app, seeded):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = rows_where(office_app, status="待注册")[0]
        await open_by_number(office_app, pilot, row[1])
        await goto_field(pilot, "RXRQ")
        await pilot.press("n")
        await type_text(pilot, "20250902")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(office_app.screen, VerifyModal)
        assert "说明原因" in text_of(office_app, "#form-error")
        assert office_app.screen.query_one("#value").value == "20250902"
        assert stored(seeded, row[0])["RXRQ"] == "20250901"


async def test_identity_field_files_a_change_request(college_app, seeded):
    app = college_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        row = rows_where(app, status="待注册")[0]
        await open_by_number(app, pilot, row[1])
        await goto_field(pilot, "MZ")
        await pilot.press("n")
        assert isinstance(app.screen, RequestModal)
        await type_text(pilot, "满族")
        await fill(app, pilot, "reason", "录取数据民族有误")
        await fill(app, pilot, "evidence", "吉公户证2025-12号")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StudentScreen)
        s = stored(seeded, row[0])
        assert s["MZ"] == "汉族"  # CHSI's value stays until the request is approved
        assert s["verification"]["MZ"]["v"] == "wrong" and s["verification"]["MZ"]["request"]
        req = seeded.reopened().corrections()[-1]
        assert (req["field"], req["new"], req["evidence"], req["status"]) == ("MZ", "满族", "吉公户证2025-12号", "申请")
        assert "申请 #" in text_of(app, "#student-msg")


async def test_photo_can_only_be_noted(office_app, seeded):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        row = rows_where(office_app, status="待注册")[0]
        await open_by_number(office_app, pilot, row[1])
        await goto_field(pilot, "ZP")
        await pilot.press("n")
        assert not office_app.screen.query("#value")
        await pilot.press("ctrl+s")
        assert "说明" in text_of(office_app, "#form-error")
        await type_text(pilot, "照片模糊")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert stored(seeded, row[0])["verification"]["ZP"]["v"] == "wrong"


@memory_only
async def test_j_and_k_walk_the_filtered_roster(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        await pilot.press("slash")
        await type_text(pilot, "2025")
        await filtered(pilot)
        await pilot.press("down", "enter")
        screen = office_app.screen
        model = office_app.feed.model
        order = [model.row(i)[0] for i in range(len(model))]
        assert screen.ksh == order[0]
        await pilot.press("J")
        assert screen.ksh == order[1]
        await pilot.press("J", "K")
        assert screen.ksh == order[1]
        await pilot.press("K", "K")
        assert screen.ksh == order[0] and any("第一名" in m for m in messages(office_app))


@memory_only
async def test_cursor_moves_and_escape_returns(office_app):
    async with office_app.run_test(size=(80, 24)) as pilot:
        await ready(office_app, pilot)
        await pilot.press("enter")
        table = office_app.screen.query_one("#fields")
        await pilot.press("G")
        assert table.cursor_row == len(ART6_FIELDS) - 1
        await pilot.press("g", "j", "down", "k")
        assert table.cursor_row == 1
        await pilot.press("escape")
        assert not isinstance(office_app.screen, StudentScreen)
