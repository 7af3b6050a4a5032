"""screens/ and store/ install inside the package, never as top-level modules."""

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_listed():
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    listed = set(conf["packages"])
    dirs = conf["package-dir"]
    found = set()
    for name, folder in dirs.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            sub = ".".join(rel.parts)
            pkg = f"{name}.{sub}" if sub else name
            if not any(pkg.startswith(other + ".") and other != name and dirs[other] != folder
                       for other in dirs):
                found.add(pkg)
    assert found <= listed, f"not listed in pyproject.toml packages: {sorted(found - listed)}"


@pytest.mark.slow  # builds a wheel with pip
def test_wheel_layout(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                        "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (whl,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(whl).namelist()
    tops = {n.split("/")[0] for n in names}
    assert "store" not in tops and "screens" not in tops
    assert "xueji_tui/store/db.py" in names and "xueji_tui/data/codes.json" in names
    assert any(n.startswith("xueji_tui/screens/") for n in names)
