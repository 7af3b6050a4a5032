"""5 文件: import CHSI downloads and college workbooks (summary first), build upload files and reports.

The screen only collects the kind, the path and the options; reading, comparing, applying and writing
are the same service functions `xueji import` and `xueji export` call.
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static, TabbedContent, TabPane, Tabs

from xueji_tui.domain.errors import InvalidInput, OutputExists, XuejiError
from xueji_tui.domain.validate import year_value
from xueji_tui.screens.base import XuejiScreen
from xueji_tui.screens.fields import TextField
from xueji_tui.screens.messages import EXPORT, PREVIEW
from xueji_tui.screens.words import for_screen
from xueji_tui.screens.wrap import Wrapped
from xueji_tui.services import settings
from xueji_tui.services.exports import default_format, default_name, with_format

IMPORT_KINDS = [("在校生学籍数据", "students"), ("录取新生数据", "freshmen"), ("预计毕业生名单", "graduates"),
                ("照片采集状态", "photos"), ("学院核对表", "workbook"), ("编班文件", "placement"),
                ("暂缓注册名单", "deferrals")]
EXPORT_KINDS = [("学籍注册结果", "registration"), ("学籍异动", "changes"), ("学籍注销", "cancellations"),
                ("入学资格", "admission"), ("学籍信息修改", "corrections"), ("学历注册", "graduates"),
                ("学院核对表", "workbook"), ("注册统计表", "stats"), ("预审报告", "precheck"),
                ("新生注册汇总", "intake"), ("奖惩", "awards")]
FORMATS = [("DBF 上报文件", "dbf"), ("Excel 表格（xlsx）", "xlsx")]
READABLE = (".dbf", ".xlsx", ".xls", ".csv")
COLLEGE_EXPORTS = ("workbook", "stats", "precheck", "intake")


class PathSuggester(Suggester):
    """Completes a path from the file system: directories and the files xueji can read."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        typed = os.path.expanduser(value)
        folder, stem = os.path.split(typed)
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            return None
        for name in names:
            if not name.startswith(stem) or name.startswith(".") and not stem.startswith("."):
                continue
            full = os.path.join(folder, name)
            if os.path.isdir(full):
                return value + name[len(stem):] + "/"
            if name.lower().endswith(READABLE):
                return value + name[len(stem):]
        return None


