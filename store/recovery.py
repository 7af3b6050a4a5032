"""After a writer died mid-commit: finish or discard its transaction — and nothing else.

The only state recovery changes is its own kind of interrupted commit, recognised exactly:

- killed before the commit point: temporaries ``*.{T}.tmp`` of the next transaction ``T`` and no
  line of it in the trail: the temporaries are deleted;
- killed while appending: after the last committed line (the one ``audit.head`` names) only lines of
  ``T``, chained from it, the last torn or ``n < of``, and ``audit.head.{T}.tmp`` present: those
  lines were never acknowledged; the trail is cut back to the committed end, the temporaries deleted;
- killed between the append and the renames: ``T`` is complete, ``audit.head.{T}.tmp`` names its
  last line, each temporary has the sha256 the line recorded: the temporaries are renamed into place.

Anything else — a head that does not match the trail, lines missing, garbled or added, a temporary
that is not what its transaction recorded — is a ``Plan`` with a ``problem``: writes stop, nothing is
touched, and ``xueji doctor`` explains.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from xueji_tui.store.audit import ACK, AuditLog, BadHead, Head, Line, file_sha256, hash_ok

TMP = re.compile(r"^(?P<name>.+)\.(?P<txn>\d+)\.tmp$")


@dataclass
class Plan:
    head: Head | None = None      # the committed head once the plan is applied
    problem: str = ""             # why writes must stop (nothing is touched then)
    roll: list[tuple[Path, Path]] = field(default_factory=list)  # audit.head's comes last
    drop: list[Path] = field(default_factory=list)
    cut: int | None = None        # cut the trail back to this length

    @property
    def broken(self) -> bool:
        return bool(self.problem)

    @property
    def idle(self) -> bool:
        return not (self.roll or self.drop or self.cut is not None)


def _txn_of(tmp: Path) -> int | None:
    m = TMP.match(tmp.name)
    return int(m["txn"]) if m else None


def _dest(tmp: Path) -> Path:
    m = TMP.match(tmp.name)
    return tmp.with_name(m["name"]) if m else tmp


def examine(root: Path, audit: AuditLog, temps: list[Path]) -> Plan:
    """What recovery would do (nothing is changed here)."""
    plan = _examine(root, audit, temps)
    if plan.broken:
        acked = _ack_in_flight(root, audit, temps)
        return acked or plan
    end = plan.head.size if plan.head and plan.head.size is not None else audit.size()
    tail = audit.tail_problems(end if plan.cut is None else plan.cut)
    if tail:
        return Plan(problem=tail[0])
    return plan


def _examine(root: Path, audit: AuditLog, temps: list[Path]) -> Plan:
    size = audit.size()
    try:
        head = audit.read_head()
    except BadHead:
        return Plan(problem="audit.head 已损坏（不是有效的末行记录）：被改动或截断")
    if head is None:
        if size == 0:
            if (root / "meta.json").exists():
                return Plan(problem="审计记录 audit.jsonl 和 audit.head 都不存在或为空，而数据目录中有数据：审计记录被删除")
            return Plan(head=Head(size=0), drop=list(temps))  # a directory being created
        if not (root / "audit.head.1.tmp").exists():
            return Plan(problem=f"audit.head 不存在，而审计记录 audit.jsonl 有 {size} 字节：audit.head 被删除")
        head = Head(size=0)  # the first transaction, interrupted
    if head.size is None:  # written by the first version, which did not record the length
        head.size = audit.locate(head.seq, head.hash)
        if head.size is None:
            return Plan(problem=f"audit.head 记录的末行（序号 {head.seq}）在审计记录中找不到：记录被删除或改动")
    if size < head.size:
        what = "为空或不存在" if size == 0 else f"比 audit.head 记录的短 {head.size - size} 字节"
        return Plan(problem=f"审计记录 audit.jsonl {what}，而 audit.head 记录到第 {head.seq} 行：末尾的记录被删除或清空")
    if head.size:
        last = audit.line_ending_at(head.size)
        if last is None or last.data is None or last.data.get("seq") != head.seq \
                or last.data.get("hash") != head.hash or not hash_ok(last.data):
            return Plan(problem=f"audit.head 记录的末行（序号 {head.seq}）与审计记录中该处的内容不符：记录被删除或改动")
    if size == head.size:
        return Plan(head=head, drop=list(temps))
    return _unfinished(root, audit, temps, head, size)


def _unfinished(root: Path, audit: AuditLog, temps: list[Path], head: Head, size: int) -> Plan:
    """There is more in the trail than audit.head names: only our own interrupted commit may be."""
    txn = head.txn + 1
    extra = f"审计记录在 audit.head 所记录的末行（序号 {head.seq}）之后还有 {size - head.size} 字节"
    try:
        pending = audit.read_head(root / f"audit.head.{txn}.tmp")
    except BadHead:
        pending = None
    if pending is None:
        return Plan(problem=f"{extra}，但不是一次被中断的保存留下的：记录被添加，或 audit.head 被改回")
    lines = audit.lines_between(head.size, size)
    whole = [ln for ln in lines if ln.whole]
    torn = lines[-1] if lines and not lines[-1].whole else None
    prev, seq = head.hash, head.seq
    for i, ln in enumerate(whole, 1):
        d = ln.data
        of = whole[0].data.get("of") if whole[0].data else None
        if d is None or d.get("txn") != txn or d.get("seq") != seq + 1 or d.get("n") != i \
                or d.get("of") != of or not isinstance(of, int) or i > of or d.get("prev") != prev \
                or not hash_ok(d):
            return Plan(problem=f"{extra}，其中有不属于被中断的保存的内容（第 {i} 行）：记录被添加或改动")
        prev, seq = d["hash"], d["seq"]
    of = whole[0].data["of"] if whole else None
    if whole and whole[-1].data["n"] == of:  # committed: on disk whole, so never cut
        if torn is not None:
            return Plan(problem=f"{extra}，一次完整的保存之后还有不完整的内容：记录被添加或改动")
        last = whole[-1].data
        if (pending.seq, pending.hash) != (last["seq"], last["hash"]) or pending.size not in (None, size):
            return Plan(problem=f"{extra}，而 audit.head.{txn}.tmp 与之不符：记录或临时文件被改动")
        return _roll(root, temps, txn, last, pending, audit)
    if torn is not None and not _begins_line(torn, seq + 1, txn, len(whole) + 1, of):
        return Plan(problem=f"{extra}，最后一行不完整且不像被中断的保存写下的：记录被改动")
    if pending.size is not None and pending.size <= size:
        return Plan(problem=f"{extra}，而 audit.head.{txn}.tmp 记录的长度与之不符：记录被改动")
    return Plan(head=head, cut=head.size, drop=list(temps))


def _begins_line(torn: Line, seq: int, txn: int, n: int, of: int | None) -> bool:
    """A torn line is the start of the next line of the transaction (the writer's own bytes)."""
    expect = f'{{"seq":{seq},"txn":{txn},"n":{n},"of":'.encode()
    if of is not None:
        expect += f"{of},".encode()
    return torn.raw[:len(expect)] == expect[:len(torn.raw)]


def _roll(root: Path, temps: list[Path], txn: int, last: dict, pending: Head, audit: AuditLog) -> Plan:
    mine = {_dest(t): t for t in temps if _txn_of(t) == txn}
    files = last.get("files")
    roll: list[tuple[Path, Path]] = []
    if isinstance(files, dict):
        for rel, pair in files.items():
            dest = root / rel
            after = pair[1] if isinstance(pair, list) and len(pair) == 2 else None
            tmp = mine.pop(dest, None)
            if tmp is not None:
                if file_sha256(tmp) != after:
                    return Plan(problem=f"保存被中断后留下的临时文件 {tmp.relative_to(root)} 与审计记录不符：被改动")
                roll.append((tmp, dest))
            elif file_sha256(dest) != after:
                return Plan(problem=f"{rel} 与被中断的保存所记录的不符：在 xueji 之外被改动")
    else:  # a transaction of the first version, without digests
        roll = [(t, d) for d, t in mine.items() if d != audit.head_path]
        mine = {d: t for d, t in mine.items() if d == audit.head_path}
    head_tmp = mine.pop(audit.head_path, None)
    if head_tmp is not None:
        roll.append((head_tmp, audit.head_path))
    done = {t for t, _ in roll}
    return Plan(head=Head(pending.seq, pending.txn, pending.hash, audit.size(), pending.files),
                roll=roll, drop=[t for t in temps if t not in done])


def _ack_in_flight(root: Path, audit: AuditLog, temps: list[Path]) -> Plan | None:
    """The office's acknowledgement, appended but its audit.head not yet renamed into place."""
    size = audit.size()
    last = audit.line_ending_at(size)
    d = last.data if last else None
    if not d or d.get("action") != ACK or not hash_ok(d):
        return None
    tmp = root / f"audit.head.{d.get('txn')}.tmp"
    try:
        pending = audit.read_head(tmp)
    except BadHead:
        return None
    if pending is None or (pending.seq, pending.hash, pending.size) != (d.get("seq"), d.get("hash"), size):
        return None
    return Plan(head=pending, roll=[(tmp, audit.head_path)], drop=[t for t in temps if t != tmp])


def temp_files(root: Path) -> list[Path]:
    """Every temporary in the data directory, wherever it is."""
    out = []
    for dirpath, _, names in os.walk(root):
        out += [Path(dirpath) / n for n in names if n.endswith(".tmp")]
    return sorted(out)


def trail_end(root: Path) -> Plan:
    """What recovery would make of the data directory now (call under the writers' lock)."""
    return examine(root, AuditLog(root), temp_files(root))


def apply(plan: Plan, audit: AuditLog, forget) -> set[Path]:
    """Carry a plan out (under the writers' lock); returns the directories to fsync."""
    dirs: set[Path] = set()
    for tmp, dest in plan.roll:
        os.replace(tmp, dest)
        forget(dest)
        dirs.add(tmp.parent)
    if plan.cut is not None and audit.size() > plan.cut:
        with open(audit.path, "r+b") as f:
            f.truncate(plan.cut)
            os.fsync(f.fileno())
    for tmp in plan.drop:
        tmp.unlink(missing_ok=True)
        dirs.add(tmp.parent)
    return dirs


__all__ = ["Plan", "examine", "apply", "temp_files", "trail_end", "TMP"]
