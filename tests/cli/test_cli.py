"""The command line of docs/cli.md through click's runner: outputs, refusals and exit codes."""

import json
import os
import re

import orjson
import pytest
from click.testing import CliRunner

from xueji_testkit import make_student, tree_digest
from xueji_tui.cli import cli
from xueji_tui.store import open_store

S0, S1, S3 = make_student(0), make_student(1), make_student(3)  # 0, 3: 文学院; 1: 数学与计算机学院


def run(data, *args, clerk="office1"):
    r = CliRunner().invoke(cli, ["--data", str(data), "--clerk", clerk, *args], catch_exceptions=False)
    return r


def test_init_makes_the_creator_an_office_clerk(tmp_path):
    d = tmp_path / "new"
    r = run(d, "init", "--school-code", "10202", "--school-name", "吉林师范大学", "--president", "王某", clerk="zhang")
    assert r.exit_code == 0, r.output
    r = run(d, "users", "list", clerk="zhang")
    assert "zhang" in r.output and "学生工作处" in r.output
    assert run(d, "init", "--school-code", "10202", "--school-name", "x", clerk="zhang").exit_code == 2
    assert run(tmp_path / "x", "init", "--school-code", "1", "--school-name", "x").exit_code == 2


def test_missing_data_dir_says_how_to_create_it(tmp_path):
    r = run(tmp_path / "none", "lookup", "1")
    assert r.exit_code == 2 and "init" in r.output and "demo" in r.output


def test_unregistered_identity_is_refused_with_how_to_add_it(school):
    r = run(school, "lookup", S0["XH"], clerk="stranger")
    assert r.exit_code == 3 and "xueji users add stranger" in r.output


def test_clerk_option_only_honoured_for_the_directory_owner(school):
    from xueji_tui.services.session import acting_identity, login_name

    assert acting_identity(school, "office1") == ("office1", None)
    os.chown(school, 54321, -1)
    try:
        name, warning = acting_identity(school, "office1")
        assert name == login_name() and "未生效" in warning
        before = tree_digest(school)
        r = run(school, "lookup", S0["XH"], clerk="office1")  # and another account is refused outright
        assert r.exit_code == 2 and "sudo -u 54321" in r.output and "未生效" not in r.output
        assert tree_digest(school) == before
    finally:
        os.chown(school, os.geteuid(), -1)


def test_lookup_by_every_key_and_by_name(school):
    for q in (S0["XH"], S0["KSH"], S0["SFZH"], S0["SFZH"].lower()):
        r = run(school, "lookup", q)
        assert r.exit_code == 0 and S0["XM"] in r.output
        assert S0["SFZH"] not in r.output and S0["SFZH"][:6] + "********" in r.output
    r = run(school, "lookup", S0["XM"][:1])
    assert r.exit_code == 0 and S0["XM"] in r.output
    assert run(school, "lookup", "不存在的人").exit_code == 1


def test_lookup_json_keys(school):
    r = run(school, "lookup", S0["XH"], "--json")
    (obj,) = json.loads(r.output)
    for k in ("KSH", "XH", "XM", "XB", "CSRQ", "SFZH", "MZ", "ZZMM", "ZYDM", "ZYMC", "FY", "XSH", "BH", "CC",
              "XXXS", "XZ", "RXRQ", "YJBYRQ", "BYRQ", "BJYJL", "ZSBH", "status", "verification", "history", "photo"):
        assert k in obj
    assert obj["SFZH"] == S0["SFZH"][:6] + "********" + S0["SFZH"][-4:] and obj["status"] == "注册学籍"
    assert set(obj["verification"]) >= {"KSH", "XM", "SFZH", "ZP"} and obj["verification"]["XM"] is None
    assert set(obj["photo"]) == {"taken", "taken_on", "linked", "check", "checked_on"}


