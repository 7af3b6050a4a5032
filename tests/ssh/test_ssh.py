"""Clerks over real OpenSSH: our own sshd on a loopback port (own config and host key), keys authorized
with ``xueji ssh authorize``, and what a client can and cannot do through the forced command.

sshd runs for the account running the tests (root in CI: logins with keys only; any other user: an
unprivileged sshd, which can log in only as that user); that account is the service account owning
the data directory. .ci/run installs openssh-server, openssh-client and tmux.
"""

from __future__ import annotations

import json
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from xueji_testkit import build_school, make_student
from xueji_tui.store import open_store

SSHD = shutil.which("sshd", path="/usr/sbin:/usr/local/sbin:" + os.environ.get("PATH", ""))
SSH, SCP, SFTP, KEYGEN, TMUX = (shutil.which(n) for n in ("ssh", "scp", "sftp", "ssh-keygen", "tmux"))
MISSING = [n for n, p in (("sshd", SSHD), ("ssh", SSH), ("scp", SCP), ("ssh-keygen", KEYGEN), ("tmux", TMUX)) if not p]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    bool(MISSING) and not os.environ.get("CI"), reason=f"not installed: {MISSING} (.ci/run installs them)"),
    pytest.mark.xdist_group("sshd")]  # one sshd for the module, on one worker

S0, S1, S3 = make_student(0), make_student(1), make_student(3)  # 0, 3: 文学院; 1: 数学与计算机学院
XUEJI = [str(Path(sys.executable).parent / "xueji")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def keygen(path: Path) -> Path:
    subprocess.run([KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)], check=True)
    return path


@dataclass
class Server:
    base: Path
    data: Path
    port: int
    user: str
    keys: dict
    authorized: Path

    def client_options(self, key: str) -> list[str]:
        return ["-F", "/dev/null", "-i", str(self.keys[key]), "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                "-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={self.base / 'known_hosts'}",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ControlPath=none", "-o", "ConnectTimeout=10"]

    def ssh(self, key: str, *remote: str, extra=(), timeout=30) -> subprocess.CompletedProcess:
        return subprocess.run([SSH, *self.client_options(key), "-p", str(self.port), *extra, "--",
                               f"{self.user}@127.0.0.1", *remote],
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def many(self, key: str, remotes: list[str]) -> list[subprocess.CompletedProcess]:
        """Several connections at once: each costs a handshake and a Python start, mostly waiting."""
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(lambda remote: self.ssh(key, remote), remotes))

    def trail(self, action: str) -> list[dict]:
        return [d for _, d in open_store(self.data).audit.lines() if d and d.get("action") == action]


def xueji(data: Path, clerk: str, *args: str, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run([*XUEJI, "--data", str(data), "--clerk", clerk, *args], capture_output=True, text=True,
                          timeout=60, input=stdin)


def start_sshd(base: Path, authorized: Path, user: str) -> tuple[subprocess.Popen, int]:
    host_key = keygen(base / "host_key")
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation (Debian makes it at boot)
    for _ in range(5):
        port = free_port()
        config = base / "sshd_config"
        config.write_text("\n".join([
            f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}", f"PidFile {base / 'sshd.pid'}",
            f"AuthorizedKeysFile {authorized}", f"AllowUsers {user}",
            "StrictModes no",  # the test's temporary directories are not the account's home
            "UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
            "PermitRootLogin prohibit-password",
            # everything a client might try is open on the server's side, so that what stops it is the
            # key line's forced command and `restrict`, not this configuration
            "AllowTcpForwarding yes", "AllowStreamLocalForwarding yes", "PermitTunnel yes", "X11Forwarding yes",
            "AllowAgentForwarding yes", "PermitTTY yes", "AcceptEnv XUEJI_* LANG", "PermitUserRC yes",
            "Subsystem sftp internal-sftp", "LogLevel VERBOSE", ""]))
        log = open(base / "sshd.log", "ab")
        proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                    if s.recv(4).startswith(b"SSH-"):
                        return proc, port
            except OSError:
                time.sleep(0.05)
        stop(proc)
    raise AssertionError("sshd did not start:\n" + (base / "sshd.log").read_text(errors="replace"))


