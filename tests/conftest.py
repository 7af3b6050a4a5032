"""Shared fixtures: a small synthetic school in a real data directory (no mocks of the store)."""

from __future__ import annotations

import pytest

from xueji_testkit import build_school
from xueji_tui.domain.clerks import Clerk
from xueji_tui.services.session import Session
from xueji_tui.store import open_store


@pytest.fixture
def school(tmp_path) -> Path:
    root = tmp_path / "data"
    build_school(root)
    return root


@pytest.fixture
def office(school) -> Session:
    return Session(open_store(school), Clerk("office1", "office"))


@pytest.fixture
def wenxue(school) -> Session:
    return Session(open_store(school), Clerk("wenxue", "college", "文学院"))

