"""SVG snapshots of each screen and form at 80×24 and 120×40 (seeded data, pinned clock), taken on the
in-memory store; on a data directory every screen shows the same picture, compared with the same file.

Update after an intended change of the look: ``pytest tests/tui/test_snapshots.py --snapshot-update``
and review the SVGs (pytest writes an HTML report of any difference).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_kit import make_app, ready, still, type_text

from xueji_tui.domain.fields import ART6_FIELDS

pytestmark = pytest.mark.slow  # every screen at two sizes: a sweep

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


async def student(pilot, field: str = "KSH", status: str = "待注册") -> None:
    """The first student in ``status`` (a freshman: one with a 有误 verdict, so the page shows one)."""
    model = pilot.app.feed.model
    pos = next(i for i in range(len(model))
               if model.row(i)[8] == status and (model.row(i)[14] or status != "待注册"))
    pilot.app.screen.query_one("#roster").move_to(pos)
    await pilot.press("enter")
    for _ in range(ART6_FIELDS.index(field)):
        await pilot.press("j")


def steps(*keys):
    async def run(pilot):
        await ready(pilot.app, pilot)
        for k in keys:
            if k.startswith("student"):  # student[@status][:FIELD]
                k, field = (k.split(":") + ["KSH"])[:2]
                await student(pilot, field, k.split("@")[1] if "@" in k else "待注册")
            elif k.startswith("type:"):
                await type_text(pilot, k[5:])
            else:
                await pilot.press(k)
            await pilot.pause()
        await still(pilot)  # areas that compute in a worker (进度), the filter's timer, the cursor
    return run


SCREENS = {
    "roster": steps(),
    "roster-filtered": steps("slash", "type:2025"),
    "roster-facets": steps("f"),
    "help": steps("question_mark"),
    "queue": steps("2"),
    "student": steps("student:MZ"),
    "verify-form": steps("student:RXRQ", "n", "type:20250231"),
    "request-form": steps("student:XM", "n"),
    "status-form": steps("student@注册学籍", "s", "type:2301"),
    "record-form": steps("student@注册学籍", "r", "type:7103"),
    "history": steps("student", "v", "h"),
    "files": steps("5"),
    "progress": steps("6"),
}


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch):
    from tui_seed import AT

    from xueji_tui.store import txn

    monkeypatch.setattr(txn, "now_iso", lambda: AT)  # a reveal's audit line shows in the history


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(snap_compare, seeded_in_memory, name, size):
    app = make_app(seeded_in_memory.office)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=SCREENS[name])


@pytest.mark.parametrize("name", list(SCREENS))
def test_a_data_directory_shows_the_same_picture(data_dir, name):
    """The disk store's picture of each screen at 80×24 is the snapshot kept above (the store is not
    a parameter of ``test_screen``: one file per picture, whichever store drew it)."""
    from pytest_textual_snapshot import normalize_svg
    from textual._doc import take_svg_screenshot  # what snap_compare takes its pictures with

    kept = Path(__file__).parent / "__snapshots__" / "test_snapshots" / f"test_screen[{name}-80x24].svg"
    shot = take_svg_screenshot(make_app(data_dir, "office1"), terminal_size=SIZES["80x24"], run_before=SCREENS[name])
    assert normalize_svg(shot) == normalize_svg(kept.read_text("utf-8"))
