"""The trail as evidence: the whole chain, the office's acknowledged breaks, anchors, and the replay
of the trail against the data files and the clerks (``xueji audit --verify``, ``xueji doctor``).

An acknowledgement (action ``acknowledge``) is how the office resumes work on a trail found broken
once it has decided not to restore a backup: one appended line, chained to the last readable line,
that records the digest of every byte of the trail before it (so a later edit there is a new
problem, not an acknowledged one), what was found (``new``), why (``why``), and the digests of the
data files as they are now (``files``), which later saves and ``--verify`` are checked against.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from xueji_tui.store.audit import ACK, GENESIS, AuditLog, BadHead, Head, file_sha256, hash_ok, parse_line
from xueji_tui.store.files import fsync_dir, write_durable

SMALL_FILES = ("meta.json", "clerks.json", "corrections.json", "catalog.json", "exports.json")


def data_files(root: Path) -> list[str]:
    """Every data file a transaction writes, relative to the data directory."""
    out = [n for n in SMALL_FILES if os.path.lexists(root / n)]
    for rel in ("index", *(f"students/{d}" for d in _names(root / "students")
                           if (root / "students" / d).is_dir())):
        out += [f"{rel}/{n}" for n in _names(root / rel) if n.endswith(".json")]
    return out


def _names(d: Path) -> list[str]:
    try:
        return sorted(os.listdir(d))
    except (FileNotFoundError, NotADirectoryError):
        return []


@dataclass
class Problem:
    line: int  # the trail's line number it was found at; 0 when about the trail's end or the data
    text: str


@dataclass
class Ack:
    line: int
    line_data: dict
    problems: list[str]


@dataclass
class TrailReport:
    lines: int = 0
    size: int = 0
    last: dict | None = None
    problems: list[Problem] = field(default_factory=list)    # not acknowledged
    acks: list[Ack] = field(default_factory=list)
    found: list[Problem] = field(default_factory=list)       # every problem, acknowledged or not
    recorded: dict[str, str] = field(default_factory=dict)   # data file -> last recorded sha256
    complete: bool = False  # files were recorded from the first transaction on
    users: dict[str, dict] = field(default_factory=dict)     # replay of users-add lines
    seen: dict[int, tuple[int, str]] = field(default_factory=dict)  # anchored seq -> (line, hash)

    def texts(self) -> list[str]:
        return [p.text for p in self.problems]


def check_trail(audit: AuditLog, anchors: set[int] | frozenset = frozenset()) -> TrailReport:
    """Read the whole trail once: chain, hashes, acknowledgements, replay of files and clerks."""
    rep = TrailReport()
    digest = hashlib.sha256()
    offset = 0
    prev: str | None = GENESIS
    seq: int | None = 0
    pending: list[Problem] = []
    first_txn = None

    def bad(no: int, text: str) -> None:
        p = Problem(no, text)
        pending.append(p)
        rep.found.append(p)

    for no, raw in audit.raw_lines():
        rep.lines = no
        whole = raw.endswith(b"\n")
        d = parse_line(raw)
        if d is None:
            bad(no, f"第 {no} 行不是有效的 JSON 记录：被改动或截断")
            prev = seq = None
        else:
            who = f"第 {no} 行（序号 {d.get('seq')}，{d.get('at', '')} {d.get('clerk', '')}）"
            if d.get("action") == ACK:
                trail = _dig(d, "old", "trail")
                if trail.get("bytes") == offset and trail.get("sha256") == digest.hexdigest():
                    rep.acks.append(Ack(no, d, [p.text for p in pending]))
                    pending = []
                    files = d.get("files") if isinstance(d.get("files"), dict) else {}
                    rep.recorded = {rel: _after(v) for rel, v in files.items()}
                    rep.complete = True
                else:
                    bad(no, f"{who}是学生工作处的确认记录，但它之前的审计记录在确认之后又被改动过")
            else:
                if prev is not None and d.get("prev") != prev:
                    bad(no, f"{who}与前一行的哈希链不连续：前面的行被删除、插入或改动过")
                if seq is not None and d.get("seq") != seq + 1:
                    bad(no, f"{who}序号应为 {seq + 1}：有行被删除或插入")
                if first_txn is None:
                    first_txn = d.get("txn")
                _replay(rep, no, d, bad, first_txn)
            if not hash_ok(d):
                bad(no, f"{who}内容与其哈希不符：该行被改动过")
            if not whole:
                bad(no, f"第 {no} 行不完整（没有换行结尾）：被截断或被添加")
            prev = d.get("hash") if isinstance(d.get("hash"), str) else None
            seq = d.get("seq") if isinstance(d.get("seq"), int) else None
            rep.last = d
            if seq in anchors and seq not in rep.seen:
                rep.seen[seq] = (no, str(d.get("hash")))
        digest.update(raw)
        offset += len(raw)
    rep.size = offset
    rep.problems = pending
    for text in _head_problems(audit, rep):
        p = Problem(0, text)
        rep.problems.append(p)
        rep.found.append(p)
    return rep


def _dig(d: dict, *keys) -> dict:
    for k in keys:
        d = d.get(k) if isinstance(d, dict) else None
    return d if isinstance(d, dict) else {}


def _after(v) -> str | None:
    return v[1] if isinstance(v, list) and len(v) == 2 else None


def _replay(rep: TrailReport, no: int, d: dict, bad, first_txn) -> None:
    if d.get("action") == "users-add" and isinstance(d.get("new"), dict) and d["new"].get("name"):
        rep.users[str(d["new"]["name"])] = d["new"]
    files = d.get("files")
    if not isinstance(files, dict):
        return
    if d.get("txn") == first_txn:
        rep.complete = True
    for rel, pair in files.items():
        before = pair[0] if isinstance(pair, list) and len(pair) == 2 else None
        known = rep.recorded.get(rel)
        if before is not None and known is not None and before != known:
            bad(no, f"第 {no} 行的保存改写 {rel} 时，该文件已不是审计记录中的版本：此前在 xueji 之外被改动过")
        elif before is not None and known is None and rep.complete:
            bad(no, f"第 {no} 行的保存改写 {rel} 时，该文件已经存在，但审计记录中没有写入过它：在 xueji 之外被放入")
        elif before is None and known is not None:
            bad(no, f"第 {no} 行的保存写入 {rel} 时，该文件已不存在：在 xueji 之外被删除")
        rep.recorded[rel] = _after(pair)


def _head_problems(audit: AuditLog, rep: TrailReport) -> list[str]:
    try:
        head = audit.read_head()
    except BadHead:
        return ["audit.head 已损坏（不是有效的末行记录）"]
    last = rep.last
    if head is None:
        if rep.lines:
            return ["audit.head 不存在：无法确认审计记录末尾是否被删除"]
        if (audit.path.parent / "meta.json").exists():
            return ["审计记录 audit.jsonl 和 audit.head 都不存在或为空，而数据目录中有数据：审计记录被删除"]
        return []
    if last is None:
        return [f"审计记录为空，但 audit.head 记录到序号 {head.seq}：记录被删除或清空"] if head.seq else []
    if head.seq != last.get("seq") or head.hash != last.get("hash"):
        return [f"审计记录最后一行序号 {last.get('seq')}，而 audit.head 记录的是 {head.seq}：末尾的记录被删除或改动"]
    if head.size is not None and head.size != rep.size:
        return [f"审计记录长 {rep.size} 字节，而 audit.head 记录的是 {head.size} 字节：记录被删除或改动"]
    if head.files is not None and head.files != rep.recorded and not rep.problems:
        return ["audit.head 中的数据文件摘要与审计记录不符：audit.head 被改动过"]
    return []


def check_files(root: Path, rep: TrailReport) -> tuple[list[tuple[str, str]], list[str]]:
    """((file, what is wrong) pairs, files the trail has no digest for because they predate digests)."""
    problems, unrecorded = [], []
    present = set()
    head = _head_files(AuditLog(root))
    for rel in data_files(root):
        present.add(rel)
        known = rep.recorded.get(rel)
        if known is None:
            if rep.complete:
                problems.append((rel, "不在审计记录中：不是经由 xueji 写入的"))
            else:
                unrecorded.append(rel)
            continue
        now = file_sha256(root / rel)
        if now == known:
            continue
        if rep.problems and now == head.get(rel):
            problems.append((rel, "与审计记录不符：记录它最后一次写入的那一行不见了或被改动"))
        else:
            problems.append((rel, "与审计记录不符：最后一次保存之后在 xueji 之外被改动过"))
    for rel, known in rep.recorded.items():
        if rel not in present and known is not None:
            problems.append((rel, "不见了：审计记录中有它，但文件已被删除"))
    return problems, unrecorded


def _head_files(audit: AuditLog) -> dict:
    try:
        head = audit.read_head()
    except BadHead:
        return {}
    return (head.files if head else None) or {}


def check_clerks(root: Path, rep: TrailReport) -> list[str]:
    """Every clerk the trail registered (users-add) is in clerks.json with that role and college."""
    try:
        data = orjson.loads((root / "clerks.json").read_bytes())
        table = data.get("clerks") or {}
        now = {str(c.get("name")): c for c in table.values() if isinstance(c, dict)}
    except (FileNotFoundError, orjson.JSONDecodeError, AttributeError):
        return ["clerks.json 无法读取：经办人无法与审计记录核对"]
    problems = []
    for name, line in rep.users.items():
        c = now.get(name)
        if c is None:
            problems.append(f"经办人 {name} 在审计记录中登记过，但 clerks.json 中已没有：在 xueji 之外被删除")
        elif c.get("role") != line.get("role") or ("college" in line and (c.get("college") or "") != (line.get("college") or "")):
            problems.append(f"clerks.json 中经办人 {name} 的角色或学院与审计记录中的登记不符：在 xueji 之外被改动")
    return problems


def anchor_problems(rep: TrailReport, seq: int, hash_: str) -> list[str]:
    hit = rep.seen.get(seq)
    if hit is None:
        return [f"审计记录中已没有锚点所指的第 {seq} 行：记录被删除或截短"]
    no, found = hit
    if found != hash_:
        return [f"第 {seq} 行的哈希与锚点不符：锚点之前的审计记录被改写过（即使哈希链被整条重新计算）"]
    before = [p for p in rep.found if 0 < p.line <= no]
    if before:
        return [f"锚点（第 {seq} 行）之前的记录有改动：{before[0].text}"]
    return []


def acknowledge(root: Path, audit: AuditLog, clerk: str, at: str, reason: str, problems: list[str]) -> Head:
    """Append the office's acknowledgement (the caller holds the writers' lock). Crash-safe like a
    commit: audit.head's temporary first, the line (the commit point), then the rename."""
    digest, size, last, top = hashlib.sha256(), 0, None, 0
    for _, raw in audit.raw_lines():
        digest.update(raw)
        size += len(raw)
        d = parse_line(raw)
        if d is not None and isinstance(d.get("seq"), int) and isinstance(d.get("hash"), str):
            last = d
            top = max(top, d["txn"] if isinstance(d.get("txn"), int) else 0)
    lead = b"\n" if size and not audit.read_range(size - 1, size) == b"\n" else b""
    digest.update(lead)
    try:
        old = audit.read_head()
        found = None if old is None else {"seq": old.seq, "txn": old.txn, "hash": old.hash, "size": old.size}
        top = max(top, old.txn if old else 0)
    except BadHead:
        found = "damaged"
    files = {rel: [None, file_sha256(root / rel)] for rel in data_files(root)}
    body = {"at": at, "clerk": clerk, "action": ACK, "KSH": "", "XH": "", "field": "trail",
            "old": {"trail": {"lines": sum(1 for _ in audit.raw_lines()), "bytes": size + len(lead),
                              "sha256": digest.hexdigest()}, "head": found},
            "new": problems, "why": reason}
    base = Head(last["seq"] if last else 0, top, last["hash"] if last else GENESIS, size + len(lead))
    data, head = audit.seal(base, top + 1, [body], files)
    head.files = {rel: v[1] for rel, v in files.items()}
    tmp = audit.head_path.with_name(f"audit.head.{head.txn}.tmp")
    write_durable(tmp, head.dumps())
    fsync_dir(root)
    try:
        audit.append(lead + data, size)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, audit.head_path)
    fsync_dir(root)
    return head
