"""The real ``xueji`` in a real terminal (tmux, on a private server): send keys, read the screen.

Every wait is for text to appear (or go), with a generous limit: the machine may be busy.
CI installs tmux (.ci/run)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

TMUX = shutil.which("tmux")
WAIT = 40.0  # seconds for a screen text to appear on a busy machine


class Terminal:
    """One tmux session: send keys, read the screen."""

    def __init__(self, socket: str, name: str, command: str, size=(80, 24)) -> None:
        self.socket, self.name = socket, name
        self.tmux("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), command)

    def tmux(self, *args: str) -> str:
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=20).stdout

    def keys(self, *keys: str) -> None:
        """Keys one by one, each after the screen had a moment (as a person types)."""
        for k in keys:
            self.tmux("send-keys", "-t", self.name, k)
            time.sleep(0.15)

    def burst(self, *keys: str) -> None:
        """Keys all at once in one write (a paste, a script): no pause between them."""
        self.tmux("send-keys", "-t", self.name, *keys)

    def text(self, chars: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", chars)
        time.sleep(0.2)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-t", self.name, "-p")

    def wait(self, needle: str, seconds: float = WAIT) -> str:
        return self.until(lambda shown: needle in shown, f"“{needle}” did not appear", seconds)

    def gone(self, needle: str, seconds: float = WAIT) -> str:
        return self.until(lambda shown: needle not in shown, f"“{needle}” did not go away", seconds)

    def until(self, check, what: str, seconds: float = WAIT) -> str:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            shown = self.screen()
            if check(shown):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{what} on the screen:\n{self.screen()}")

    def settle(self, seconds: float = 0.6) -> str:
        """The screen once it stopped changing (for asserting that something did NOT happen)."""
        last, stable_since = self.screen(), time.monotonic()
        end = time.monotonic() + WAIT
        while time.monotonic() < end:
            time.sleep(0.1)
            now = self.screen()
            if now != last:
                last, stable_since = now, time.monotonic()
            elif time.monotonic() - stable_since >= seconds:
                return now
        return last


def command(data_dir: Path, clerk: str, home: Path | None = None) -> str:
    """The shell command that runs xueji (then says how it exited and keeps the pane)."""
    bin_dir = Path(sys.executable).parent
    xueji = bin_dir / "xueji"
    prog = str(xueji) if xueji.exists() else f"{sys.executable} -m xueji_tui"
    env = f"PATH={bin_dir}:{os.environ.get('PATH', '')} TERM=xterm-256color LANG=C.UTF-8"
    if home is not None:
        env += f" HOME={home}"
    cd = f"cd {home} && " if home is not None else ""
    return f"{cd}env {env} {prog} --data {data_dir} --clerk {clerk}; echo XUEJI-EXITED-$?; sleep 60"
