"""The roster rows every area reads: loaded once, refreshed when any clerk saves."""

from __future__ import annotations

from xueji_tui.roster import RosterModel
from xueji_tui.services import roster as roster_service
from xueji_tui.services.session import Session


class RosterFeed:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.model = RosterModel()
        self.loaded = False

    def build(self) -> RosterModel:
        """A freshly loaded model (safe in a worker thread: nothing shared is touched)."""
        model = RosterModel()
        model.load(roster_service.load(self.session))
        return model

    def install(self, model: RosterModel) -> None:
        self.model = model
        self.loaded = True

    def refresh(self) -> bool:
        """Re-read the shards another process (or this one) rewrote; True when rows changed."""
        if not self.loaded:
            return False
        shards = roster_service.load(self.session)
        if not self.model.changed(shards):
            return False
        self.model.load(shards)
        return True
