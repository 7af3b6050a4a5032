"""7 复核: what the colleges reported (报送, Art. 18) and the office's review (复核, Art. 15).

The office accepts one report (`a`), every open report of the college under the cursor (`A`), or
rejects one with a reason (`d`); accepting applies exactly what a direct change would. A college
clerk sees its own reports and how they were decided.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from xueji_tui.domain.errors import XuejiError
from xueji_tui.domain.effects import moved_words
from xueji_tui.screens.base import XuejiScreen
from xueji_tui.screens.forms import FormModal, Input, Required
from xueji_tui.screens.table import Column, Rows, VirtualTable
from xueji_tui.services import reviews
from xueji_tui.services.changes import PROPOSED


def what(p: dict) -> str:
    e = p.get("planned") or {}
    moved = moved_words(e.get("fields"))
    status = f"{e.get('from', '')} → {e.get('to', '')}" if e.get("to") != e.get("from") else ""
    return "，".join(x for x in (f"{e.get('code', '')} {e.get('type', '')}·{e.get('reason', '')}", status, moved) if x)


def _state_style(p: dict) -> str:
    return {PROPOSED: "vtable--todo", reviews.ACCEPTED: "vtable--ok", reviews.REJECTED: "vtable--wrong"}.get(
        p.get("status"), "")


COLUMNS = [
    Column("编号", "", 5, lambda p: f"#{p['id']}", right=True),
    Column("状态", "", 6, lambda p: p.get("status", ""), cell_style=_state_style),
    Column("学院", "", 14, lambda p: p.get("FY", "")),
    Column("学号", "", 11, lambda p: p.get("XH", "")),
    Column("姓名", "", 8, lambda p: p.get("XM", "")),
    Column("异动", "", 30, what),
    Column("文号", "", 18, lambda p: (p.get("request") or {}).get("doc", "")),
    Column("报送人", "", 8, lambda p: p.get("filed_by", "")),
    Column("报送时间", "", 10, lambda p: str(p.get("filed_at", ""))[:10]),
    Column("复核", "", 14, lambda p: " ".join(x for x in (p.get("decided_by", ""), p.get("reason", "")) if x)),
]


class ProposalTable(VirtualTable):
    HELP_GROUP = "报送"


class RejectModal(FormModal):
    TITLE = "驳回报送"

    def __init__(self, proposal: dict, save) -> None:
        super().__init__(save)
        self.proposal = proposal

    def title_text(self) -> str:
        p = self.proposal
        return f"驳回报送 #{p['id']} · {p.get('XM', '')} {p.get('XH', '')} · {what(p)}"

    def fields(self) -> ComposeResult:
        yield from self.row("驳回原因", Input(id="reason", compact=True, placeholder="学院会看到这段说明",
                                           validators=[Required("驳回原因")]), "reason-note")

    def submit(self):
        return self.save(self.value("reason"))


class ReviewScreen(XuejiScreen):
    HELP_TITLE = "7 复核"
    BINDINGS = [
        Binding("a", "accept", "接受"),
        Binding("A", "accept_college", "接受本学院全部"),
        Binding("d", "reject", "驳回"),
        Binding("t", "toggle", "待复核/全部"),
    ]

    only_open = True

    def body(self) -> ComposeResult:
        yield Static("正在载入…", id="review-head")
        yield ProposalTable(COLUMNS, id="proposals", fixed=2)
        yield Static("", id="review-keys")

    def on_mount(self) -> None:
        super().on_mount()
        self.items: list[dict] = []
        office = self.session.office
        self.query_one("#review-keys", Static).update(
            "a 接受 · A 接受该学院全部待复核 · d 驳回（说明原因）· Enter 打开学生 · t 待复核/全部" if office
            else "学院报送的学籍异动，由学生工作处复核后生效 · Enter 打开学生 · t 待复核/全部")
        self.go_home()
        self.data_changed()

    def home(self):
        return self.query_one(ProposalTable)

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("accept", "accept_college", "reject") and not self.session.office:
            return False  # not offered: the office decides (Art. 15, 18); the line above says so
        return True

    def data_changed(self) -> None:
        only_open = self.only_open
        self.run_job(lambda: reviews.list_proposals(self.session, open_only=only_open), self._show, group="review")

    def _show(self, items: list[dict]) -> None:
        open_first = sorted(items, key=lambda p: (p.get("status") != PROPOSED, int(p["id"])))
        self.items = open_first
        waiting = sum(1 for p in items if p.get("status") == PROPOSED)
        scope = self.session.clerk.college or "全校"
        head = (f"{scope} · 待复核 {waiting} 条（t 显示全部报送）" if self.only_open
                else f"{scope} · 全部报送 {len(items)} 条 · 其中待复核 {waiting} 条")
        self.query_one("#review-head", Static).update(head)
        table = self.query_one(ProposalTable)
        table.set_source(Rows(open_first), keep=min(table.cursor_row, max(len(open_first) - 1, 0)))

    def current(self) -> dict | None:
        table = self.query_one(ProposalTable)
        return self.items[table.cursor_row] if self.items and table.cursor_row < len(self.items) else None

    def _open_one(self) -> dict | None:
        p = self.current()
        if p is None or p.get("status") != PROPOSED:
            self.notify("请把光标移到一条待复核的报送上", severity="warning", markup=False)
            return None
        return p

    def _saved(self, text: str) -> None:
        self.notify(text, title="已保存", markup=False)
        self.app.data_saved()

    # -- the office's decisions -----------------------------------------------------------------
    def action_accept(self) -> None:
        p = self._open_one()
        if p is None:
            return
        from xueji_tui.screens.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self._decide(lambda: reviews.accept(self.session, p["id"]),
                             lambda e: f"已接受 #{p['id']}：{p.get('XM', '')} 记录 {e['id']} {e['code']} 已生效")

        self.app.push_screen(ConfirmModal(f"接受报送 #{p['id']}？", [
            f"学生：{p.get('XM', '')}（学号 {p.get('XH', '')}，{p.get('FY', '')}）", f"异动：{what(p)}",
            f"文号：{(p.get('request') or {}).get('doc', '') or '无'}", f"报送：{p.get('filed_by', '')}",
            "接受后与学生工作处直接办理的异动完全相同，记入审计记录"], yes="接受"), answered)

    def action_accept_college(self) -> None:
        p = self.current()
        if p is None:
            return
        college = p.get("FY", "")
        waiting = [x for x in self.items if x.get("FY") == college and x.get("status") == PROPOSED]
        if not waiting:
            self.notify(f"{college}没有待复核的报送", severity="warning", markup=False)
            return
        from xueji_tui.screens.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self._decide(lambda: reviews.accept_all(self.session, college),
                             lambda got: f"已接受{college} {len(got.entries)} 条报送"
                             + (f"；{len(got.refused)} 条不能接受，仍待复核" if got.refused else ""))

        self.app.push_screen(ConfirmModal(f"接受{college}全部 {len(waiting)} 条待复核的报送？",
                                          [f"#{x['id']} {x.get('XM', '')}：{what(x)}" for x in waiting[:12]]
                                          + ([f"……另有 {len(waiting) - 12} 条"] if len(waiting) > 12 else []),
                                          yes="全部接受"), answered)

    def action_reject(self) -> None:
        p = self._open_one()
        if p is None:
            return

        def save(reason: str):
            return reviews.reject(self.session, p["id"], reason)

        def done(result) -> None:
            if result:
                self._saved(f"已驳回 #{p['id']}：{p.get('XM', '')}")

        self.app.push_screen(RejectModal(p, save), done)

    def _decide(self, job, said) -> None:
        def done(result) -> None:
            self._saved(said(result))

        def failed(error: XuejiError) -> None:
            self.fail(error, "未接受")

        self.run_job(job, done, group="review-decide", failed=failed)

    def action_toggle(self) -> None:
        self.only_open = not self.only_open
        self.data_changed()

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        if self.items and event.pos < len(self.items):
            self.app.open_student(self.items[event.pos]["KSH"])
