"""The layout grows with the school without a setting, and a first-wave store is migrated.

The fill levels are lowered here (a handful of students a shard) so that a small school goes through
the doublings a 300,000-student one does; everything a clerk can ask of the store must be the same
before and after, and the trail must still account for every file.
"""

from __future__ import annotations

import orjson
import pytest

from xueji_testkit import build_school, make_id, make_student
from xueji_tui.domain.rowset import RowSet
from xueji_tui.store import open_store
from xueji_tui.store import growth
from xueji_tui.store.doctor import checkup
from xueji_tui.store.integrity import verify
from xueji_tui.store.layout import SCHEMA_VERSION, college_dir, rows_of

pytestmark = pytest.mark.slow  # the disk store's files as a school grows


def make(i: int, **over) -> dict:
    """A test student whose 身份证号 is unique beyond the kit's hundred."""
    s = make_student(i, **over)
    s["SFZH"] = make_id(f"22{(i // 100) % 100:02d}02", s["CSRQ"], i, s["XB"] == "男")
    return s


def new_store(root):
    return build_school(root, n=0)


def add(store, students, why="测试"):
    with store.write("office1", why) as tx:
        tx.put_many(students)
        tx.log("import", new=len(students))


def everything_found(root, students) -> None:
    reader = open_store(root)  # a process of its own: nothing cached from the writes
    by_ksh = {r[0]: r for r in reader.rows()}
    assert len(by_ksh) == len(students) == reader.count()
    for s in students:
        got = reader.get(s["KSH"])
        assert got is not None and got["XM"] == s["XM"] and got["rev"] == 1, s["KSH"]
        assert [x["KSH"] for x in reader.find(s["XH"])] == [s["KSH"]]
        assert by_ksh[s["KSH"]][1] == s["XH"]
    assert verify(root).problems == []
    up = checkup(root)
    assert up.healthy, [(f.where, f.what) for f in up.findings]


def test_shards_and_index_double_as_a_college_grows(tmp_path, monkeypatch):
    monkeypatch.setattr(growth, "SHARD_FILL", 4)
    monkeypatch.setattr(growth, "INDEX_FILL", 2)
    root = tmp_path / "data"
    store = new_store(root)
    students = [make(i, college="文学院") for i in range(100)]
    add(store, students[:10])  # 10 students in 32 shards: no growth yet
    assert store.settings["college_shards"] == {}
    for start in range(10, 100, 30):  # then batches, each pushing the college past its fill level
        add(store, students[start:start + 30])
    cdir = college_dir("文学院")
    assert open_store(root).settings["college_shards"] == {}  # 100 students in 32 shards: still room
    assert open_store(root).index_buckets == 256
    more = [make(i, college="文学院") for i in range(100, 400)]
    add(store, more)
    after = open_store(root).settings
    assert after["college_shards"][cdir] == 128  # 400 students, at most 4 a shard on average
    assert after["index_buckets"] == 256  # 400 students, 2 a bucket: 256 buckets hold 512
    everything_found(root, students + more)
    trail = [orjson.loads(x) for x in (root / "audit.jsonl").read_bytes().splitlines()]
    assert [d["new"] for d in trail if d["action"] == "layout" and d["field"] == "shards"] == [128]


def test_the_index_doubles_and_lookups_still_find_everyone(tmp_path, monkeypatch):
    monkeypatch.setattr(growth, "INDEX_FILL", 1)
    root = tmp_path / "data"
    store = new_store(root)
    students = [make(i) for i in range(300)]
    add(store, students[:200])
    assert open_store(root).index_buckets == 256
    add(store, students[200:])  # 300 students, 1 a bucket: 512 buckets
    assert open_store(root).index_buckets == 512
    assert (root / "index" / "1ff.json").exists() or any(p.name.startswith("1") for p in (root / "index").iterdir())
    everything_found(root, students)