def test_verify_ok_and_wrong(school):
    assert run(school, "verify", S0["XH"], "XM", "ok").exit_code == 0
    r = run(school, "verify", S0["XH"], "LQLX", "wrong", "--value", "国家专项", "--note", "招生办确认")
    assert r.exit_code == 0 and "已更正" in r.output
    (obj,) = json.loads(run(school, "lookup", S0["XH"], "--json").output)
    assert obj["verification"]["XM"] == "ok"
    assert obj["verification"]["LQLX"] == "ok"


def test_wrong_identity_field_files_a_request_and_keeps_the_value(school):
    r = run(school, "verify", S0["XH"], "MZ", "wrong", "--value", "满族", "--note", "户口本为满族")
    assert r.exit_code == 2 and "公安" in r.output  # Art. 20: evidence first
    r = run(school, "verify", S0["XH"], "MZ", "wrong", "--value", "满族", "--note", "户口本为满族",
            "--evidence", "长春市公安局证明 2025-018")
    assert r.exit_code == 0 and "更正申请" in r.output
    rid = r.output.strip().splitlines()[-1]
    (obj,) = json.loads(run(school, "lookup", S0["XH"], "--json").output)
    assert obj["MZ"] == "汉族" and obj["verification"]["MZ"] == "wrong"
    assert "申请" in run(school, "correction", "list", "--open").output
    r = run(school, "correction", "approve", rid, "--doc", "吉教学字〔2025〕12号", clerk="office2")
    assert r.exit_code == 2 and "教育厅" in r.output  # identity: must be reported first
    assert run(school, "correction", "submit", rid).exit_code == 0
    r = run(school, "correction", "approve", rid, "--doc", "吉教学字〔2025〕12号")
    assert r.exit_code == 3 and "两人经办" in r.output  # the filer cannot approve
    assert run(school, "correction", "approve", rid, "--doc", "吉教学字〔2025〕12号", clerk="office2").exit_code == 0
    (obj,) = json.loads(run(school, "lookup", S0["XH"], "--json").output)
    assert obj["MZ"] == "满族" and obj["verification"]["MZ"] == "ok"


def test_bad_values_are_refused_and_nothing_is_written(school):
    before = tree_digest(school)
    for args in (["verify", S0["XH"], "SFZH", "wrong", "--value", S0["SFZH"][:-1] + "0"],
                 ["verify", S0["XH"], "CSRQ", "wrong", "--value", "20020230"],
                 ["verify", S0["XH"], "XB", "wrong", "--value", "9"],
                 ["verify", S0["XH"], "BH", "ok"],
                 ["change", S0["XH"], "1234", "--date", "20250301"],
                 ["change", S0["XH"], "1101", "--date", "20250231"],
                 ["change", S0["XH"], "3101", "--date", "20250301"],
                 ["correction", "file", S0["XH"], "SFZH", "123", "--reason", "x"]):
        r = run(school, *args)
        assert r.exit_code == 2, (args, r.output)
        assert r.output.strip() and "Traceback" not in r.output
    assert tree_digest(school) == before


def test_change_and_its_history(school):
    r = run(school, "change", S0["XH"], "1101", "--date", "20250301", "--doc", "吉师大学字〔2025〕3号", "--note", "住院",
            "--approved", "20250228")
    assert r.exit_code == 0 and "休学(病休)" in r.output
    (obj,) = json.loads(run(school, "lookup", S0["XH"], "--json").output)
    assert obj["status"] == "休学(病休)"
    (h,) = obj["history"]
    assert h["code"] == "1101" and h["date"] == "20250301" and h["doc"] == "吉师大学字〔2025〕3号"
    assert h["clerk"] == "office1" and h["note"] == "住院" and h["at"]
    r = run(school, "change", S0["XH"], "2301", "--date", "20250302", "--doc", "x", "--to-major", "080901", "--to-class", "x")
    assert r.exit_code == 2 and "只能从 注册学籍 办理" in r.output and "状态机" not in r.output
    assert run(school, "change", S0["XH"], "1201", "--date", "20260301", "--doc", "复学文号",
               "--approved", "20260225").exit_code == 0
    assert json.loads(run(school, "lookup", S0["XH"], "--json").output)[0]["status"] == "注册学籍"


