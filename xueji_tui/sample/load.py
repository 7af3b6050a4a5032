"""Putting a sample school into a data directory, through the store, in one transaction."""

from __future__ import annotations

from pathlib import Path

import orjson

from xueji_tui.sample.generate import School
from xueji_tui.store import Store, create_store
from xueji_tui.store.db import CATALOG, CLERKS, CORRECTIONS


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
        clerks = tx.table(CLERKS, "clerks")
        for c in school.clerks:
            if c["name"] != clerk:
                clerks.insert({**c, "added_by": clerk, "at": tx.at})
        tx.table(CATALOG, "majors").insert_multiple([dict(m) for m in school.majors])
        requests = tx.table(CORRECTIONS, "requests")
        for r in school.corrections:
            rid = requests.insert(orjson.loads(orjson.dumps(r)))
            tx.log("correction-file", ksh=r["KSH"], xh=r["XH"], field=r["field"], old=r["old"], new=r["new"],
                   why=r["reason"], request=str(rid))
        tx.put_many(orjson.loads(orjson.dumps(school.students)))
        tx.log("sample-data", new={"students": len(school.students), "seed": school.seed, "date": m["date"],
                                   "clerks": len(school.clerks), "majors": len(school.majors)})
    return store
