"""SVG snapshots of each screen and form at 80×24 and 120×40 (seeded data, pinned clock).

Update after an intended change of the look: ``pytest tests/tui/test_snapshots.py --snapshot-update``
and review the SVGs (pytest writes an HTML report of any difference).
"""

from __future__ import annotations

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
def test_screen(snap_compare, data_dir, name, size):
    app = make_app(data_dir, "office1")
    assert snap_compare(app, terminal_size=SIZES[size], run_before=SCREENS[name])