def test_transfer_of_major_takes_names_from_the_catalogue(school):
    r = run(school, "change", S0["XH"], "2301", "--date", "20250301", "--doc", "吉师大教字〔2025〕31号",
            "--approved", "20250226", "--to-major", "080901", "--to-class", "计科221班")
    assert r.exit_code == 0, r.output
    (obj,) = json.loads(run(school, "lookup", S0["XH"], "--json").output)
    assert (obj["ZYDM"], obj["ZYMC"], obj["FY"], obj["BH"]) == ("080901", "计算机科学与技术", "数学与计算机学院", "计科221班")


def test_ended_student_changes_only_by_office_reversal(school):
    assert run(school, "change", S3["XH"], "4204", "--date", "20250301", "--doc", "开除文号",
               "--approved", "20250227").exit_code == 0
    r = run(school, "change", S3["XH"], "7101", "--date", "20250302", "--note", "奖")
    assert r.exit_code == 2 and "已终结" in r.output
    assert run(school, "verify", S3["XH"], "XM", "ok").exit_code == 2
    assert run(school, "change", S3["XH"], "9801", "--date", "20250303", "--note", "录入错误", clerk="wenxue").exit_code == 3
    r = run(school, "change", S3["XH"], "9801", "--date", "20250303", "--note", "录入错误")
    assert r.exit_code == 0
    (obj,) = json.loads(run(school, "lookup", S3["XH"], "--json").output)
    assert obj["status"] == "注册学籍" and obj["history"][0]["reversed_by"] == "E2"


def test_college_clerk_is_refused_everywhere_outside_its_college(school):
    other = S1["XH"]
    before = tree_digest(school)
    for args in (["lookup", other], ["lookup", S1["KSH"]], ["lookup", S1["SFZH"]],
                 ["verify", other, "XM", "ok"], ["change", other, "1101", "--date", "20250301"],
                 ["correction", "file", other, "MZ", "满族", "--reason", "x"], ["audit", other],
                 ["users", "add", "x", "--role", "office"], ["users", "list"]):
        r = run(school, *args, clerk="wenxue")
        assert r.exit_code == 3, (args, r.output)
    assert tree_digest(school) == before
    r = run(school, "lookup", S1["XM"], clerk="wenxue")
    assert S1["XH"] not in r.output
    assert run(school, "lookup", S0["XH"], clerk="wenxue").exit_code == 0
    r = run(school, "audit", clerk="wenxue")
    assert S1["KSH"] not in r.output


def test_college_corrections_go_to_the_office(school):
    r = run(school, "verify", S0["XH"], "BH", "wrong", clerk="wenxue")
    assert r.exit_code == 2  # BH is not an Art. 6 field
    r = run(school, "verify", S0["XH"], "LQLX", "wrong", "--value", "国家专项", "--note", "x", clerk="wenxue")
    assert r.exit_code == 0 and "更正申请" in r.output
    rid = r.output.strip().splitlines()[-1]
    assert run(school, "correction", "submit", rid, clerk="wenxue").exit_code == 3
    assert run(school, "correction", "approve", rid, "--doc", "吉师大学字〔2025〕2号").exit_code == 0  # office approves
    assert json.loads(run(school, "lookup", S0["XH"], "--json").output)[0]["LQLX"] == "国家专项"
    r = run(school, "correction", "file", S0["XH"], "XM", "张三丰", "--reason", "改名", clerk="wenxue")
    assert r.exit_code == 2 and "公安" in r.output  # identity: evidence required
    r = run(school, "correction", "file", S0["XH"], "XM", "张三丰", "--reason", "改名", "--evidence", "派出所证明",
            clerk="wenxue")
    rid = r.output.strip()
    assert run(school, "correction", "reject", rid, "--reason", "无公安证明").exit_code == 0
    assert "驳回" in run(school, "correction", "list").output


