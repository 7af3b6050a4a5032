"""Opening the terminal UI: the only CLI path that imports Textual."""

from __future__ import annotations


def open_tui(env) -> None:
    session = env.session()
    from xueji_tui.app import run_app

    run_app(session)
