"""The audit trail: append-only JSON Lines, one line per change, hash-chained — and the commit journal.

A transaction's lines carry its number (``txn``) and their count (``n`` of ``of``); its last line also
records, under ``files``, the sha256 of every data file it replaced, before and after (``[before,
after]``, ``before`` null for a new file). A transaction is committed once all its lines are on disk
(fsync'd). ``audit.head`` is replaced with the transaction's files and names the last committed line:
its sequence number, hash, the trail's length in bytes and the latest digest of every data file.

Nothing ever removes or rewrites a committed line: recovery cuts only the torn tail of its own
interrupted transaction (``store/recovery.py``); a trail that disagrees with its head stops writes
until the office resolves it (``store/evidence.py``, ``xueji doctor``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from xueji_tui.durable import write_all

GENESIS = "0" * 64
ACK = "acknowledge"  # the office's line accepting a break in the trail (append only)
_TAIL_CHUNK = 1 << 16
TAIL_CHECK = 1 << 14  # every write re-checks the chain of this much of the trail's end (~50 lines, <1 ms)


def line_hash(prev: str, body: dict) -> str:
    h = hashlib.sha256(prev.encode())
    h.update(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
    return h.hexdigest()


def hash_ok(d: dict) -> bool:
    try:
        return line_hash(str(d.get("prev", "")), {k: v for k, v in d.items() if k != "hash"}) == d.get("hash")
    except TypeError:
        return False


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def parse_line(raw: bytes) -> dict | None:
    try:
        d = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return d if isinstance(d, dict) else None


class BadHead(Exception):
    """audit.head exists but is not a head (garbled, edited)."""


@dataclass
class Head:
    seq: int = 0
    txn: int = 0
    hash: str = GENESIS
    size: int | None = None            # the trail's length in bytes after this line (None: first wave)
    files: dict[str, str] | None = None  # data file -> its latest sha256 (None: first wave)

    def dumps(self) -> bytes:
        d = {"seq": self.seq, "txn": self.txn, "hash": self.hash, "size": self.size}
        if self.files is not None:
            d["files"] = self.files
        return orjson.dumps(d)

    @classmethod
    def loads(cls, raw: bytes) -> "Head":
        d = parse_line(raw)
        try:
            if d is None:
                raise ValueError
            head = cls(int(d["seq"]), int(d["txn"]), str(d["hash"]),
                       None if d.get("size") is None else int(d["size"]), d.get("files"))
        except (KeyError, TypeError, ValueError):
            raise BadHead from None
        if head.files is not None and not isinstance(head.files, dict):
            raise BadHead
        return head


@dataclass
class Line:
    start: int
    raw: bytes              # without the newline
    whole: bool             # ended by a newline
    data: dict | None = field(default=None)


class AuditLog:
    def __init__(self, root: Path):
        self.path = root / "audit.jsonl"
        self.head_path = root / "audit.head"
        self._head: tuple | None = None  # (stat signature of audit.head, the Head read from it)

    def size(self) -> int:
        try:
            return os.path.getsize(self.path)
        except FileNotFoundError:
            return 0

    def read_head(self, path: Path | None = None) -> Head | None:
        """audit.head (or a temporary one), None when missing; BadHead when it is not a head.

        audit.head holds the digest of every data file (hundreds of kilobytes at 300,000 students)
        and every write checks it: it is parsed again only when its inode, size, modification or
        change time differ (a commit renames a new one into place; a file's owner cannot set its
        change time back)."""
        if path is not None:
            try:
                return Head.loads(path.read_bytes())
            except FileNotFoundError:
                return None
        try:
            st = os.stat(self.head_path)
        except FileNotFoundError:
            return None
        sig = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if self._head is None or self._head[0] != sig:
            try:
                raw = self.head_path.read_bytes()
            except FileNotFoundError:
                return None
            self._head = (sig, Head.loads(raw))
        h = self._head[1]
        return Head(h.seq, h.txn, h.hash, h.size, h.files)  # a caller may set size (a first-wave head)

    # -- reading the end ---------------------------------------------------------------------
    def read_range(self, start: int, end: int) -> bytes:
        with open(self.path, "rb") as f:
            f.seek(start)
            return f.read(end - start)

    def lines_between(self, start: int, end: int) -> list[Line]:
        """The lines from ``start`` (a line's first byte) to ``end``; the last may lack its newline."""
        buf = self.read_range(start, end) if end > start else b""
        out, pos = [], 0
        while pos < len(buf):
            nl = buf.find(b"\n", pos)
            stop = len(buf) if nl < 0 else nl
            raw = buf[pos:stop]
            out.append(Line(start + pos, raw, nl >= 0, parse_line(raw) if nl >= 0 else None))
            pos = stop + 1
        return out

    def tail(self, limit: int, end: int | None = None) -> list[Line]:
        """The whole lines within the last ``limit`` bytes before ``end`` (and a torn last piece)."""
        end = self.size() if end is None else end
        start = max(0, end - limit)
        lines = self.lines_between(start, end)
        if start > 0 and lines:
            lines = lines[1:]  # it began mid-line
        return lines

    def line_ending_at(self, end: int) -> Line | None:
        """The whole line whose newline is the byte before ``end``."""
        if end <= 0:
            return None
        chunk = 4096
        while True:
            start = max(0, end - chunk)
            buf = self.read_range(start, end)
            if not buf.endswith(b"\n"):
                return None
            cut = buf.rfind(b"\n", 0, len(buf) - 1)
            if cut >= 0 or start == 0:
                raw = buf[cut + 1:-1]
                return Line(start + cut + 1, raw, True, parse_line(raw))
            chunk *= 4

    def locate(self, seq: int, hash_: str) -> int | None:
        """The end offset of the line with this seq and hash, looking back from the end (first-wave
        heads did not record the trail's length)."""
        end, limit = self.size(), _TAIL_CHUNK
        while True:
            for ln in reversed(self.tail(limit, end)):
                if ln.data and ln.data.get("seq") == seq and ln.data.get("hash") == hash_:
                    return ln.start + len(ln.raw) + 1
            if limit >= end:
                return None
            limit *= 4

    def head(self) -> Head:
        """The last committed line, read from the end of the trail (for change detection)."""
        end, limit = self.size(), _TAIL_CHUNK
        while end:
            for ln in reversed(self.tail(limit, end)):
                d = ln.data
                if d and d.get("n") == d.get("of"):
                    return Head(d.get("seq", 0), d.get("txn", 0), d.get("hash", GENESIS),
                                ln.start + len(ln.raw) + 1)
            if limit >= end:
                break
            limit *= 4
        return Head(size=0)

    def tail_problems(self, end: int, limit: int = TAIL_CHECK) -> list[str]:
        """What is wrong near the end of the trail (checked before every write, cheaply): each line
        parses, hashes right and chains to the one before it, back to the last acknowledgement."""
        lines = self.tail(limit, end)
        for i in range(len(lines) - 1, -1, -1):
            if lines[i].data and lines[i].data.get("action") == ACK:
                lines = lines[i:]
                break
        problems, before = [], None
        for i, ln in enumerate(lines):
            d = ln.data
            where = f"审计记录倒数第 {len(lines) - i} 行"
            if not ln.whole or d is None:
                problems.append(f"{where}不是有效的记录：被改动或截断")
                before = None
                continue
            if not hash_ok(d):
                problems.append(f"{where}（序号 {d.get('seq')}）内容与其哈希不符：被改动过")
            if before is not None and d.get("action") != ACK and (
                    d.get("prev") != before.get("hash") or d.get("seq") != _int(before.get("seq")) + 1):
                problems.append(f"{where}（序号 {d.get('seq')}）与前一行不连续：有行被删除、插入或改动")
            before = d
        return problems

    # -- writing -----------------------------------------------------------------------------
    def seal(self, head: Head, txn: int, bodies: list[dict], files=None) -> tuple[bytes, Head]:
        """Number and chain a transaction's lines (``files`` goes on the last); the bytes to append
        and the new head. ``files`` may be a function, called only when the last line is reached:
        a commit chains 30,000 lines while its data files are still being written."""
        out = bytearray()  # one buffer: 30,000 lines are not held twice, as pieces and joined
        prev, seq = head.hash, head.seq
        before = prev.encode()
        of = len(bodies)
        dumps, digest, by_key = orjson.dumps, hashlib.sha256, orjson.OPT_SORT_KEYS  # 30,000 lines: no lookups
        for n, body in enumerate(bodies, 1):
            seq += 1
            line = {"seq": seq, "txn": txn, "n": n, "of": of, **body}
            if n == of and files is not None:
                line["files"] = files() if callable(files) else files
            line["prev"] = prev
            prev = digest(before + dumps(line, option=by_key)).hexdigest()  # = line_hash(prev, line)
            before = prev.encode()
            # the line as orjson writes it with "hash" added last, without serialising it twice
            out += dumps(line)[:-1]
            out += b',"hash":"'
            out += before
            out += b'"}\n'
        data = out
        size = None if head.size is None else head.size + len(data)
        return data, Head(seq, txn, prev, size)

    def append(self, data: bytes, size: int) -> None:
        """Append (fsync'd: the commit point). On failure the trail is cut back to ``size`` — the
        lines were never committed — and the error raised; if even that fails, ``RollbackFailed``."""
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            try:
                write_all(fd, data)
                os.fsync(fd)
            except OSError as e:
                try:
                    os.ftruncate(fd, size)
                    os.fsync(fd)
                except OSError:
                    raise RollbackFailed(e) from e
                raise
        finally:
            os.close(fd)

    # -- reading all ------------------------------------------------------------------------
    def raw_lines(self):
        """(line number, bytes with their newline) of the whole trail."""
        try:
            f = open(self.path, "rb")
        except FileNotFoundError:
            return
        with f:
            yield from enumerate(f, 1)

    def lines(self, needle: bytes | None = None):
        """(line number, parsed line or None when unreadable); with ``needle``, only lines holding it."""
        for no, raw in self.raw_lines():
            if needle is None or needle in raw:
                yield no, parse_line(raw)

class RollbackFailed(OSError):
    """An append failed and cutting its partial lines off failed too (recovery will, later)."""

    def __init__(self, cause: OSError):
        super().__init__(cause.errno, cause.strerror, cause.filename)
        self.cause = cause


def _int(v) -> int:
    return v if isinstance(v, int) else -2