def test_audit_records_who_what_and_verifies(school):
    run(school, "change", S0["XH"], "1101", "--date", "20250301", "--doc", "文号", "--approved", "20250228")
    run(school, "verify", S0["XH"], "XM", "ok")
    r = run(school, "audit", S0["XH"])
    assert "office1" in r.output and "注册学籍 → 休学(病休)" in r.output
    # the office reads actions, fields and verdicts in Chinese (the ids stay in the trail and --json)
    assert "学籍异动" in r.output and "学籍状态" in r.output and "核对" in r.output and "姓名  — → 无误" in r.output
    assert not re.search(r"\b(change|status|verify|ok)\b", r.output), r.output
    assert run(school, "audit", "--verify").exit_code == 0


@pytest.mark.parametrize("damage", ["edit", "delete-middle", "delete-last"])
def test_audit_verify_detects_tampering(school, damage):
    run(school, "change", S0["XH"], "1101", "--date", "20250301", "--doc", "文号", "--approved", "20250228")
    run(school, "verify", S1["XH"], "XM", "ok")
    path = school / "audit.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    if damage == "edit":
        obj = orjson.loads(lines[2])
        obj["clerk"] = "someone-else"
        lines[2] = orjson.dumps(obj) + b"\n"
    elif damage == "delete-middle":
        del lines[2]
    else:
        del lines[-1]
    path.write_bytes(b"".join(lines))
    r = run(school, "audit", "--verify")
    assert r.exit_code == 1 and ("改动" in r.output or "删除" in r.output)


def test_reveal_is_not_a_cli_leak(school):
    # the masked ID is the default everywhere a list is printed
    other = make_student(99)
    r = run(school, "correction", "file", S0["XH"], "SFZH", other["SFZH"], "--reason", "x", "--evidence", "公安证明",
            "--also", f"CSRQ={other['CSRQ']}", "--also", f"性别={other['XB']}")
    assert r.exit_code == 0, r.output
    out = run(school, "correction", "list").output
    assert make_student(99)["SFZH"] not in out and S0["SFZH"] not in out
    assert S0["SFZH"] not in (school / "audit.jsonl").read_text()


def test_name_lookup_says_when_it_lists_only_the_first(school, monkeypatch):
    from xueji_tui.services import find

    monkeypatch.setattr(find, "NAME_HITS_LIMIT", 2)
    st = open_store(school)
    surname = max({r[2][0] for r in st.rows()}, key=lambda c: sum(1 for r in st.rows() if r[2][0] == c))
    n = sum(1 for r in st.rows() if r[2].startswith(surname))
    assert n > 2
    r = run(school, "lookup", surname)
    assert r.exit_code == 0 and f"共 {n} 人" in r.output and "只列出前 2 人" in r.output


def test_the_school_names_every_upload_carries_are_checked_as_typed(school, tmp_path):
    """Was: `settings --school-name ""` emptied 院校名称 and a control character reached 校长姓名 (XZXM)."""
    before = tree_digest(school)
    for args, says in ((["--school-name", ""], "请填写院校名称"), (["--president", "李\x1b清源"], "控制字符"),
                       (["--president", "李𠀾"], "GBK 无法编码")):
        r = run(school, "settings", *args)
        assert r.exit_code == 2 and says in r.output, r.output
    assert tree_digest(school) == before
    r = run(tmp_path / "new", "init", "--school-code", "10202", "--school-name", "学\x1b校", "--president", "王某",
            clerk="zhang")
    assert r.exit_code == 2 and "控制字符" in r.output and not (tmp_path / "new").exists()
    assert run(school, "settings", "--president", " 李清源 ").exit_code == 0
    assert open_store(school).settings["president"] == "李清源"


