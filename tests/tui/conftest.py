"""Fixtures of the UI tests: the seeded school on either store, an app on it with a pinned clock."""

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
from xueji_testkit import SchoolKit, copy_dir  # noqa: E402

from xueji_tui.store import open_store  # noqa: E402


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


@pytest.fixture(scope="session")
def _memory_template():
    return build(None, 60)


@pytest.fixture
def data_dir(_template, tmp_path) -> Path:
    """A fresh copy of the seeded 60-student school for each test, in a data directory: for the tests
    about the directory itself (another process's change, the real command in tmux, its files)."""
    root = tmp_path / "data"
    copy_dir(_template, root)
    return root


@pytest.fixture(params=["memory", pytest.param("disk", marks=pytest.mark.slow)])
def seeded(request, _memory_template) -> SchoolKit:
    """The seeded 60-student school, a fresh copy for each test, on either store: in memory (a copy of
    one school built per worker: milliseconds) in the fast set, and in a data directory (``slow``) in
    the full run, so a screen is proven on the seam, not on one store.

    A test whose behaviour saves or reads the store (a verdict, a change, an export, an import, a
    review, a refresh) runs on both. A test of pure rendering or keys, where the store only supplies
    the rows, runs on memory only (``tui_kit.memory_only``): its disk twin would add minutes to the
    full run and prove nothing the saving tests do not.
    """
    if request.param == "memory":
        return SchoolKit(_memory_template.clone())
    root = request.getfixturevalue("data_dir")
    return SchoolKit(open_store(root), root)


@pytest.fixture
def seeded_in_memory(_memory_template) -> SchoolKit:
    """The seeded school in memory only, not a parameter of the test (the snapshots keep their names)."""
    return SchoolKit(_memory_template.clone())


@pytest.fixture
def office_app(seeded):
    return make_app(seeded.session("office1"))


@pytest.fixture
def college_app(seeded):
    return make_app(seeded.session("wenxue"))


@pytest.fixture(scope="session")
def roster_rows(_memory_template) -> dict:
    """Shard -> roster rows of the seeded school (read only)."""
    from xueji_tui.services import roster as roster_service

    return roster_service.load(SchoolKit(_memory_template.clone()).office)


@pytest.fixture
def terminals():
    """A private tmux server for one test's terminals (tmux_kit.Terminal), killed afterwards."""
    from tmux_kit import TMUX

    socket = f"xueji-test-{uuid.uuid4().hex[:8]}"
    yield socket
    if TMUX:
        subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True, timeout=20)
