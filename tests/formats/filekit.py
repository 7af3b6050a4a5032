"""Helpers for the CHSI file tests: CHSI-style files built from synthetic students."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from xueji_testkit import make_student
from xueji_tui.cli import cli
from xueji_tui.formats import profiles, writers


def chsi_file(path: Path, records: list[dict], kind: str = "students") -> Path:
    """A CHSI download file (.dbf/.xlsx by suffix, .csv as UTF-8 with BOM) laid out by the import profile."""
    p = profiles.load(profiles.for_import(kind))
    path = Path(path)
    if path.suffix == ".dbf":
        writers.write_dbf(path, p, records)
    elif path.suffix == ".xlsx":
        writers.write_xlsx(path, p, records)
    else:
        import csv
        import io

        from xueji_tui.formats.transforms import render

        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([f.code for f in p.fields])
        w.writerows(render(p, records))
        path.write_text("\ufeff" + buf.getvalue(), "utf-8")
    return path


def students(n: int, start: int = 0, **over) -> list[dict]:
    out = []
    for i in range(start, start + n):
        s = make_student(i, **over)
        s["XJZT"] = ""
        out.append(s)
    return out


def run(data, *args, clerk="office1", input=None):
    return CliRunner().invoke(cli, ["--data", str(data), "--clerk", clerk, *args], input=input,
                              catch_exceptions=False)
