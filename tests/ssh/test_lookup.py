"""lookup: the 身份证号 masked in every output unless --reveal, and each reveal in the trail; what it
prints never drives the terminal."""

from __future__ import annotations

import json

import orjson
from click.testing import CliRunner

from xueji_testkit import make_student, tree_digest
from xueji_tui.cli import cli
from xueji_tui.domain.idcard import mask
from xueji_tui.store import open_store

S0, S1, S3 = make_student(0), make_student(1), make_student(3)  # 0, 3: 文学院; 1: 数学与计算机学院


def run(data, *args, clerk="office1"):
    return CliRunner().invoke(cli, ["--data", str(data), "--clerk", clerk, *args], catch_exceptions=False)


def reveals(school) -> list[dict]:
    return [d for _, d in open_store(school).audit.lines() if d and d.get("action") == "reveal"]


def test_json_masks_the_id_like_the_plain_output_and_writes_nothing(school):
    before = tree_digest(school)
    (obj,) = json.loads(run(school, "lookup", S0["XH"], "--json").stdout)
    assert obj["SFZH"] == mask(S0["SFZH"]) and S0["SFZH"] not in json.dumps(obj)
    plain = run(school, "lookup", S0["XH"]).stdout
    assert mask(S0["SFZH"]) in plain and S0["SFZH"] not in plain
    assert tree_digest(school) == before


def test_reveal_prints_the_whole_id_and_audits_one_line_per_student(school):
    (obj,) = json.loads(run(school, "lookup", S0["XH"], "--json", "--reveal").stdout)
    assert obj["SFZH"] == S0["SFZH"]
    [line] = reveals(school)
    assert (line["KSH"], line["clerk"], line["field"]) == (S0["KSH"], "office1", "SFZH")
    assert line["new"] == mask(S0["SFZH"])  # the trail itself never holds the whole number
    r = run(school, "lookup", S3["XH"], "--reveal", clerk="wenxue")
    assert r.exit_code == 0 and S3["SFZH"] in r.stdout
    assert [(d["KSH"], d["clerk"]) for d in reveals(school)][1:] == [(S3["KSH"], "wenxue")]


def test_reveal_by_name_audits_every_student_shown(school):
    surname = S0["XM"][0]
    found = json.loads(run(school, "lookup", surname, "--json", "--reveal", clerk="wenxue").stdout)
    assert len(found) > 1 and all(len(s["SFZH"]) == 18 and "*" not in s["SFZH"] for s in found)
    assert sorted(d["KSH"] for d in reveals(school)) == sorted(s["KSH"] for s in found)
    assert {s["FY"] for s in found} == {"文学院"}


def test_another_colleges_student_stays_refused_and_nothing_is_revealed(school):
    before = tree_digest(school)
    for args in (["lookup", S1["XH"]], ["lookup", S1["XH"], "--json"], ["lookup", S1["SFZH"], "--json", "--reveal"]):
        r = run(school, *args, clerk="wenxue")
        assert r.exit_code == 3 and S1["XM"] not in r.output and S1["KSH"] not in r.output
        assert args[1] == S1["SFZH"] or S1["SFZH"] not in r.output  # only what the clerk typed comes back
    assert tree_digest(school) == before


def test_escape_sequences_in_stored_values_are_shown_as_text(school):
    """A note planted before control characters were refused (or edited into a shard) must not clear
    the screen or retitle the terminal when a clerk looks the student up."""
    st = open_store(school)
    s = st.get(S0["KSH"])
    hostile = "\x1b[2J\x1b]0;owned\x07\r假的\u202e\x9b31m"
    s["history"] = [{"id": "E1", "date": "20250301", "code": "1101", "type": "休学", "reason": "因病",
                     "from": "注册学籍", "to": "休学", "doc": "", "note": hostile, "clerk": "office1",
                     "at": "2025-03-01T10:00:00+08:00"}]
    s["BH"] = "一班\x1b[31m"
    with st.write("office1", "测试") as tx:
        tx.put_many([s])
        tx.log("import", new=1)
    for args in (["lookup", S0["XH"]], ["lookup", S0["XH"], "--json"], ["lookup", S0["XH"], "--json", "--reveal"]):
        r = run(school, *args)
        assert r.exit_code == 0
        for c in ("\x1b", "\x07", "\r", "\u202e", "\x9b"):
            assert c not in r.output, (args, repr(r.output))
    (obj,) = json.loads(run(school, "lookup", S0["XH"], "--json").stdout)
    assert obj["history"][0]["note"] == hostile and obj["BH"] == "一班\x1b[31m"  # the JSON is lossless
    assert "\\x1b[2J" in run(school, "lookup", S0["XH"]).stdout


def test_a_hostile_query_is_not_echoed_raw(school):
    r = run(school, "lookup", "王\x1b]0;x\x07")
    assert r.exit_code in (1, 2) and "\x1b" not in r.output and "\x07" not in r.output


def test_orjson_escapes_c0_itself():
    assert b"\x1b" not in orjson.dumps("\x1b")  # what echo_json relies on for C0
