"""Layers of docs/design.md: the headless core never imports Textual; only the store imports TinyDB."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADLESS = ["xueji_tui.domain", "xueji_tui.services", "xueji_tui.store", "xueji_tui.cli"]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def test_headless_modules_do_not_load_textual():
    mods = []
    for pkg in ("domain", "services", "formats", "precheck", "sample"):
        base = ROOT / "xueji_tui" / pkg
        mods += [f"xueji_tui.{pkg}.{p.stem}" for p in base.glob("*.py") if p.stem != "__init__"]
    mods += [f"xueji_tui.store.{p.stem}" for p in (ROOT / "store").glob("*.py") if p.stem != "__init__"]
    code = "import sys\n" + "".join(f"import {m}\n" for m in mods) + "print('textual' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_only_the_store_imports_tinydb():
    offenders = []
    for path in list((ROOT / "xueji_tui").rglob("*.py")) + list((ROOT / "screens").rglob("*.py")):
        if "tinydb" in imports_of(path):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_domain_is_plain_python():
    for path in (ROOT / "xueji_tui" / "domain").rglob("*.py"):
        assert not imports_of(path) & {"textual", "tinydb", "openpyxl", "click", "rich"}, path


def test_screens_do_not_touch_the_store_or_files_directly():
    for path in (ROOT / "screens").rglob("*.py"):
        text = path.read_text("utf-8")
        assert "store.write(" not in text and "tx.put" not in text, path
        assert "tinydb" not in imports_of(path)
