"""Every binding on every screen and form, pressed, without an error (and the app keeps running)."""

from __future__ import annotations

import pytest
from tui_kit import memory_only, ready

from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.screens.areas import AREAS

pytestmark = [pytest.mark.slow, memory_only]  # every binding of every screen: a sweep of keys

SKIP = {"ctrl+q", "ctrl+c", "super+c"}  # quitting ends the test; copying needs a clipboard
# (q at the top only asks; the question is answered "n" by the next key's unwinding)


async def to_student(pilot, field: str = "KSH", status_row: int = 0) -> None:
    app = pilot.app
    model = app.feed.model
    pos = [i for i in range(len(model)) if model.row(i)[8] == "待注册"][status_row]
    app.screen.query_one("#roster").move_to(pos)
    await pilot.press("enter")
    for _ in range(ART6_FIELDS.index(field)):
        await pilot.press("j")


OPENERS = {
    "roster": [],
    "queue": ["2"],
    "student": ["student"],
    "history": ["student", "h"],
    "help": ["question_mark"],
    "facets": ["f"],
    "verify-form": ["student:RXRQ", "n"],
    "request-form": ["student:MZ", "n"],
    "status-form": ["student", "s"],
    "record-form": ["student", "r"],
}
OPENERS.update({f"area-{k}": [k] for k, a in AREAS.items() if k not in ("1", "2")})


async def open_screen(pilot, steps) -> None:
    app = pilot.app
    for _ in range(2):  # unwind the area we are in, then the roster's
        while len(app.screen_stack) > 1:
            app.pop_screen()
            await pilot.pause()
        app.switch_area("1")  # its list focused (a key before may have left the filter focused)
        await pilot.pause()
    for step in steps:
        if step.startswith("student"):
            await to_student(pilot, step.split(":")[1] if ":" in step else "KSH")
        else:
            await pilot.press(step)
        await pilot.pause()


async def back_to(pilot, target: type) -> bool:
    """The screen a key left, when it is still open underneath (a key opened a form or a page on
    top): close what is above it, instead of opening it again from the roster."""
    app = pilot.app
    if not any(type(s) is target for s in app.screen_stack[:-1]):
        return False
    while type(app.screen) is not target:
        app.pop_screen()
        await pilot.pause()
    return True


@pytest.mark.parametrize("name", list(OPENERS))
async def test_every_binding(office_app, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # export keys write their default file into the current directory
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await open_screen(pilot, OPENERS[name])
        target = type(app.screen)
        keys = [k for k, b in app.screen.active_bindings.items() if k not in SKIP]
        assert keys, f"{name}: no bindings"
        for key in keys:
            if type(app.screen) is not target:
                await back_to(pilot, target) or await open_screen(pilot, OPENERS[name])
            assert type(app.screen) is target
            await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert app.is_running and app._exception is None
