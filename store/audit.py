"""The audit trail: append-only JSON Lines, one line per change, hash-chained — and the commit journal.

A transaction's lines carry its number (``txn``) and their count (``n`` of ``of``). A transaction is
committed once all its lines are on disk (fsync'd): temporary files of a committed transaction are
renamed into place by recovery, those of an uncommitted one are deleted. ``audit.head`` records the
last line's sequence number and hash, so deleting lines at the end is detected too.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from xueji_tui.durable import write_all

GENESIS = "0" * 64
_TAIL_CHUNK = 1 << 16


def line_hash(prev: str, body: dict) -> str:
    canon = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev.encode() + canon).hexdigest()


@dataclass
class Head:
    seq: int = 0
    txn: int = 0
    hash: str = GENESIS


class AuditLog:
    def __init__(self, root: Path):
        self.path = root / "audit.jsonl"
        self.head_path = root / "audit.head"

    # -- reading the end ---------------------------------------------------------------------
    def _tail_lines(self, want_complete_txn: bool = True) -> tuple[list[bytes], int]:
        """The last lines of the file (enough to hold the last transaction) and their start offset."""
        try:
            size = os.path.getsize(self.path)
        except FileNotFoundError:
            return [], 0
        chunk = _TAIL_CHUNK
        with open(self.path, "rb") as f:
            while True:
                start = max(0, size - chunk)
                f.seek(start)
                buf = f.read(size - start)
                if start > 0:
                    cut = buf.find(b"\n")
                    buf, start = buf[cut + 1:], start + cut + 1
                lines = buf.split(b"\n")
                complete = [ln for ln in lines[:-1]]
                # enough when the first whole line begins a transaction (n == 1) or we read it all
                if start == 0 or not want_complete_txn:
                    return lines, start
                for ln in complete:
                    try:
                        if orjson.loads(ln).get("n") == 1:
                            return lines, start
                    except orjson.JSONDecodeError:
                        pass
                chunk *= 4

    def head(self) -> Head:
        """The last committed line, read from the end of the trail."""
        lines, _ = self._tail_lines(want_complete_txn=False)
        for ln in reversed(lines[:-1]):
            try:
                d = orjson.loads(ln)
            except orjson.JSONDecodeError:
                continue
            if d.get("n") == d.get("of"):
                return Head(d["seq"], d["txn"], d["hash"])
        return Head()

    def recover(self) -> Head:
        """Cut a torn or unfinished transaction off the end (it was never acknowledged)."""
        lines, start = self._tail_lines()
        if not lines:
            return Head()
        keep = start
        offset = start
        head = None
        for ln in lines[:-1]:  # the last element is after the final newline: '' or a torn line
            offset += len(ln) + 1
            try:
                d = orjson.loads(ln)
            except orjson.JSONDecodeError:
                break
            if d.get("n") == d.get("of"):
                keep = offset
                head = Head(d["seq"], d["txn"], d["hash"])
        size = os.path.getsize(self.path)
        if keep < size:
            with open(self.path, "r+b") as f:
                f.truncate(keep)
                os.fsync(f.fileno())
        return head or self.head()

    # -- writing -----------------------------------------------------------------------------
    def seal(self, head: Head, txn: int, bodies: list[dict]) -> tuple[bytes, Head]:
        """Number and chain a transaction's lines; returns the bytes to append and the new head."""
        out = []
        prev, seq = head.hash, head.seq
        of = len(bodies)
        for n, body in enumerate(bodies, 1):
            seq += 1
            line = {"seq": seq, "txn": txn, "n": n, "of": of, **body, "prev": prev}
            line["hash"] = prev = line_hash(line["prev"], {k: v for k, v in line.items() if k != "hash"})
            out.append(orjson.dumps(line))
        return b"\n".join(out) + b"\n", Head(seq, txn, prev)

    def append(self, data: bytes) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    # -- reading all ------------------------------------------------------------------------
    def lines(self, needle: bytes | None = None):
        """(line number, parsed line or None when unreadable); with ``needle``, only lines holding it."""
        try:
            f = open(self.path, "rb")
        except FileNotFoundError:
            return
        with f:
            for no, raw in enumerate(f, 1):
                if needle is not None and needle not in raw:
                    continue
                try:
                    yield no, orjson.loads(raw)
                except orjson.JSONDecodeError:
                    yield no, None

    def verify(self) -> list[str]:
        """Problems found in the chain, in plain Chinese; empty when the trail is intact."""
        problems: list[str] = []
        prev, seq = GENESIS, 0
        last = None
        for no, d in self.lines():
            if d is None:
                problems.append(f"第 {no} 行不是有效的 JSON（已被改动或截断）")
                prev = None
                continue
            if prev is not None and d.get("prev") != prev:
                problems.append(f"第 {no} 行（序号 {d.get('seq')}）与前一行的哈希链不连续：前面的行被删除或改动过")
            body = {k: v for k, v in d.items() if k != "hash"}
            if line_hash(d.get("prev", ""), body) != d.get("hash"):
                problems.append(f"第 {no} 行（序号 {d.get('seq')}，{d.get('at', '')} {d.get('clerk', '')}）内容与其哈希不符：该行被改动过")
            if d.get("seq") != seq + 1:
                problems.append(f"第 {no} 行序号为 {d.get('seq')}，应为 {seq + 1}：有行被删除或插入")
            seq = d.get("seq", seq + 1)
            prev = d.get("hash")
            last = d
        try:
            head = orjson.loads(self.head_path.read_bytes())
        except FileNotFoundError:
            if last is not None:
                problems.append("audit.head 不存在：无法确认审计记录末尾是否被删除")
            return problems
        except orjson.JSONDecodeError:
            problems.append("audit.head 已损坏")
            return problems
        if last is None and head.get("seq"):
            problems.append(f"审计记录为空，但 audit.head 记录到序号 {head['seq']}：记录被删除")
        elif last is not None and (head.get("seq") != last.get("seq") or head.get("hash") != last.get("hash")):
            problems.append(
                f"审计记录最后一行序号 {last.get('seq')}，而 audit.head 记录的是 {head.get('seq')}：末尾的记录被删除或改动"
            )
        return problems