def test_a_student_changing_college_is_counted_where_they_arrive(tmp_path, monkeypatch):
    monkeypatch.setattr(growth, "SHARD_FILL", 1)
    root = tmp_path / "data"
    store = new_store(root)
    students = [make(i, college="文学院") for i in range(60)]
    add(store, students)  # 60 students, at most 1 a shard on average: 64 shards
    wen, wai = college_dir("文学院"), college_dir("外国语学院")
    assert open_store(root).settings["college_shards"] == {wen: 64}
    moved = [dict(s, FY="外国语学院") for s in students[:40]]
    with store.write("office1", "转院") as tx:
        tx.put_many(moved)
        tx.log("change", new=len(moved))
    after = open_store(root)
    assert after.settings["college_shards"] == {wen: 64, wai: 64}  # a college never shrinks its files
    assert {r[4] for r in after.rows("外国语学院")} == {"外国语学院"} and len(after.rows("外国语学院")) == 40
    assert len(after.rows("文学院")) == 20
    assert verify(root).problems == [] and checkup(root).healthy


def first_wave(root, students) -> None:
    """Turn a new store into what the first wave wrote: schema 1, one shard count for every college,
    no index bucket count, roster rows as lists (written through a transaction: the trail stays whole)."""
    store = open_store(root)
    with store.write("office1", "第一版的数据") as tx:
        for shard in store.shards():
            tx.staged[rows_of(shard)] = store._load(rows_of(shard)).lists()
        tx.update_settings({"schema_version": 1, "shard_buckets": 32, "college_shards": None, "index_buckets": None})
        tx.log("test", new="first wave")


def test_a_first_wave_store_is_migrated_on_its_first_write(tmp_path):
    root = tmp_path / "data"
    store = new_store(root)
    students = [make(i) for i in range(90)]
    add(store, students)
    first_wave(root, students)
    old = open_store(root)
    rows_file = root / rows_of(old.shards()[0])
    assert rows_file.read_bytes().startswith(b"[")  # lists, as the first wave wrote them
    assert sorted(r[0] for r in old.rows()) == sorted(s["KSH"] for s in students)  # and still read
    with old.write("office1", "任意保存") as tx:  # the first write migrates, then does its own work
        s = tx.get(students[0]["KSH"])
        s["BZ"] = "迁移后第一次保存"
        tx.put(s)
        tx.log("edit", ksh=s["KSH"], field="BZ", new=s["BZ"])
    now = open_store(root)
    assert now.settings["schema_version"] == SCHEMA_VERSION == 2
    assert now.settings["college_shards"] == {college_dir(c): 32 for c in {s["FY"] for s in students}}
    assert now.index_buckets == 256
    for shard in now.shards():
        data = orjson.loads((root / rows_of(shard)).read_bytes())
        assert isinstance(data, dict) and data["format"] == 2
        assert sorted(RowSet.from_json(data).lists()) == sorted(now._load(rows_of(shard)).lists())
    assert now.get(students[0]["KSH"])["BZ"] == "迁移后第一次保存"
    assert verify(root).problems == []
    trail = [orjson.loads(x) for x in (root / "audit.jsonl").read_bytes().splitlines()]
    assert [d["action"] for d in trail][-3:] == ["migrate", "migrate", "edit"]


@pytest.mark.parametrize("text", ["张\t三", "李\n四", "王\r五", "赵\x1e六"])
def test_a_separator_inside_a_value_never_shifts_the_fields(text):
    row = ["K1", "X1", text, "男", "文学院", "汉语言文学", "中文1班", "2024", "注册学籍", 3, "S1", "zs", 0, "本科", 0,
           None]
    rs = RowSet.from_json(orjson.loads(orjson.dumps(RowSet.from_rows([row]).to_json())))
    got = rs[0]
    assert got[0] == "K1" and got[1] == "X1" and got[10] == "S1" and got[4] == "文学院"
    assert got[2] == "\ufffd".join(text.split(text[1]))
