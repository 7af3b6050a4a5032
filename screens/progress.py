"""6 进度: the regulation's deadlines with days left, and each college's progress with a bar each."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from xueji_tui.domain.progress import CollegeProgress, Progress
from xueji_tui.screens.base import XuejiScreen
from xueji_tui.screens.words import for_screen
from xueji_tui.services.progress import progress

BAR = 10


def bar(done: int, total: int) -> Text:
    """'███████░░░ 7/10' — the count is printed too, so 16 colours and no colour both read right."""
    if total == 0:
        return Text("—", style="dim")
    filled = round(BAR * done / total)
    t = Text("█" * filled, style="green" if done == total else "yellow")
    t.append("░" * (BAR - filled), style="dim")
    t.append(f" {done}/{total}")
    return t


def deadlines_table(p: Progress) -> Table:
    t = Table(title=f"{p.school_year}–{p.school_year + 1} 学年 · 开学 {p.term_start:%Y-%m-%d}", title_justify="left",
              expand=True, box=None, padding=(0, 1), show_edge=False)
    t.add_column("期限", ratio=3, no_wrap=True, overflow="ellipsis")
    t.add_column("依据", no_wrap=True)
    t.add_column("日期", no_wrap=True)
    t.add_column("剩余", no_wrap=True, justify="right")
    for d in p.deadlines:
        style = "bold red" if d.overdue else ("bold yellow" if 0 <= d.days_left <= 14 and not d.opens else "")
        t.add_row(d.title, d.article, f"{d.due:%m-%d}", Text(d.label, style=style))
    return t


def colleges_table(p: Progress) -> Table:
    t = Table(title="各学院进度（新生 = 本学年入学）", title_justify="left", expand=True, box=None,
              padding=(0, 1), show_edge=False)
    t.add_column("学院", ratio=2, no_wrap=True, overflow="ellipsis")
    t.add_column("新生核对完成", no_wrap=True)
    t.add_column("新生已注册", no_wrap=True)
    t.add_column("有误", justify="right", no_wrap=True)
    t.add_column("待批申请", justify="right", no_wrap=True)
    t.add_column("暂缓注册", justify="right", no_wrap=True)

    def add(c: CollegeProgress, style: str = "") -> None:
        t.add_row(Text(c.college, style=style), bar(c.freshmen_verified, c.freshmen),
                  bar(c.freshmen_registered, c.freshmen), str(c.wrong), str(c.open_requests), str(c.postponed))

    for c in p.colleges:
        add(c)
    if len(p.colleges) > 1:
        add(p.total, "bold")
    return t


class ProgressScreen(XuejiScreen):
    HELP_TITLE = "6 进度"
    BINDINGS = [Binding("r", "reload", "刷新", id="progress.reload")]

    def body(self) -> ComposeResult:
        with VerticalScroll(id="progress"):
            yield Static("正在统计…", id="progress-deadlines")
            yield Static("", id="progress-colleges")

    def on_mount(self) -> None:
        super().on_mount()
        self.go_home()
        self.action_reload()

    def home(self):
        return self.query_one("#progress")

    def data_changed(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        today = self.app.today()
        self.run_job(lambda: progress(self.session, today), self._show, group="progress", failed=self._failed)

    def _show(self, p: Progress) -> None:
        self.query_one("#progress-deadlines", Static).update(deadlines_table(p))
        self.query_one("#progress-colleges", Static).update(colleges_table(p))

    def _failed(self, error) -> None:
        self.query_one("#progress-deadlines", Static).update(Text(f"统计失败：{for_screen(error.message)}",
                                                                  style="bold red"))
        self.fail(error)
