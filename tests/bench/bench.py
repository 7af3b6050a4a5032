"""xueji benchmark (docs/quality.md): generates a school and prints target vs measured.

Run by hand, not by pytest:  python tests/bench/bench.py [--students 100000] [--keep DIR] [--only PARTS]
Writes the table to tests/bench/results/bench.json as well, with the machine's load average. Figures
are medians where the target is a typical time; the machines are shared and noisy, so run it more
than once before drawing conclusions. ``--keep DIR`` keeps the generated school (300,000 students take
minutes to generate) and reuses it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
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


def report(table: list[dict], name: str, students: int, load: tuple | None = None) -> None:
    """Print target vs measured and write the same rows to results/<name>, with the machine's load
    average before and after (the machines are shared: a figure means little without it)."""
    width = max(len(r["what"]) for r in table) + 2
    after = os.getloadavg()
    loads = {"before": [round(x, 2) for x in load] if load else None, "after": [round(x, 2) for x in after]}
    print(f"load average (1, 5, 15 min): before {loads['before']}, after {loads['after']}; {os.cpu_count()} cores")
    print(f"{'what':<{width}}{'target':<12}{'measured':>14}  pass")
    for r in table:
        print(f"{r['what']:<{width}}{r['target']:<12}{str(r['measured']) + ' ' + r['unit']:>14}  "
              f"{'yes' if r['pass'] else 'NO'}")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / name).write_text(json.dumps({"students": students, "load": loads, "cores": os.cpu_count(), "rows": table},
                                       ensure_ascii=False, indent=1), "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=100_000)
    ap.add_argument("--graduates", type=int, default=30_000)
    ap.add_argument("--keep", type=Path, default=None, help="work directory to keep (default: a temporary one)")
    ap.add_argument("--only", default="", help="comma list of parts: launch,core,files,precheck,workbook,tui")
    ap.add_argument("--runs", type=int, default=5, help="launches of each program for the launch medians")
    args = ap.parse_args()
    loadavg = os.getloadavg()
    work = args.keep or Path(tempfile.mkdtemp(prefix="xueji-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    parts = set(filter(None, args.only.split(","))) or {"launch", "core", "files", "precheck", "workbook", "tui"}
    table = []
    if not data.exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "xueji_tui", "sample-data", "--students", str(args.students),
                        "--seed", "1", "-o", str(data)], check=True)
        table.append({"what": f"generate {args.students:,} students (sample-data)", "target": "—",
                      "measured": round(time.perf_counter() - t, 2), "unit": "s", "pass": True})
    for part, fn in (("launch", lambda m: m.run(data, work / "launch", args.runs)),
                     ("core", lambda m: m.run(data)), ("files", lambda m: m.run(args.students, work / "files")),
                     ("precheck", lambda m: m.run(args.graduates, work / "precheck")),
                     ("workbook", lambda m: m.run(data, work / "workbook")),
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
    report(table, "bench.json", args.students, loadavg)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
