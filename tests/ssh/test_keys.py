"""xueji ssh authorize|revoke|list on a real authorized_keys file, and the forced command's reading of
what a client asks for (the real sshd is in test_ssh.py)."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from xueji_testkit import make_student, tree_digest
from xueji_tui.cli import cli
from xueji_tui.cli.ssh import remote_argv
from xueji_tui.domain.errors import InvalidInput, NotAllowed
from xueji_tui.store import open_store

KEYGEN = shutil.which("ssh-keygen")
pytestmark = pytest.mark.skipif(KEYGEN is None, reason="ssh-keygen is not installed (CI installs openssh-client)")
S0, S1 = make_student(0), make_student(1)
OTHER = b"# the administrator's own key, not ours\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ0sXrkzzp1Vyy5L1cNKEJr7nLbiAHdUgmD+zYZe4H6H admin@laptop\n"


def keygen(path: Path, kind: str = "ed25519", *extra: str) -> Path:
    subprocess.run([KEYGEN, "-q", "-t", kind, *extra, "-N", "", "-C", f"{path.name}@laptop", "-f", str(path)],
                   check=True)
    return path.with_suffix(".pub")


def run(data, *args, clerk="office1", stdin=None):
    return CliRunner().invoke(cli, ["--data", str(data), "--clerk", clerk, *args], input=stdin,
                              catch_exceptions=False)


@pytest.fixture
def keys(tmp_path):
    d = tmp_path / "keys"
    d.mkdir()
    return {n: keygen(d / n) for n in ("office1", "wenxue", "spare")}


@pytest.fixture
def ak(tmp_path):
    p = tmp_path / "home" / ".ssh" / "authorized_keys"
    p.parent.mkdir(parents=True, mode=0o700)
    p.write_bytes(OTHER)
    return p


def trail(school, action):
    return [d for _, d in open_store(school).audit.lines() if d and d.get("action") == action]


def test_authorize_writes_the_forced_command_line_keeps_other_lines_and_audits(school, keys, ak):
    r = run(school, "ssh", "authorize", "wenxue", "--key", str(keys["wenxue"]), "--authorized-keys", str(ak))
    assert r.exit_code == 0, r.output
    r = run(school, "ssh", "authorize", "office1", "--key", "-", "--authorized-keys", str(ak),
            stdin=keys["office1"].read_text())
    assert r.exit_code == 0, r.output
    text = ak.read_text()
    assert text.startswith(OTHER.decode())
    lines = text.splitlines()[2:]
    xueji = Path(sys.executable).parent / "xueji"
    for line, name in zip(lines, ["wenxue", "office1"]):
        key = keys[name].read_text().strip()
        assert line == f'command="{xueji} --data {school} ssh-session {name}",restrict,pty {key}'
    assert stat.S_IMODE(ak.stat().st_mode) == 0o600
    assert [p.name for p in ak.parent.iterdir()] == ["authorized_keys"]  # no temporary left behind
    [a, b] = trail(school, "ssh-authorize")
    assert (a["clerk"], a["new"]["name"], b["new"]["name"]) == ("office1", "wenxue", "office1")
    assert a["new"]["key"].startswith("SHA256:") and a["new"]["file"] == str(ak)
    fp = subprocess.run([KEYGEN, "-l", "-f", str(keys["wenxue"])], capture_output=True, text=True).stdout
    assert a["new"]["key"] in fp  # the fingerprint ssh-keygen and sshd's log show


def test_list_and_revoke(school, keys, ak):
    for name in ("wenxue", "office1"):
        assert run(school, "ssh", "authorize", name, "--key", str(keys[name]), "--authorized-keys", str(ak)).exit_code == 0
    r = run(school, "ssh", "list", "--authorized-keys", str(ak))
    assert r.exit_code == 0 and "wenxue" in r.stdout and "学院·文学院" in r.stdout and "学生工作处" in r.stdout
    assert "另有 1 行" in r.stderr
    r = run(school, "ssh", "revoke", "wenxue", "--authorized-keys", str(ak))
    assert r.exit_code == 0, r.output
    assert "wenxue" not in ak.read_text() and "ssh-session office1" in ak.read_text()
    assert ak.read_text().startswith(OTHER.decode())
    [line] = trail(school, "ssh-revoke")
    assert line["old"]["name"] == "wenxue"
    before = tree_digest(school)
    assert run(school, "ssh", "revoke", "wenxue", "--authorized-keys", str(ak)).exit_code == 1
    assert tree_digest(school) == before


def test_authorizing_again_replaces_the_clerks_key(school, keys, ak):
    run(school, "ssh", "authorize", "wenxue", "--key", str(keys["wenxue"]), "--authorized-keys", str(ak))
    r = run(school, "ssh", "authorize", "wenxue", "--key", str(keys["spare"]), "--authorized-keys", str(ak))
    assert r.exit_code == 0 and "替换" in r.output
    text = ak.read_text()
    assert text.count("ssh-session wenxue") == 1 and keys["spare"].read_text().split()[1] in text
    assert keys["wenxue"].read_text().split()[1] not in text


def test_the_default_file_is_the_accounts_own(school, keys, tmp_path, monkeypatch):
    import pwd

    from xueji_tui.services import sshkeys

    home = tmp_path / "acct"
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: type("P", (), {"pw_dir": str(home), "pw_name": "x"}))
    monkeypatch.setenv("HOME", str(tmp_path / "not-this"))  # sudo may leave the administrator's $HOME
    assert sshkeys.default_file() == home / ".ssh" / "authorized_keys"
    assert run(school, "ssh", "authorize", "wenxue", "--key", str(keys["wenxue"])).exit_code == 0
    assert stat.S_IMODE((home / ".ssh").stat().st_mode) == 0o700
    assert "ssh-session wenxue" in (home / ".ssh" / "authorized_keys").read_text()


def refused(school, ak, *args, code=2, needle="", clerk="office1", stdin=None):
    before, file_before = tree_digest(school), ak.read_bytes()
    r = run(school, "ssh", *args, "--authorized-keys", str(ak), clerk=clerk, stdin=stdin)
    assert r.exit_code == code, r.output
    assert needle in r.output, r.output
    assert tree_digest(school) == before and ak.read_bytes() == file_before
    return r.output


def test_refusals_write_nothing(school, keys, ak, tmp_path):
    w = str(keys["wenxue"])
    refused(school, ak, "authorize", "wenxue", "--key", w, code=3, clerk="wenxue", needle="学生工作处")
    refused(school, ak, "list", code=3, clerk="wenxue")
    refused(school, ak, "revoke", "office1", code=3, clerk="wenxue")
    refused(school, ak, "authorize", "nobody", "--key", w, needle="xueji users add nobody")
    refused(school, ak, "authorize", "wenxue", "--key", str(keys["wenxue"].with_suffix("")), needle="私钥")
    refused(school, ak, "authorize", "wenxue", "--key", str(tmp_path / "none.pub"), needle="无法读取")
    bad = tmp_path / "bad.pub"
    line = keys["wenxue"].read_text().strip()
    kind, b64, comment = line.split(" ", 2)
    cases = {
        "选项": f'command="/bin/sh" {line}',
        "损坏": f"{kind} {b64[:-4]} {comment}",  # three bytes short
        "损坏 ": f"ssh-rsa {b64} {comment}",  # the encoded type must match the declared one
        "控制字符": f"{kind} {b64} x\x1b[2J",
        "2 行": f"{line}\n{keys['spare'].read_text()}",
        "没有公钥": "# only a comment\n",
    }
    for needle, content in cases.items():
        bad.write_text(content)
        refused(school, ak, "authorize", "wenxue", "--key", str(bad), needle=needle.strip())
    keygen(tmp_path / "short", "rsa", "-b", "1024")
    refused(school, ak, "authorize", "wenxue", "--key", str(tmp_path / "short.pub"), needle="太短")


def test_one_key_cannot_serve_two_clerks_or_shadow_another_line(school, keys, ak):
    run(school, "ssh", "authorize", "wenxue", "--key", str(keys["wenxue"]), "--authorized-keys", str(ak))
    refused(school, ak, "authorize", "office1", "--key", str(keys["wenxue"]), needle="经办人 wenxue")
    admin = OTHER.decode().splitlines()[1]
    refused(school, ak, "authorize", "office1", "--key", "-", stdin=admin, needle="另一行")


def test_a_symlinked_authorized_keys_is_not_written_through(school, keys, ak, tmp_path):
    target = tmp_path / "elsewhere"
    target.write_bytes(b"")
    ak.unlink()
    ak.symlink_to(target)
    r = run(school, "ssh", "authorize", "wenxue", "--key", str(keys["wenxue"]), "--authorized-keys", str(ak))
    assert r.exit_code == 2 and "符号链接" in r.output and target.read_bytes() == b""


def test_a_data_directory_path_with_quotes_cannot_break_the_line(tmp_path, keys, ak):
    from xueji_testkit import build_school

    odd = tmp_path / 'a"b'
    odd.mkdir(mode=0o700)
    build_school(odd / "data")
    r = run(odd / "data", "ssh", "authorize", "wenxue", "--key", str(keys["wenxue"]), "--authorized-keys", str(ak))
    assert r.exit_code == 2 and "引号" in r.output and ak.read_bytes() == OTHER


def test_spaces_in_paths_are_shell_quoted(tmp_path, keys, ak):
    from xueji_testkit import build_school

    odd = tmp_path / "学籍 数据"
    odd.mkdir(mode=0o700)
    build_school(odd / "data")
    assert run(odd / "data", "ssh", "authorize", "wenxue", "--key", str(keys["wenxue"]),
               "--authorized-keys", str(ak)).exit_code == 0
    line = ak.read_text().splitlines()[-1]
    cmd = line.split('"')[1]
    assert shlex.split(cmd)[-4:] == ["--data", str(odd / "data"), "ssh-session", "wenxue"]


# -- what the forced command makes of $SSH_ORIGINAL_COMMAND ----------------------------------------
@pytest.mark.parametrize("original, argv", [
    ("", []), ("xueji", []), ("lookup 2022000001", ["lookup", "2022000001"]),
    ("xueji lookup '王 伟'", ["lookup", "王 伟"]), ("lookup x; id", ["lookup", "x;", "id"]),
    ("lookup $(id)", ["lookup", "$(id)"]), ("lookup `id`", ["lookup", "`id`"]),
])
def test_remote_words(original, argv):
    assert remote_argv(original) == argv


@pytest.mark.parametrize("original, error", [
    ("--clerk office1 lookup x", InvalidInput), ("lookup x --clerk office1", InvalidInput),
    ("lookup x --clerk=office1", InvalidInput), ("--data /tmp lookup x", InvalidInput),
    ("xueji --data=/tmp lookup x", InvalidInput), ("--version", InvalidInput), ("-h", InvalidInput),
    ("bash", InvalidInput), ("sh -c id", InvalidInput), ("/bin/id", InvalidInput), ("scp -t /tmp", InvalidInput),
    ("internal-sftp", InvalidInput), ("lookup 'x", InvalidInput), ("lookup x\x1b[2J", InvalidInput),
    ("ssh list", NotAllowed), ("ssh authorize office1 --key -", NotAllowed), ("ssh-session office1", NotAllowed),
    ("init --school-code 1 --school-name x", NotAllowed), ("demo --no-tui", NotAllowed),
    ("sample-data -o /tmp/x", NotAllowed),
])
def test_remote_refusals(original, error):
    with pytest.raises(error):
        remote_argv(original)


def session(school, name, original, **env):
    e = {k: v for k, v in os.environ.items() if not k.startswith("XUEJI_")}
    e.update(SSH_ORIGINAL_COMMAND=original, **env)
    return subprocess.run([sys.executable, "-m", "xueji_tui", "--data", str(school), "ssh-session", name],
                          capture_output=True, text=True, env=e, stdin=subprocess.DEVNULL, timeout=60)


@pytest.mark.slow  # a Python process per case
def test_the_session_runs_as_its_clerk_whatever_the_client_sends(school):
    r = session(school, "wenxue", f"lookup {S0['XH']} --reveal", XUEJI_CLERK="office1", XUEJI_DATA="/nonexistent")
    assert r.returncode == 0 and S0["SFZH"] in r.stdout, r.stderr
    assert [d["clerk"] for d in trail(school, "reveal")] == ["wenxue"]
    r = session(school, "wenxue", f"lookup {S1['XH']}", XUEJI_CLERK="office1")
    assert r.returncode == 3 and S1["XM"] not in r.stdout


@pytest.mark.slow  # a Python process per case
def test_the_session_refuses_files_in_the_data_directory_and_hidden_files(school, tmp_path):
    before = tree_digest(school)
    for target in (school / "x.xlsx", school / "students", Path.home() / ".ssh" / "authorized_keys",
                   tmp_path / ".profile"):
        r = session(school, "office1", f"export registration -o {shlex.quote(str(target))}")
        assert r.returncode == 3 and "远程会话不能读写" in r.stderr, r.stderr
    link = tmp_path / "innocent.xlsx"
    link.symlink_to(school / "meta.json")
    r = session(school, "office1", f"import students {link} --dry-run")
    assert r.returncode == 3 and "数据目录" in r.stderr
    assert tree_digest(school) == before


@pytest.mark.slow  # a Python process per case
def test_the_session_without_a_terminal_asks_for_ssh_t(school):
    r = session(school, "office1", "")
    assert r.returncode == 2 and "ssh -t" in r.stderr


@pytest.mark.slow  # a Python process per case
def test_an_unregistered_name_in_the_key_line_is_refused(school):
    r = session(school, "mallory", f"lookup {S0['XH']}")
    assert r.returncode == 3 and S0["XM"] not in r.stdout


def test_list_shows_a_hand_edited_comment_as_text(school, keys, ak):
    run(school, "ssh", "authorize", "wenxue", "--key", str(keys["wenxue"]), "--authorized-keys", str(ak))
    ak.write_bytes(ak.read_bytes().rstrip(b"\n") + b" \x1b]0;owned\x07\x1b[2J\n")
    r = run(school, "ssh", "list", "--authorized-keys", str(ak))
    assert r.exit_code == 0 and "wenxue" in r.output
    assert "\x1b" not in r.output and "\x07" not in r.output and "\\x1b]0;owned" in r.output
