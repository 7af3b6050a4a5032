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
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static, TabbedContent, TabPane

from xueji_tui.domain.errors import XuejiError
from xueji_tui.domain.validate import year_value
from xueji_tui.screens.base import XuejiScreen

IMPORT_KINDS = [("在校生学籍数据 students", "students"), ("录取新生数据 freshmen", "freshmen"),
                ("预计毕业生名单 graduates", "graduates"), ("照片采集状态 photos", "photos"),
                ("学院核对表 workbook", "workbook")]
EXPORT_KINDS = [("学籍注册结果 registration", "registration"), ("学籍异动 changes", "changes"),
                ("学籍注销 cancellations", "cancellations"), ("入学资格 admission", "admission"),
                ("学籍信息修改 corrections", "corrections"), ("学历注册 graduates", "graduates"),
                ("学院核对表 workbook", "workbook"), ("注册统计表 stats", "stats"),
                ("预审报告 precheck", "precheck")]
READABLE = (".dbf", ".xlsx", ".xls", ".csv")
COLLEGE_EXPORTS = ("workbook", "stats", "precheck")


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
        Binding("ctrl+r", "preview", "预览导入", id="files.preview"),
        Binding("ctrl+y", "apply", "应用导入", id="files.apply"),
        Binding("ctrl+o", "export", "导出", id="files.export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan = None

    def body(self) -> ComposeResult:
        office = self.session.office
        kinds = IMPORT_KINDS if office else [k for k in IMPORT_KINDS if k[1] == "workbook"]
        exports = EXPORT_KINDS if office else [k for k in EXPORT_KINDS if k[1] in COLLEGE_EXPORTS]
        with TabbedContent(id="files-tabs"):
            with TabPane("导入 import", id="tab-import"):
                with Horizontal(classes="form-row"):
                    yield Label("类型")
                    yield Select(kinds, value=kinds[0][1], allow_blank=False, id="import-kind", compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("文件")
                    yield Input(placeholder="路径（→ 补全），.dbf .xlsx .xls .csv；回车预览", id="import-path",
                                suggester=PathSuggester(), compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("届别")
                    yield Input(placeholder="预计毕业生名单的年份（可空：取毕业日期）", id="import-year", compact=True,
                                restrict=r"\d{0,4}")
                with Horizontal(classes="files-buttons"):
                    yield Button("预览 ^r", id="do-preview", compact=True)
                    yield Button("应用 ^y", id="do-apply", compact=True, disabled=True)
                yield ProgressBar(total=None, show_eta=False, id="import-busy")
                with VerticalScroll(id="import-summary"):
                    yield Static("选择类型和文件，回车预览：先看新增、变更、冲突、拒收，确认后再应用。", id="import-text")
            with TabPane("导出 export", id="tab-export"):
                with Horizontal(classes="form-row"):
                    yield Label("类型")
                    yield Select(exports, value=exports[0][1], allow_blank=False, id="export-kind", compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("格式")
                    yield Select([("DBF（上报）", "dbf"), ("Excel xlsx", "xlsx")], value="dbf", allow_blank=False,
                                 id="export-format", compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("年份")
                    yield Input(placeholder="可空", id="export-year", compact=True, restrict=r"\d{0,4}")
                with Horizontal(classes="form-row"):
                    yield Label("学院")
                    yield Input(value="" if office else self.session.clerk.college, disabled=not office,
                                placeholder="可空：全校", id="export-college", compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("输出到")
                    yield Input(placeholder="可空：当前目录下的默认文件名", id="export-out",
                                suggester=PathSuggester(), compact=True)
                yield Checkbox("只导出通过预审的毕业生（--skip-invalid）", id="export-skip", compact=True)
                with Horizontal(classes="files-buttons"):
                    yield Button("导出 ^o", id="do-export", compact=True)
                yield ProgressBar(total=None, show_eta=False, id="export-busy")
                with VerticalScroll(id="export-result"):
                    yield Static("上报文件写出前先校验每个值的宽度和 GBK 编码；写出是原子的，不会留下半个文件。",
                                 id="export-text")

    def on_mount(self) -> None:
        super().on_mount()
        for bar in self.query(ProgressBar):
            bar.display = False
        self.query_one("#import-path", Input).focus()

    # -- import ----------------------------------------------------------------------------
    def _import_args(self) -> tuple[str, Path, str | None]:
        kind = self.query_one("#import-kind", Select).value
        raw = self.query_one("#import-path", Input).value.strip()
        year = self.query_one("#import-year", Input).value.strip()
        return str(kind), Path(os.path.expanduser(raw)), year or None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("import-path", "import-year"):
            self.action_preview()
        elif event.input.id in ("export-out", "export-year", "export-college"):
            self.action_export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"do-preview": self.action_preview, "do-apply": self.action_apply,
         "do-export": self.action_export}[event.button.id]()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "import-kind":
            self._forget_plan()
        elif event.select.id == "export-kind" and event.value in ("workbook", "precheck", "stats"):
            self.query_one("#export-format", Select).value = "xlsx"

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("import-path", "import-year"):
            self._forget_plan()

    def _forget_plan(self) -> None:
        self.plan = None
        self.query_one("#do-apply", Button).disabled = True

    def _busy(self, which: str, on: bool) -> None:
        self.query_one(f"#{which}-busy", ProgressBar).display = on

    def _say(self, which: str, text: Text | str) -> None:
        self.query_one(f"#{which}-text", Static).update(text)

    def action_preview(self) -> None:
        kind, path, year = self._import_args()
        if not str(path) or str(path) == ".":
            self._say("import", Text("请先输入要导入的文件路径", style="bold red"))
            return
        self._forget_plan()
        self._busy("import", True)
        self._say("import", f"正在读取并比对 {path} …")
        from xueji_tui.services.imports import plan_import, summary_lines

        def job():
            plan = plan_import(self.session, kind, path, year_value(year) if year else None)
            return plan, summary_lines(plan, limit=200)

        self.run_job(job, lambda got: self._planned(*got), group="files-import", failed=self._import_failed)

    def _planned(self, plan, lines: list[str]) -> None:
        self._busy("import", False)
        self.plan = plan
        hint = ("\n\n按 ^y 应用（一次保存：全部成功或全部不写入）"
                if not plan.empty else "\n\n没有需要保存的内容。")
        self._say("import", Text("\n".join(lines) + hint))
        self.query_one("#do-apply", Button).disabled = plan.empty

    def _import_failed(self, error: XuejiError) -> None:
        self._busy("import", False)
        self._say("import", Text(error.message, style="bold red"))
        self.fail(error)

    def action_apply(self) -> None:
        if self.plan is None or self.plan.empty:
            self.notify("请先预览（^r）：应用前必须先看到比对结果", severity="warning")
            return
        self._busy("import", True)
        self.query_one("#do-apply", Button).disabled = True
        from xueji_tui.services.imports import apply_import

        plan = self.plan
        self.run_job(lambda: apply_import(self.session, plan), self._applied, group="files-import",
                     failed=self._import_failed)

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
    def action_export(self) -> None:
        kind = str(self.query_one("#export-kind", Select).value)
        fmt = str(self.query_one("#export-format", Select).value)
        year = self.query_one("#export-year", Input).value.strip()
        college = self.query_one("#export-college", Input).value.strip() or None
        out = self.query_one("#export-out", Input).value.strip()
        skip = self.query_one("#export-skip", Checkbox).value
        self._busy("export", True)
        self._say("export", f"正在导出 {kind} …")
        from xueji_tui.services.exports import export

        path = Path(os.path.expanduser(out)) if out else None
        self.run_job(lambda: export(self.session, kind, path, fmt, year_value(year) if year else None, college, skip),
                     self._exported,
                     group="files-export", failed=self._export_failed)

    def _exported(self, res) -> None:
        self._busy("export", False)
        text = Text(f"已写出 {res.rows} 行：", style="bold green")
        for p in res.paths:
            text.append(f"\n  {Path(p).resolve()}", style="bold")
        for n in res.notes:
            text.append(f"\n{n}")
        if res.excluded:
            text.append(f"\n未通过预审、未写入的 {len(res.excluded)} 人：", style="bold yellow")
            for x in res.excluded[:200]:
                text.append(f"\n  {x}")
        self._say("export", text)

    def _export_failed(self, error: XuejiError) -> None:
        self._busy("export", False)
        self._say("export", Text(error.message, style="bold red"))
        self.fail(error)
