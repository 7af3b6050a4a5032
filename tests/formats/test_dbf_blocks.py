"""A DBF's records read in blocks give exactly what reading them one by one gives, whatever a record
holds: a deleted mark, a newline or NUL inside a field, bytes GBK cannot decode, an extra column, a
block boundary in between (formats/readers.py, ``_dbf_blocks``)."""

from __future__ import annotations

import struct

import pytest

from filekit import chsi_file, students
from xueji_tui.domain.errors import InvalidInput
from xueji_tui.formats import profiles, readers

PROFILE = profiles.load(profiles.for_import("students"))


def _layout(data: bytes) -> tuple[int, int, int, list[tuple[int, int]]]:
    """(records, header length, record length, (offset, width) of each field within a record)."""
    nrec, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields, off, pos = [], 32, 1
    while data[off] != 0x0D:
        fields.append((pos, data[off + 16]))
        pos += data[off + 16]
        off += 32
    return nrec, header_len, record_len, fields


def _put(data: bytearray, record: int, field: int, value: bytes) -> None:
    _, header_len, record_len, fields = _layout(bytes(data))
    pos, width = fields[field]
    at = header_len + record * record_len + pos
    data[at:at + width] = value.ljust(width, b" ")[:width]


def _both(path, monkeypatch):
    """(read in blocks, read record by record), each a verdict: the rows as read, or the refusal."""
    def verdict():
        try:
            r = readers.read(path, PROFILE)
        except InvalidInput as e:
            return "refused", str(e)
        return r.rows, r.columns, r.matched, r.extra

    monkeypatch.setattr(readers, "_BLOCK", 7)  # several blocks, boundaries between the odd records
    blocks = verdict()
    monkeypatch.setattr(readers, "_all_live", lambda *a: False)
    return blocks, verdict()


@pytest.fixture
def dbf(tmp_path):
    people = students(40)
    people[5]["XM"] = "阿依古丽·买买提"
    path = chsi_file(tmp_path / "s.dbf", people)
    return path, bytearray(path.read_bytes())


@pytest.mark.parametrize("damage", ["none", "deleted", "newline", "nul", "undecodable", "lead-byte-at-end",
                                    "control", "eof-mark-early", "utf8"])
def test_blocks_read_as_records_one_by_one(dbf, damage, monkeypatch):
    path, data = dbf
    if damage == "deleted":
        nrec, header_len, record_len, _ = _layout(bytes(data))
        data[header_len + 9 * record_len] = ord("*")
    elif damage == "newline":
        _put(data, 3, 2, "张\n三".encode("gbk"))
    elif damage == "nul":
        _put(data, 8, 2, b"ab\x00cd")
    elif damage == "undecodable":
        _put(data, 13, 9, b"\x81\x20\x81")  # a lead byte followed by a space: not GBK
    elif damage == "lead-byte-at-end":
        _put(data, 20, 2, "王".encode("gbk") + b"\xb0")
    elif damage == "control":
        _put(data, 21, 2, b"\x1b[31m")
    elif damage == "eof-mark-early":
        _, header_len, record_len, _ = _layout(bytes(data))
        data[header_len + 30 * record_len] = 0x1A
    elif damage == "utf8":  # told apart from GBK by the first 200 records' bytes, across blocks
        nrec, header_len, record_len, fields = _layout(bytes(data))
        for i in range(nrec):
            for f, (pos, width) in enumerate(fields):
                at = header_len + i * record_len + pos
                text = bytes(data[at:at + width]).decode("gbk").rstrip()
                _put(data, i, f, text.encode("utf-8") if len(text.encode("utf-8")) <= width else b"")
    path.write_bytes(bytes(data))
    blocks, one_by_one = _both(path, monkeypatch)
    assert blocks == one_by_one
    if damage == "none":
        assert len(blocks[0]) == 40 and blocks[0][5]["XM"] == "阿依古丽·买买提"
    if damage == "utf8":
        assert blocks[0] == "refused" and "UTF-8" in blocks[1]
    if damage in ("undecodable", "lead-byte-at-end", "nul"):
        assert sum(1 for r in blocks[0] if r.get("_problem")) == 1


def test_an_extra_column_is_kept_per_row(tmp_path, monkeypatch):
    from xueji_tui.formats import writers

    import dataclasses

    wide = dataclasses.replace(PROFILE, fields=(*PROFILE.fields, profiles.Field("BEIZHU2", "BEIZHU2", 10)))
    people = students(20)
    for i, s in enumerate(people):
        s["BEIZHU2"] = "有" if i % 3 == 0 else ""
    path = tmp_path / "wide.dbf"
    writers.write_dbf(path, wide, people)
    blocks, one_by_one = _both(path, monkeypatch)
    assert blocks == one_by_one
    assert blocks[3] == ["BEIZHU2"] and blocks[0][0]["_extra"] == {"BEIZHU2": "有"} and "_extra" not in blocks[0][1]
