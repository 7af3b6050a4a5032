"""Where things live in the data directory: one small shard per college and bucket, bucketed index."""

from __future__ import annotations

import hashlib
import zlib

from xueji_tui.store.common import index_keys  # noqa: F401  (where the keys are bucketed)

SCHEMA_VERSION = 1

# The school's small TinyDB files: (file, table)
SETTINGS = ("meta.json", "settings")
CLERKS = ("clerks.json", "clerks")
CORRECTIONS = ("corrections.json", "requests")
MAJORS = ("catalog.json", "majors")
IMPORTS = ("catalog.json", "imports")
PROPOSALS = ("reviews.json", "proposals")  # a college's reported changes awaiting the office (Art. 18)
EXPORTS = ("exports.json", "exports")  # upload files written (学历注册: what CHSI was sent, per student)
# every small document file, each once: what the trail's replay and doctor check besides the shards
DOCUMENT_FILES = tuple(dict.fromkeys(f for f, _ in (SETTINGS, CLERKS, CORRECTIONS, MAJORS, IMPORTS, PROPOSALS,
                                                     EXPORTS)))
SHARD_BUCKETS = 32   # per college: ~260 students a shard at 100,000 students and 12 colleges
INDEX_BUCKETS = 256  # ~1,200 keys a bucket at 100,000 students


def college_dir(fy: str) -> str:
    """A stable directory name for a college (学院 names are long and not filename-safe everywhere)."""
    fy = (fy or "").strip()
    if not fy:
        return "unassigned"
    return "c" + hashlib.sha1(fy.encode("utf-8")).hexdigest()[:10]


def shard_of(fy: str, ksh: str, buckets: int = SHARD_BUCKETS) -> str:
    b = zlib.crc32((ksh or "").encode("utf-8")) % buckets
    return f"students/{college_dir(fy)}/{b:02d}.json"


def rows_of(shard: str) -> str:
    return shard[: -len(".json")] + ".rows.json"


def index_bucket(key: str) -> str:
    return f"index/{zlib.crc32(key.encode('utf-8')) % INDEX_BUCKETS:02x}.json"
