"""The roster rows every area reads: loaded once, refreshed when any clerk saves."""

from __future__ import annotations

import threading

from xueji_tui.roster import RosterModel
from xueji_tui.services import roster as roster_service
from xueji_tui.services.session import Session


class RosterFeed:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.model = RosterModel()
        self.loaded = False
        self._early: threading.Thread | None = None
        self._built: list = []  # what the early read gave: [model] or [exception]

    def start(self) -> None:
        """Read the rows from now on, in a thread, while the terminal UI is still being imported and
        started: when the roster screen mounts they are usually there, and its first frame shows
        them (the frames painted meanwhile would otherwise compete with the read)."""
        def read() -> None:
            try:
                self._built.append(self._read())
            except BaseException as e:  # handed to whoever waits (the app's loading worker)
                self._built.append(e)

        self._early = threading.Thread(target=read, name="xueji-roster", daemon=True)
        self._early.start()

    def ready(self) -> bool:
        """The early read has finished (rows or an error waiting to be taken)."""
        return self._early is not None and not self._early.is_alive()

    def build(self) -> RosterModel:
        """A freshly loaded model (safe in a worker thread: nothing shared is touched). After
        ``start``, the first call waits for that read and returns its model."""
        early, self._early = self._early, None
        if early is not None:
            early.join()
            got = self._built.pop()
            if isinstance(got, BaseException):
                raise got
            return got
        return self._read()

    def _read(self) -> RosterModel:
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
