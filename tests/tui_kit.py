"""The UI tests' kit: the one app factory (``make_app``), keys typed as a clerk types them, and waits
on conditions, never on the clock (imported by name: tests/ is on pytest's pythonpath)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from xueji_tui.domain.record import ROW
from xueji_tui.services.session import Session, open_session

TODAY = date(2025, 9, 20)

# a test of keys or rendering only: the seeded school in memory, no disk twin (tests/tui/conftest.py,
# ``seeded``, says why)
memory_only = pytest.mark.parametrize("seeded", ["memory"], indirect=True)


def make_app(where: Path | Session, clerk: str = "office1", *, today: date = TODAY, poll: bool = False, **kw):
    """The app as ``clerk`` opens it on the data directory ``where``, or on an open session (either
    store), with a pinned clock and, unless asked, no polling for other processes' changes."""
    from xueji_tui.app import XuejiApp

    session = where if isinstance(where, Session) else open_session(where, clerk)
    return XuejiApp(session, today=lambda: today, poll=poll, **kw)


async def ready(app, pilot) -> None:
    """Wait until the roster rows are loaded and the screen has settled."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(ch)


async def open_by_number(app, pilot, xh: str) -> None:
    """What a clerk does at the window: /, the 学号, Enter."""
    await pilot.press("slash")
    await type_text(pilot, xh)
    await filtered(pilot)
    await pilot.press("enter")
    await pilot.pause()


def rows_where(app, **want) -> list[list]:
    return [r for r in app.feed.model.rows if all(r[ROW[k]] == v for k, v in want.items())]


def messages(app) -> list[str]:
    """The toasts' texts (line breaks the app put in for the toast's width taken out)."""
    return [n.message.replace("\n", "") for n in app._notifications]


def text_of(app, selector: str) -> str:
    """The text a widget shows (a Static's content as given: str, Text, markup, or a wrapped message)."""
    w = app.screen.query_one(selector)
    content = getattr(w, "content", None)
    if content is None:
        content = w.render()
    if isinstance(content, str) and getattr(w, "_render_markup", False):
        from rich.text import Text

        return Text.from_markup(content).plain
    return getattr(content, "plain", None) or str(content)


async def fill(app, pilot, widget_id: str, text: str) -> None:
    """Focus a form field and type into it, as a clerk would."""
    app.screen.query_one(f"#{widget_id}").focus()
    await pilot.pause()
    await type_text(pilot, text)


async def burst(app, pilot, keys) -> None:
    """Keys sent all at once, as a paste or a script does: every key is queued before the first one is
    handled. ``keys`` are key names ('enter', 'ctrl+s') or text (each character a key)."""
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    for item in keys:
        named = item in ("enter", "tab", "escape", "up", "down", "space", "slash") or "+" in item
        names = [item] if named else list(item)
        for key in names:
            if len(key) == 1 and not key.isalnum():
                key = _character_to_key(key)
            try:
                char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
            except KeyError:
                char = key if len(key) == 1 else None
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)
    await pilot.pause()
    await wait_until(pilot, lambda: True)


async def wait_until(pilot, check, seconds: float = 30.0) -> bool:
    """Wait (on a busy machine, generously) until ``check()`` holds; its last value."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if check():
            return True
        await pilot.pause(0.05)
    return bool(check())


async def still(pilot) -> None:
    """The screen once nothing is left to happen, whatever the machine's load: workers done, animations
    over, the roster's filter applied (it settles on a timer) and the text cursor steady (it blinks every
    0.5 s, so a screenshot would catch it on or off depending on how long the steps took)."""
    from textual.widgets import Input

    from xueji_tui.screens.roster import RosterScreen

    app = pilot.app
    await app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    if app.feed.loaded and any(isinstance(s, RosterScreen) for s in app.screen_stack):
        await filtered(pilot)
    for box in app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


async def filtered(pilot) -> None:
    """Wait until the roster shows what its filter box says (keys typed fast are taken together when a
    short timer ends, which a busy machine may delay)."""
    from xueji_tui.screens.roster import FilterInput, RosterScreen

    screen = next(s for s in reversed(pilot.app.screen_stack) if isinstance(s, RosterScreen))
    box = screen.query_one(FilterInput)
    assert await wait_until(pilot, lambda: screen.model.query == box.value), "the filter never settled"


async def palette_listed(pilot, nothing: bool = False) -> None:
    """Wait until the command palette lists what it found (it searches in a worker); with ``nothing``,
    until it says it found nothing (after its own countdown)."""
    from textual.command import CommandList

    from xueji_tui.screens.palette import Palette

    def listed() -> bool:
        options = pilot.app.screen.query_one(CommandList)
        ids = {options.get_option_at_index(i).id for i in range(options.option_count)}
        return Palette._NO_MATCHES in ids if nothing else bool(ids) and Palette._NO_MATCHES not in ids

    assert await wait_until(pilot, listed), "the palette did not list its search"
