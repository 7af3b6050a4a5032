"""Each college's roster rows in one file (store/snapshot.py): read where the trail vouches for it,
never a wrong row — whatever saves came after it, whatever happened to it outside xueji."""

from __future__ import annotations

import orjson

from xueji_testkit import build_school, make_student
from xueji_tui.roster import RosterModel
from xueji_tui.store import open_store
from xueji_tui.store.integrity import verify
from xueji_tui.store.layout import college_dir
from xueji_tui.store.snapshot import NAME, path_of


def school(root, n=120):
    build_school(root, n)
    return [make_student(i) for i in range(n)]


def model_of(store) -> RosterModel:
    m = RosterModel()
    m.load(store.rows_by_shard())
    return m


def as_rows(store) -> dict:
    """KSH -> row, as the roster model holds them (and without duplicates)."""
    m = model_of(store)
    rows = [m.row(i) for i in range(len(m))]
    assert len({r[0] for r in rows}) == len(rows)
    return {r[0]: r for r in rows}


def rename(store, ksh, name):
    with store.write("office1", "更正姓名") as tx:
        s = tx.get(ksh)
        s["XM"] = name
        tx.put(s)
        tx.log("edit", ksh=ksh, field="XM", new=name)


def test_a_college_is_read_from_its_snapshot(tmp_path):
    root = tmp_path / "data"
    students = school(root)
    reader = open_store(root)
    groups = reader.rows_by_shard()
    colleges = {college_dir(s["FY"]) for s in students}
    assert set(groups) == {path_of(c) for c in colleges}  # nothing read shard by shard
    assert as_rows(reader) == {r[0]: r for r in reader.rows()}
    assert reader.rows_by_shard() == groups and all(a is b for a, b in zip(reader.rows_by_shard().values(),
                                                                            groups.values()))


def test_saves_after_the_snapshot_are_read_from_their_shards_then_folded_in(tmp_path):
    root = tmp_path / "data"
    students = school(root)
    reader = open_store(root)
    as_rows(reader)
    writer = open_store(root)  # another clerk's process
    wen = [s for s in students if s["FY"] == "文学院"]
    rename(writer, wen[0]["KSH"], "甲乙丙")
    groups = reader.rows_by_shard()
    assert any(not g.endswith(NAME) for g in groups)  # the rewritten shard, beside the snapshot
    rows = as_rows(reader)
    assert rows[wen[0]["KSH"]][2] == "甲乙丙" and len(rows) == len(students)
    for i, s in enumerate(wen[1:30]):  # more than half of the college's shards: remade on the way
        rename(writer, s["KSH"], f"新名{i}")
    groups = reader.rows_by_shard()
    cdir = college_dir("文学院")
    assert path_of(cdir) in groups
    beside = [g for g in groups if g.startswith(f"students/{cdir}/") and not g.endswith(NAME)]
    assert 0 < len(beside) * 2 <= len(writer.shards_in(cdir))  # at most half read beside the snapshot
    rows = as_rows(reader)
    assert [rows[s["KSH"]][2] for s in wen[1:30]] == [f"新名{i}" for i in range(29)]
    assert rows == {r[0]: r for r in open_store(root).rows()}
    assert verify(root).problems == []


def test_a_snapshot_changed_outside_xueji_is_not_believed(tmp_path):
    root = tmp_path / "data"
    students = school(root)
    snap = root / path_of(college_dir("文学院"))
    data = orjson.loads(snap.read_bytes())
    data["key"] = data["key"].replace(data["key"].split("\r", 1)[1].split("\x1e", 1)[0], "冒名", 1)
    snap.write_bytes(orjson.dumps(data))
    rows = as_rows(open_store(root))
    assert "冒名" not in {r[2] for r in rows.values()}
    assert {k: r[2] for k, r in rows.items()} == {s["KSH"]: s["XM"] for s in students}


def test_a_name_in_latin_letters_keeps_the_snapshot_searchable_in_capitals(tmp_path):
    """A key with a lower-case letter is marked in the snapshot (readers upper-case such keys for the
    search); the writer takes the mark from the shards' rows without upper-casing the college."""
    root = tmp_path / "data"
    students = school(root, n=40)
    rename(open_store(root), students[7]["KSH"], "Anna Li")
    store = open_store(root)
    with store.write("office1", "快照") as tx:  # every shard of the college behind: remade now
        for s in students:
            t = tx.get(s["KSH"])
            t["BZ"] = "备注"
            tx.put(t)
        tx.log("edit", field="BZ", new="备注")
    snap = orjson.loads((root / path_of(college_dir(students[7]["FY"]))).read_bytes())
    assert snap.get("cased") is True
    reader = open_store(root)
    group = reader.rows_by_shard()[path_of(college_dir(students[7]["FY"]))]
    assert [k for k in group.search if "ANNA LI" in k]
