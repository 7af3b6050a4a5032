"""xueji benchmark (docs/quality.md): generates a school and prints target vs measured.

Run by hand, not by pytest:  python tests/bench/bench.py [--students 100000] [--keep DIR]
Writes the table to tests/bench/results/bench.json as well. Figures are medians where the target is a
typical time; the machines are shared and noisy, so run it more than once before drawing conclusions.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def load(name: str):
    path = HERE / f"{name}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def report(table: list[dict], name: str, students: int) -> None:
    """Print target vs measured and write the same rows to results/<name>."""
    width = max(len(r["what"]) for r in table) + 2
    print(f"{'what':<{width}}{'target':<12}{'measured':>14}  pass")
    for r in table:
        print(f"{r['what']:<{width}}{r['target']:<12}{str(r['measured']) + ' ' + r['unit']:>14}  "
              f"{'yes' if r['pass'] else 'NO'}")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / name).write_text(json.dumps({"students": students, "rows": table}, ensure_ascii=False, indent=1),
                            "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=100_000)
    ap.add_argument("--graduates", type=int, default=30_000)
    ap.add_argument("--keep", type=Path, default=None, help="work directory to keep (default: a temporary one)")
    ap.add_argument("--only", default="", help="comma list of parts: core,files,precheck,tui")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="xueji-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    parts = set(filter(None, args.only.split(","))) or {"core", "files", "precheck", "tui"}
    table = []
    if not data.exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "xueji_tui", "sample-data", "--students", str(args.students),
                        "--seed", "1", "-o", str(data)], check=True)
        table.append({"what": f"generate {args.students:,} students (sample-data)", "target": "—",
                      "measured": round(time.perf_counter() - t, 2), "unit": "s", "pass": True})
    for part, fn in (("core", lambda m: m.run(data)), ("files", lambda m: m.run(args.students, work / "files")),
                     ("precheck", lambda m: m.run(args.graduates, work / "precheck")),
                     ("tui", lambda m: m.run(args.students, work / "tui"))):
        if part not in parts:
            continue
        mod = load(f"{part}_bench")
        if mod is None:
            table.append({"what": f"{part}: no benchmark module yet", "target": "", "measured": "", "unit": "",
                          "pass": False})
            continue
        (work / part).mkdir(exist_ok=True)
        table += fn(mod)
    report(table, "bench.json", args.students)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
