"""2 核对: students with unverified or wrong Art. 6 fields, college by college, class by class."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from xueji_tui.domain.record import ROW
from xueji_tui.roster import N_FIELDS, Walk, verification_progress, verification_queue
from xueji_tui.screens.base import XuejiScreen
from xueji_tui.screens.table import Column, Rows, VirtualTable


def _cell(field: str):
    i = ROW[field]
    return lambda r: r[i] or ""


def _wrong(r: list) -> str:
    return f"{r[ROW['wrong']]} 项" if r[ROW["wrong"]] else ""


def _wrong_style(r: list) -> str:
    return "vtable--problem" if r[ROW["wrong"]] else ""


QUEUE_COLUMNS = [
    Column("班级", "BH", 14, _cell("BH")),
    Column("学号", "XH", 13, _cell("XH")),
    Column("姓名", "XM", 8, _cell("XM")),
    Column("已核", "verified", 5, lambda r: f"{r[ROW['verified']]}/{N_FIELDS}", right=True),
    Column("有误", "wrong", 5, _wrong, cell_style=_wrong_style),
    Column("学籍状态", "status", 10, _cell("status")),
    Column("学院", "FY", 16, _cell("FY")),
]


def pct(done: int, total: int) -> str:
    return f"{done * 100 // total}%" if total else "—"


class QueueTable(VirtualTable):
    HELP_GROUP = "待核学生"


class ClassTable(VirtualTable):
    """Colleges and their classes with open students, and their progress; Enter jumps there."""

    HELP_GROUP = "班级"
    BINDINGS = [Binding("enter", "select", "到该班", show=False)]



def _group_style(r: list) -> str:
    return "vtable--header" if r[0] == "college" else ""


CLASS_COLUMNS = [
    Column("学院 / 班级", "", 17, lambda r: r[1]),
    Column("已核/人数", "", 9, lambda r: r[2], right=True),
]


class QueueScreen(XuejiScreen):
    HELP_TITLE = "2 核对"
    BINDINGS = [
        Binding("c", "classes", "选班级"),
        Binding("escape", "to_table", "返回列表", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[list] = []
        self.groups: list[list] = []  # [kind, label, progress, first queue position]
        self._cursor_ksh = ""
        self._built_from = None

    def body(self) -> ComposeResult:
        yield Static("正在载入…", id="queue-head")
        with Horizontal():
            yield ClassTable(CLASS_COLUMNS, id="classes", fixed=0, style_of=_group_style)
            yield QueueTable(QUEUE_COLUMNS, id="queue", fixed=1)
        yield Static("Enter 打开（停在第一个待核项）· 学生页：空格/y 无误 n 有误 J/K 下一个/上一个", id="count")

    def on_mount(self) -> None:
        super().on_mount()
        self.go_home()
        self.data_changed()

    def home(self):
        return self.query_one(QueueTable)

    def data_changed(self) -> None:
        feed = self.app.feed
        if not feed.loaded or feed.model.rows is self._built_from:
            return
        rows = self._built_from = feed.model.rows
        self.queue = verification_queue(rows)
        colleges, classes = verification_progress(rows)
        done = sum(c[0] for c in colleges.values())
        total = sum(c[1] for c in colleges.values())
        scope = self.session.clerk.college or "全校"
        self.query_one("#queue-head", Static).update(
            f"{scope}：已核对完 {done:,} / {total:,} 名（{pct(done, total)}）· 待核 {len(self.queue):,} 名")
        self._fill_groups(colleges, classes)
        table = self.query_one(QueueTable)
        pos = table.cursor_row
        if self._cursor_ksh:
            found = self.queue.position(self._cursor_ksh)
            pos = pos if found is None else found
        table.set_source(Rows(self.queue), keep=pos)
        self._remember()

    def _fill_groups(self, colleges, classes) -> None:
        groups = []
        last_fy = last_bh = None
        for pos, (fy, bh) in enumerate(zip(self.queue.column("FY"), self.queue.column("BH"))):
            if fy != last_fy:
                d, t = colleges.get(fy, [0, 0])
                groups.append(["college", fy, f"{d}/{t}", pos])
                last_fy, last_bh = fy, None
            if bh != last_bh:
                d, t = classes.get((fy, bh), [0, 0])
                groups.append(["class", f"  {bh}", f"{d}/{t}", pos])
                last_bh = bh
        if not groups:
            groups.append(["college", "全部核对完毕", "", 0])
        self.groups = groups
        self.query_one(ClassTable).set_source(Rows(groups))

    def _remember(self) -> None:
        table = self.query_one(QueueTable)
        self._cursor_ksh = self.queue[table.cursor_row][ROW["KSH"]] if self.queue else ""

    def on_virtual_table_moved(self, event: VirtualTable.Moved) -> None:
        if event.table is self.query_one(QueueTable):
            self._remember()

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        if isinstance(event.table, ClassTable):
            if not self.queue:
                return
            pos = self.groups[event.pos][3]
            table = self.query_one(QueueTable)
            table.focus()
            table.move_to(pos)
            table.scroll_to(y=pos, animate=False, force=True)  # the class from its first row
            return
        if not self.queue:
            return
        pos = event.pos
        ksh = self.queue[pos][ROW["KSH"]]
        kshs = self.queue.column("KSH")  # a snapshot: finished students stay in the walk
        self.app.open_student(ksh, walk=Walk(kshs, pos), field="first")

    def action_classes(self) -> None:
        self.query_one(ClassTable).focus()

    def action_to_table(self) -> None:
        self.go_home()
