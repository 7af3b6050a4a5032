"""Control characters (ESC, CR, BEL …): refused when typed, replaced and flagged when imported, and
written out as text wherever they would reach a terminal (issue 11: terminal injection)."""

from __future__ import annotations

import csv

from click.testing import CliRunner

from xueji_testkit import make_student, tree_digest
from xueji_tui.cli import cli
from xueji_tui.store import open_store

S = make_student(0)
ESC = "\x1b]0;pwned\x07\x1b[2J"


def run(root, *args, clerk="office1"):
    return CliRunner().invoke(cli, ["--data", str(root), "--clerk", clerk, *args])


def test_typed_control_characters_are_refused_and_nothing_is_written(school):
    before = tree_digest(school)
    for args in (["change", S["XH"], "7103", "--date", "20250301", "--note", "三好" + ESC],
                 ["change", S["XH"], "1101", "--date", "20250301", "--doc", "文号\r伪装", "--approved", "20250228"],
                 ["verify", S["XH"], "XM", "wrong", "--note", "说明\x1b[31m"],
                 ["correction", "file", S["XH"], "XM", "王\x07五", "--reason", "改名", "--evidence", "证明"],
                 ["correction", "file", S["XH"], "MZ", "满族", "--reason", "x", "--evidence", "证明\x1b[2J"]):
        r = run(school, *args)
        assert r.exit_code == 2 and "控制字符" in r.output, (args, r.output)
        assert "\x1b" not in r.output and "\x07" not in r.output
    assert tree_digest(school) == before


def test_imported_control_characters_become_lost_characters_that_block_the_upload(school, tmp_path):
    path = tmp_path / "在校生.csv"
    heads = ["KSH", "XH", "XM", "XB", "CSRQ", "SFZH", "MZ", "ZYDM", "ZYMC", "FY", "BH", "CC", "XXXS", "XZ", "RXRQ"]
    s = make_student(700)
    s["XM"] = "王" + ESC + "五"
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(heads)
        w.writerow([s.get(h, "") for h in heads])
    r = run(school, "import", "students", str(path), "--yes")
    assert r.exit_code == 0, r.output
    assert "控制字符" in r.output and "\x1b" not in r.output
    got = open_store(school).get(s["KSH"])
    assert "\x1b" not in got["XM"] and "\ufffd" in got["XM"]
    out = tmp_path / "注册.dbf"
    r = run(school, "export", "registration", "-o", str(out))
    assert r.exit_code == 2 and not out.exists()  # a lost character never reaches an upload file


def test_what_a_legacy_record_holds_is_printed_as_text(school):
    st = open_store(school)
    s = st.get(S["KSH"])
    s["BH"] = s["BH"] + ESC  # the class is on lookup's first screen
    with st.write("office1", "测试：旧版本写入的值") as tx:  # a store from before these rules
        tx.put(s)
        tx.log("edit", ksh=s["KSH"], field="BH", new=s["BH"], why="旧数据" + ESC)
    for args in (["lookup", S["XH"]], ["audit", S["XH"]]):
        r = run(school, *args)
        assert r.exit_code == 0 and "\x1b" not in r.output and "\x07" not in r.output, args
        assert "\\x1b" in r.output, args


def test_table_cells_never_carry_a_control_character():
    from xueji_tui.screens.table import fit

    cell = fit("王" + ESC, 40)
    assert "\x1b" not in cell and "\x07" not in cell and cell.startswith("王\\x1b]0;pwned")
