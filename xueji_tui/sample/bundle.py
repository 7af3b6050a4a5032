"""The compact bundle of a sample school (``school.json.gz``): what ``sample_data/`` keeps and
``xueji demo`` unpacks into a data directory — gzip'd JSON, byte-for-byte the same for a seed."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson

from xueji_tui.sample.generate import School

NAME = "school.json.gz"


def dump(school: School) -> bytes:
    """The bundle's bytes: gzip'd JSON with no timestamp inside, so a seed gives the same bytes."""
    return gzip.compress(orjson.dumps(school.to_json()), compresslevel=9, mtime=0)


def read_bundle(path: Path) -> School:
    return School.from_json(orjson.loads(gzip.decompress(Path(path).read_bytes())))
