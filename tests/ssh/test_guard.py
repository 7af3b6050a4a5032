"""The data directory is the service account's alone: whatever another account could change is refused
before anything is read or written, with the command that fixes it; global options count once."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from xueji_testkit import make_student, tree_digest
from xueji_tui.cli import cli
from xueji_tui.store import create_store, open_store

pytestmark = pytest.mark.slow  # the data directory's owners and modes on disk, chmod and chown

S0 = make_student(0)
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")


def run(data, *args, clerk="office1"):
    return CliRunner().invoke(cli, ["--data", str(data), "--clerk", clerk, *args], catch_exceptions=False)


def refused(school: Path, *needles: str, args=("lookup", S0["XH"])) -> str:
    before = tree_digest(school)
    r = run(school, *args)
    assert r.exit_code == 2, r.output
    for n in needles:
        assert n in r.output, r.output
    assert "未读取或写入任何数据" in r.output and S0["XM"] not in r.output
    assert tree_digest(school) == before
    return r.output


def fix_line(output: str, prefix: str) -> list[str]:
    """The fix the message gives, as argv (the message is the clerk's instruction: run it as written)."""
    at = output.index(prefix)
    return shlex.split(output[at:].split("\n")[0])


def test_new_directories_and_files_are_the_owners_alone(tmp_path):
    root = tmp_path / "new"
    create_store(root, school_code="10202", school_name="吉林师范大学", president="某", clerk="zhang")
    with open_store(root).write("zhang", "测试") as tx:
        tx.put_many([make_student(1)])
        tx.log("import", new=1)
    modes = {p.relative_to(root).as_posix(): oct(p.stat().st_mode & 0o777) for p in [root, *root.rglob("*")]}
    assert modes.pop(".") == "0o700"
    assert {m for p, m in modes.items() if (root / p).is_dir()} == {"0o700"}
    assert {m for p, m in modes.items() if (root / p).is_file()} == {"0o600"}
    assert "audit.jsonl" in modes and ".lock" in modes


@pytest.mark.parametrize("where, bits", [(".", 0o020), ("clerks.json", 0o002), ("students", 0o020),
                                         ("audit.jsonl", 0o002)])
def test_writable_by_others_is_refused_with_the_chmod_that_fixes_it(school, where, bits):
    target = school / where
    os.chmod(target, target.stat().st_mode & 0o777 | bits)
    out = refused(school, "其他账号可写", f"chmod -R u=rwX,go= {school}")
    subprocess.run(fix_line(out, "chmod -R"), check=True)
    assert run(school, "lookup", S0["XH"]).exit_code == 0


def test_a_store_made_by_the_group_model_is_refused_until_tightened(school):
    """Stores of the first wave were 0770/0660: the upgrade step of docs/deploy.md."""
    for p in [school, *school.rglob("*")]:
        os.chmod(p, 0o770 if p.is_dir() else 0o660)
    out = refused(school, "等", "chmod -R u=rwX,go=")  # many files: named a few, counted all
    subprocess.run(fix_line(out, "chmod -R"), check=True)
    assert run(school, "lookup", S0["XH"]).exit_code == 0


@ROOT_ONLY
def test_a_file_owned_by_another_account_is_refused_with_the_chown(school):
    victim = next((school / "students").rglob("*.json"))
    os.chown(victim, 54321, -1)
    out = refused(school, "属于其他账号（54321）", victim.name, "chown -R root")
    subprocess.run(fix_line(out, "chown -R"), check=True)
    assert run(school, "lookup", S0["XH"]).exit_code == 0


def test_a_symlink_inside_is_refused(school, tmp_path):
    """The attack of the review: a directory of links to the real store, owned by the clerk."""
    real = school / "clerks.json"
    elsewhere = tmp_path / "clerks-copy.json"
    shutil.copy(real, elsewhere)
    real.unlink()
    real.symlink_to(elsewhere)
    refused(school, "是符号链接", "clerks.json", f"cp --remove-destination {elsewhere} {real}")


def test_a_directory_of_links_to_the_real_store_is_refused(school, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    for p in school.iterdir():
        (mine / p.name).symlink_to(p)
    before = tree_digest(school)
    r = run(mine, "users", "add", "me", "--role", "office")
    assert r.exit_code == 2 and "是符号链接" in r.output
    assert tree_digest(school) == before


def test_the_data_directory_itself_a_symlink_is_refused_naming_the_real_one(school, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(school)
    r = run(link, "lookup", S0["XH"])
    assert r.exit_code == 2 and f"xueji --data {school}" in r.output


def test_a_fifo_inside_is_refused(school):
    fifo = school / "index" / "zz.json"
    os.mkfifo(fifo, 0o600)  # opening it would block the reader for ever
    r = run(school, "lookup", S0["XH"])
    assert r.exit_code == 2 and "不是普通文件或目录" in r.output and f"rm {fifo}" in r.output


def test_a_parent_others_can_write_is_refused_unless_sticky(tmp_path, school):
    parent = tmp_path
    mode = parent.stat().st_mode & 0o7777
    try:
        os.chmod(parent, 0o777)
        refused(school, "上级目录", f"chmod go-w {parent}")
        os.chmod(parent, 0o1777)  # like /tmp: others cannot rename what is ours
        assert run(school, "lookup", S0["XH"]).exit_code == 0
    finally:
        os.chmod(parent, mode)


@ROOT_ONLY
def test_another_account_running_xueji_is_refused(school):
    os.chown(school, 54321, -1)
    try:
        refused(school, "属于账号 54321", "sudo -u 54321")
    finally:
        os.chown(school, 0, -1)


def test_nothing_is_recovered_in_a_refused_directory(school):
    """Recovery writes: it must not run in a directory the guard refuses."""
    (school / "meta.json.999.tmp").write_bytes(b"{}")
    os.chmod(school / "clerks.json", 0o666)
    refused(school, "其他账号可写")
    assert (school / "meta.json.999.tmp").exists()


@pytest.mark.parametrize("args", [
    ["--clerk", "wenxue", "--clerk", "office1"],
    ["--clerk=wenxue", "--clerk", "office1"],
    ["--data", "X", "--data", "X"],
    ["--data=X", "--data=X"],
])
def test_a_global_option_given_twice_is_refused(school, args):
    args = [a.replace("X", str(school)) for a in args]
    if "--data" not in " ".join(args):
        args = ["--data", str(school), *args]
    else:
        args = [*args, "--clerk", "office1"]
    before = tree_digest(school)
    r = CliRunner().invoke(cli, [*args, "users", "add", "x1", "--role", "office"])
    assert r.exit_code == 2 and "只能给一次" in r.output
    assert tree_digest(school) == before


def test_a_subcommand_value_that_looks_like_a_global_option_is_not_counted(school):
    r = run(school, "verify", S0["XH"], "XM", "ok", "--note", "--clerk")
    assert r.exit_code == 0, r.output


def test_the_check_tolerates_other_clerks_saving_meanwhile(school):
    """Temporaries appear and are renamed away while the walk lists a directory."""
    import threading

    from xueji_tui.store import guard

    st, stop, errors = open_store(school), threading.Event(), []

    def writer():
        i = 0
        while not stop.is_set():
            s = st.get(S0["KSH"])
            s["BZ"] = f"第{i}次"
            with st.write("office1", "测试") as tx:
                tx.put_many([s])
                tx.log("edit", ksh=s["KSH"], field="BZ", new=s["BZ"])
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        for _ in range(300):
            try:
                guard.check(school)
            except Exception as e:  # noqa: BLE001 - any failure is the finding
                errors.append(e)
    finally:
        stop.set()
        t.join()
    assert errors == []
