"""The services on either store: the same behaviour on the in-memory store (fast) and on the data
directory. A refused command leaves the store as it was, on both."""

from __future__ import annotations

import pytest

from xueji_testkit import SchoolKit, build_school
from xueji_tui.domain.errors import InvalidInput, NotAllowed, NotFound, Refused
from xueji_tui.domain.record import ROW
from xueji_tui.domain.status import ChangeRequest
from xueji_tui.services import changes, corrections, find, settings, students, users


def first_of(kit, college: str) -> dict:
    return next(s for s in kit.store.students() if s["FY"] == college)


def test_lookup_and_scope(any_school):
    s = first_of(any_school, "数学与计算机学院")
    assert [x["KSH"] for x in find.lookup(any_school.office, s["XH"])] == [s["KSH"]]
    with pytest.raises(NotAllowed):
        find.lookup(any_school.wenxue, s["XH"])
    mine = first_of(any_school, "文学院")
    assert find.resolve(any_school.wenxue, mine["KSH"])["XH"] == mine["XH"]
    with pytest.raises(NotFound):
        find.resolve(any_school.office, "999999")


def test_verdict_is_saved_and_audited(any_school):
    s = first_of(any_school, "文学院")
    students.verify(any_school.wenxue, s["XH"], "XM", "ok")
    again = any_school.store.get(s["KSH"])
    assert again["verification"]["XM"]["v"] == "ok" and again["verification"]["XM"]["by"] == "wenxue"
    assert again["rev"] == s["rev"] + 1
    lines = list(any_school.store.audit_lines(s["KSH"]))
    assert [(d["action"], d["field"], d["clerk"]) for d in lines] == [("verify", "XM", "wenxue")]


def test_identity_field_wrong_files_a_request_and_keeps_the_value(any_school):
    s = first_of(any_school, "文学院")
    out = students.verify(any_school.wenxue, s["XH"], "MZ", "wrong", "满族", "户口本", evidence="公安证明 1 号")
    assert out.kind == "request"
    assert any_school.store.get(s["KSH"])["MZ"] == "汉族"
    (req,) = corrections.list_requests(any_school.office, open_only=True)
    assert (req["id"], req["field"], req["new"], req["status"]) == (out.request_id, "MZ", "满族", "申请")


def test_refused_change_leaves_the_store_unchanged(any_school):
    s = first_of(any_school, "文学院")
    before = any_school.snapshot()
    with pytest.raises(Refused):  # 注册学籍 cannot be registered again
        changes.change(any_school.office, s["XH"], ChangeRequest(code="0101", date="20250901"))
    with pytest.raises(InvalidInput):  # 休学 needs a date
        changes.change(any_school.office, s["XH"], ChangeRequest(code="1101", date=""))
    assert any_school.snapshot() == before


def test_change_moves_the_status_and_is_audited(any_school):
    s = first_of(any_school, "外国语学院")
    entry = changes.change(any_school.office, s["XH"], ChangeRequest(code="1101", date="20250301", approved="20250228",
                                                                     doc="吉师大学字〔2025〕5号"))
    assert (entry["from"], entry["to"]) == ("注册学籍", "休学(病休)")
    assert any_school.store.get(s["KSH"])["status"] == "休学(病休)"
    row = next(r for r in any_school.store.rows("外国语学院") if r[0] == s["KSH"])
    assert "休学(病休)" in row


def test_correction_flow_renames_the_key(any_school):
    s = first_of(any_school, "文学院")
    new_ksh = "22229999999999"
    rid = corrections.file(any_school.office, s["XH"], "KSH", new_ksh, "录取数据有误", evidence="招生办证明 2025-7")
    corrections.submit(any_school.office, rid)
    corrections.approve(any_school.office2, rid, "吉教学字〔2025〕7号")
    assert any_school.store.get(s["KSH"]) is None
    moved = any_school.store.get(new_ksh)
    assert moved["XH"] == s["XH"] and find.resolve(any_school.office, s["XH"])["KSH"] == new_ksh
    assert corrections.list_requests(any_school.office)[0]["KSH"] == new_ksh


def test_a_write_never_gives_two_students_one_number(any_school):
    a, b = first_of(any_school, "文学院"), first_of(any_school, "外国语学院")
    before = any_school.snapshot()
    for field in ("XH", "SFZH"):
        with pytest.raises(Refused) as e:
            with any_school.store.write("office1", "测试") as tx:
                rec = tx.get(a["KSH"])
                rec[field] = b[field]
                tx.put(rec)
                tx.log("edit", ksh=a["KSH"], field=field)
        assert b["KSH"] in e.value.message and "只能属于一名学生" in e.value.message
        assert b["SFZH"] not in e.value.message  # the other student's ID is masked
    assert any_school.snapshot() == before


def test_school_records_by_name(any_school):
    users.add(any_school.office, "shuxue", "college", "数学与计算机学院")
    assert any_school.store.clerk("shuxue")["college"] == "数学与计算机学院"
    with pytest.raises(NotAllowed):
        users.add(any_school.wenxue, "x1", "office")
    settings.update(any_school.office, term_start="20250908")
    assert any_school.store.settings["term_start"] == "20250908"
    assert {m["ZYDM"] for m in changes.majors(any_school.office)} >= {"050101", "080901"}


def test_a_copy_of_a_memory_store_shares_nothing_with_it():
    """The UI tests build their school in memory once and give each test a copy (MemoryStore.clone):
    the copy holds the same school and trail, and what one test saves never reaches another."""
    original = SchoolKit(build_school(None))
    before = original.snapshot()
    copy = SchoolKit(original.store.clone())
    assert copy.snapshot() == before
    s = first_of(copy, "外国语学院")
    students.verify(copy.wenxue, first_of(copy, "文学院")["XH"], "XM", "ok")
    changes.change(copy.office, s["XH"], ChangeRequest(code="1101", date="20250301", approved="20250228",
                                                       doc="吉师大学字〔2025〕5号"))
    corrections.file(copy.office, s["XH"], "MZ", "满族", "录取数据有误", evidence="户口本")

    def status(kit) -> str:
        return next(r for r in kit.store.rows("外国语学院") if r[ROW["KSH"]] == s["KSH"])[ROW["status"]]

    assert original.snapshot() == before and status(original) == "注册学籍"
    assert status(copy) == "休学(病休)" and len(copy.store.corrections()) == 1
    assert copy.store.verify_trail() == []  # the copy's trail goes on from the original's
    assert copy.store.state()[0] > original.store.state()[0]
