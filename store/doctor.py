"""``xueji doctor``: what is wrong with a data directory, file by file, and what to do about it.

It reads, never writes (the office's acknowledgement is a separate, audited step): owner and modes,
symlinks, every file parses, the roster rows and the index agree with the shards, the trail's chain
and head, the data files and clerks against the trail, temporaries left behind.
"""

from __future__ import annotations

import os
import pwd
import stat
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from xueji_tui.domain.errors import NoData
from xueji_tui.domain.record import ROW
from xueji_tui.domain.rowset import RowSet
from xueji_tui.store import lock, recovery
from xueji_tui.store.audit import AuditLog
from xueji_tui.store.evidence import TrailReport, check_clerks, check_files, check_trail, data_files
from xueji_tui.store.files import DIR_MODE, FILE_MODE
from xueji_tui.store.layout import index_bucket, index_buckets, index_keys, rows_of

# kinds of finding; the office's acknowledgement can settle only the last two
ACCESS, DAMAGED, DERIVED, STRAY, CLERKS, TRAIL, DATA = (
    "access", "damaged", "derived", "stray", "clerks", "trail", "data")
ACKNOWLEDGEABLE = {TRAIL, DATA}
# the roster columns copied from the record (the others are computed by rules that change with versions)
_COMPARED = {f: ROW[f] for f in ("KSH", "XH", "XM", "XB", "FY", "ZYMC", "BH", "status", "SFZH")}
RESTORE = "从备份恢复该文件"


@dataclass
class Finding:
    where: str  # relative to the data directory; "." is the directory itself
    what: str
    fix: str
    kind: str


@dataclass
class Checkup:
    root: Path
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stopped: str = ""                  # why every write is refused now ("" when it is not)
    trail: TrailReport | None = None

    @property
    def healthy(self) -> bool:
        return not self.findings

    def add(self, where: str, what: str, fix: str, kind: str) -> None:
        self.findings.append(Finding(where, what, fix, kind))


def checkup(root: Path, locked: bool = False) -> Checkup:
    """Everything doctor checks, under the writers' lock (a consistent view, writers wait);
    ``locked``: the caller holds it."""
    root = Path(root)
    if not (root / "meta.json").exists() and not (root / "audit.jsonl").exists():
        raise NoData(f"数据目录 {root} 不存在或不是 xueji 数据目录")
    up = Checkup(root)
    _access(up)
    if not os.access(root, os.R_OK | os.W_OK | os.X_OK):
        return up  # the findings say whose it is; nothing inside can be checked from this account
    with nullcontext() if locked else lock.exclusive(root):
        parsed = _parse_all(up)
        _consistency(up, parsed)
        _trail(up)
    return up


def _owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _access(up: Checkup) -> None:
    root = up.root
    st = os.lstat(root)
    if stat.S_ISLNK(st.st_mode):
        up.add(".", f"数据目录 {root} 是符号链接", "把数据目录放在真实路径上，--data 指向它", ACCESS)
        st = os.stat(root)
    owner = st.st_uid
    if owner != os.geteuid():
        up.add(".", f"数据目录属于账号 {_owner_name(owner)}，而当前账号是 {_owner_name(os.geteuid())}",
               f"以属主账号 {_owner_name(owner)} 运行 xueji", ACCESS)
    if stat.S_IMODE(st.st_mode) & ~DIR_MODE:
        up.add(".", f"数据目录权限过宽（{stat.S_IMODE(st.st_mode):o}）：其他账号可以读取或改动",
               f"chmod {DIR_MODE:o} {root}", ACCESS)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            try:
                lst = os.lstat(path)
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(lst.st_mode):
                up.add(rel, "是符号链接（数据目录中只应有真实文件）",
                       "删除该链接，把真实文件放回（从备份恢复）", ACCESS)
                continue
            if not (stat.S_ISREG(lst.st_mode) or stat.S_ISDIR(lst.st_mode)):
                up.add(rel, "不是普通文件或目录", "核实后删除", ACCESS)
                continue
            if lst.st_uid != owner:
                up.add(rel, f"属于账号 {_owner_name(lst.st_uid)}，而数据目录属于 {_owner_name(owner)}",
                       f"chown {_owner_name(owner)} {path}", ACCESS)
            allowed = DIR_MODE if stat.S_ISDIR(lst.st_mode) else FILE_MODE
            if stat.S_IMODE(lst.st_mode) & ~allowed:
                up.add(rel, f"权限过宽（{stat.S_IMODE(lst.st_mode):o}）", f"chmod {allowed:o} {path}", ACCESS)


