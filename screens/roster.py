"""1 名册: every student in the clerk's scope, filtered as they type, on a virtual table."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input, Static

from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import XuejiError
from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.idcard import mask
from xueji_tui.domain.record import ROW
from xueji_tui.roster import KshView, RosterModel, Walk
from xueji_tui.screens.base import XuejiScreen
from xueji_tui.screens.fields import TextField
from xueji_tui.screens.table import Column, VirtualTable, column_width

DEBOUNCE_SECONDS = 0.03
N_ART6 = len(ART6_FIELDS)


def _cell(field: str):
    i = ROW[field]
    return lambda r: r[i] or ""


def _check(r: list) -> str:
    flag = " !" if r[ROW["problems"]] or r[ROW["wrong"]] else ""
    return f"{r[ROW['verified']]}/{N_ART6}{flag}"


def _check_style(r: list) -> str:
    return "vtable--problem" if r[ROW["problems"]] or r[ROW["wrong"]] else ""


def _row_style(r: list) -> str:
    return "vtable--ended" if codes().is_ended(r[ROW["status"]]) else ""


NARROW_FIRST = ("XH", "XM", "status", "verified")  # what a clerk needs to see at 80 columns


def roster_columns(model: RosterModel, width: int = 0) -> list[Column]:
    """The roster's columns, sized from a sample of rows and the distinct values of short lists.

    When they do not all fit in ``width`` cells, 学号, 姓名, 学籍状态 and 核对 come first (before 考生号):
    the rest is reached by scrolling sideways."""
    rows = model.rows
    sample = rows[:: max(1, len(rows) // 500)] if rows else []

    def sampled(field: str, cap: int) -> int:
        return column_width("", (r[ROW[field]] for r in sample), cap)

    def distinct(field: str, title: str, cap: int) -> int:
        return column_width(title, model.values(field), cap)

    columns = [
        Column("学号", "XH", max(4, sampled("XH", 16)), _cell("XH")),
        Column("考生号", "KSH", max(6, sampled("KSH", 18)), _cell("KSH")),
        Column("姓名", "XM", max(4, sampled("XM", 10)), _cell("XM")),
        Column("性别", "XB", 4, _cell("XB")),
        Column("学院", "FY", distinct("FY", "学院", 14), _cell("FY")),
        Column("专业", "ZYMC", distinct("ZYMC", "专业", 14), _cell("ZYMC")),
        Column("班级", "BH", distinct("BH", "班级", 14), _cell("BH")),
        Column("年级", "DQSZJ", 4, _cell("DQSZJ")),
        Column("学籍状态", "status", distinct("status", "学籍状态", 12), _cell("status")),
        Column("核对", "verified", 7, _check, right=True, cell_style=_check_style),
        Column("身份证号", "SFZH", 18, lambda r: mask(r[ROW["SFZH"]] or "")),
    ]
    if width and sum(c.width + 1 for c in columns) > width:
        first = [c for f in NARROW_FIRST for c in columns if c.field == f]
        columns = first + [c for c in columns if c not in first]
    return columns


class FilterInput(TextField):
    HELP_GROUP = "筛选栏"
    BINDINGS = [  # shown in the footer while the clerk types here (the list's keys are not on)
        Binding("enter", "submit", "打开"),
        Binding("down", "to_table", "到表格"),
    ]

    def action_to_table(self) -> None:
        self.screen.go_home()


class RosterTable(VirtualTable):
    HELP_GROUP = "表格"


class RosterScreen(XuejiScreen):
    HELP_TITLE = "1 名册"
    BINDINGS = [
        Binding("f", "facets", "条件"),
        Binding("left_square_bracket", "sort(0)", "升序"),
        Binding("right_square_bracket", "sort(1)", "降序"),
        Binding("escape", "clear", "清除筛选", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._debounce: Timer | None = None
        self._pending = False
        self._cursor_ksh = ""
        self._shown = False

    @property
    def model(self) -> RosterModel:
        return self.app.feed.model

    def body(self) -> ComposeResult:
        yield FilterInput(placeholder="按 / 筛选：学号、考生号、身份证号（前几位）、姓名或拼音首字母（zs → 张三）",
                          id="filter", compact=True)
        yield RosterTable([], style_of=_row_style, marker=self._marker, id="roster")
        yield Static("正在载入名册…", id="count")

    def on_mount(self) -> None:
        super().on_mount()
        self.go_home()
        if self.app.feed.loaded:
            self.data_changed()

    def home(self):
        return self.query_one(RosterTable)

    # -- data ------------------------------------------------------------------------------
    def data_changed(self) -> None:
        if not self.app.feed.loaded:
            return
        table = self.query_one(RosterTable)
        model = self.model
        if not self._shown:
            table.set_columns(roster_columns(model, self.app.size.width - 1))
            self._shown = True
        keep = model.position(self._cursor_ksh, table.cursor_row) if self._cursor_ksh else None
        table.set_source(model, keep=keep if keep is not None else table.cursor_row)
        self._remember()
        self._status()

    def _remember(self) -> None:
        table = self.query_one(RosterTable)
        self._cursor_ksh = self.model.row(table.cursor_row)[ROW["KSH"]] if len(self.model) else ""

    def on_virtual_table_moved(self, event: VirtualTable.Moved) -> None:
        self._remember()

    def _status(self) -> None:
        model = self.model
        field = {c.field: c.title for c in self.query_one(RosterTable).columns}.get(model.sort_field, "")
        arrow = "↓" if model.descending else "↑"
        if model.total and not len(model):  # what to do instead of the order of nothing: fits 80 columns
            text = f"{model.describe()} · 没有符合条件的学生（Esc 清除筛选）"
        else:
            text = f"{model.describe()} · 排序：{field}{arrow}"
        self.query_one("#count", Static).update(text)

    def _marker(self, col: int) -> str:
        table = self.query_one(RosterTable)
        if table.columns and table.columns[col].field == self.model.sort_field:
            return "↓" if self.model.descending else "↑"
        return ""

    # -- filtering -------------------------------------------------------------------------
    def action_focus_filter(self) -> None:
        self.set_focus(self.query_one(FilterInput))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "filter":
            return
        # the first key filters at once; keys that follow within DEBOUNCE_SECONDS (a paste, a fast
        # typist) are taken together when it ends
        if self._debounce is None:
            self._apply_filter()
            self._debounce = self.set_timer(DEBOUNCE_SECONDS, self._settle)
        else:
            self._pending = True

    def _settle(self) -> None:
        self._debounce = None
        if self._pending:
            self._pending = False
            self._apply_filter()
            self._debounce = self.set_timer(DEBOUNCE_SECONDS, self._settle)

    def _stop_debounce(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        self._pending = False

    def _apply_filter(self) -> None:
        value = self.query_one(FilterInput).value
        if not self.app.feed.loaded or value == self.model.query:
            return
        self.model.set_query(value)
        self.query_one(RosterTable).set_source(self.model, keep=0)
        self._remember()
        self._status()

    def field_entered(self, field) -> None:
        """Enter in the filter: one match opens (the list keeps the keys after the page closes)."""
        self._stop_debounce()
        self._apply_filter()
        query = field.value.strip()
        model = self.model
        exact = model.exact(query)
        self.go_home()
        if len(model) == 1 or len(exact) == 1:
            pos = 0 if len(model) == 1 else model.position(exact[0][ROW["KSH"]])
            self._open(pos or 0)
        elif not len(model) and query:
            self._explain_nothing(query)

    def leave_field(self, field) -> None:
        self.action_clear()

    def _explain_nothing(self, query: str) -> None:
        """Nothing in scope: say why (outside the clerk's college, or no such student)."""
        from xueji_tui.services import find

        try:
            find.lookup(self.session, query)
        except XuejiError as e:
            self.fail(e)  # titled by what happened: not found, or not in this clerk's scope
        else:
            self.notify(f"“{query}”不符合当前的筛选条件（f）", severity="warning")

    def action_clear(self) -> None:
        filt = self.query_one(FilterInput)
        if not filt.value and self.model.facets.describe() == []:
            self.go_home()
            return
        filt.value = ""
        self._stop_debounce()
        self.model.clear()
        table = self.query_one(RosterTable)
        keep = self.model.position(self._cursor_ksh) if self._cursor_ksh else 0
        table.set_source(self.model, keep=keep or 0)
        self.go_home()
        self._status()

    def action_facets(self) -> None:
        if not self.app.feed.loaded:
            return
        from xueji_tui.screens.forms import FacetsModal

        def chosen(facets) -> None:
            if facets is None:
                return
            self.model.set_facets(facets)
            self.query_one(RosterTable).set_source(self.model, keep=0)
            self._remember()
            self._status()

        self.app.push_screen(FacetsModal(self.model, self.model.facets, self.session), chosen)

    def action_sort(self, descending: int) -> None:
        if not self.app.feed.loaded:
            return
        table = self.query_one(RosterTable)
        self.model.sort(table.current_field, bool(descending))
        keep = self.model.position(self._cursor_ksh) if self._cursor_ksh else 0
        table.set_source(self.model, keep=keep or 0)
        self._status()

    # -- opening ---------------------------------------------------------------------------
    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        self._open(event.pos)

    def _open(self, pos: int) -> None:
        model = self.model
        if not 0 <= pos < len(model):
            return
        self.query_one(RosterTable).move_to(pos)
        ksh = model.row(pos)[ROW["KSH"]]
        self.app.open_student(ksh, walk=Walk(KshView(model.rows, model.view), pos))
