"""新生编班 (opened from 5 文件 with b): the placement of a year's freshmen as a table before anything is
written — 学号, name, 考生号, college, major, class — then one save after a question.

The plan and the save are the same service functions `xueji assign` calls (services/placement.py).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Label, Static

from xueji_tui.domain.errors import XuejiError
from xueji_tui.domain.validate import year_value
from xueji_tui.screens.base import XuejiScreen
from xueji_tui.screens.fields import TextField
from xueji_tui.screens.words import for_screen
from xueji_tui.screens.wrap import Wrapped
from xueji_tui.services import placement


class AssignScreen(XuejiScreen):
    HELP_TITLE = "新生编班"
    BINDINGS = [
        Binding("ctrl+r", "preview", "预览编班", id="assign.preview"),
        Binding("ctrl+y", "apply", "写入学号和班级", id="assign.apply"),
        Binding("escape", "app.back", "返回", show=False),
    ]
    DEFAULT_CSS = """
    AssignScreen #assign-table { height: 1fr; }
    AssignScreen #assign-text { height: auto; max-height: 8; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.plan = None

    def body(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("入学年份")
            yield TextField(str(self._school_year()), id="assign-year", compact=True, restrict=r"\d{0,4}")
        yield Static("", id="assign-text", markup=False)
        yield DataTable(id="assign-table", cursor_type="row", zebra_stripes=True)

    def _school_year(self) -> int:
        today = self.app.today()
        return today.year if today.month >= 9 else today.year - 1

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(DataTable).add_columns(*placement.PREVIEW_HEADERS)
        self.go_home()
        self.action_preview()

    def home(self):
        return self.query_one(DataTable)

    def field_entered(self, field) -> None:
        self.action_preview()

    def _say(self, text) -> None:
        self.query_one("#assign-text", Static).update(Wrapped(text))

    def action_preview(self) -> None:
        raw = self.query_one("#assign-year", TextField).value.strip()
        try:
            year = year_value(raw, "入学年份")
        except XuejiError as e:
            self._failed(e)
            return
        self.plan = None
        self._say(f"正在编排 {year} 级新生 …")
        self.run_job(lambda: placement.plan_assign(self.session, year), self._planned, group="assign",
                     failed=self._failed)

    def _planned(self, plan) -> None:
        self.plan = plan
        table = self.query_one(DataTable)
        table.clear()
        for row in placement.preview_rows(plan):
            table.add_row(*row)
        lines = placement.summary(plan)
        lines += [f"未分配 {k} {xm}：{why}" for k, xm, why in plan.problems[:20]]
        if len(plan.problems) > 20:
            lines.append(f"…另有 {len(plan.problems) - 20} 人未能分配")
        lines.append("按 ctrl+y 写入（一次保存，写入前先确认）" if plan.placed else "没有需要写入的内容。")
        self._say(Text(for_screen("\n".join(lines))))

    def _failed(self, error: XuejiError) -> None:
        self._say(Text(for_screen(error.message), style="bold red"))
        self.fail(error)

    def action_apply(self) -> None:
        plan = self.plan
        if plan is None or not plan.placed:
            self.notify("请先预览（ctrl+r）：写入前必须先看到编班结果", severity="warning")
            return
        from xueji_tui.screens.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self._say(f"正在写入 {len(plan.placed)} 名新生的学号和班级 …")
                self.run_job(lambda: placement.apply_assign(self.session, plan), self._applied, group="assign",
                             failed=self._failed)

        self.app.push_screen(ConfirmModal("写入以上编班和学号？", placement.summary(plan)
                                          + ["写入后学号不再由编班改变。"], yes="写入"), answered)

    def _applied(self, plan) -> None:
        self.plan = None
        self._say(Text(f"已写入：{len(plan.placed)} 名新生的学号、学院、班号", style="bold green"))
        self.app.data_saved()
