"""4 预审: run the graduate precheck (in a worker, with a progress bar), the summary by rule, the
findings table; Enter opens the student on the field, r reruns. Everything goes through
``xueji_tui.services.graduation`` — the same functions as ``xueji precheck``.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.validation import ValidationResult, Validator
from textual.widgets import ProgressBar, Select, Static

from xueji_tui.domain.errors import XuejiError
from xueji_tui.domain.fields import label
from xueji_tui.precheck.rules import RULES, title
from xueji_tui.screens.base import XuejiScreen
from xueji_tui.screens.export_form import ExportModal
from xueji_tui.screens.fields import FormField as Input
from xueji_tui.screens.forms import FormModal
from xueji_tui.screens.table import Column, Rows, VirtualTable, fit
from xueji_tui.screens.words import for_screen
from xueji_tui.screens.wrap import Wrapped
from xueji_tui.services import graduation

SEVERITY = {"error": "错误", "warning": "警告"}


# -- small forms: the year and college, an output file ------------------------------------------
class YearValue(Validator):
    def validate(self, value: str) -> ValidationResult:
        v = value.strip()
        return self.success() if v.isdigit() and len(v) == 4 and 2000 <= int(v) <= 2099 else \
            self.failure("毕业年份应为 4 位数字，如 2026")


class ScopeModal(FormModal):
    """The graduation year and (for the office) the college a checklist or precheck looks at."""

    TITLE = "毕业年份与学院"

    def __init__(self, year: int, college: str | None, colleges: list[str], office: bool) -> None:
        super().__init__(None)
        self.year, self.college, self.colleges, self.office = year, college, colleges, office

    def fields(self) -> ComposeResult:
        yield from self.row("毕业年份", Input(str(self.year), id="year", compact=True, validators=[YearValue()]), "year-note")
        if self.office:
            options = [("全校", "")] + [(c, c) for c in self.colleges]
            yield from self.row("学院", Select(options, value=self.college or "", allow_blank=False, compact=True, id="college"))

    def submit(self):
        college = self.query_one("#college", Select).value if self.office else None
        return int(self.value("year")), (college or None)


# -- tables ---------------------------------------------------------------------------------------

class RuleTable(VirtualTable):
    HELP_GROUP = "规则汇总"


class FindingTable(VirtualTable):
    HELP_GROUP = "问题列表"


RULE_COLUMNS = [
    Column("规则", "rule", 18, lambda r: r[0]),
    Column("条数", "n", 5, lambda r: f"{r[1]:,}", right=True),
]


def _rule_style(r) -> str:
    return "vtable--problem" if r[2] == "error" else ""


FINDING_COLUMNS = [
    Column("级别", "severity", 4, lambda f: SEVERITY[f.severity]),
    Column("学号", "XH", 12, lambda f: f.XH or "（学校）"),
    Column("姓名", "XM", 8, lambda f: f.XM),
    Column("字段", "field", 8, lambda f: label(f.field) if f.field else ""),
    Column("规则", "rule", 20, lambda f: title(f.rule)),
    Column("学院", "FY", 12, lambda f: f.FY),
    Column("说明", "message", 80, lambda f: f.message),
]


def _finding_style(f) -> str:
    return "vtable--problem" if f.severity == "error" else ""


def choose_scope(screen, then) -> None:
    """Ask for the graduation year and (office only) the college; set them on ``screen``, then ``then()``.

    A college clerk's college is fixed: the form shows it and the choice cannot widen it.
    """
    try:
        colleges = screen.session.colleges()
    except XuejiError as e:
        screen.fail(e)
        return
    session = screen.session

    def chosen(value) -> None:
        if value:
            screen.year, college = value
            screen.college = college if session.office else session.clerk.college
            then()

    screen.app.push_screen(ScopeModal(screen.year, screen.college, colleges, session.office), chosen)


class PrecheckScreen(XuejiScreen):
    HELP_TITLE = "4 预审"
    CSS_PATH = "precheck.tcss"
    BINDINGS = [
        Binding("r", "rerun", "重新预审"),
        Binding("y", "scope", "年份/学院"),
        Binding("o", "export", "导出报告"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.year: int | None = None
        self.college: str | None = None
        self.result = None
        self.rule_rows: list[tuple] = []
        self.stale = False

    def body(self) -> ComposeResult:
        yield Static("", id="pc-head")
        yield ProgressBar(id="pc-progress", show_eta=False)
        with Horizontal(id="pc-main"):
            yield RuleTable(RULE_COLUMNS, style_of=_rule_style, id="pc-rules")
            yield FindingTable(FINDING_COLUMNS, style_of=_finding_style, fixed=3, id="pc-findings")
        yield Static("", id="pc-msg")

    def on_mount(self) -> None:
        super().on_mount()
        if self.year is None:
            self.year = graduation.default_year(self.app.today())
        self.college = None if self.session.office else self.session.clerk.college
        self.go_home()
        self.run_precheck()

    def home(self):
        return self.query_one(FindingTable)

    # -- running ---------------------------------------------------------------------------
    def run_precheck(self) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.stale = False
        where = self.college or "全校"
        self.query_one("#pc-head", Static).update(f"{self.year} 届毕业生预审 · {where} · 正在检查…")
        year, college, progress = self.year, self.college, self.from_job(self._progress)
        self.run_job(lambda: graduation.precheck(self.session, year, college, progress), self._show,
                     group="precheck", failed=self._failed)

    def _progress(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def _failed(self, error: XuejiError) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#pc-head", Static).update(f"预审未完成：{error.message}")
        self.fail(error)

    def _show(self, result) -> None:
        self.result = result
        self.query_one(ProgressBar).display = False
        by_rule = result.by_rule()
        self.rule_rows = [("全部", len(result.findings), "", "")] + [
            (title(rule), n, RULES[rule][0], rule) for rule, n in by_rule.items()]
        rules = self.query_one(RuleTable)
        rules.set_source(Rows(self.rule_rows), keep=0)
        self._filter(0)
        self._head()

    def _head(self) -> None:
        r = self.result
        if r is None:
            return
        text = graduation.summary_line(r)
        if r.errors:
            text += " · [b $error]有错误，不能上报[/]"
        elif r.checked:
            text += " · 可以分配证书编号并上报"
        if self.stale:
            text += " · [b]数据已变更，按 r 重新预审[/b]"
        self.query_one("#pc-head", Static).update(text)

    def _filter(self, pos: int) -> None:
        if self.result is None or not self.rule_rows:
            return
        rule = self.rule_rows[pos][3]
        items = self.result.findings if not rule else [f for f in self.result.findings if f.rule == rule]
        self.query_one(FindingTable).set_source(Rows(items), keep=0)
        self._say()

    def _say(self) -> None:
        table = self.query_one(FindingTable)
        msg = self.query_one("#pc-msg", Static)
        if not len(table.source):
            msg.update("没有发现问题。" if self.result is not None else "")
            return
        f = table.source.row(table.cursor_row)
        who = f"{f.XM} {f.XH}" if f.KSH else "学校设置"
        where = f" · {label(f.field)}（{f.field}）" if f.field else ""
        # the details pane is where the rule's id and the field's code are shown (for notes and mail)
        msg.update(Wrapped(f"{who} · {title(f.rule)}（规则 {f.rule}）{where}：{for_screen(f.message)}"))

    # -- events ----------------------------------------------------------------------------
    def on_virtual_table_moved(self, event: VirtualTable.Moved) -> None:
        if event.table.id == "pc-rules":
            self._filter(event.pos)
        else:
            self._say()

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        if event.table.id == "pc-rules":
            self._filter(event.pos)
            self.query_one(FindingTable).focus()
            return
        f = event.table.source.row(event.pos)
        if not f.KSH:
            self.notify(f.message, title="学校设置需要修改", timeout=8)
            return
        self.app.open_student(f.KSH, field=f.field or None)

    def data_changed(self) -> None:
        if self.result is not None:
            self.stale = True
            self._head()

    # -- actions ---------------------------------------------------------------------------
    def action_rerun(self) -> None:
        self.run_precheck()

    def action_scope(self) -> None:
        choose_scope(self, self.run_precheck)

    def action_export(self) -> None:
        year, college = self.year, self.college

        def save(path, force: bool) -> str:
            from xueji_tui.services.exports import export

            res = export(self.session, "precheck", path, "xlsx", year, college, force=force)
            return f"预审报告已写入 {path}（{res.rows} 条）"

        def done(message) -> None:
            if message:
                self.notify(message, timeout=6)

        name = f"预审-{year}{'-' + college if college else ''}.xlsx"
        self.app.push_screen(ExportModal("导出预审报告（Excel）", name, save), done)


__all__ = ["PrecheckScreen", "ScopeModal", "ExportModal", "Rows", "fit"]
