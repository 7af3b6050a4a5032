"""Putting a sample school into a data directory, through the store, in a few transactions."""

from __future__ import annotations

from pathlib import Path

from xueji_tui.domain.record import copy_record
from xueji_tui.sample.generate import School
from xueji_tui.store import Store, create_store, open_store

BATCH = 20_000  # students per transaction


def write_store(school: School, root: Path, clerk: str) -> Store:
    """A new data directory holding ``school``; ``clerk`` (who runs the command) is an office clerk.

    The school's own clerks (the office account ``xjk`` and one per college) are registered too,
    so the history's names resolve and a college's login works at once.
    """
    s = school.settings
    store = create_store(root, school_code=s["school_code"], school_name=s["school_name"],
                         president=s["president"], clerk=clerk)
    m = school.manifest
    with store.write(clerk, f"示例学校（{m['students']} 名学生，种子 {school.seed}，参考日期 {m['date']}）") as tx:
        for c in school.clerks:
            if c["name"] != clerk:
                tx.add_clerk({**c, "added_by": clerk, "at": tx.at})
        tx.add_majors(school.majors)
        scheme = {k: s[k] for k in ("class_size", "xh_pattern", "bh_pattern") if k in s}
        if scheme:
            tx.update_settings(scheme)
        tx.log("sample-data", new={"students": len(school.students), "seed": school.seed, "date": m["date"],
                                   "clerks": len(school.clerks), "majors": len(school.majors)})
    # a large school goes in by whole colleges, a few transactions, each through a fresh Store whose
    # file cache starts empty, so memory stays bounded (100,000 students: ~0.7 GB peak instead of ~1.2 GB)
    batch: list[dict] = []
    for college in sorted({s["FY"] for s in school.students}):
        batch += [s for s in school.students if s["FY"] == college]
        if len(batch) >= BATCH:
            _put(root, clerk, batch)
            batch = []
    if batch:
        _put(root, clerk, batch)
    store = open_store(root)
    if school.corrections:
        with store.write(clerk, "示例学校：未办结的更正申请") as tx:
            for r in school.corrections:
                rid = tx.add_correction(copy_record(r))
                tx.log("correction-file", ksh=r["KSH"], xh=r["XH"], field=r["field"], old=r["old"], new=r["new"],
                       why=r["reason"], request=rid)
    return store


def _put(root: Path, clerk: str, students: list[dict]) -> None:
    store = open_store(root)
    colleges = sorted({s["FY"] for s in students})
    with store.write(clerk, "示例学校：学生") as tx:
        tx.put_many(copy_record(students))
        tx.log("sample-data", field="students", new={"students": len(students), "colleges": colleges})
