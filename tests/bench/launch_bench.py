"""Launch from the shell against VisiData, in one run, on the same rows (docs/quality.md).

Both programs are started the same way — a shell command in a fresh tmux session at 120×40 — and
timed from the moment tmux is asked to start them until the screen says the rows are loaded: xueji's
count line (``显示 100,094 / 100,094``), VisiData's row count (``100094 rows``). The runs alternate,
xueji then VisiData, after one untimed run of each (the data files are then in the page cache for
both); medians are reported with the ratio beside them, and the resident memory of each process once
loaded.

VisiData is installed from PyPI into the benchmark's own environment (``tests/bench/.venv-visidata``,
made here on first use; it is not a dependency of xueji), and reads the roster's rows written as a
CSV file: the fields of ``domain.record.ROW_FIELDS``, one row a student in the clerk's scope.

Run alone:  python tests/bench/launch_bench.py --data DIR [--runs 5]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tui_bench import TMUX, Terminal, memory_kb, row, xueji_command  # noqa: E402

VISIDATA = "visidata==3.4"  # the version the issue measured against
VD_VENV = HERE / ".venv-visidata"
REPO = HERE.parents[1]


def compile_bytecode() -> None:
    """Byte-compile xueji as ``pip install`` does: an editable checkout (or PYTHONDONTWRITEBYTECODE)
    would otherwise compile every module on every start, which no installed copy does."""
    dirs = [str(REPO / d) for d in ("xueji_tui", "screens", "store") if (REPO / d).is_dir()]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], check=False, capture_output=True)


def ensure_visidata() -> Path | None:
    """``vd`` from the benchmark's own environment, installed there from PyPI when missing."""
    vd = VD_VENV / "bin" / "vd"
    if vd.exists():
        return vd
    try:
        subprocess.run([sys.executable, "-m", "venv", str(VD_VENV)], check=True, capture_output=True)
        subprocess.run([str(VD_VENV / "bin" / "pip"), "install", "-q", VISIDATA], check=True, capture_output=True,
                       timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        print(f"VisiData could not be installed ({e}); the comparison is skipped", file=sys.stderr)
        return None
    return vd if vd.exists() else None


def write_csv(data: Path, out: Path) -> tuple[Path, int]:
    """The roster's rows (office scope) as CSV: what xueji loads, for VisiData to load."""
    from xueji_tui.domain.record import ROW_FIELDS
    from xueji_tui.store import open_store

    rows = open_store(data).rows()
    path = out / "roster.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ROW_FIELDS)
        w.writerows(rows)
    return path, len(rows)


def vd_command(vd: Path, csv_path: Path, home: Path) -> str:
    # no startup message fetched from the network, no user configuration: VisiData as installed
    return f"env HOME={home} TERM=xterm-256color LANG=C.UTF-8 {vd} --motd-url= {csv_path}; sleep 30"


def launch(command: str, loaded) -> tuple[float, int]:
    """Seconds from asking tmux to start ``command`` until ``loaded(screen)``, and the RSS then (kB)."""
    term = Terminal(command)
    try:
        term.wait(loaded, 120)
        seconds = time.perf_counter() - term.started
        try:
            rss = memory_kb(term.pid())[0]
        except (OSError, ValueError):
            rss = 0
        return seconds, rss
    finally:
        term.close()


def run(data: Path, workdir: Path, runs: int = 5) -> list[dict]:
    if not TMUX:
        return [row("tmux not installed: launch against VisiData skipped", "", "", "", False)]
    workdir.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    csv_path, total = write_csv(data, workdir)
    vd = ensure_visidata()
    home = Path(tempfile.mkdtemp(prefix="vd-home-", dir=workdir))
    big = total > 150_000
    target = 2.5 if big else 1.0
    count = f"显示 {total:,} / {total:,}"
    ours_cmd = xueji_command(data)
    vd_cmd = vd_command(vd, csv_path, home) if vd else None

    ours, theirs, ours_rss, theirs_rss = [], [], [], []
    launch(ours_cmd, lambda s: count in s)  # untimed: both read warm files from here on
    if vd_cmd:
        launch(vd_cmd, lambda s: f"{total} rows" in s)
    for _ in range(runs):
        t, m = launch(ours_cmd, lambda s: count in s)
        ours.append(t)
        ours_rss.append(m)
        if vd_cmd:
            t, m = launch(vd_cmd, lambda s: f"{total} rows" in s)
            theirs.append(t)
            theirs_rss.append(m)
    shutil.rmtree(home, ignore_errors=True)

    med = statistics.median(ours)
    spread = f"{min(ours):.2f}–{max(ours):.2f}"
    out = [row(f"launch from the shell → roster of {total:,} loaded, xueji in tmux (median of {runs}; {spread} s)",
               f"≤ {target:g} s", med, "s", med <= target)]
    if theirs:
        vmed = statistics.median(theirs)
        ratio = vmed / med
        out.append(row(f"  VisiData 3.4 on the same rows as CSV, same run (median of {runs}; "
                       f"{min(theirs):.2f}–{max(theirs):.2f} s)", "—", vmed, "s", True))
        out.append(row("  VisiData's time / xueji's (medians)", "—" if big else "≥ 1.2", round(ratio, 2), "×",
                       big or ratio >= 1.2))
        out.append(row("  resident memory once loaded: xueji / VisiData (median)", "—",
                       f"{statistics.median(ours_rss) / 1024:.0f} / {statistics.median(theirs_rss) / 1024:.0f}",
                       "MB", True))
    else:
        out.append(row("  VisiData not installed: no ratio", "≥ 1.2", "", "", False))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True, help="a data directory (e.g. bench.py --keep DIR's data)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="xueji-launch-bench-"))
    try:
        load = os.getloadavg()
        table = run(args.data, work, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    from bench import report

    report(table, "launch_bench.json", 0, load)


if __name__ == "__main__":
    main()
