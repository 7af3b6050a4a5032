"""Where things live in the data directory: one small shard per college and bucket, bucketed index."""

from __future__ import annotations

import hashlib
import zlib
from zlib import crc32
from functools import lru_cache

from xueji_tui.store.common import index_keys  # noqa: F401  (where the keys are bucketed)

# 2: the layout chosen by size (``college_shards``, ``index_buckets`` in the settings) and the roster
# rows by columns (domain/rowset.py); a version-1 store is migrated on its first write (store/db.py)
SCHEMA_VERSION = 2

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

# The layout grows with the school, with no setting to tune: a college starts with SHARD_BUCKETS
# shards and doubles them (moving about half of its students, in the transaction that added the
# students) whenever its shards would average more than SHARD_FILL students; the index starts with
# INDEX_BUCKETS buckets and doubles them past INDEX_FILL students a bucket. A save rewrites one
# shard, so its cost stays that of ~200–400 students whatever the size of the school (docs/design.md).
SHARD_BUCKETS = 32   # ~240 students a shard at 100,000 students and 13 colleges
SHARD_FILL = 384
INDEX_BUCKETS = 256  # ~1,200 keys a bucket at 100,000 students
INDEX_FILL = 512     # students (3 keys each: 考生号, 学号, 身份证号)


def grown(count: int, buckets: int, fill: int) -> int:
    """The number of buckets for ``count`` students: ``buckets`` doubled until they average ``fill``
    or fewer (never fewer buckets: a school does not shrink its files)."""
    while count > buckets * fill:
        buckets *= 2
    return buckets


@lru_cache(maxsize=1024)  # a school has a few dozen colleges; a bulk write asks for each student
def college_dir(fy: str) -> str:
    """A stable directory name for a college (学院 names are long and not filename-safe everywhere)."""
    fy = (fy or "").strip()
    if not fy:
        return "unassigned"
    return "c" + hashlib.sha1(fy.encode("utf-8")).hexdigest()[:10]


def shard_in(cdir: str, ksh: str, buckets: int) -> str:
    b = zlib.crc32((ksh or "").encode("utf-8")) % buckets
    return f"students/{cdir}/{b:02d}.json"


def shard_of(fy: str, ksh: str, buckets: int = SHARD_BUCKETS) -> str:
    return shard_in(college_dir(fy), ksh, buckets)


def rows_of(shard: str) -> str:
    return shard[: -len(".json")] + ".rows.json"


def index_file(b: int) -> str:
    return f"index/{b:02x}.json"  # 00 … ff as in version 1; 100 … 1ff once there are 512


@lru_cache(maxsize=8)
def _index_files(buckets: int) -> tuple[str, ...]:
    return tuple(index_file(b) for b in range(buckets))


def index_bucket(key: str, buckets: int = INDEX_BUCKETS) -> str:
    # names made once per layout: a bulk write asks for three keys of every student, several times
    return _index_files(buckets)[crc32(key.encode()) % buckets]


def shard_buckets(settings: dict, cdir: str) -> int:
    """A college's shard count (a version-1 store: the one count it had for every college)."""
    return int((settings.get("college_shards") or {}).get(cdir) or settings.get("shard_buckets") or SHARD_BUCKETS)


def index_buckets(settings: dict) -> int:
    return int(settings.get("index_buckets") or INDEX_BUCKETS)
