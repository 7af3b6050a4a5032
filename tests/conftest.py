"""The suite's kit: the test school (xueji_testkit.build_school) on the disk store and in memory, its
clerks' sessions, and ``async def`` tests run in a fresh event loop (Textual's pilot)."""

from __future__ import annotations

import asyncio
import inspect
import os
from pathlib import Path

import pytest

from xueji_testkit import SchoolKit, build_school, copy_dir
from xueji_tui.domain.clerks import Clerk
from xueji_tui.services.session import Session
from xueji_tui.store import open_store


def _shorter_idle_slices() -> None:
    """Textual's pilot waits after every key until the app looks idle: it sleeps in 20 ms slices until
    one passes with under 1 ms of CPU, so a key costs at least 40 ms of sleep (a UI test half asleep:
    29 s for 11 s of CPU). In 5 ms slices the same tests take 16 s. Idle is still judged by the same
    1 ms of CPU, and no test relies on it: the kit waits on conditions (tui_kit.wait_until)."""
    import textual._wait as idle  # pinned textual==8.2.8: its heuristic's two constants

    assert hasattr(idle, "SLEEP_GRANULARITY") and hasattr(idle, "SLEEP_IDLE"), "textual._wait changed"
    idle.SLEEP_GRANULARITY = 0.005


_shorter_idle_slices()


def pytest_configure(config):
    """Byte-compile the source once, in the process that starts the workers: where
    PYTHONDONTWRITEBYTECODE is set (as on the CI machines) nothing caches the compiled modules, so
    every worker and every `xueji` a test starts compiled all of xueji again (about 70 ms of CPU
    each time: 0.42 s to import the app uncompiled, 0.35 s compiled)."""
    if hasattr(config, "workerinput"):
        return
    import compileall
    import re

    root = Path(__file__).resolve().parents[1]
    for name in ("xueji_tui", "screens", "store", "tests"):
        # not the benchmark's own VisiData environment, nor anything hidden
        compileall.compile_dir(root / name, quiet=2, rx=re.compile(r"[/\\]\."))


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """The one async runner: an ``async def`` test runs to its end in a fresh event loop (no plugin)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    wanted = inspect.signature(pyfuncitem.obj).parameters
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in wanted}))
    return True


@pytest.fixture(scope="session")
def _school_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("school-template") / "data"
    build_school(root)
    return root


@pytest.fixture
def school(_school_template, tmp_path) -> Path:
    """The test school in a data directory of the test's own: a copy of one built per worker."""
    root = tmp_path / "data"
    copy_dir(_school_template, root)
    return root


@pytest.fixture
def office(school) -> Session:
    return Session(open_store(school), Clerk("office1", "office"))


@pytest.fixture
def office2(school) -> Session:
    """A second office clerk: approvals need one who did not file the request."""
    return Session(open_store(school), Clerk("office2", "office"))


@pytest.fixture
def wenxue(school) -> Session:
    return Session(open_store(school), Clerk("wenxue", "college", "文学院"))


@pytest.fixture(params=["memory", pytest.param("disk", marks=pytest.mark.slow)])
def any_school(request, tmp_path) -> SchoolKit:
    """The test school on the in-memory store (fast) and on the data directory (the real thing): the
    same behaviour test runs on both, which keeps the two stores honest about one interface."""
    if request.param == "memory":
        return SchoolKit(build_school(None))
    root = tmp_path / "data"
    copy_dir(request.getfixturevalue("_school_template"), root)
    return SchoolKit(open_store(root), root)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook (unknown to pytest alone)
def pytest_xdist_auto_num_workers(config):
    """`-n auto` (addopts): two workers per core. A pilot test mostly waits for the app to go idle
    (Textual's pilot sleeps between keys), so a second worker per core fills that time: on 2 cores the
    UI tests took 255 s with 2 workers and 158 s with 4."""
    return 2 * len(os.sched_getaffinity(0))
