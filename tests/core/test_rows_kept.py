"""A write that changes only fields the roster row is not made from (证书编号) keeps the rows file as
it was: certno assign for a year's graduates rewrites their shards, not 30,000 roster rows."""

from __future__ import annotations

import orjson

from xueji_testkit import make_student, tree_digest
from xueji_tui.domain.record import NOT_IN_ROW, roster_row
from xueji_tui.store import open_store
from xueji_tui.store.evidence import check_trail


def test_the_row_is_not_made_from_the_fields_said_so():
    s = make_student(3, BZ="身份核验不确定", verification={"XM": {"v": "wrong"}})
    changed = dict(s, **{f: "X2026" for f in NOT_IN_ROW})
    assert roster_row(changed) == roster_row(s)


def test_a_certificate_number_leaves_the_rows_file_and_a_name_rewrites_it(school):
    store = open_store(school)
    ksh = make_student(9)["KSH"]
    shard = next(s for k, s in store.locate(ksh) if k == ksh)
    rows_file = school / shard.replace(".json", ".rows.json")
    before = tree_digest(school)
    inode = rows_file.stat().st_ino
    with store.write("office1", "证书编号") as tx:
        s = tx.get(ksh)
        s["ZSBH"] = "102021202605000001"
        tx.put(s)
        tx.log("certno", ksh=ksh, field="ZSBH", new=s["ZSBH"])
    after = tree_digest(school)
    rel = str(rows_file.relative_to(school))
    assert after[rel] == before[rel] and after[shard] != before[shard]
    written = orjson.loads((school / "audit.jsonl").read_bytes().splitlines()[-1])["files"]
    assert shard in written and rel not in written  # the trail's record of what the save replaced
    assert rows_file.stat().st_ino == inode
    assert open_store(school).get(ksh)["ZSBH"] == "102021202605000001"
    with store.write("office1", "姓名") as tx:
        s = tx.get(ksh)
        s["XM"] = "王小明"
        tx.put(s)
        tx.log("edit", ksh=ksh, field="XM", new="王小明")
    fresh = open_store(school)
    assert any(r[0] == ksh and r[2] == "王小明" for r in fresh.rows())
    assert check_trail(fresh.audit).texts() == []