def _read(up: Checkup, rel: str, want: type | tuple, recorded: dict | None = None):
    path = up.root / rel
    try:
        raw = path.read_bytes()
    except OSError as e:
        up.add(rel, f"无法读取（{e.strerror}）", RESTORE, DAMAGED)
        return None
    try:
        data = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError as e:
        cut = "，可能被截断" if e.pos >= len(raw) - 1 else ""
        up.add(rel, f"已损坏：不是有效的 JSON（第 {e.pos} 字节处出错{cut}）", RESTORE, DAMAGED)
        return None
    if not isinstance(data, want):
        up.add(rel, "已损坏：文件为空或内容不是应有的结构", RESTORE, DAMAGED)
        return None
    return data


def _parse_all(up: Checkup) -> dict[str, object]:
    parsed: dict[str, object] = {}
    for rel in data_files(up.root):
        if rel.endswith(".rows.json"):
            data = _read(up, rel, (list, dict))
            try:  # either format of the rows file (domain/rowset.py), as row lists
                parsed[rel] = None if data is None else RowSet.from_json(data).lists()
            except (ValueError, KeyError, TypeError, IndexError, AttributeError):
                up.add(rel, "已损坏：文件为空或内容不是应有的结构", RESTORE, DAMAGED)
                parsed[rel] = None
            continue
        parsed[rel] = _read(up, rel, dict)
    for name in sorted(os.listdir(up.root / "formats")) if (up.root / "formats").is_dir() else []:
        if name.endswith(".json"):
            _read(up, f"formats/{name}", dict)
    if (up.root / "audit.head").exists():
        _read(up, "audit.head", dict)
    return parsed


def _consistency(up: Checkup, parsed: dict[str, object]) -> None:
    """Roster rows and index buckets are derived from the shards: they must agree with them."""
    shards = [r for r in parsed if r.startswith("students/") and not r.endswith(".rows.json")]
    meta = parsed.get("meta.json")
    settings = next(iter((meta.get("settings") or {}).values()), {}) if isinstance(meta, dict) else {}
    n = index_buckets(settings if isinstance(settings, dict) else {})  # the index grows with the school
    want_index: dict[str, set[tuple[str, str]]] = {}
    for shard in shards:
        data = parsed.get(shard)
        if not isinstance(data, dict):
            continue
        docs = [d for d in (data.get("students") or {}).values() if isinstance(d, dict)]
        for d in docs:
            for key in index_keys(d):
                want_index.setdefault(index_bucket(key, n), set()).add((key, d.get("KSH", ""), shard))
        rows_rel = rows_of(shard)
        rows = parsed.get(rows_rel)
        if rows_rel not in parsed:
            up.add(rows_rel, f"不存在，而分片 {shard} 中有 {len(docs)} 名学生", RESTORE + "（与其分片同一份备份）", DERIVED)
            continue
        if not isinstance(rows, list):
            continue
        have = {r[0]: r for r in rows if isinstance(r, list) and r}
        bad = sum(1 for d in docs if [(have.get(d.get("KSH")) or [None] * len(ROW))[i] for i in _COMPARED.values()]
                  != [d.get(f, "") for f in _COMPARED])
        bad += len(set(have) - {d.get("KSH") for d in docs})
        if bad:
            up.add(rows_rel, f"与分片 {shard} 不一致：{bad} 名学生的名册行缺失、多余或过时",
                   RESTORE + "（与其分片同一份备份）", DERIVED)
    for shard in shards:
        if parsed.get(shard) is None:
            return  # a damaged shard: the index cannot be checked against it
    buckets = {r for r in parsed if r.startswith("index/")} | set(want_index)
    for rel in sorted(buckets):
        data = parsed.get(rel, {})
        if data is None:
            continue
        have = {(key, e[0], e[1]) for key, entries in (data.items() if isinstance(data, dict) else [])
                for e in (entries if isinstance(entries, list) else []) if isinstance(e, list) and len(e) == 2}
        want = want_index.get(rel, set())
        if have != want:
            up.add(rel, f"索引与分片不一致：{len(want - have)} 个条目缺失，{len(have - want)} 个条目多余或指错分片",
                   RESTORE + "（与分片同一份备份）", DERIVED)


