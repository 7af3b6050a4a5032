"""The trail as evidence and the data directory's health, as whole operations on a data directory:
the anchor, the full verification (chain, head, anchored prefix, replay against the data files and
the clerks), the checkup and the office's acknowledgement of a break. services/integrity.py decides
who may ask; this module only reads and, for the acknowledgement, appends one line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from xueji_tui.domain.errors import InvalidInput, TrailBroken
from xueji_tui.store import lock, recovery
from xueji_tui.store.audit import AuditLog
from xueji_tui.store.doctor import ACKNOWLEDGEABLE, Checkup, checkup, procedure
from xueji_tui.store.evidence import acknowledge as append_ack
from xueji_tui.store.evidence import anchor_problems, check_clerks, check_files, check_trail
from xueji_tui.store.txn import now_iso

_ANCHOR = re.compile(r"^\s*(\d+):([0-9a-f]{64})\s*$")


def parse_anchor(text: str) -> tuple[int, str]:
    m = _ANCHOR.match(text or "")
    if not m:
        raise InvalidInput(f"锚点“{text}”格式不对：应为 行数:哈希（64 位十六进制），即 xueji audit anchor 的输出")
    return int(m[1]), m[2]


def anchor(root: Path) -> str:
    """``N:HASH`` of the trail's last committed line, to keep outside the server."""
    with lock.exclusive(root):
        plan = recovery.trail_end(root)
    if plan.broken or plan.head is None:
        raise TrailBroken(f"审计记录异常，无法给出锚点：{plan.problem}。请运行 xueji doctor")
    if not plan.idle:
        raise TrailBroken("有一次保存被中断、尚未恢复，请稍后再取锚点")
    return f"{plan.head.seq}:{plan.head.hash}"


@dataclass
class Verdict:
    lines: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    anchored: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(root: Path, anchor_text: str | None = None) -> Verdict:
    """The whole chain, the head, an anchored prefix, and the trail replayed against the data files
    and the clerks."""
    wanted = parse_anchor(anchor_text) if anchor_text else None
    audit = AuditLog(root)
    with lock.exclusive(root):  # a consistent view: the files as the trail last recorded them
        rep = check_trail(audit, {wanted[0]} if wanted else frozenset())
        files, unrecorded = check_files(root, rep)
        clerks = check_clerks(root, rep)
    out = Verdict(lines=rep.lines, files=len(rep.recorded))
    out.problems = rep.texts() + [f"{rel} {what}" for rel, what in files] + clerks
    for ack in rep.acks:
        d = ack.line_data
        out.acknowledged.append(f"第 {ack.line} 行：{d.get('at', '')} {d.get('clerk', '')} 确认了"
                                f" {len(ack.problems)} 处中断（{d.get('why', '')}）")
        out.acknowledged += [f"    {p}" for p in ack.problems]
    if unrecorded:
        out.notes.append(f"{len(unrecorded)} 个数据文件写于旧版本，审计记录中没有它们的摘要，下次保存后开始核对")
    if wanted:
        bad = anchor_problems(rep, *wanted)
        out.problems += bad
        out.anchored = "" if bad else f"{wanted[0]}:{wanted[1]}"
    return out


def acknowledge(root: Path, who: str, reason: str) -> tuple[int, str]:
    """Append the office's acknowledgement of what the checkup found in the trail and the data
    files (the caller checked who may); returns the new anchor (seq, hash)."""
    with lock.exclusive(root):  # what is accepted is exactly what was checked
        up = checkup(root, locked=True)
        if up.healthy:
            raise InvalidInput("数据目录完好，没有需要确认的问题；未写入任何数据")
        other = [f for f in up.findings if f.kind not in ACKNOWLEDGEABLE]
        if other:
            first = other[0]
            raise InvalidInput(f"确认只能接受审计记录和数据文件摘要的问题；请先处理：{first.where}：{first.what}"
                               f"（{first.fix}）。未写入任何数据")
        problems = [f"{f.where}：{f.what}" for f in up.findings]
        head = append_ack(root, AuditLog(root), who, now_iso(), reason, problems)
    return head.seq, head.hash


def checkup_with_procedure(root: Path) -> tuple[Checkup, list[str]]:
    up = checkup(root)
    return up, procedure(up)
