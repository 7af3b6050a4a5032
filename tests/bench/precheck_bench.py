"""Precheck benchmark (docs/quality.md: the precheck of 30,000 graduates in ≤ 2 s on one core).

``run(n, workdir)`` builds a data directory with ``n`` graduates of one year (synthetic, from the
precheck tests' factory: valid data, a few planted defects), then measures the engine alone, the
whole ``xueji precheck --json`` command as a fresh process (first with nothing kept, then again),
``certno assign`` (right after the precheck, and with nothing kept) and ``export graduates``.
Run through tests/bench/bench.py, or alone: python tests/bench/precheck_bench.py [N]
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "precheck"))


def _row(what, target, measured, unit, ok):
    return {"what": what, "target": target, "measured": round(measured, 3), "unit": unit, "pass": bool(ok)}


def _build(n: int, root: Path) -> tuple[list[dict], dict]:
    import grad_factory as factory

    from xueji_tui.store import create_store

    students = [factory.graduate(i, ZSBH="") for i in range(n)]
    for i in range(0, n, 997):  # a sprinkling of defects, so findings are produced and written
        s = students[i]
        s["SFZH"] = s["SFZH"][:17] + ("0" if s["SFZH"][17] != "0" else "1")
        s["photo"] = {**s["photo"], "check": "未校对"}
    store = create_store(root, clerk="bench", **{k: factory.SETTINGS[k] for k in ("school_code", "school_name",
                                                                                    "president")})
    with store.write("bench", "benchmark data") as tx:
        tx.put_many(students)
        tx.log("import", new=n)
    return students, factory.SETTINGS


def _xueji(data: Path, *args) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "xueji_tui", "--data", str(data), "--clerk", "bench", *args],
                       capture_output=True)
    return time.perf_counter() - t, p


def run(n: int = 30_000, workdir: Path | None = None) -> list[dict]:
    import tempfile

    from xueji_tui.precheck import run as precheck

    work = Path(workdir or tempfile.mkdtemp(prefix="xueji-precheck-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    if data.exists():
        shutil.rmtree(data)
    students, settings = _build(n, data)
    year = 2026
    rows = []

    times = []
    for _ in range(5):
        t = time.perf_counter()
        result = precheck(students, year=year, settings=settings, list_imported=True)
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    rows.append(_row(f"precheck engine, {n:,} graduates (median of 5, {result.errors:,} errors)", "≤ 2 s",
                     med, "s", med <= 2.0))

    # the first run finds nothing kept (precheck/verdicts.py) and checks everyone; later ones check
    # only what changed since — here nothing
    dt, p = _xueji(data, "precheck", "--year", str(year), "--json")
    assert p.returncode == 1, p.stderr.decode()
    rows.append(_row(f"xueji precheck --json, fresh process, {n:,} graduates, nothing kept (first run)", "≤ 2 s",
                     dt, "s", dt <= 2.0))
    times = []
    for _ in range(3):
        dt, p = _xueji(data, "precheck", "--year", str(year), "--json")
        assert p.returncode == 1, p.stderr.decode()
        times.append(dt)
    med = statistics.median(times)
    rows.append(_row("xueji precheck --json again, nothing changed (median of 3)", "≤ 2 s", med, "s", med <= 2.0))

    before = work / "before-certno"
    shutil.rmtree(before, ignore_errors=True)
    shutil.copytree(data, before)

    def assign(keep: bool) -> float:
        """certno assign on the school as it was before any number was given: right after the
        precheck (the office's order of work), or with nothing kept from it."""
        shutil.rmtree(data)
        shutil.copytree(before, data)
        if not keep:
            shutil.rmtree(data / "cache", ignore_errors=True)
        dt, p = _xueji(data, "certno", "assign", "--year", str(year))
        assert p.returncode == 0, p.stderr.decode()
        return dt

    med = statistics.median(assign(True) for _ in range(5))
    rows.append(_row(f"xueji certno assign, {n:,} graduates, fresh process, right after the precheck (median of 5)",
                     "≤ 1 s", med, "s", med <= 1.0))
    dt = assign(False)
    rows.append(_row("xueji certno assign with nothing kept from a precheck (checks everyone; once)", "—",
                     dt, "s", True))  # not a target: what a first run without the precheck costs
    shutil.rmtree(before)

    sys.path.insert(0, str(HERE.parents[1]))
    from xueji_tui.domain.clerks import Clerk
    from xueji_tui.services.graduation import export_graduates
    from xueji_tui.services.session import Session
    from xueji_tui.store import open_store

    session = Session(open_store(data), Clerk("bench", "office"))
    t = time.perf_counter()
    done = export_graduates(session, work / "graduates.dbf", "dbf", year, skip_invalid=True, force=True)
    dt = time.perf_counter() - t
    rows.append(_row(f"export graduates --skip-invalid (DBF), {done.written:,} rows incl. precheck", "≤ 5 s", dt, "s",
                     dt <= 5.0))
    return rows


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    for r in run(count):
        print(f"{r['what']:<80} {r['target']:<8} {r['measured']:>8} {r['unit']}  {'yes' if r['pass'] else 'NO'}")
