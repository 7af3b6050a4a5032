"""Fixtures of the UI tests: a seeded school on disk, an app on it with a pinned clock."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

# tui_seed (the seeded school) is imported by name here and by tests/bench/tui_bench.py
sys.path.insert(0, str(Path(__file__).parent))

from tui_kit import make_app  # noqa: E402
from tui_seed import build  # noqa: E402

from xueji_tui.services.session import open_session  # noqa: E402


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """The clerk's home (the default output folder of exports): the test's own, empty."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("HOME", str(path))
    return path


@pytest.fixture
def short_home(monkeypatch):
    """A home with a short path: a path shown on screen stays on one line at 80 columns (a test's own
    tmp_path, longer under several workers, would be cut or break inside a word)."""
    path = Path(tempfile.mkdtemp(prefix="xj"))
    monkeypatch.setenv("HOME", str(path))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def _template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tui-template") / "data"
    build(root, 60)
    return root


@pytest.fixture
def data_dir(_template, tmp_path) -> Path:
    """A fresh copy of the seeded 60-student school for each test."""
    root = tmp_path / "data"
    shutil.copytree(_template, root, symlinks=True)
    return root


@pytest.fixture
def office_app(data_dir):
    return make_app(data_dir, "office1")


@pytest.fixture
def college_app(data_dir):
    return make_app(data_dir, "wenxue")


@pytest.fixture(scope="session")
def roster_rows(_template) -> dict:
    """Shard -> roster rows of the seeded school (read only)."""
    from xueji_tui.services import roster as roster_service

    return roster_service.load(open_session(_template, "office1"))


@pytest.fixture
def terminals():
    """A private tmux server for one test's terminals (tmux_kit.Terminal), killed afterwards."""
    from tmux_kit import TMUX

    socket = f"xueji-test-{uuid.uuid4().hex[:8]}"
    yield socket
    if TMUX:
        subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True, timeout=20)
