"""The service account's authorized_keys: one SSH key per clerk, each line forcing ``xueji ssh-session NAME``.

The clerk's identity comes from which key opened the connection, never from what the client sends:
sshd runs the line's command whatever the client asked for (that request is only passed along in
$SSH_ORIGINAL_COMMAND) and ``restrict`` turns off forwarding, agent and X11. Only lines that force
``ssh-session`` on this data directory are ours; every other line of the file is kept byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import os
import pwd
import re
import secrets
import shlex
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from xueji_tui.domain.errors import os_reason, InvalidInput, NotFound
from xueji_tui.domain.permissions import require
from xueji_tui.domain.text import has_control, shown
from xueji_tui.durable import fsync_dir, write_all
from xueji_tui.services.session import Session

KEY_TYPES = frozenset({
    "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
})
# the strings after the type in each kind's public key blob (RFC 4253, 5656, 8709; PROTOCOL.u2f)
_PARTS = {"ssh-ed25519": 1, "ssh-rsa": 2, "ecdsa-sha2-nistp256": 2, "ecdsa-sha2-nistp384": 2,
          "ecdsa-sha2-nistp521": 2, "sk-ssh-ed25519@openssh.com": 2, "sk-ecdsa-sha2-nistp256@openssh.com": 3}
MIN_RSA_BITS = 2048
MAX_KEY_FILE = 16 * 1024
OPTIONS = "restrict,pty"
_OURS = re.compile(r'^command="(?P<cmd>[^"\\]*)",' + OPTIONS + r" (?P<type>\S+) (?P<b64>\S+)(?: (?P<comment>.*))?$")
_ANY_KEY = re.compile(r"(?:^|[\s,])(?P<type>" + "|".join(re.escape(t) for t in sorted(KEY_TYPES)) +
                      r")\s+(?P<b64>AAAA[0-9A-Za-z+/]+=*)")
HOW = "应为一行 OpenSSH 公钥（如 ssh-ed25519 AAAA… 注释），即经办人用 ssh-keygen 生成的 .pub 文件的内容"


@dataclass(frozen=True)
class PublicKey:
    type: str
    b64: str
    comment: str = ""

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(base64.b64decode(self.b64)).digest()
        return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")

    @property
    def text(self) -> str:
        return f"{self.type} {self.b64}" + (f" {self.comment}" if self.comment else "")


def _string(blob: bytes, at: int) -> tuple[bytes, int]:
    if at + 4 > len(blob):
        raise ValueError
    (n,) = struct.unpack(">I", blob[at:at + 4])
    if at + 4 + n > len(blob):
        raise ValueError
    return blob[at + 4:at + 4 + n], at + 4 + n


def parse_key(text: str, source: str) -> PublicKey:
    """One OpenSSH public key line, checked down to its encoded type (and an RSA key's size)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if any("PRIVATE KEY" in ln for ln in lines):
        raise InvalidInput(f"{source} 是私钥，不是公钥：私钥不能离开经办人自己的电脑；请给同名的 .pub 文件")
    if not lines:
        raise InvalidInput(f"{source} 中没有公钥；{HOW}")
    if len(lines) > 1:
        raise InvalidInput(f"{source} 中有 {len(lines)} 行；每位经办人只授权一把钥匙，{HOW}")
    line = lines[0]
    if has_control(line):
        raise InvalidInput(f"{source} 中含有控制字符；{HOW}")
    parts = line.split(None, 2)
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise InvalidInput(f"{source} 不是 OpenSSH 公钥（开头应为 {'、'.join(sorted(KEY_TYPES))} 之一，"
                           f"不能带选项）；{HOW}")
    kind, b64 = parts[0], parts[1]
    try:
        blob = base64.b64decode(b64, validate=True)
        encoded, at = _string(blob, 0)
        if encoded.decode("ascii") != kind:
            raise ValueError
        fields = []
        while at < len(blob):
            part, at = _string(blob, at)
            fields.append(part)
        if len(fields) != _PARTS[kind] or (kind.endswith("ed25519") and len(fields[0]) != 32):
            raise ValueError
        if kind == "ssh-rsa":
            bits = int.from_bytes(fields[1], "big").bit_length()
            if bits < MIN_RSA_BITS:
                raise InvalidInput(f"{source} 是 {bits} 位的 RSA 钥匙，太短；请用 ssh-keygen -t ed25519 生成新钥匙")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidInput(f"{source} 的钥匙内容已损坏（Base64 或类型不符）；{HOW}") from None
    return PublicKey(kind, b64, parts[2].strip() if len(parts) > 2 else "")


def read_key(source: str, stdin) -> PublicKey:
    """The key from FILE, or from standard input for ``-``."""
    if source == "-":
        raw = stdin.read(MAX_KEY_FILE + 1)
        where = "标准输入"
    else:
        where = source
        try:
            with open(source, "rb") as f:
                raw = f.read(MAX_KEY_FILE + 1)
        except OSError as e:
            raise InvalidInput(f"无法读取钥匙文件 {shown(source)}：{os_reason(e)}；请检查路径") from None
    if len(raw) > MAX_KEY_FILE:
        raise InvalidInput(f"{shown(where)} 超过 {MAX_KEY_FILE // 1024} KB，不是一把公钥；{HOW}")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise InvalidInput(f"{shown(where)} 不是文本；{HOW}") from None
    return parse_key(text, shown(where))


# -- the forced command --------------------------------------------------------------------------
def program() -> list[str]:
    """How sshd starts this same installation of xueji (an absolute path: sshd's PATH is not ours)."""
    script = Path(os.path.abspath(sys.executable)).parent / "xueji"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [os.path.abspath(sys.executable), "-m", "xueji_tui"]


def forced_command(data_dir: Path, name: str) -> str:
    """The ``command="…"`` value: run by the service account's shell, so every word is shell-quoted."""
    words = [*program(), "--data", os.path.realpath(data_dir), "ssh-session", name]
    cmd = " ".join(shlex.quote(w) for w in words)
    if '"' in cmd or "\\" in cmd or has_control(cmd):
        raise InvalidInput(f"路径中含有引号、反斜杠或控制字符，不能写入 authorized_keys：{shown(cmd)}；"
                           f"请把 xueji 和数据目录放在普通路径下")
    return cmd


def key_line(data_dir: Path, name: str, key: PublicKey) -> str:
    return f'command="{forced_command(data_dir, name)}",{OPTIONS} {key.text}'


@dataclass(frozen=True)
class Line:
    no: int          # 1-based line number in the file
    name: str        # the clerk, for our lines; "" otherwise
    key: PublicKey | None


def _ours(text: str, data_dir: str) -> str:
    """The clerk a line forces ssh-session for on this data directory, or ""."""
    m = _OURS.match(text)
    if not m:
        return ""
    try:
        words = shlex.split(m["cmd"])
    except ValueError:
        return ""
    if len(words) < 4 or words[-2] != "ssh-session" or "--data" not in words:
        return ""
    at = words.index("--data")
    if at + 1 >= len(words) or os.path.realpath(words[at + 1]) != data_dir:
        return ""
    return words[-1]


def _lines(raw: bytes) -> list[str]:
    text = raw.decode("utf-8", "surrogateescape")
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n") if text else []


def parse_file(raw: bytes, data_dir: Path) -> list[Line]:
    real = os.path.realpath(data_dir)
    out = []
    for no, text in enumerate(_lines(raw), 1):
        m = None if text.lstrip().startswith("#") else _ANY_KEY.search(text)
        key = PublicKey(m["type"], m["b64"]) if m else None
        name = _ours(text, real)
        if name and key:
            om = _OURS.match(text)
            key = PublicKey(om["type"], om["b64"], (om["comment"] or "").strip())
        out.append(Line(no, name, key))
    return out


# -- the file ------------------------------------------------------------------------------------
def default_file() -> Path:
    """The account's own ~/.ssh/authorized_keys (from the password database, not $HOME: under sudo
    $HOME may still be the administrator's)."""
    return Path(pwd.getpwuid(os.geteuid()).pw_dir) / ".ssh" / "authorized_keys"


def _read(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return b""
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise InvalidInput(f"{shown(path)} 是符号链接；请换成普通文件后再试（sshd 读取的文件必须由本账号掌握）") from None
        raise
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _replace(path: Path, data: bytes) -> None:
    """Written whole or not at all, mode 0600, through a fresh temporary no one could have planted."""
    parent = path.parent
    if not parent.exists():
        parent.mkdir(mode=0o700, parents=True)
    tmp = parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(parent)


def _edit(session: Session, path: Path, why: str, change) -> dict:
    """Read, change and replace the file under the store's lock (one editor at a time), with its audit
    line: ``change(old bytes)`` returns the new bytes, a function logging to the transaction and the
    result. If the trail cannot be written, the file is put back."""
    written, old = False, b""
    try:
        with session.store.write(session.clerk.name, why) as tx:
            old = _read(path)
            new, log, result = change(old)
            _replace(path, new)
            written = True
            log(tx)
    except BaseException:
        if written:
            if old:
                _replace(path, old)
            else:
                path.unlink(missing_ok=True)
        raise
    return result


def _join(lines: list[str]) -> bytes:
    return "".join(f"{ln}\n" for ln in lines).encode("utf-8", "surrogateescape")




def authorize(session: Session, name: str, key: PublicKey, file: Path | None = None) -> dict:
    """Give clerk ``name`` this key (replacing the clerk's previous one); returns what was done."""
    require(session.clerk, "ssh")
    if session.store.clerk(name) is None:
        raise InvalidInput(f"经办人“{shown(name)}”未登记；请先执行：xueji users add {shown(name)} --role …")
    path = Path(file) if file else default_file()
    line = key_line(session.store.root, name, key)

    def change(old: bytes):
        parsed = parse_file(old, session.store.root)
        for ln in parsed:
            if ln.key and ln.key.b64 == key.b64 and ln.name != name:
                who = f"经办人 {ln.name}" if ln.name else "另一行（不是本数据目录的经办人）"
                raise InvalidInput(f"这把钥匙已在 {shown(path)} 第 {ln.no} 行授权给{who}；"
                                   f"每位经办人须用自己的钥匙（sshd 只认第一行匹配的钥匙）")
        replaced = [ln.key.fingerprint for ln in parsed if ln.name == name and ln.key]
        kept = [t for t, ln in zip(_lines(old), parsed) if ln.name != name]
        log = lambda tx: tx.log(  # noqa: E731
            "ssh-authorize", field="ssh-key", old=replaced or None,
            new={"name": name, "type": key.type, "key": key.fingerprint, "comment": key.comment, "file": str(path)})
        return _join([*kept, line]), log, {"name": name, "fingerprint": key.fingerprint, "replaced": replaced,
                                           "file": str(path), "line": line}

    return _edit(session, path, "授权 SSH 钥匙", change)


def revoke(session: Session, name: str, file: Path | None = None) -> dict:
    require(session.clerk, "ssh")
    path = Path(file) if file else default_file()

    def change(old: bytes):
        parsed = parse_file(old, session.store.root)
        gone = [ln.key.fingerprint for ln in parsed if ln.name == name and ln.key]
        if not gone:
            raise NotFound(f"{shown(path)} 中没有经办人“{shown(name)}”在本数据目录的钥匙；可用 xueji ssh list 查看")
        log = lambda tx: tx.log(  # noqa: E731
            "ssh-revoke", field="ssh-key", old={"name": name, "key": gone}, new=None, file=str(path))
        kept = [t for t, ln in zip(_lines(old), parsed) if ln.name != name]
        return _join(kept), log, {"name": name, "fingerprints": gone, "file": str(path)}

    return _edit(session, path, "收回 SSH 钥匙", change)


def list_keys(session: Session, file: Path | None = None) -> dict:
    require(session.clerk, "ssh")
    path = Path(file) if file else default_file()
    parsed = parse_file(_read(path), session.store.root)
    clerks = {c["name"]: c for c in session.store.clerks()}
    keys = []
    for ln in parsed:
        if ln.name and ln.key:
            c = clerks.get(ln.name)
            keys.append({"name": ln.name, "line": ln.no, "type": ln.key.type, "fingerprint": ln.key.fingerprint,
                         "comment": ln.key.comment, "registered": c is not None,
                         "role": (c or {}).get("role", ""), "college": (c or {}).get("college", "")})
    others = sum(1 for ln in parsed if ln.key and not ln.name)
    return {"file": str(path), "keys": keys, "other_lines": others}
