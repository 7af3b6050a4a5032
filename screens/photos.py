"""3 照片: the photo checklist of a graduation year (Art. 28) — counts per step and per college, the
students still missing each step, and the chase list export. The college table filters the lists:
its first row is the whole scope, each other row one college.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from xueji_tui.screens.base import XuejiScreen
from xueji_tui.screens.export_form import ExportModal
from xueji_tui.screens.precheck import Rows, choose_scope
from xueji_tui.screens.table import Column, VirtualTable
from xueji_tui.services import graduation, photos, settings

# what a student may still lack, in the order of the steps (Art. 28): 采集 → 链接 → 校对
LACKS = ("missing", "unlinked", "unchecked", "disputed", "early")
LACK_TITLES = {"missing": "未采集", "unlinked": "未链接", "unchecked": "未校对", "disputed": "有异议",
               "early": "不足40天校对"}
ALL = ""  # the college table's first row: the whole scope


def _n(key: str):
    return lambda r: f"{r[1].get(key, 0):,}"


def _problem(r) -> str:
    c = r[1]
    return "vtable--problem" if c.get("missing") or c.get("unlinked") or c.get("disputed") else ""


COLLEGE_COLUMNS = [
    Column("学院", "FY", 14, lambda r: r[0] or "合计"),
    Column("人数", "total", 5, _n("total"), right=True),
    Column("已采集", "taken", 6, _n("taken"), right=True),
    Column("已链接", "linked", 6, _n("linked"), right=True),
    Column("已校对", "checked", 6, _n("checked"), right=True),
    Column("有异议", "disputed", 6, _n("disputed"), right=True, cell_style=lambda r: "vtable--problem" if r[1].get("disputed") else ""),
    Column("未采集", "missing", 6, _n("missing"), right=True, cell_style=lambda r: "vtable--problem" if r[1].get("missing") else ""),
    Column("未链接", "unlinked", 6, _n("unlinked"), right=True),
    Column("未校对", "unchecked", 6, _n("unchecked"), right=True),
    Column("<40天", "early", 5, _n("early"), right=True),
]
LACK_COLUMNS = [
    Column("缺少", "what", 12, lambda r: LACK_TITLES[r[0]]),
    Column("人数", "n", 5, lambda r: f"{r[1]:,}", right=True),
]


def _photo(s: dict, key: str) -> str:
    p = s.get("photo") or {}
    v = p.get(key)
    if isinstance(v, bool):
        return "是" if v else "否"
    return v or ""


STUDENT_COLUMNS = [
    Column("学号", "XH", 12, lambda s: s.get("XH", "")),
    Column("姓名", "XM", 8, lambda s: s.get("XM", "")),
    Column("班级", "BH", 12, lambda s: s.get("BH", "")),
    Column("采集", "taken", 4, lambda s: _photo(s, "taken")),
    Column("采集日期", "taken_on", 8, lambda s: _photo(s, "taken_on")),
    Column("链接", "linked", 4, lambda s: _photo(s, "linked")),
    Column("校对", "check", 6, lambda s: _photo(s, "check") or "未校对"),
    Column("校对日期", "checked_on", 8, lambda s: _photo(s, "checked_on")),
    Column("学院", "FY", 12, lambda s: s.get("FY", "")),
]


class CollegeTable(VirtualTable):
    HELP_GROUP = "学院统计"


class LackTable(VirtualTable):
    HELP_GROUP = "缺少的环节"


class StudentTable(VirtualTable):
    HELP_GROUP = "学生"


class PhotosScreen(XuejiScreen):
    HELP_TITLE = "3 照片"
    CSS_PATH = "photos.tcss"
    BINDINGS = [
        Binding("y", "scope", "年份/学院"),
        Binding("x", "export", "导出催办名单"),
        Binding("r", "reload", "刷新"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.year: int | None = None
        self.college: str | None = None
        self.checklist = None
        self.college_rows: list[tuple] = []
        self.lack = LACKS[0]
        self.shown_college = ALL

    def body(self) -> ComposeResult:
        yield Static("", id="ph-head")
        yield CollegeTable(COLLEGE_COLUMNS, id="ph-colleges")
        with Horizontal(id="ph-main"):
            yield LackTable(LACK_COLUMNS, id="ph-lacks")
            yield StudentTable(STUDENT_COLUMNS, fixed=2, id="ph-students")
        yield Static("", id="ph-msg")

    def on_mount(self) -> None:
        super().on_mount()
        self.year = graduation.default_year(self.app.today())
        self.college = None if self.session.office else self.session.clerk.college
        self.go_home()
        self.load()

    def home(self):
        return self.query_one(CollegeTable)

    # -- loading ---------------------------------------------------------------------------
    def load(self) -> None:
        self.query_one("#ph-head", Static).update(f"{self.year} 届毕业生照片 · 正在统计…")
        year, college = self.year, self.college
        self.run_job(lambda: photos.photo_checklist(self.session, year, college), self._show, group="photos")

    def _show(self, checklist) -> None:
        self.checklist = checklist
        total = {"total": checklist.total, **checklist.counts}
        self.college_rows = [(ALL, total)] + list(checklist.by_college.items())
        keep = next((i for i, r in enumerate(self.college_rows) if r[0] == self.shown_college), 0)
        self.query_one(CollegeTable).set_source(Rows(self.college_rows), keep=keep)
        self._pick_college(keep)
        where = self.college or "全校"
        c = checklist.counts
        self.query_one("#ph-head", Static).update(
            f"{checklist.year} 届毕业生照片（第二十八条）· {where} · 共 {checklist.total:,} 人："
            f"已采集 {c['taken']:,} · 已链接 {c['linked']:,} · 已校对 {c['checked']:,} · "
            f"有异议 {c['disputed']:,} · 未采集 {c['missing']:,}")

    def _pick_college(self, pos: int) -> None:
        if not self.college_rows:
            return
        self.shown_college, counts = self.college_rows[pos]
        rows = [(what, counts.get(what, 0)) for what in LACKS]
        lacks = self.query_one(LackTable)
        lacks.set_source(Rows(rows), keep=LACKS.index(self.lack))
        self._list()

    def _list(self) -> None:
        if self.checklist is None:
            return
        students = [s for s in self.checklist.lacking(self.lack)
                    if not self.shown_college or (s.get("FY") or "") == self.shown_college]
        self.query_one(StudentTable).set_source(Rows(students), keep=0)
        where = self.shown_college or (self.college or "全校")
        self.query_one("#ph-msg", Static).update(
            f"{where} · {LACK_TITLES[self.lack]} {len(students):,} 人"
            + ("（Enter 打开学生）" if students else ""))

    # -- events ----------------------------------------------------------------------------
    def on_virtual_table_moved(self, event: VirtualTable.Moved) -> None:
        if event.table.id == "ph-colleges":
            self._pick_college(event.pos)
        elif event.table.id == "ph-lacks":
            self.lack = LACKS[event.pos]
            self._list()

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        if event.table.id == "ph-colleges":
            self._pick_college(event.pos)
            self.query_one(LackTable).focus()
        elif event.table.id == "ph-lacks":
            self.lack = LACKS[event.pos]
            self._list()
            self.query_one(StudentTable).focus()
        else:
            s = event.table.source.row(event.pos)
            self.app.open_student(s["KSH"], field="ZP")

    def data_changed(self) -> None:
        if self.checklist is not None:
            self.load()

    # -- actions ---------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load()

    def action_scope(self) -> None:
        def rescoped() -> None:
            self.shown_college = ALL
            self.load()

        choose_scope(self, rescoped)

    def action_export(self) -> None:
        year = self.year
        college = self.shown_college or self.college

        def save(path: Path, force: bool) -> str:
            settings.refuse_overwrite(path, force)
            n = photos.export_chase_list(self.session, path, year, college)
            return f"催办名单已写入 {path}（{n} 人）"

        def done(message) -> None:
            if message:
                self.notify(message, timeout=6)

        name = f"照片催办-{year}{'-' + college if college else ''}.xlsx"
        self.app.push_screen(ExportModal("导出照片催办名单（Excel）", name, save), done)
