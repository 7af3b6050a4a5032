"""The store on disk: round trips, moves between shards, other processes' writes, recovery, permissions."""

import stat

import orjson
import pytest

from xueji_testkit import make_student, tree_digest
from xueji_tui.domain.errors import InvalidInput, NoData, Refused
from xueji_tui.store import open_store
from xueji_tui.store import create_store


def test_round_trip_and_keys(school):
    st = open_store(school)
    s = make_student(7)
    assert st.get(s["KSH"])["XM"] == s["XM"]
    assert [x["KSH"] for x in st.find(s["XH"])] == [s["KSH"]]
    assert [x["KSH"] for x in st.find(s["SFZH"])] == [s["KSH"]]
    assert [x["KSH"] for x in st.find(s["SFZH"].lower())] == [s["KSH"]]
    assert st.count() == 60 and st.count("文学院") == 20
    rows = {r[0]: r for r in st.rows()}
    assert rows[s["KSH"]][2] == s["XM"] and rows[s["KSH"]][11]  # pinyin initials kept by the store


def test_a_save_rewrites_kilobytes_not_the_school(school):
    st = open_store(school)
    s = st.get(make_student(3)["KSH"])
    before = {p: p.stat().st_mtime_ns for p in school.rglob("*.json")}
    s["BZ"] = "新备注"
    with st.write("office1") as tx:
        tx.put(s)
        tx.log("edit", ksh=s["KSH"], field="BZ", new="新备注")
    changed = [p for p in school.rglob("*.json") if p.stat().st_mtime_ns != before.get(p)]
    assert sorted(p.name for p in changed) == sorted([p.name for p in changed if p.parent.parent.name == "students"])
    assert len(changed) == 2  # the shard and its roster rows
    assert sum(p.stat().st_size for p in changed) < 200_000


def test_moving_college_moves_shard_and_index(school):
    st = open_store(school)
    s = st.get(make_student(0)["KSH"])
    assert s["FY"] != "外国语学院"
    s["FY"], s["XH"] = "外国语学院", "2099000001"
    with st.write("office1") as tx:
        tx.put(s)
        tx.log("edit", ksh=s["KSH"])
    st2 = open_store(school)
    assert st2.find("2099000001")[0]["FY"] == "外国语学院"
    assert st2.find(make_student(0)["XH"]) == []
    assert s["KSH"] in {r[0] for r in st2.rows("外国语学院")}
    assert sum(1 for r in st2.rows() if r[0] == s["KSH"]) == 1
    assert sum(1 for x in st2.students() if x["KSH"] == s["KSH"]) == 1


def test_a_duplicate_number_is_refused_and_the_store_unchanged(school):
    st = open_store(school)
    a, b = st.get(make_student(1)["KSH"]), st.get(make_student(2)["KSH"])
    b["XH"] = a["XH"]
    before = tree_digest(school)
    with pytest.raises(Refused, match="只能属于一名学生"):
        with st.write("office1") as tx:
            tx.put(b)
            tx.log("edit", ksh=b["KSH"], field="XH")
    assert tree_digest(school) == before


def test_a_duplicate_from_before_the_rule_is_found_and_does_not_block_other_work(school, monkeypatch):
    from xueji_tui.store import txn

    st = open_store(school)
    a, b = st.get(make_student(1)["KSH"]), st.get(make_student(2)["KSH"])
    b["XH"] = a["XH"]
    with monkeypatch.context() as m:  # a store written before uniqueness was enforced
        m.setattr(txn, "check_unique", lambda *args: None)
        with st.write("office1") as tx:
            tx.put(b)
            tx.log("edit", ksh=b["KSH"], field="XH")
    assert sorted(x["KSH"] for x in open_store(school).find(a["XH"])) == sorted([a["KSH"], b["KSH"]])
    b = st.get(b["KSH"])
    b["BZ"] = "核对中"
    with st.write("office1") as tx:  # the number did not change: the write is not refused
        tx.put(b)
        tx.log("edit", ksh=b["KSH"], field="BZ")
    assert open_store(school).get(b["KSH"])["BZ"] == "核对中"


def test_another_process_write_is_seen_without_reopening(school):
    reader = open_store(school)
    writer = open_store(school)
    ksh = make_student(5)["KSH"]
    assert reader.get(ksh)["BZ"] if "BZ" in reader.get(ksh) else True
    reader.changed()
    s = writer.get(ksh)
    s["BZ"] = "另一位老师改的"
    with writer.write("office2") as tx:
        tx.put(s)
        tx.log("edit", ksh=ksh, field="BZ")
    assert reader.changed() is True
    assert reader.get(ksh)["BZ"] == "另一位老师改的"
    assert [r for r in reader.rows() if r[0] == ksh]
    assert reader.changed() is False


def test_aborted_transaction_leaves_nothing(school):
    st = open_store(school)
    ksh = make_student(9)["KSH"]
    with pytest.raises(RuntimeError):
        with st.write("office1") as tx:
            s = tx.get(ksh)
            s["XM"] = "不应保存"
            tx.put(s)
            raise RuntimeError("boom")
    assert st.get(ksh)["XM"] != "不应保存"
    assert open_store(school).get(ksh)["XM"] != "不应保存"


def test_recovery_finishes_a_committed_and_discards_an_uncommitted_commit(school):
    st = open_store(school)
    head = st.audit.head()
    shard = next(school.glob("students/*/*.rows.json"))
    committed = shard.with_name(f"{shard.name}.{head.txn}.tmp")
    committed.write_bytes(b"[]")
    orphan = shard.with_name(f"{shard.name}.{head.txn + 5}.tmp")
    orphan.write_bytes(b"garbage")
    open_store(school)
    assert not committed.exists() and not orphan.exists()
    assert shard.read_bytes() == b"[]"  # rolled forward


def test_torn_audit_tail_is_cut_off(school):
    st = open_store(school)
    size = st.audit.path.stat().st_size
    with open(st.audit.path, "ab") as f:
        f.write(b'{"seq": 999, "txn": 999, "n": 1, "of": 2')
    open_store(school)
    assert st.audit.path.stat().st_size == size
    assert open_store(school).verify_trail() == []


def test_files_are_private(school):
    for p in [school, *school.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & 0o077 == 0, f"{p} is open to group or others: {oct(mode)}"


def test_schema_version_and_settings(school):
    st = open_store(school)
    assert st.settings["schema_version"] == 1 and st.settings["school_code"] == "10202"


def test_open_and_create_refusals(tmp_path):
    with pytest.raises(NoData, match="init"):
        open_store(tmp_path / "nothing")
    create_store(tmp_path / "d", school_code="10202", school_name="x", president="", clerk="a")
    with pytest.raises(InvalidInput):
        create_store(tmp_path / "d", school_code="10202", school_name="x", president="", clerk="a")


def test_audit_lines_are_chained(school):
    st = open_store(school)
    lines = [orjson.loads(x) for x in st.audit.path.read_bytes().splitlines()]
    assert all(b["prev"] == a["hash"] for a, b in zip(lines, lines[1:]))
    assert [x["seq"] for x in lines] == list(range(1, len(lines) + 1))