def _trail(up: Checkup) -> None:
    root, audit = up.root, AuditLog(up.root)
    temps = recovery.temp_files(root)
    plan = recovery.examine(root, audit, temps)
    if plan.broken:
        up.stopped = plan.problem
    elif not plan.idle:
        what = "完成（换入已提交的文件）" if plan.roll else "撤销（删除未提交的临时文件）"
        up.notes.append(f"上次保存被中断，下次打开数据目录时会自动{what}："
                        + "、".join(str(p.relative_to(root)) for p in [*(t for t, _ in plan.roll), *plan.drop]))
    rep = up.trail = check_trail(audit)
    for p in rep.problems:
        up.add("audit.jsonl" if p.line else "audit.head", p.text, "见下方“处理办法”", TRAIL)
    if plan.broken and not rep.problems:
        up.add("audit.jsonl", plan.problem, "见下方“处理办法”", TRAIL)
    for ack in rep.acks:
        d = ack.line_data
        up.notes.append(f"第 {ack.line} 行：{d.get('at', '')} {d.get('clerk', '')} 确认了审计记录的 "
                        f"{len(ack.problems)} 处中断（{d.get('why', '')}）")
    problems, unrecorded = check_files(root, rep)
    for rel, what in problems:
        up.add(rel, what, f"{RESTORE}（备份须早于改动），或由学生工作处核实后确认", DATA)
    if unrecorded:
        up.notes.append(f"{len(unrecorded)} 个数据文件写于旧版本，审计记录中没有它们的摘要，下次保存后开始核对")
    for text in check_clerks(root, rep):
        up.add("clerks.json", text, "从备份恢复 clerks.json，或按审计记录中的登记改回，再运行 xueji doctor", CLERKS)
    if plan.broken:
        for tmp in temps:
            up.add(str(tmp.relative_to(root)), "临时文件：不属于任何可以自动恢复的保存",
                   "先按“处理办法”处理审计记录；恢复保存后会被自动删除", STRAY)


def procedure(up: Checkup) -> list[str]:
    """How the office resolves what doctor found (printed after the findings)."""
    kinds = {f.kind for f in up.findings}
    out = []
    if kinds & {ACCESS}:
        out.append("属主与权限：按上面各条的命令改正（以服务账号或 root 执行）。")
    if kinds & {DAMAGED, DERIVED, CLERKS}:
        out.append("损坏或不一致的文件：从最近的备份恢复上面列出的文件（分片与其名册行、索引须来自同一份备份）。")
    if kinds & ACKNOWLEDGEABLE:
        out += [
            "审计记录或数据文件与审计记录不符（学生工作处处理）：",
            "  1. 不要删除或手工修改 audit.jsonl；先把整个数据目录复制一份留作证据。",
            "  2. 有改动之前的备份时：从备份恢复数据目录，再运行 xueji doctor 和"
            " xueji audit --verify --anchor 最近保存的锚点，确认完好。",
            "  3. 无法恢复、且已核实现在的数据可以接受时：由学生工作处经办人执行",
            "     xueji doctor --acknowledge --reason \"发现了什么、核实了什么\"",
            "     它在审计记录末尾追加一行确认（原有记录一行不改），此后恢复保存；"
            "audit --verify 会一直列出这次确认。随后请重新保存锚点：xueji audit anchor。",
        ]
    if up.stopped:
        out.insert(0, f"目前已停止一切保存（查询照常）：{up.stopped}")
    return out
