"""The export log is a named store operation (``record_export`` / ``exports``) on both stores: written
with its audit line in one transaction, read back as written, never half there; ``graduate`` without
it is refused and changes nothing."""

from __future__ import annotations

import pytest

from xueji_tui.domain.errors import InvalidInput, Refused
from xueji_tui.services import accepted, graduation


def test_a_logged_file_is_read_back_on_both_stores(any_school, tmp_path):
    out = tmp_path / "2026毕业生.dbf"
    out.write_bytes(b"not really a dbf")
    records = [{"KSH": s["KSH"], "BJYJL": "毕业", "ZSBH": f"1020212026050000{i:02d}"}
               for i, s in enumerate(list(any_school.store.students())[:3])]
    entry = graduation.log_export(any_school.office, 2026, out, "dbf", records)
    [got] = any_school.store.exports()
    assert got == entry and got["students"] == records and got["rows"] == 3 and len(got["sha256"]) == 64
    assert got["file"] == str(out.resolve()) and got["clerk"] == "office1" and got["kind"] == "graduates"
    lines = [d for d in any_school.store.audit_lines() if d["action"] == "export"]
    assert lines[-1]["sha256"] == got["sha256"] and lines[-1]["rows"] == 3


def test_a_failed_transaction_logs_nothing(any_school):
    before = any_school.snapshot()
    with pytest.raises(InvalidInput):
        with any_school.store.write("office1", "测试") as tx:
            tx.record_export({"kind": "graduates", "year": 2026, "students": []})
            tx.log("export", why="测试")
            raise InvalidInput("中途失败")
    assert any_school.store.exports() == [] and any_school.snapshot() == before


def test_graduate_without_an_upload_is_refused_on_both_stores(any_school):
    before = any_school.snapshot()
    with pytest.raises(Refused, match="导出记录"):
        accepted.graduate(any_school.office, 2026)
    assert any_school.snapshot() == before
