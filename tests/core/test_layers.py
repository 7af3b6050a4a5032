"""The layers of docs/design.md ("Layers and data flow"), read from the import graph of the source:
every import statement, those inside functions too; only ``if TYPE_CHECKING:`` imports, which never
run, are left out. The table drawn there is compared with the graph, both ways."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# where each installed package's source lives (pyproject.toml's package-dir)
SOURCES = {"xueji_tui": ROOT / "xueji_tui", "xueji_tui.screens": ROOT / "screens", "xueji_tui.store": ROOT / "store"}
UI = ("textual", "rich")
pytestmark = pytest.mark.xdist_group("layers")


def modules() -> dict[str, Path]:
    out = {}
    for package, base in SOURCES.items():
        for path in base.rglob("*.py"):
            parts = list(path.relative_to(base).with_suffix("").parts)
            if ".venv" in parts or "build" in parts or (package == "xueji_tui" and parts[0] in ("screens", "store")):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join([package, *parts])] = path
    return out


MODULES = modules()


def _type_checking_only(tree: ast.AST) -> set[int]:
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for part in node.body for n in ast.walk(part)}
    return skip


def _ours(name: str) -> str | None:
    """The module of ours that ``name`` (a module, or a name inside one) is, or None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str) -> tuple[set[str], set[str]]:
    """(our modules, other top-level packages) that ``module`` imports."""
    path = MODULES[module]
    tree = ast.parse(path.read_text("utf-8"))
    skip = _type_checking_only(tree)
    ours, others = set(), set()
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            mine = _ours(name) if name.startswith("xueji_tui") else None
            if mine:
                ours.add(mine)
            else:
                others.add(name.split(".")[0])
    ours.discard(module)
    return ours, others


@functools.cache
def graph() -> dict[str, tuple[set[str], set[str]]]:
    """Every module's imports, read once per worker (2 s of parsing: not at collection, which every
    worker does; the module's tests run on one worker)."""
    return {m: imports(m) for m in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each as a list."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def under(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_graph_is_read():
    """The test sees the code: every layer is there and the known edges are found."""
    assert {"xueji_tui.domain.errors", "xueji_tui.store.db", "xueji_tui.screens.roster", "xueji_tui.cli"} <= set(graph())
    assert "xueji_tui.services.session" in graph()["xueji_tui.services.exports"][0]
    assert "textual" in graph()["xueji_tui.screens.roster"][1] and "tinydb" in graph()["xueji_tui.store.tinystorage"][1]


def test_no_import_cycles():
    found = cycles({m: ours for m, (ours, _) in graph().items()})
    edges = [f"{a} -> {b}" for comp in found for a in comp for b in sorted(graph()[a][0]) if b in comp]
    assert found == [], "import cycles:\n" + "\n".join(edges)


def test_domain_imports_nothing_of_ours_outside_domain():
    bad = {m: sorted(d for d in ours if not under(d, "xueji_tui.domain"))
           for m, (ours, _) in graph().items() if under(m, "xueji_tui.domain")}
    assert {m: d for m, d in bad.items() if d} == {}


def test_domain_is_plain_python():
    bad = {m: sorted(others & {*UI, "tinydb", "openpyxl", "click", "xlrd", "dbfread"})
           for m, (_, others) in graph().items() if under(m, "xueji_tui.domain")}
    assert {m: d for m, d in bad.items() if d} == {}


def test_only_the_store_imports_tinydb():
    assert sorted(m for m, (_, others) in graph().items() if "tinydb" in others and not under(m, "xueji_tui.store")) == []


def test_screens_and_the_cli_never_import_the_store():
    bad = {m: sorted(d for d in ours if under(d, "xueji_tui.store"))
           for m, (ours, _) in graph().items() if under(m, "xueji_tui.screens", "xueji_tui.cli")}
    assert {m: d for m, d in bad.items() if d} == {}


def test_the_precheck_imports_no_ui():
    ui = ("xueji_tui.screens", "xueji_tui.app", "xueji_tui.roster", "xueji_tui.cli")
    bad = {m: sorted({d for d in ours if under(d, *ui)} | (others & set(UI)))
           for m, (ours, others) in graph().items() if under(m, "xueji_tui.precheck")}
    assert {m: d for m, d in bad.items() if d} == {}


def test_headless_modules_do_not_load_textual():
    """What the graph says, confirmed by Python: importing the whole headless core loads no Textual."""
    mods = sorted(m for m in MODULES if under(m, *(f"xueji_tui.{p}" for p in
                                                    ("domain", "services", "formats", "precheck", "sample", "store"))))
    code = "import sys\n" + "".join(f"import {m}\n" for m in mods) + "print('textual' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def _layer(module: str) -> str:
    """A module's layer as docs/design.md names it: a package ('services/') or a module ('app.py')."""
    parts = module.split(".")
    if len(parts) == 1:
        return module
    top = f"xueji_tui.{parts[1]}"
    if MODULES[top].name == "__init__.py":
        return f"{parts[1]}/"
    return f"{parts[1]}.py"


def documented_layers() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "design.md").read_text("utf-8")
    block = text.split("## Layers and data flow", 1)[1].split("```", 2)[1]
    table = {}
    for line in block.strip().splitlines():
        left, right = line.split("->", 1)
        targets = set() if right.strip().startswith("nothing") else \
            {t.strip() for t in right.split("(")[0].split(",") if t.strip()}
        for name in left.split(","):
            table[name.strip()] = targets
    return table


def test_the_design_notes_draw_the_graph_as_it_is():
    actual: dict[str, set[str]] = {}
    for module, (ours, _) in graph().items():
        here = _layer(module)
        actual.setdefault(here, set())
        actual[here] |= {_layer(d) for d in ours} - {here}
    actual = {k: v for k, v in actual.items() if k != "xueji_tui"}  # the package's own __init__
    assert actual == documented_layers()


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
