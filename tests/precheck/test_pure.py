"""The precheck package is pure (docs/design.md): no store, no Textual, no TinyDB, no openpyxl."""

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "xueji_tui" / "precheck"


def test_no_store_textual_or_files_in_the_engine():
    for path in PKG.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        bad = {n for n in names if n.split(".")[0] in ("textual", "tinydb", "openpyxl", "click")
               or n.startswith("xueji_tui.store") or n.startswith("xueji_tui.services")}
        assert not bad, (path.name, bad)


def test_running_it_loads_neither_textual_nor_tinydb():
    code = ("import sys\nfrom xueji_tui.precheck import run\n"
            "run([], year=2026, settings={}, list_imported=False)\n"
            "print(sorted(m for m in ('textual', 'tinydb', 'openpyxl') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
