"""The trail is evidence: every kind of tampering is detected by `audit --verify` and `doctor`, no later
save heals it, a refused save leaves the data directory byte for byte as it was, and the office's
way out (restore, or an audited acknowledgement) works. Also: damaged files are named, and an
operating-system error in a save writes nothing."""

import errno
import os
import shutil

import orjson
import pytest
from click.testing import CliRunner

from xueji_testkit import make_student, tree_digest
from xueji_tui.cli import cli
from xueji_tui.store import open_store
from xueji_tui.store.audit import line_hash

pytestmark = pytest.mark.slow  # the disk store's trail tampered with, file by file

S0, S1, S2, S3 = make_student(0), make_student(1), make_student(2), make_student(3)  # S0, S3: 文学院


def run(data, *args, clerk="office1"):
    return CliRunner().invoke(cli, ["--data", str(data), "--clerk", clerk, *args], catch_exceptions=False)


def saves(school, n=3):
    """A few ordinary saves: several transactions in the trail."""
    for i in range(n):
        r = run(school, "verify", make_student(i + 4)["XH"], "XM", "ok")
        assert r.exit_code == 0, r.output


def anchor(school) -> str:
    r = run(school, "audit", "anchor")
    assert r.exit_code == 0, r.output
    return r.stdout.strip()


def trail_lines(school):
    return (school / "audit.jsonl").read_bytes().splitlines(keepends=True)


def write_lines(school, lines):
    (school / "audit.jsonl").write_bytes(b"".join(lines))


def shard_of(school, ksh):
    for p in sorted(school.glob("students/*/*.json")):
        if not p.name.endswith(".rows.json") and ksh.encode() in p.read_bytes():
            return p
    raise AssertionError(ksh)


