"""`xueji import` and `xueji export` as real processes, as a clerk runs them: exit codes, what is said on
stdout and stderr, the file written into the current directory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from filekit import chsi_file, students
from xueji_testkit import build_school

pytestmark = pytest.mark.slow  # real processes


def test_real_processes(tmp_path):
    root = tmp_path / "d"
    build_school(root, n=0)
    path = chsi_file(tmp_path / "新生.dbf", students(12, year=2025), "freshmen")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))

    def xueji(*args):
        return subprocess.run([sys.executable, "-m", "xueji_tui", "--data", str(root), "--clerk", "office1", *args],
                              capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)

    p = xueji("import", "freshmen", str(path), "--yes")
    assert p.returncode == 0 and "新增 12 人" in p.stdout and "Traceback" not in p.stderr, p.stderr
    p = xueji("export", "registration", "--year", "2025")
    assert p.returncode == 1  # all 待注册: nothing to export (the command ran and found nothing)
    assert "待注册" in p.stderr and "Traceback" not in p.stderr
    p = xueji("export", "workbook", "--college", "文学院")
    assert p.returncode == 0, p.stderr
    written = tmp_path / p.stdout.strip()
    assert written.exists() and written.name.startswith("学院核对表-")
    p = xueji("import", "students", str(tmp_path / "missing.dbf"))
    assert p.returncode == 2 and "missing.dbf" in p.stderr and "Traceback" not in p.stderr
