"""The store's bulk paths of certno assign: ``student_groups`` (records with the sha256 of their file),
``set_fields`` (fields that neither name nor place a student), ``log_many`` and the derived files —
on disk and in memory alike, and leaving a trail that still verifies."""

from __future__ import annotations

import hashlib
import stat

import orjson
import pytest

from xueji_testkit import build_school, make_student, tree_digest
from xueji_tui.domain.idcard import mask
from xueji_tui.store import open_store
from xueji_tui.store.evidence import check_trail


def stores(school):
    """The same school on disk and in memory."""
    return {"disk": open_store(school), "memory": build_school(None)}


def test_groups_carry_the_sha256_of_the_bytes_read(school):
    store = open_store(school)
    groups = list(store.student_groups())
    by_token = {hashlib.sha256((school / shard).read_bytes()).hexdigest(): shard for shard in store.shards()}
    assert [t for t, _ in groups] == [hashlib.sha256((school / s).read_bytes()).hexdigest() for s in store.shards()]
    assert sum(len(list(g)) for _, g in groups) == 60
    for token, group in groups:
        on_disk = orjson.loads((school / by_token[token]).read_bytes())["students"]
        assert [s["KSH"] for s in group] == [s["KSH"] for s in on_disk.values()]
    with store.write("office1", "读") as tx:
        assert [t for t, _ in tx.student_groups()] == [t for t, _ in groups]
        tx.log("read", why="测试")


@pytest.mark.parametrize("where", ["disk", "memory"])
@pytest.mark.parametrize("read_first", [True, False])
def test_set_fields_changes_only_those_fields_and_raises_the_revision(school, where, read_first):
    store = stores(school)[where]
    kshs = [make_student(i)["KSH"] for i in (1, 7, 30)]
    before = {k: store.get(k) for k in kshs}
    with store.write("office1", "证书编号") as tx:
        if read_first:  # as certno assign does: the records are changed where they were read
            list(tx.student_groups())
        written = tx.set_fields({k: {"ZSBH": f"10202120260500000{n}"} for n, k in enumerate(kshs)})
        tx.log_many("certno", [(k, before[k]["XH"], "ZSBH", "", written[k]["ZSBH"]) for k in kshs])
    assert list(written) == kshs
    for n, k in enumerate(kshs):
        now = store.get(k) if where == "memory" else open_store(school).get(k)
        assert now == {**before[k], "ZSBH": f"10202120260500000{n}", "rev": before[k]["rev"] + 1}
        assert written[k] == now
    lines = list(store.audit_lines())[-3:]
    assert [(d["action"], d["KSH"], d["field"], d["new"]) for d in lines] == [
        ("certno", k, "ZSBH", f"10202120260500000{n}") for n, k in enumerate(kshs)]
    if where == "disk":
        assert check_trail(open_store(school).audit).texts() == []


def test_set_fields_leaves_rows_and_index_as_they_were_unless_a_row_field_changed(school):
    store = open_store(school)
    ksh = make_student(9)["KSH"]
    before = tree_digest(school)
    with store.write("office1", "证书编号") as tx:
        list(tx.student_groups())
        tx.set_fields({ksh: {"ZSBH": "102021202605000001"}})
        tx.log("certno", ksh=ksh, field="ZSBH", new="102021202605000001")
    after = tree_digest(school)
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert all(rel.endswith(".json") and not rel.endswith(".rows.json") and not rel.startswith("index/")
               for rel in changed - {"audit.jsonl", "audit.head"})
    with store.write("office1", "班级") as tx:
        tx.set_fields({ksh: {"BH": "数学261班"}})
        tx.log("edit", ksh=ksh, field="BH", new="数学261班")
    assert any(r[0] == ksh and "数学261班" in r for r in open_store(school).rows())


@pytest.mark.parametrize("where", ["disk", "memory"])
def test_set_fields_refuses_what_names_or_places_a_student(school, where):
    store = stores(school)[where]
    ksh = make_student(2)["KSH"]
    for field in ("KSH", "XH", "SFZH", "FY", "rev"):
        with pytest.raises(ValueError, match="put_many"):
            with store.write("office1", "不该") as tx:
                tx.set_fields({ksh: {field: "X"}})
    with pytest.raises(ValueError, match="no student"):
        with store.write("office1", "不该") as tx:
            tx.set_fields({"99999999999999": {"ZSBH": "1"}})
    assert store.get(ksh) == stores(school)[where].get(ksh) if where == "disk" else True


def test_a_failed_save_leaves_no_trace_of_fields_changed_in_place(school):
    """The records a transaction changed where it read them are its own: the process's view is intact."""
    store = open_store(school)
    ksh = make_student(4)["KSH"]
    before = tree_digest(school)
    with pytest.raises(RuntimeError):
        with store.write("office1", "中断") as tx:
            list(tx.student_groups())
            tx.set_fields({ksh: {"ZSBH": "102021202605000009"}})
            raise RuntimeError("断电")
    assert tree_digest(school) == before
    assert store.get(ksh).get("ZSBH") == make_student(4).get("ZSBH")
    assert all(s.get("ZSBH") != "102021202605000009" for s in store.students())


def test_log_many_masks_an_id_number_as_log_does(school):
    store = open_store(school)
    s = make_student(5)
    with store.write("office1", "更正") as tx:
        tx.log_many("correction", [(s["KSH"], s["XH"], "SFZH", s["SFZH"], s["SFZH"][:-1] + "0")], why="测试")
        tx.log("correction", ksh=s["KSH"], xh=s["XH"], field="SFZH", old=s["SFZH"], new=s["SFZH"][:-1] + "0",
               why="测试")
    many, one = list(store.audit_lines())[-2:]
    assert many["old"] == mask(s["SFZH"]) and s["SFZH"] not in orjson.dumps(many).decode()
    drop = ("seq", "n", "of", "prev", "hash", "files", "txn")
    assert {k: v for k, v in many.items() if k not in drop} == {k: v for k, v in one.items() if k not in drop}


def test_derived_files_are_private_and_never_part_of_the_data(school):
    store = open_store(school)
    assert store.derived("x.json") is None
    store.keep_derived("x.json", b'{"a":1}')
    store.keep_derived("x.json", b'{"a":2}')
    path = school / "cache" / "x.json"
    assert store.derived("x.json") == b'{"a":2}' and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["x.json"]  # no temporary left behind
    assert not list(school.rglob("*.tmp"))  # recovery never mistakes it for a commit's
    assert check_trail(open_store(school).audit).texts() == []
    path.parent.chmod(0o500)  # a derived file that cannot be kept is not the clerk's problem
    try:
        store.keep_derived("y.json", b"{}")
    finally:
        path.parent.chmod(0o700)
    assert store.derived("y.json") is None or store.derived("y.json") == b"{}"  # root ignores modes