def die_with_parent() -> None:
    """sshd ends with the test run even if pytest itself is killed (Linux: PR_SET_PDEATHSIG)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert not MISSING, f"CI must install {MISSING} (.ci/run)"
    base = tmp_path_factory.mktemp("ssh")
    data = base / "data"
    build_school(data)  # office1, office2 (office) and wenxue (文学院)
    keys = {name: keygen(base / f"key-{name}") for name in ("office1", "wenxue", "office2")}
    authorized = base / "authorized_keys"
    for name in ("office1", "wenxue"):
        r = xueji(data, "office1", "ssh", "authorize", name, "--key", f"{keys[name]}.pub",
                  "--authorized-keys", str(authorized))
        assert r.returncode == 0, r.stderr
    user = pwd.getpwuid(os.geteuid()).pw_name
    proc, port = start_sshd(base, authorized, user)
    try:
        yield Server(base, data, port, user, keys, authorized)
    finally:
        stop(proc)


def test_a_command_runs_as_the_clerk_the_key_names(server):
    r = server.ssh("wenxue", "lookup", S0["XH"], "--reveal")
    assert r.returncode == 0 and S0["XM"] in r.stdout and S0["SFZH"] in r.stdout, r.stderr
    r = server.ssh("office1", f"xueji lookup {S1['XH']} --json --reveal")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["SFZH"] == S1["SFZH"]
    who = {(d["KSH"], d["clerk"]) for d in server.trail("reveal")}
    assert {(S0["KSH"], "wenxue"), (S1["KSH"], "office1")} <= who
    assert (S0["KSH"], "office1") not in who and (S1["KSH"], "wenxue") not in who
    r = server.ssh("wenxue", "lookup", S3["XH"], "--json")
    assert json.loads(r.stdout)[0]["SFZH"] != S3["SFZH"]  # masked unless revealed, over SSH too


def test_a_college_clerk_stays_in_its_college(server):
    remotes = [f"lookup {S1['XH']}", f"lookup {S1['SFZH']} --json --reveal",
               "precheck --year 2026 --college 数学与计算机学院", "users add x1 --role office",
               f"change {S1['XH']} 1101 --date 20250301 --doc x"]
    for remote, r in zip(remotes, server.many("wenxue", remotes)):
        assert r.returncode == 3, (remote, r.stdout, r.stderr)
        assert S1["XM"] not in r.stdout + r.stderr
    assert not [d for d in server.trail("reveal") if d["KSH"] == S1["KSH"] and d["clerk"] == "wenxue"]


def test_the_client_cannot_name_another_clerk_or_directory(server, tmp_path):
    remotes = [f"--clerk office1 lookup {S1['XH']}", f"lookup {S1['XH']} --clerk office1",
               f"lookup {S1['XH']} --clerk=office1", f"--data {tmp_path} lookup {S1['XH']}",
               f"xueji --clerk office1 --clerk wenxue lookup {S1['XH']}", "ssh-session office1"]
    for remote, r in zip(remotes, server.many("wenxue", remotes)):
        if remote.startswith("ssh-session"):
            assert r.returncode == 3 and "会话" in r.stderr
        else:
            assert r.returncode == 2 and "全局选项" in r.stderr, (remote, r.stderr)
        assert S1["XM"] not in r.stdout
    # the client's environment (SetEnv, allowed by this sshd) chooses nothing either
    r = server.ssh("wenxue", f"lookup {S1['XH']}",
                   extra=["-o", "SetEnv=XUEJI_CLERK=office1 XUEJI_DATA=/nonexistent XUEJI_DEBUG=1"])
    assert r.returncode == 3 and S1["XM"] not in r.stdout, r.stderr
    # and keys are managed on the server only: a clerk cannot mint a key under another name
    r = server.ssh("office1", "ssh authorize wenxue --key -")
    assert r.returncode == 3 and "服务器" in r.stderr
    assert server.authorized.read_text().count("ssh-session") == 2


def test_no_shell_ever_runs(server):
    mark = server.base / "marker"
    attempts = ["bash", f"bash -c 'id; touch {mark}'", f"sh -c 'touch {mark}'", "id", f"/usr/bin/touch {mark}",
                f"lookup x; touch {mark}; id", f"lookup x && touch {mark}", f"lookup x | touch {mark}",
                f"lookup $(touch {mark})", f"lookup `touch {mark}`", f"lookup x\ntouch {mark}",
                f"lookup x > {mark}"]
    for remote, r in zip(attempts, server.many("office1", attempts)):
        assert r.returncode == 2, (remote, r.stdout, r.stderr)
        assert "uid=" not in r.stdout + r.stderr and not mark.exists(), remote
    r = server.ssh("office1", "lookup", "'$(id)'")  # one word: a name nobody has
    assert r.returncode == 1 and "uid=" not in r.stdout + r.stderr


def test_port_forwarding_is_refused(server):
    got: list = []
    target = socket.socket()
    target.bind(("127.0.0.1", 0))
    target.listen(4)
    target.settimeout(0.2)
    stop_flag = threading.Event()

    def serve():
        while not stop_flag.is_set():
            try:
                conn, _ = target.accept()
            except OSError:
                continue
            got.append(conn)
            conn.sendall(b"SECRET")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    tport, lport = target.getsockname()[1], free_port()
    forward = subprocess.Popen([SSH, *server.client_options("office1"), "-p", str(server.port), "-N",
                                "-L", f"127.0.0.1:{lport}:127.0.0.1:{tport}", f"{server.user}@127.0.0.1"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        received = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", lport), timeout=2) as c:
                    c.settimeout(3)
                    received = c.recv(16)
                break  # the client listened and the server refused the channel: closed, nothing read
            except (ConnectionRefusedError, socket.timeout):
                time.sleep(0.1)
            except ConnectionResetError:
                break
        else:
            raise AssertionError("the ssh client never listened on the forwarded port")
        assert received == b"" and got == []
        # remote forwarding and stdio forwarding (-W) are refused as well
        r = subprocess.run([SSH, *server.client_options("office1"), "-p", str(server.port), "-N",
                            "-o", "ExitOnForwardFailure=yes", "-R", f"127.0.0.1:{free_port()}:127.0.0.1:{tport}",
                            f"{server.user}@127.0.0.1"], capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
        assert r.returncode != 0
        r = subprocess.run([SSH, *server.client_options("office1"), "-p", str(server.port),
                            "-W", f"127.0.0.1:{tport}", f"{server.user}@127.0.0.1"],
                           capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
        assert r.returncode != 0 and b"SECRET" not in r.stdout
        assert got == []
    finally:
        forward.terminate()
        forward.wait(timeout=10)
        stop_flag.set()
        thread.join(timeout=5)
        target.close()


def test_scp_and_sftp_get_nothing_in_or_out(server, tmp_path):
    source = tmp_path / "payload"
    source.write_text("ssh-ed25519 AAAA planted\n")
    opts = [*server.client_options("office1"), "-P", str(server.port)]
    remote = f"{server.user}@127.0.0.1"
    for extra in ([], ["-O"]):  # the sftp protocol (default) and the legacy scp protocol
        r = subprocess.run([SCP, *extra, *opts, str(source), f"{remote}:{server.authorized}"],
                           capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        assert r.returncode != 0
        r = subprocess.run([SCP, *extra, *opts, f"{remote}:{server.data / 'clerks.json'}", str(tmp_path / "got")],
                           capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        assert r.returncode != 0 and not (tmp_path / "got").exists()
    assert "planted" not in server.authorized.read_text()
    # nor through xueji's own file arguments: an export over the key file or into the data directory
    before = server.authorized.read_bytes()
    remotes = [f"export registration -o {server.authorized}", f"export registration -o {server.data}/x.dbf",
               "export registration -o ~/.ssh/authorized_keys", f"import students {server.data}/clerks.json"]
    for remote, r in zip(remotes, server.many("office1", remotes)):
        assert r.returncode == 3 and "远程会话不能读写" in r.stderr, (remote, r.stderr)
    assert server.authorized.read_bytes() == before and not (server.data / "x.dbf").exists()
    if SFTP:
        r = subprocess.run([SFTP, *opts, "-b", "-", remote], input=f"get {server.data}/clerks.json {tmp_path}/x\n",
                           capture_output=True, text=True, timeout=30)
        assert r.returncode != 0 and not (tmp_path / "x").exists()


def test_ssh_t_opens_the_terminal_ui_as_the_clerk(server):
    sock = f"xueji-ssh-{uuid.uuid4().hex[:8]}"
    client = " ".join(shlex.quote(w) for w in [SSH, *server.client_options("wenxue"), "-t", "-p", str(server.port),
                                                f"{server.user}@127.0.0.1"])
    command = f"env TERM=xterm-256color LANG=C.UTF-8 {client}; echo SSH-EXITED-$?; sleep 30"

    def tmux(*args):
        return subprocess.run([TMUX, "-L", sock, *args], capture_output=True, text=True, timeout=20).stdout

    def wait(needle, seconds=20.0):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            screen = tmux("capture-pane", "-t", "s", "-p")
            if needle in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"“{needle}” did not appear:\n{tmux('capture-pane', '-t', 's', '-p')}")

    tmux("new-session", "-d", "-s", "s", "-x", "120", "-y", "40", command)
    try:
        mine = [make_student(i) for i in range(60) if make_student(i)["FY"] == "文学院"]
        screen = wait(f"显示 {len(mine)} / {len(mine)}")  # the roster, scoped to 文学院
        assert "wenxue（学院·文学院）" in screen  # who the key says, in the header
        assert S0["XH"] in screen and S1["XH"] not in screen and "数学与计算机学院" not in screen
        assert S0["SFZH"] not in screen and "********" in screen
        tmux("send-keys", "-t", "s", "C-q")
        wait("SSH-EXITED-0")
    finally:
        tmux("kill-server")


def test_a_revoked_key_no_longer_logs_in(server):
    r = xueji(server.data, "office1", "ssh", "authorize", "office2", "--key", f"{server.keys['office2']}.pub",
              "--authorized-keys", str(server.authorized))
    assert r.returncode == 0, r.stderr
    r = server.ssh("office2", "users list")
    assert r.returncode == 0 and "office2" in r.stdout, r.stderr
    r = xueji(server.data, "office1", "ssh", "revoke", "office2", "--authorized-keys", str(server.authorized))
    assert r.returncode == 0, r.stderr
    r = server.ssh("office2", "users list")
    assert r.returncode == 255 and "office2" not in r.stdout
    assert [d["clerk"] for d in server.trail("ssh-revoke")] == ["office1"]