class FilesScreen(XuejiScreen):
    HELP_TITLE = "5 文件"
    # ctrl+a / ctrl+e move the cursor inside an Input, so the actions take keys inputs leave alone
    BINDINGS = [
        Binding("i", "tab('tab-import')", "导入", id="files.import-tab"),
        Binding("o", "tab('tab-export')", "导出", id="files.export-tab"),
        Binding("ctrl+r", "preview", "预览导入", id="files.preview"),
        Binding("ctrl+y", "apply", "应用导入", id="files.apply"),
        Binding("ctrl+o", "export", "写出文件", id="files.export"),
        Binding("b", "assign", "新生编班（预览后写入学号）", id="files.assign", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan = None

    def body(self) -> ComposeResult:
        office = self.session.office
        kinds = IMPORT_KINDS if office else [k for k in IMPORT_KINDS if k[1] == "workbook"]
        exports = EXPORT_KINDS if office else [k for k in EXPORT_KINDS if k[1] in COLLEGE_EXPORTS]
        with TabbedContent(id="files-tabs"):
            with TabPane("导入（i）", id="tab-import"):
                with Horizontal(classes="form-row"):
                    yield Label("类型")
                    yield Select(kinds, value=kinds[0][1], allow_blank=False, id="import-kind", compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("文件")
                    yield TextField(placeholder="路径（→ 补全），.dbf .xlsx .xls .csv；回车预览", id="import-path",
                                    suggester=PathSuggester(), compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("届别")
                    yield TextField(placeholder="预计毕业生名单的年份（可空：取毕业日期）", id="import-year",
                                    compact=True, restrict=r"\d{0,4}")
                if self.session.office:  # Art. 20: only the office takes CHSI's 身份信息, knowingly
                    yield Checkbox("按学信网更正身份信息（在籍学生的姓名、性别、出生日期、身份证号、民族）",
                                   id="import-identity", compact=True)
                with Horizontal(classes="files-buttons"):
                    yield Button("预览 ^r", id="do-preview", compact=True)
                    yield Button("应用 ^y", id="do-apply", compact=True, disabled=True)
                yield ProgressBar(total=None, show_eta=False, id="import-busy")
                with VerticalScroll(id="import-summary"):
                    yield Static(Wrapped("选择类型和文件，回车预览：先看新增、变更、冲突、拒收，确认后再应用。"),
                                 id="import-text")
            with TabPane("导出（o）", id="tab-export"):
                with Horizontal(classes="form-row"):
                    yield Label("类型")
                    yield Select(exports, value=exports[0][1], allow_blank=False, id="export-kind", compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("格式")
                    yield Select(FORMATS, value="dbf", allow_blank=False, id="export-format", compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("年份")
                    yield TextField(placeholder="可空", id="export-year", compact=True, restrict=r"\d{0,4}")
                with Horizontal(classes="form-row"):
                    yield Label("学院")
                    yield TextField(value="" if office else self.session.clerk.college, disabled=not office,
                                    placeholder="可空：全校", id="export-college", compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("输出目录")
                    yield TextField(str(settings.output_folder(self.session)), id="export-dir",
                                    suggester=PathSuggester(), compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("文件名")
                    yield TextField(placeholder="可空：按类型和日期取名", id="export-name", compact=True)
                yield Checkbox("只导出通过预审的毕业生（学历注册）", id="export-skip", compact=True)
                yield Static("", id="export-path", markup=False)
                with Horizontal(classes="files-buttons"):
                    yield Button("写出 ^o", id="do-export", compact=True)
                yield ProgressBar(total=None, show_eta=False, id="export-busy")
                with VerticalScroll(id="export-result"):
                    yield Static(Wrapped("上报文件写出前先校验每个值的宽度和 GBK 编码；写出是原子的，不会留下半个文件；"
                                         "已有同名文件时先问是否覆盖。"), id="export-text")

    def on_mount(self) -> None:
        super().on_mount()
        for bar in self.query(ProgressBar):
            bar.display = False
        self.go_home()
        self._show_path()

    def home(self):
        return self.query_one("#files-tabs").query_one(Tabs)

    # -- tabs and keys -----------------------------------------------------------------------
    @property
    def tab(self) -> str:
        return self.query_one("#files-tabs", TabbedContent).active

    def action_tab(self, tab: str) -> None:
        self.query_one("#files-tabs", TabbedContent).active = tab
        self.go_home()

    def _to_tab(self, tab: str, focus: str, hint: str) -> None:
        """A key of the other tab: show that tab's form first (never act from the wrong tab)."""
        self.query_one("#files-tabs", TabbedContent).active = tab
        self.set_focus(self.query_one(focus))
        self.notify(hint, timeout=5)

    def field_entered(self, field) -> None:
        if field.id in ("import-path", "import-year"):
            self.action_preview()
        else:
            self.action_export()

    def action_assign(self) -> None:
        from xueji_tui.screens.assign import AssignScreen

        self.app.push_screen(AssignScreen())

    # -- import ----------------------------------------------------------------------------
    def _import_args(self) -> tuple[str, Path, str | None]:
        kind = self.query_one("#import-kind", Select).value
        raw = self.query_one("#import-path", Input).value.strip()
        year = self.query_one("#import-year", Input).value.strip()
        return str(kind), Path(os.path.expanduser(raw)), year or None

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"do-preview": self.action_preview, "do-apply": self.action_apply,
         "do-export": self.action_export}[event.button.id]()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "import-kind":
            self._forget_plan()
        elif event.select.id == "export-kind":
            self.query_one("#export-format", Select).value = default_format(str(event.value))
        self._show_path()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("import-path", "import-year"):
            self._forget_plan()
        else:
            self._show_path()

    def _forget_plan(self) -> None:
        self.plan = None
        self.query_one("#do-apply", Button).disabled = True

    def _busy(self, which: str, on: bool) -> None:
        self.query_one(f"#{which}-busy", ProgressBar).display = on

    def _say(self, which: str, text: Text | str) -> None:
        self.query_one(f"#{which}-text", Static).update(Wrapped(text))

    def action_preview(self) -> None:
        if self.tab != "tab-import":
            self._to_tab("tab-import", "#import-path", "先选类型和文件（导入页），再按 ctrl+r 预览")
            return
        kind, path, year = self._import_args()
        if not str(path) or str(path) == ".":
            self._say("import", Text("请先输入要导入的文件路径", style="bold red"))
            self.set_focus(self.query_one("#import-path"))
            return
        self._forget_plan()
        self._busy("import", True)
        self._say("import", f"正在读取并比对 {path} …")
        from xueji_tui.services.imports import plan_import, summary_lines

        boxes = self.query("#import-identity")
        accept = bool(boxes) and boxes.first(Checkbox).value

        def job():
            plan = plan_import(self.session, kind, path, year_value(year) if year else None, accept)
            return plan, summary_lines(plan, limit=200)

        self.run_job(job, lambda got: self._planned(*got), group="files-import", failed=self._import_failed)

    def _planned(self, plan, lines: list[str]) -> None:
        self._busy("import", False)
        self.plan = plan
        hint = ("\n\n按 ^y 应用（一次保存：全部成功或全部不写入）"
                if not plan.empty else "\n\n没有需要保存的内容。")
        self._say("import", Text("\n".join(lines) + hint))
        self.query_one("#do-apply", Button).disabled = plan.empty

    def _import_failed(self, error: XuejiError, title: str = PREVIEW) -> None:
        self._busy("import", False)
        self._say("import", Text(for_screen(error.message), style="bold red"))
        self.fail(error, title)

    def action_apply(self) -> None:
        if self.tab != "tab-import":
            self._to_tab("tab-import", "#import-path", "应用导入在导入页：先预览（ctrl+r），再按 ctrl+y 应用")
            return
        if self.plan is None or self.plan.empty:
            self.notify("请先预览（ctrl+r）：应用前必须先看到比对结果", severity="warning")
            return
        self._busy("import", True)
        self.query_one("#do-apply", Button).disabled = True
        from xueji_tui.services.imports import apply_import

        plan = self.plan
        self.run_job(lambda: apply_import(self.session, plan), self._applied, group="files-import",
                     failed=lambda e: self._import_failed(e, "未导入"))

    def _applied(self, counts: dict) -> None:
        self._busy("import", False)
        self.plan = None
        text = (f"已导入：新增 {counts.get('new', 0)} 人，变更 {counts.get('changed', 0)} 人，"
                f"冲突 {counts.get('conflicts', 0)} 处（保留本地值），拒收 {counts.get('rejected', 0)} 行。")
        if counts.get("verdicts"):
            text += f" 核对结论 {counts['verdicts']} 项。"
        if counts.get("rejects_file"):
            text += f"\n拒收的行已写入 {counts['rejects_file']}"
        self._say("import", Text(text, style="bold green"))
        self.app.data_saved()

    # -- export ----------------------------------------------------------------------------
    def _export_args(self) -> dict:
        year = self.query_one("#export-year", Input).value.strip()
        return dict(kind=str(self.query_one("#export-kind", Select).value),
                    fmt=str(self.query_one("#export-format", Select).value),
                    year=year_value(year) if len(year) == 4 else None,
                    college=self.query_one("#export-college", Input).value.strip() or None,
                    skip=self.query_one("#export-skip", Checkbox).value)

    def _target(self) -> Path:
        """The full path the export will write, as the clerk sees it before pressing ctrl+o."""
        a = self._export_args()
        name = self.query_one("#export-name", Input).value.strip()
        folder = self.query_one("#export-dir", Input).value.strip()
        if not name:
            name = str(default_name(a["kind"], a["fmt"], a["year"], a["college"]))
        return settings.output_path(self.session, with_format(Path(name), a["fmt"]), folder or None)

    def _show_path(self) -> None:
        try:
            text = f"写到 {self._target()}"
        except (XuejiError, OSError, ValueError):
            text = "写到 （请先填好年份）"
        self.query_one("#export-path", Static).update(Wrapped(text))

    def action_export(self) -> None:
        if self.tab != "tab-export":
            self._to_tab("tab-export", "#export-kind", "先选导出类型和输出位置（导出页），再按 ctrl+o 写出")
            return
        self._export(force=False)

    def _export(self, force: bool) -> None:
        a = self._export_args()
        year = self.query_one("#export-year", Input).value.strip()
        if year and len(year) != 4:
            self._export_failed(InvalidInput("年份应为 4 位数字，如 2025；不限年份请留空"))
            return
        folder = self.query_one("#export-dir", Input).value.strip()
        try:
            path = self._target()
        except (XuejiError, OSError) as e:
            from xueji_tui.domain.errors import explain

            self._export_failed(explain(e))
            return
        self._busy("export", True)
        self._say("export", f"正在写出 {path} …")
        from xueji_tui.services.exports import export

        session = self.session

        def job():
            if folder and Path(os.path.expanduser(folder)).resolve() != settings.output_folder(session):
                settings.set_output_folder(session, folder)  # the folder chosen is remembered
            return export(session, a["kind"], path, a["fmt"], a["year"], a["college"], a["skip"], force=force)

        self.run_job(job, self._exported, group="files-export", failed=lambda e: self._export_failed(e, path))

    def _exported(self, res) -> None:
        self._busy("export", False)
        text = Text(f"已写出 {res.rows} 行：", style="bold green")
        for p in res.paths:
            text.append(f"\n  {Path(p).resolve()}", style="bold")
        for n in res.notes:
            text.append(f"\n{for_screen(n)}")
        if res.excluded:
            text.append(f"\n未通过预审、未写入的 {len(res.excluded)} 人：", style="bold yellow")
            for x in res.excluded[:200]:
                text.append(f"\n  {x}")
        self._say("export", text)
        self._show_path()

    def _export_failed(self, error: XuejiError, path: Path | None = None) -> None:
        self._busy("export", False)
        if isinstance(error, OutputExists) and path is not None:
            from xueji_tui.screens.confirm import ConfirmModal

            def answered(yes: bool | None) -> None:
                if yes:
                    self._export(force=True)
                else:
                    self._say("export", "未覆盖：已有的文件保持不变；可改文件名后再按 ctrl+o")

            self._say("export", f"文件已存在：{error.path}")
            self.app.push_screen(ConfirmModal("覆盖已有的文件？", [str(error.path), "覆盖后原文件的内容不能恢复。"],
                                              yes="覆盖"), answered)
            return
        self._say("export", Text(for_screen(error.message), style="bold red"))
        self.fail(error, EXPORT)