def tamper(school, how):
    lines = trail_lines(school)
    if how == "edit":
        d = orjson.loads(lines[2])
        d["clerk"] = "someone-else"
        lines[2] = orjson.dumps(d) + b"\n"
        write_lines(school, lines)
    elif how == "delete-middle":
        del lines[2]
        write_lines(school, lines)
    elif how == "delete-tail":
        del lines[-1]
        write_lines(school, lines)
    elif how == "garble-tail":
        lines[-2] = b"#" * (len(lines[-2]) - 1) + b"\n"  # near the end, the length unchanged
        write_lines(school, lines)
    elif how == "garble-last":
        lines[-1] = lines[-1][: len(lines[-1]) // 2] + b"\n"
        write_lines(school, lines)
    elif how == "append-junk":
        write_lines(school, lines + [b'{"seq": 999, "txn": 999, "n": 1, "of": 2'])
    elif how == "empty":
        write_lines(school, [])
    elif how == "delete-head":
        (school / "audit.head").unlink()
    elif how == "delete-both":
        (school / "audit.jsonl").unlink()
        (school / "audit.head").unlink()
    elif how == "head":
        head = orjson.loads((school / "audit.head").read_bytes())
        head["seq"] -= 1
        (school / "audit.head").write_bytes(orjson.dumps(head))
    elif how == "shard":
        p = shard_of(school, S0["KSH"])
        p.write_bytes(p.read_bytes().replace(S0["XM"].encode(), "篡改名".encode()))
    elif how == "clerks":
        p = school / "clerks.json"
        p.write_bytes(p.read_bytes().replace(b'"role":"college"', b'"role":"office"'))
    else:
        raise AssertionError(how)


STOPPING = ["edit", "delete-middle", "delete-tail", "garble-tail", "garble-last", "append-junk", "empty",
            "delete-head", "delete-both", "head"]


@pytest.mark.parametrize("how", STOPPING)
def test_a_broken_trail_stops_every_write_and_is_never_healed(school, how):
    saves(school)
    tamper(school, how)
    before = tree_digest(school)
    for args in (["verify", S1["XH"], "XM", "ok"], ["users", "add", "newbie", "--role", "office"],
                 ["change", S0["XH"], "1101", "--date", "20250301", "--doc", "文号", "--approved", "20250228"]):
        r = run(school, *args)
        assert r.exit_code == 2, (args, r.output)
        assert "审计记录" in r.output and "xueji doctor" in r.output and "学生工作处" in r.output
        assert "未写入任何数据" in r.output and "Traceback" not in r.output
        assert tree_digest(school) == before  # refused: byte for byte as it was
    r = run(school, "lookup", S1["XH"])  # reads keep working
    assert r.exit_code == 0 and S1["XM"] in r.output
    assert tree_digest(school) == before
    r = run(school, "audit", "--verify")
    assert r.exit_code == 1 and "完好" not in r.stdout, r.output
    r = run(school, "doctor")
    assert r.exit_code == 1 and "停止一切保存" in r.output and "--acknowledge" in r.output
    assert "audit" in r.output
    assert tree_digest(school) == before  # doctor and --verify only read


@pytest.mark.parametrize("how,file", [("shard", None), ("clerks", "clerks.json")])
def test_an_edited_data_file_fails_verify_and_saves_over_it_are_refused(school, how, file):
    saves(school)
    tamper(school, how)
    rel = file or str(shard_of(school, S0["KSH"]).relative_to(school))
    r = run(school, "audit", "--verify")
    assert r.exit_code == 1 and rel in r.output and "xueji 之外" in r.output
    r = run(school, "doctor")
    assert r.exit_code == 1 and f"✗ {rel}" in r.output
    before = tree_digest(school)
    touching = (["change", S0["XH"], "1101", "--date", "20250301", "--doc", "文号", "--approved", "20250228"] if how == "shard"
                else ["users", "add", "newbie", "--role", "office"])
    r = run(school, *touching)
    assert r.exit_code == 2 and rel in r.output and "未写入任何数据" in r.output, r.output
    assert tree_digest(school) == before
    # a save elsewhere goes on, and does not make --verify forget the edit
    other = S1 if how == "shard" else S0
    assert shard_of(school, other["KSH"]).relative_to(school) != rel
    assert run(school, "verify", other["XH"], "XM", "ok").exit_code == 0
    r = run(school, "audit", "--verify")
    assert r.exit_code == 1 and rel in r.output


def test_a_recomputed_chain_is_caught_by_the_anchor(school):
    saves(school, 2)
    kept = anchor(school)
    saves(school, 1)
    # an attacker edits line 2 and recomputes every hash after it, and audit.head with them
    lines = [orjson.loads(x) for x in trail_lines(school)]
    lines[1]["clerk"] = "someone-else"
    prev = "0" * 64
    for d in lines:
        d["prev"] = prev
        d.pop("hash")
        d["hash"] = prev = line_hash(prev, d)
    data = b"".join(orjson.dumps(d) + b"\n" for d in lines)
    (school / "audit.jsonl").write_bytes(data)
    head = orjson.loads((school / "audit.head").read_bytes())
    head.update(hash=prev, size=len(data))
    (school / "audit.head").write_bytes(orjson.dumps(head))
    assert run(school, "audit", "--verify").exit_code == 0  # consistent in itself: hence anchors
    r = run(school, "audit", "--verify", "--anchor", kept)
    assert r.exit_code == 1 and "锚点" in r.output
    saves(school, 1)  # a later save does not heal it
    assert run(school, "audit", "--verify", "--anchor", kept).exit_code == 1


def test_an_anchor_proves_an_untouched_prefix(school):
    saves(school, 2)
    kept = anchor(school)
    n = int(kept.split(":")[0])
    assert n == len(trail_lines(school))
    saves(school, 2)
    r = run(school, "audit", "--verify", "--anchor", kept)
    assert r.exit_code == 0 and f"与锚点 {kept} 一致" in r.output
    assert run(school, "audit", "--verify", "--anchor", f"{n}:{'0' * 64}").exit_code == 1
    assert run(school, "audit", "--verify", "--anchor", f"{n + 99}:{kept.split(':')[1]}").exit_code == 1
    assert run(school, "audit", "--verify", "--anchor", "nonsense").exit_code == 2
    assert run(school, "audit", "--anchor", kept).exit_code == 2


def test_a_same_length_edit_far_from_the_end_is_found_by_verify_and_never_healed(school):
    with open_store(school).write("office1", "批量") as tx:  # far more than a write re-checks (16 KB)
        for i in range(400):
            tx.log("note", ksh=make_student(i % 50)["KSH"], field="BZ", new="备注" * 40)
    lines = trail_lines(school)
    assert sum(map(len, lines[5:])) > 70_000
    lines[4] = lines[4].replace(b'"office1"', b'"office2"', 1)
    write_lines(school, lines)
    saves(school, 1)  # beyond what a save re-reads: it goes on ...
    r = run(school, "audit", "--verify")
    assert r.exit_code == 1 and "第 5 行" in r.output  # ... but the evidence stays
    assert run(school, "doctor").exit_code == 1


def test_the_office_acknowledges_a_break_append_only(school, tmp_path):
    saves(school, 3)
    kept = anchor(school)
    tamper(school, "delete-tail")
    kept_lines = trail_lines(school)
    assert run(school, "doctor", "--acknowledge", "--reason", "核实", clerk="wenxue").exit_code == 3
    assert run(school, "doctor", "--acknowledge").exit_code == 2
    r = run(school, "doctor", "--acknowledge", "--reason", "末行被删，经核对纸质材料，数据无误")
    assert r.exit_code == 0, r.output
    new_anchor = r.stdout.strip()
    assert trail_lines(school)[:-1] == kept_lines  # nothing rewritten, one line appended
    ack = orjson.loads(trail_lines(school)[-1])
    assert ack["action"] == "acknowledge" and ack["clerk"] == "office1" and "末行被删" in ack["why"]
    assert run(school, "verify", S1["XH"], "XM", "ok").exit_code == 0  # writes resume
    r = run(school, "audit", "--verify")
    assert r.exit_code == 0 and "确认" in r.output and "末行被删" in r.output
    assert run(school, "audit", "--verify", "--anchor", new_anchor).exit_code == 0
    assert run(school, "audit", "--verify", "--anchor", kept).exit_code == 1  # the old anchor still tells
    assert run(school, "doctor").exit_code == 0
    assert run(school, "doctor", "--acknowledge", "--reason", "再来").exit_code == 2  # nothing to accept
    # an edit before the acknowledgement, made after it, is not covered by it
    lines = trail_lines(school)
    lines[1] = lines[1].replace(b'"office1"', b'"office9"', 1)
    write_lines(school, lines)
    r = run(school, "audit", "--verify")
    assert r.exit_code == 1 and "确认之后又被改动" in r.output


@pytest.mark.parametrize("how", ["edit", "garble-tail", "append-junk", "empty", "delete-head", "delete-both", "head"])
def test_after_an_acknowledgement_work_goes_on_and_the_break_stays_on_record(school, how):
    saves(school)
    tamper(school, how)
    kept = (school / "audit.jsonl").read_bytes() if (school / "audit.jsonl").exists() else b""
    assert run(school, "doctor", "--acknowledge", "--reason", "核实无误").exit_code == 0
    assert (school / "audit.jsonl").read_bytes().startswith(kept)
    assert run(school, "doctor").exit_code == 0
    saves(school, 2)
    r = run(school, "audit", "--verify")
    assert r.exit_code == 0 and "核实无误" in r.output, r.output
    assert run(school, "doctor").exit_code == 0


def test_an_acknowledgement_accepts_an_edited_shard_but_not_a_damaged_file(school, tmp_path):
    p = shard_of(school, S0["KSH"])
    rel = str(p.relative_to(school))
    idx = sorted(school.glob("index/*.json"))[0]
    idx_rel = str(idx.relative_to(school))
    p.write_bytes(p.read_bytes().replace(f'"MZ":"{S0["MZ"]}"'.encode(), '"MZ":"回族"'.encode(), 1))
    good = idx.read_bytes()
    idx.write_bytes(b"{")
    before = tree_digest(school)
    r = run(school, "doctor", "--acknowledge", "--reason", "核实")
    assert r.exit_code == 2 and idx_rel in r.output and tree_digest(school) == before
    idx.write_bytes(good)  # restored from the backup
    r = run(school, "doctor")
    assert r.exit_code == 1 and f"✗ {rel}" in r.output and idx_rel not in r.output
    assert run(school, "doctor", "--acknowledge", "--reason", "民族经核实为回族，档案已补").exit_code == 0
    assert run(school, "doctor").exit_code == 0
    assert run(school, "change", S0["XH"], "1101", "--date", "20250301", "--doc", "文号", "--approved", "20250228").exit_code == 0
    assert run(school, "audit", "--verify").exit_code == 0
    assert run(school, "lookup", S0["XH"], "--json").stdout.count("回族") == 1


def test_a_restored_backup_is_healthy_again(school, tmp_path):
    saves(school, 2)
    backup = tmp_path / "backup"
    shutil.copytree(school, backup)
    tamper(school, "garble-tail")
    assert run(school, "verify", S1["XH"], "XM", "ok").exit_code == 2
    shutil.rmtree(school)
    shutil.copytree(backup, school)
    assert run(school, "doctor").exit_code == 0
    assert run(school, "verify", S1["XH"], "XM", "ok").exit_code == 0


# -- doctor ----------------------------------------------------------------------------------
def test_doctor_on_a_healthy_store_and_what_it_names(school):
    r = run(school, "doctor")
    assert r.exit_code == 0 and "完好" in r.output, r.output
    assert run(school, "doctor", clerk="wenxue").exit_code == 3
    (school / "students").chmod(0o777)
    stray = school / "index" / "00.json.77.tmp"
    stray.write_bytes(b"{}")
    os.symlink(school / "meta.json", school / "formats-link")
    rows = next(p for p in school.glob("students/*/*.rows.json") if p.name != "all.rows.json")  # a shard's
    rows.write_bytes(b"[]")
    r = run(school, "doctor")
    assert r.exit_code == 1
    out = r.output
    assert "✗ students：权限过宽" in out and "chmod 700" in out
    assert "✗ formats-link：是符号链接" in out
    assert f"✗ {rows.relative_to(school)}" in out and "名册行" in out
    assert "index/00.json.77.tmp" in out  # a leftover the next open removes
    (school / "students").chmod(0o770)


def test_doctor_checks_the_index_against_the_shards(school):
    bucket = None
    for p in school.glob("index/*.json"):
        data = orjson.loads(p.read_bytes())
        key = f"X:{S2['XH']}"
        if key in data:
            data[key] = [[S2["KSH"], "students/elsewhere/00.json"]]
            p.write_bytes(orjson.dumps(data))
            bucket = p
    r = run(school, "doctor")
    assert r.exit_code == 1 and f"✗ {bucket.relative_to(school)}：索引与分片不一致" in r.output


# -- a damaged file is named ---------------------------------------------------------------------
def test_a_truncated_shard_is_named_and_other_colleges_keep_working(school):
    p = shard_of(school, S1["KSH"])  # 数学与计算机学院
    rel = str(p.relative_to(school))
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    assert run(school, "lookup", S0["XH"]).exit_code == 0  # 文学院
    assert run(school, "lookup", S0["XH"], clerk="wenxue").exit_code == 0
    for args in (["lookup", S1["XH"]], ["stats"], ["precheck", "--year", "2026"], ["lookup", S1["XM"][:1]]):
        r = run(school, *args)
        assert r.exit_code == 2, (args, r.output)
        assert rel in r.output and "xueji doctor" in r.output and "内部错误" not in r.output, r.output
    r = run(school, "doctor")
    assert r.exit_code == 1 and f"✗ {rel}：已损坏" in r.output and "从备份恢复" in r.output


# -- operating-system errors ----------------------------------------------------------------------
def _enospc(path=None):
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path) if path else None)


