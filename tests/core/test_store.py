"""The store on disk: round trips, moves between shards, other processes' writes, recovery, permissions."""

import stat
import subprocess
import sys

import orjson
import pytest

from xueji_testkit import make_student, tree_digest
from xueji_tui.domain.errors import InvalidInput, NoData, Refused, TrailBroken
from xueji_tui.store import open_store
from xueji_tui.store.evidence import check_trail
from xueji_tui.store import create_store
from xueji_tui.store.layout import SCHEMA_VERSION


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


DIE = r"""
import os, sys
from xueji_tui.store import audit, commit, open_store
root, ksh, point = sys.argv[1], sys.argv[2], sys.argv[3]
store = open_store(root)
real_replace, real_durable = os.replace, commit.write_durable
if point == "temps":  # killed while writing the temporaries (the second one half written)
    calls = []
    def durable(path, data):
        calls.append(path)
        real_durable(path, data if len(calls) < 2 else data[: len(data) // 2])
        if len(calls) == 2:
            os._exit(9)
    commit.write_durable = durable
elif point in ("torn", "lines"):  # killed while appending: in the middle of a line, or between lines
    def write_all(fd, data):
        os.write(fd, data[: len(data) // 3] if point == "torn" else data.split(b"\n")[0] + b"\n")
        os._exit(9)
    audit.write_all = write_all
else:  # "renameK": killed after K of the renames (audit.head's is the last)
    k, done = int(point[6:]), []
    def replace(a, b):
        if len(done) == k:
            os._exit(9)
        done.append(b)
        real_replace(a, b)
    commit.os.replace = replace
with store.write("office1", "中断测试") as tx:
    s = tx.get(ksh)
    s["BZ"] = "中断"
    tx.put(s)
    tx.log("edit", ksh=ksh, field="BZ", new="中断")
    tx.log("edit", ksh=ksh, field="BZ", new="两行：append 中断时可以只写下一行")
"""


@pytest.mark.parametrize("point,committed", [("temps", False), ("torn", False), ("lines", False),
                                             ("rename0", True), ("rename1", True), ("rename2", True)])
def test_a_writer_killed_mid_commit_is_finished_or_undone(school, point, committed):
    ksh = make_student(9)["KSH"]
    before = tree_digest(school)
    r = subprocess.run([sys.executable, "-c", DIE, str(school), ksh, point], capture_output=True, text=True)
    assert r.returncode == 9, r.stderr
    assert list(school.rglob("*.tmp")), "the kill left the commit unfinished"
    st = open_store(school)  # recovery runs here
    assert not list(school.rglob("*.tmp"))
    assert (st.get(ksh).get("BZ") == "中断") is committed
    if not committed:
        assert tree_digest(school) == before  # the torn tail was ours: cut, and nothing else
    assert check_trail(st.audit).texts() == []
    with st.write("office1") as tx:  # and writes go on
        tx.log("note", ksh=ksh)
    assert check_trail(open_store(school).audit).texts() == []


INIT_DIE = r"""
import os, sys
from xueji_tui.store import audit, commit, create_store
root, point = sys.argv[1], sys.argv[2]
if point == "torn":
    def write_all(fd, data):
        os.write(fd, data[:40])
        os._exit(9)
    audit.write_all = write_all
else:
    def replace(a, b):
        os._exit(9)
    commit.os.replace = replace
create_store(root, school_code="10202", school_name="x", president="", clerk="a")
"""


@pytest.mark.parametrize("point", ["torn", "renames"])
def test_an_init_killed_mid_commit_can_be_finished_or_run_again(tmp_path, point):
    root = tmp_path / "d"
    r = subprocess.run([sys.executable, "-c", INIT_DIE, str(root), point], capture_output=True, text=True)
    assert r.returncode == 9, r.stderr
    if point == "torn":
        create_store(root, school_code="10202", school_name="x", president="", clerk="a")
    else:
        with pytest.raises(InvalidInput, match="已经是"):
            create_store(root, school_code="10202", school_name="x", president="", clerk="a")
    st = open_store(root)
    assert st.clerk("a")["role"] == "office" and check_trail(st.audit).texts() == []
    assert not list(root.rglob("*.tmp"))


def test_a_torn_tail_that_is_not_our_own_is_never_cut(school):
    st = open_store(school)
    size = st.audit.path.stat().st_size
    with open(st.audit.path, "ab") as f:
        f.write(b'{"seq": 999, "txn": 999, "n": 1, "of": 2')
    before = tree_digest(school)
    st = open_store(school)  # opens for reading
    assert st.get(make_student(1)["KSH"])
    assert st.audit.path.stat().st_size > size and tree_digest(school) == before
    with pytest.raises(TrailBroken, match="xueji doctor"):
        with st.write("office1") as tx:
            tx.log("note")
    assert tree_digest(school) == before


def test_a_tampered_temporary_is_not_rolled_forward(school):
    ksh = make_student(9)["KSH"]
    subprocess.run([sys.executable, "-c", DIE, str(school), ksh, "rename0"], check=False)
    tmp = next(p for p in school.rglob("*.tmp") if p.parent.parent.name == "students")
    tmp.write_bytes(tmp.read_bytes().replace("中断".encode(), "篡改".encode()))
    before = tree_digest(school)
    st = open_store(school)
    assert tree_digest(school) == before
    with pytest.raises(TrailBroken, match="临时文件"):
        with st.write("office1") as tx:
            tx.log("note")


def test_files_are_private(school):
    for p in [school, *school.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & 0o077 == 0, f"{p} is open to group or others: {oct(mode)}"


def test_schema_version_and_settings(school):
    st = open_store(school)
    assert st.settings["schema_version"] == SCHEMA_VERSION and st.settings["school_code"] == "10202"


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


def test_a_committed_transaction_is_never_cut_even_with_a_torn_line_after_it(school):
    ksh = make_student(9)["KSH"]
    subprocess.run([sys.executable, "-c", DIE, str(school), ksh, "rename0"], check=False)
    last = orjson.loads((school / "audit.jsonl").read_bytes().splitlines()[-1])  # not opened: not recovered
    with open(school / "audit.jsonl", "ab") as f:  # looks like more of the same transaction
        f.write(f'{{"seq":{last["seq"] + 1},"txn":{last["txn"]},"n":3,"of":2,'.encode())
    before = tree_digest(school)
    st = open_store(school)
    assert tree_digest(school) == before
    with pytest.raises(TrailBroken, match="不完整"):
        with st.write("office1") as tx:
            tx.log("note")