def test_one_field_twice_in_a_correction_request_is_refused(school):
    """Was: `correction file … XM 甲 --also XM=乙` filed 乙 and dropped 甲 without a word."""
    before = tree_digest(school)
    r = run(school, "correction", "file", S0["XH"], "XM", "甲乙", "--reason", "户籍更名", "--evidence", "户口本",
            "--also", "姓名=乙丙")
    assert r.exit_code == 2 and "姓名在申请中出现了两次" in r.output, r.output
    assert tree_digest(school) == before


def test_a_change_says_what_it_moved_in_the_clerks_words():
    """Was: `grad_year 2027 → None；BYRQ 20270630 → ` after a 留降级 (internal names, Python's None)."""
    from xueji_tui.domain.effects import moved_words

    said = moved_words({"BH": ("汉文23", "汉文24"), "YJBYRQ": ("20270630", "20280630"), "grad_year": (2027, None),
                        "BYRQ": ("20270630", "")})
    assert said == ("班号 汉文23 → 汉文24；预计毕业日期 20270630 → 20280630；"
                    "学信网预计毕业生名单 2027 届 → 不在名单（待导入新一届名单）；毕业日期 20270630 → （空）")


def test_no_export_is_written_among_the_data_directorys_own_files(school):
    """Was: `export workbook -o <data>/meta.json --force` wrote <data>/meta.json.xlsx, whole 身份证号
    among the store's files (any clerk, a college's too)."""
    before = tree_digest(school)
    for args in (["export", "workbook", "-o", str(school / "meta.json"), "--force"],
                 ["export", "registration", "-o", str(school / "students" / "r.dbf")],
                 ["precheck", "--year", "2026", "--out", str(school / "p.xlsx")]):
        r = run(school, *args)
        assert r.exit_code == 2 and "不能把导出文件写进数据目录" in r.output, r.output
    assert tree_digest(school) == before
    (school / "exports").mkdir(mode=0o700)
    r = run(school, "export", "workbook", "-o", str(school / "exports" / "核对表.xlsx"))
    assert r.exit_code == 0 and (school / "exports" / "核对表.xlsx").exists(), r.output


@pytest.mark.parametrize("args", [["stats", "--college", "不存在学院"], ["register", "--year", "2026", "--college", "不存在学院", "--dry-run"],
                                  ["review", "accept", "--all", "--college", "不存在学院"],
                                  ["export", "registration", "--college", "不存在学院"],
                                  ["precheck", "--year", "2026", "--college", "不存在学院"]])
def test_a_college_the_school_does_not_have_is_bad_input_on_every_command(school, args):
    """Was: an empty table or file, exit 0 or 1, as if the college had no one."""
    before = tree_digest(school)
    r = run(school, *args)
    assert r.exit_code == 2 and "没有名为“不存在学院”的学院（现有：" in r.output and "文学院" in r.output, r.output
    assert tree_digest(school) == before


def test_a_value_too_long_for_its_upload_file_is_refused_as_it_is_entered(school):
    """Was: a 300-character 姓名 approved, a 500-character 班号 and a 5,000-character 说明 saved — then
    every export of corrections, changes and awards refused to be written."""
    before = tree_digest(school)
    long_name, long_note = "名" * 21, "说" * 101  # 42 bytes in a 40-byte field; 202 in a 200-byte one
    for args, says in (
            (["correction", "file", S0["XH"], "XM", long_name, "--reason", "更名", "--evidence", "户口本"],
             "姓名“名名"),
            (["change", S0["XH"], "7103", "--date", "20250920", "--note", long_note], "说明“说说"),
            (["change", S0["XH"], "1101", "--date", "20250920", "--approved", "20250919", "--doc", "文" * 26],
             "文号“文文"),
            (["settings", "--president", "李" * 21], "校长姓名“李李")):
        r = run(school, *args)
        assert r.exit_code == 2 and says in r.output and "上报文件写不出" in r.output, r.output
    assert tree_digest(school) == before
    assert run(school, "change", S0["XH"], "7103", "--date", "20250920", "--note", "说" * 100).exit_code == 0