def test_disk_full_while_writing_temporaries_writes_nothing(school, monkeypatch):
    import xueji_tui.store.commit as commit

    real, calls = commit.write_durable, []

    def full(path, data):
        calls.append(path)
        if len(calls) == 2:
            real(path, data[:10])
            raise _enospc(path)
        real(path, data)

    monkeypatch.setattr(commit, "write_durable", full)
    before = tree_digest(school)
    r = run(school, "change", S0["XH"], "1101", "--date", "20250301", "--doc", "文号", "--approved", "20250228")
    assert r.exit_code == 2 and "磁盘空间已满" in r.output and "未写入任何数据" in r.output, r.output
    assert "No space" not in r.output and calls[1].name.split(".")[0] in r.output
    assert tree_digest(school) == before


@pytest.mark.parametrize("undo_fails", [False, True])
def test_disk_full_while_appending_the_trail_writes_nothing(school, monkeypatch, undo_fails):
    import xueji_tui.store.audit as audit

    def half(fd, data):
        os.write(fd, data[: len(data) // 2])
        raise _enospc()

    monkeypatch.setattr(audit, "write_all", half)
    if undo_fails:
        monkeypatch.setattr(audit.os, "ftruncate", lambda fd, n: (_ for _ in ()).throw(_enospc()))
    before = tree_digest(school)
    r = run(school, "change", S0["XH"], "1101", "--date", "20250301", "--doc", "文号", "--approved", "20250228")
    assert r.exit_code == 2 and "audit.jsonl" in r.output and "未写入任何数据" in r.output, r.output
    monkeypatch.undo()
    if undo_fails:  # the torn lines and temporaries are our own: the next open cuts them off
        assert tree_digest(school) != before
        open_store(school)
    assert tree_digest(school) == before
    assert run(school, "change", S0["XH"], "1101", "--date", "20250301", "--doc", "文号", "--approved", "20250228").exit_code == 0
    assert run(school, "audit", "--verify").exit_code == 0


def test_a_store_of_the_first_version_upgrades_without_a_break(school):
    """Heads without length or digests, lines without ``files``: the first save carries on from them."""
    lines = [orjson.loads(x) for x in trail_lines(school)]
    prev = "0" * 64
    for d in lines:
        d.pop("files", None)
        d["prev"] = prev
        d.pop("hash")
        d["hash"] = prev = line_hash(prev, d)
    write_lines(school, [orjson.dumps(d) + b"\n" for d in lines])
    (school / "audit.head").write_bytes(orjson.dumps({"seq": lines[-1]["seq"], "txn": lines[-1]["txn"], "hash": prev}))
    r = run(school, "audit", "--verify")
    assert r.exit_code == 0 and "旧版本" in r.output
    assert run(school, "doctor").exit_code == 0
    saves(school, 2)
    assert run(school, "audit", "--verify").exit_code == 0
    head = orjson.loads((school / "audit.head").read_bytes())
    assert head["size"] == (school / "audit.jsonl").stat().st_size and head["files"]
    tamper(school, "delete-tail")
    assert run(school, "verify", S1["XH"], "XM", "ok").exit_code == 2


def test_a_rename_failing_after_the_commit_point_is_finished_on_the_next_open(school, monkeypatch):
    import xueji_tui.store.commit as commit

    def broken(a, b):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(b))

    monkeypatch.setattr(commit.os, "replace", broken)
    r = run(school, "change", S0["XH"], "1101", "--date", "20250301", "--doc", "文号", "--approved", "20250228")
    assert r.exit_code == 1 and "已保存" in r.output and "磁盘读写错误" in r.output, r.output
    monkeypatch.undo()
    assert run(school, "lookup", S0["XH"], "--json").stdout.count("休学") >= 1
    assert not list(school.rglob("*.tmp"))
    assert run(school, "audit", "--verify").exit_code == 0


def test_an_edited_college_report_fails_verify(school):
    """reviews.json holds what a college reported for the office to review: an edit made outside
    xueji (a changed reason, another student) is named by --verify like any data file."""
    r = run(school, "change", S0["XH"], "1101", "--date", "20250301", "--doc", "文号", "--approved", "20250228",
            clerk="wenxue")
    assert r.exit_code == 0 and (school / "reviews.json").exists(), r.output
    assert run(school, "audit", "--verify").exit_code == 0
    p = school / "reviews.json"
    p.write_bytes(p.read_bytes().replace(S0["KSH"].encode(), S3["KSH"].encode()))
    r = run(school, "audit", "--verify")
    assert r.exit_code == 1 and "reviews.json" in r.output and "xueji 之外" in r.output, r.output
