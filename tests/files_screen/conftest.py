"""The 文件 area writes into the clerk's output folder, by default the home directory: a test's own."""

import pytest


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home
