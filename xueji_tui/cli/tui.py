"""Opening the terminal UI: the only CLI path that imports Textual."""

from __future__ import annotations


def open_tui(env) -> None:
    session = env.session()
    # the roster's rows are read while Textual is imported and started (docs/design.md, "Where
    # launch time goes"); xueji_tui.screens.feed itself does not import Textual
    from xueji_tui.screens.feed import RosterFeed

    feed = RosterFeed(session)
    feed.start()
    from xueji_tui.app import run_app

    run_app(session, feed)
