"""The whole-school college workbook (docs/quality.md: ≤ 10 s and ≤ 300 MB at 100,000 students).

``xueji export workbook -o FILE`` as a fresh process on the benchmark's school (every student not
yet verified, every college a sheet), timed from the shell, with the process's peak resident memory
(VmHWM, read by the process itself as it exits). Median of 3.

Run alone:  python tests/bench/workbook_bench.py --data DIR
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
# the CLI in this process, then its own peak memory on stderr
RUN = r"""
import atexit, sys
from xueji_tui.cli import main
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            print("PEAK-KB", line.split()[1], file=sys.stderr)
atexit.register(peak)
sys.argv = ["xueji", *sys.argv[1:]]
main()
"""


def row(what, target, measured, unit, ok):
    return {"what": what, "target": target, "measured": round(measured, 2) if isinstance(measured, float) else measured,
            "unit": unit, "pass": bool(ok)}


def run(data: Path, workdir: Path, runs: int = 3) -> list[dict]:
    workdir.mkdir(parents=True, exist_ok=True)
    times, peaks, written = [], [], ""
    for i in range(runs):
        out = workdir / f"workbook-{i}.xlsx"
        out.unlink(missing_ok=True)
        t = time.perf_counter()
        p = subprocess.run([PY, "-c", RUN, "--data", str(data), "export", "workbook", "-o", str(out)],
                           capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if p.returncode:
            return [row("export workbook failed: " + p.stderr.strip().splitlines()[-1][:80], "", "", "", False)]
        peaks.append(int(p.stderr.split("PEAK-KB")[-1].split()[0]) / 1024)
        written = next((line for line in p.stderr.splitlines() if line.startswith("已导出")), "")
        size = out.stat().st_size / 1e6
        out.unlink()
    med, peak = statistics.median(times), max(peaks)
    return [row(f"whole-school college workbook, fresh process ({written.strip()}, {size:.0f} MB; median of {runs})",
                "≤ 10 s", med, "s", med <= 10),
            row("  its peak memory (VmHWM, largest of the runs)", "≤ 300 MB", peak, "MB", peak <= 300)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="xueji-workbook-bench-") as work:
        for r in run(args.data, Path(work)):
            print(f"{r['what']:<90} {r['target']:<10} {r['measured']} {r['unit']}  {'yes' if r['pass'] else 'NO'}")


if __name__ == "__main__":
    main()
