"""Fixtures of the graduation tests: a small graduating class in a real data directory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# grad_factory (synthetic graduates) and grad_kit (data directory helpers) are imported by name by
# the tests here and by the benchmark
sys.path.insert(0, str(Path(__file__).parent))

from grad_kit import make_grads  # noqa: E402

from xueji_tui.domain.clerks import Clerk  # noqa: E402
from xueji_tui.services.session import Session  # noqa: E402
from xueji_tui.store import open_store  # noqa: E402


@pytest.fixture
def grads(tmp_path) -> Path:
    """A data directory whose 24 graduates of YEAR pass everything except that none has a number."""
    return make_grads(tmp_path / "data")


@pytest.fixture
def office_g(grads) -> Session:
    return Session(open_store(grads), Clerk("office1", "office"))


@pytest.fixture
def wenxue_g(grads) -> Session:
    return Session(open_store(grads), Clerk("wenxue", "college", "文学院"))
