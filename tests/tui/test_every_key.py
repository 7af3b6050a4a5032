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


async def back_to(pilot, target: type, mode: str) -> bool:
    """The screen a key left, when it is still open underneath (a key opened a form or a page on
    top, or switched to another area and left this one's stack as it was): go back to it, instead
    of opening it again from the roster."""
    app = pilot.app
    if app.current_mode != mode and any(type(s) is target for s in app._screen_stacks.get(mode, [])):
        app.switch_mode(mode)
        await pilot.pause()
    if not any(type(s) is target for s in app.screen_stack[:-1]) and type(app.screen) is not target:
        return False
    while type(app.screen) is not target:
        app.pop_screen()
        await pilot.pause()
    return True


def sweep_keys(app, name: str) -> list[str]:
    """The keys to press: every binding's, except that the app's area keys (one action, another
    area each) are all pressed on the roster and one of them on every other screen — leaving a
    screen by an area key runs the same code whichever area it names, and each area's own screen
    is swept by its own case."""
    keys, area_key = [], None
    for key, active in app.screen.active_bindings.items():
        if key in SKIP:
            continue
        if name != "roster" and active.node is app and active.binding.action.startswith("area("):
            if area_key is None and key != app.current_mode:
                area_key = key
                keys.append(key)
            continue
        keys.append(key)
    return keys


@pytest.mark.parametrize("name", list(OPENERS))
async def test_every_binding(office_app, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # export keys write their default file into the current directory
    app = office_app
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await open_screen(pilot, OPENERS[name])
        target, mode = type(app.screen), app.current_mode
        keys = sweep_keys(app, name)
        assert keys, f"{name}: no bindings"
        for key in keys:
            if type(app.screen) is not target:
                await back_to(pilot, target, mode) or await open_screen(pilot, OPENERS[name])
            assert type(app.screen) is target
            await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert app.is_running and app._exception is None
