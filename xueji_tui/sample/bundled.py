"""The bundled sample school (``sample_data/``): where it lives and how it was made.

``sample_data/school.json.gz`` is the generator's output for the parameters below. When it is not
there (an installed wheel carries no ``sample_data/``), the same school is generated again: the
generator is deterministic for a seed and a reference day, so it is the same school either way.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

STUDENTS = 3000
SEED = 2026
DATE = date(2026, 11, 28)


def command(out: str = "/tmp/xueji-sample") -> str:
    """The exact command that makes sample_data/ (also in sample_data/README.md)."""
    return (f"xueji sample-data --students {STUDENTS} --seed {SEED} --date {DATE:%Y%m%d} "
            f"-o {out} --files sample_data")


def sample_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "sample_data"


def load():
    """The bundled school: read from sample_data/, or generated again from its parameters."""
    from xueji_tui.sample import generate
    from xueji_tui.sample.bundle import NAME, read_bundle

    path = sample_dir() / NAME
    if path.is_file():
        try:
            return read_bundle(path)
        except (OSError, ValueError, KeyError, EOFError):
            pass  # damaged: the same school comes from the generator
    return generate(STUDENTS, SEED, DATE)
