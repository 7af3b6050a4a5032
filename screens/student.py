"""The student screen: the Art. 6 fields with their verdicts, status changes, records, history."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Static

from xueji_tui.domain.codes import codes
from xueji_tui.domain.errors import NotAllowed, NotFound, XuejiError
from xueji_tui.domain.fields import ART6_FIELDS, IDENTITY_FIELDS, label
from xueji_tui.domain.idcard import mask
from xueji_tui.domain.text import shown
from xueji_tui.roster import Walk
from xueji_tui.screens.base import XuejiScreen
from xueji_tui.screens.messages import SAVING
from xueji_tui.screens.table import Column, Rows, VirtualTable
from xueji_tui.screens.words import for_screen
from xueji_tui.screens.wrap import Wrapped
from xueji_tui.screens.review import what as review_what
from xueji_tui.services import changes, corrections, find, reviews, students

VERDICT_WORDS = {"ok": "无误", "wrong": "有误", None: "未核对"}
RECORD_TYPES = ("71", "72")


def short_time(at: str) -> str:
    """'2025-09-15T10:00:00+08:00' -> '25-09-15 10:00'."""
    return f"{at[2:10]} {at[11:16]}" if len(at or "") >= 16 else (at or "")


def photo_state(s: dict, short: bool = False) -> str:
    p = s.get("photo") or {}
    if not p.get("taken"):
        return "未采集"
    parts = ["已采集" + (f" {p['taken_on']}" if p.get("taken_on") and not short else ""),
             "已链接" if p.get("linked") else "未链接", p.get("check") or "未校对"]
    return "·".join(parts)


def field_rows(s: dict, revealed: str = "") -> list[list]:
    """One row per Art. 6 field: code, label, value, verdict, detail, who, when."""
    ver = s.get("verification") or {}
    rows = []
    for f in ART6_FIELDS:
        v = ver.get(f) or {}
        if f == "ZP":
            value = photo_state(s)
        elif f == "SFZH":
            value = revealed or mask(s.get(f, ""))
        else:
            value = s.get(f, "")
        detail = []
        if v.get("value"):
            shown = mask(v["value"]) if f == "SFZH" and not revealed else v["value"]
            detail.append(f"→ {shown}")
        if v.get("request"):
            detail.append(f"申请 #{v['request']}")
        if v.get("note"):
            detail.append(v["note"])
        rows.append([f, label(f), value, VERDICT_WORDS.get(v.get("v"), "未核对"), "；".join(detail),
                     v.get("by", ""), short_time(v.get("at", ""))])
    return rows


def recent_entries(s: dict, n: int = 2) -> list[str]:
    """The last ``n`` change entries, newest first, one short line each."""
    out = []
    for e in reversed((s.get("history") or [])[-n:]):
        moved = f" {e.get('from', '')} → {e.get('to', '')}" if e.get("to") != e.get("from") else ""
        bits = [e.get("date", ""), f"{e.get('code', '')} {e.get('type', '')}·{e.get('reason', '')}{moved}",
                e.get("doc", ""), e.get("note", ""), f"已被 {e['reversed_by']} 撤销" if e.get("reversed_by") else ""]
        out.append(" ".join(b for b in bits if b))
    return out


def open_requests(session, s: dict) -> list[str]:
    """The student's correction requests not yet decided (Art. 20)."""
    out = []
    for r in corrections.list_requests(session, open_only=True):
        if r.get("KSH") == s.get("KSH"):
            old, new = r.get("old", ""), r.get("new", "")
            if r.get("field") == "SFZH":
                old, new = mask(old), mask(new)
            out.append(f"更正申请 #{r['id']} {label(r.get('field', ''))}：{old} → {new}（{r.get('status', '')}）")
    return out


def open_proposals(session, s: dict) -> list[str]:
    """The college's reports on this student still waiting for the office (Art. 18)."""
    return [f"报送 #{p['id']} {review_what(p)}（{p.get('filed_by', '')} 报送，待学生工作处复核）"
            for p in reviews.open_for_student(session, s["KSH"])]


# What is still open for a student, shown on the page without a key: each source gives one line per
# open item.
PENDING_SOURCES: list[Callable[[object, dict], list[str]]] = [open_requests, open_proposals]


def pending_lines(session, s: dict) -> list[str]:
    out: list[str] = []
    for source in PENDING_SOURCES:
        try:
            out += source(session, s)
        except XuejiError as e:  # one source failing must not hide the page
            out.append(for_screen(e.message))
    return out


def first_open(s: dict) -> str | None:
    ver = s.get("verification") or {}
    return next((f for f in ART6_FIELDS if (ver.get(f) or {}).get("v") != "ok"), None)



def _verdict_style(r: list) -> str:
    return {"无误": "vtable--ok", "有误": "vtable--wrong"}.get(r[3], "vtable--todo")


FIELD_COLUMNS = [
    Column("项目", "", 8, lambda r: r[1]),
    Column("值", "", 19, lambda r: r[2]),
    Column("核对", "", 6, lambda r: r[3], cell_style=_verdict_style),
    Column("更正/说明", "", 17, lambda r: r[4]),
    Column("核对人", "", 8, lambda r: r[5]),
    Column("时间", "", 14, lambda r: r[6]),
]


class FieldTable(VirtualTable):
    HELP_GROUP = "核对项"
    BINDINGS = [
        Binding("enter", "select", "打开", show=False),
        Binding("h", "screen.history", "历史"),  # not a column move here: the student's history
    ]


class StudentScreen(XuejiScreen):
    HELP_TITLE = "学生"
    BINDINGS = [
        Binding("space,y", "ok", "无误"),
        Binding("n", "wrong", "有误"),
        Binding("s", "status", "异动"),
        Binding("r", "record", "奖惩"),
        Binding("h", "history", "历史"),
        Binding("J", "walk(1)", "下一个"),
        Binding("K", "walk(-1)", "上一个", show=False),
        Binding("v", "reveal", "显示身份证号", show=False),
        Binding("escape", "app.back", "返回", show=False),
    ]

    def __init__(self, ksh: str, walk: Walk | None = None, field: str | None = None) -> None:
        super().__init__()
        self.ksh = ksh
        self.walk = walk
        self.start_field = field
        self.student: dict = {}
        self.revealed = ""

    def body(self) -> ComposeResult:
        yield Static("", id="student-head")
        yield Static("", id="student-recent")
        yield FieldTable(FIELD_COLUMNS, id="fields")
        yield Static("", id="student-msg")

    def on_mount(self) -> None:
        super().on_mount()
        self.go_home()
        self.load(self.ksh, self.start_field)

    def home(self):
        return self.query_one(FieldTable)

    # -- showing ---------------------------------------------------------------------------
    def load(self, ksh: str, field: str | None = None) -> bool:
        try:
            s = find.get_student(self.session, ksh)
        except XuejiError as e:
            if self.student:
                self.fail(e)
            else:
                self._gone(e)
            return False
        if ksh != self.ksh:
            self.revealed = ""
        self.ksh, self.student = ksh, s
        self._show((first_open(s) or ART6_FIELDS[0]) if field == "first" else field)
        return True

    def _show(self, field: str | None = None) -> None:
        s = self.student
        table = self.query_one(FieldTable)
        keep = ART6_FIELDS.index(field) if field in ART6_FIELDS else table.cursor_row
        table.set_source(Rows(field_rows(s, self.revealed)), keep=keep)
        where = f" · 第 {self.walk.where} 名" if self.walk else ""
        sfzh = self.revealed or mask(s.get("SFZH", ""))
        reveal_hint = "" if self.revealed else "（v 显示）"
        ver = s.get("verification") or {}
        done = sum(1 for f in ART6_FIELDS if (ver.get(f) or {}).get("v") == "ok")
        wrong = sum(1 for f in ART6_FIELDS if (ver.get(f) or {}).get("v") == "wrong")
        def e(value) -> str:  # neither markup nor a terminal control sequence gets through
            return escape(shown(value))

        checked = f"核对 {done}/{len(ART6_FIELDS)}" + (f" [b $error]有误 {wrong}[/]" if wrong else "")
        head = (f"[b]{e(s.get('XM', ''))}[/b]  学号 {e(s.get('XH', ''))}  考生号 {e(s.get('KSH', ''))}  "
                f"[b reverse] {e(s.get('status', ''))} [/]  {checked}\n"
                f"{e(s.get('FY', ''))} / {e(s.get('ZYMC', ''))} / {e(s.get('BH', ''))} · "
                f"{e(s.get('DQSZJ') or (s.get('RXRQ') or '')[:4])}级 · {e(s.get('CC', ''))}{where}\n"
                f"身份证号 {e(sfzh)}{reveal_hint} · 照片 {e(photo_state(s, short=True))}")
        self.query_one("#student-head", Static).update(head)
        self._recent()

    def _recent(self) -> None:
        """The last change entries and what is still open, without a key (h shows everything)."""
        s = self.student
        text = Text()
        entries = recent_entries(s)
        pending = pending_lines(self.session, s)
        for i, line in enumerate(entries):
            text.append("最近异动 " if i == 0 else "         ", "bold")
            text.append(shown(line) + "\n")
        if not entries:
            text.append("最近异动 ", "bold").append("暂无（h 查看全部历史）\n")
        for i, line in enumerate(pending):
            text.append("待办     " if i == 0 else "         ", "bold")
            text.append(shown(line) + "\n")
        if not pending:
            text.append("待办     ", "bold").append("没有未办结的申请\n")
        text.rstrip()
        self.query_one("#student-recent", Static).update(text)

    def say(self, text: str) -> None:
        self.query_one("#student-msg", Static).update(Wrapped(text))

    @property
    def field(self) -> str:
        return ART6_FIELDS[self.query_one(FieldTable).cursor_row]

    def on_screen_resume(self) -> None:
        self.data_changed()  # back from a form or the history: another clerk may have saved meanwhile

    def on_screen_suspend(self) -> None:
        # the full 身份证号 is shown only while the clerk is on this page (a form over it keeps it)
        if self.revealed and not isinstance(self.app.screen, ModalScreen):
            self.revealed = ""
            self._show()

    def data_changed(self) -> None:
        if not self.student:
            return
        before = self.student.get("rev")
        try:
            s = find.get_student(self.session, self.ksh)
        except (NotAllowed, NotFound) as e:
            self._gone(e)
            return
        except XuejiError as e:
            self.say(for_screen(e.message))
            return
        if s.get("rev") != before:
            self.student = s
            self._show()
        else:  # a report or a request changes what is open, not the record itself
            self._recent()

    def _gone(self, error: XuejiError) -> None:
        """The student left this clerk's scope (转专业 to another college, a record removed): the page
        closes and says why, instead of refusing every key."""
        s = self.student
        who = f"{s.get('XM', '')}（学号 {s.get('XH', '')}）" if s else f"考生号 {self.ksh} 的学生"
        if isinstance(error, NotAllowed) and self.session.clerk.college:
            why = f"{who}已不属于{self.session.clerk.college}（可能已转到其他学院），学生页已关闭"
        elif isinstance(error, NotFound):
            why = f"{who}已不在名册中，学生页已关闭"
        else:
            why = f"{for_screen(error.message)}；学生页已关闭"
        self.notify(why, title="学生页已关闭", severity="warning", timeout=8)
        if self.app.screen is self:
            self.dismiss()

    def _saved(self, message: str) -> None:
        self.say(message)
        self.notify(message, timeout=3)
        self.app.data_saved()

    # -- verdicts --------------------------------------------------------------------------
    def action_ok(self) -> None:
        f = self.field
        try:
            outcome = students.verify(self.session, self.ksh, f, "ok")
        except XuejiError as e:
            self.fail(e, SAVING)
            return
        self._saved(outcome.message)
        table = self.query_one(FieldTable)
        table.move_to(table.cursor_row + 1)

    def action_wrong(self) -> None:
        from xueji_tui.screens.forms import RequestModal, VerifyModal

        f, ksh, session = self.field, self.ksh, self.session
        if f in IDENTITY_FIELDS:
            def save_request(value: str, reason: str, evidence: str) -> str:
                return students.verify(session, ksh, f, "wrong", value, reason, evidence=evidence).message

            self.app.push_screen(RequestModal(f, self.student, save_request), self._after_form)
        else:
            def save_verdict(value: str | None, note: str) -> str:
                return students.verify(session, ksh, f, "wrong", value, note).message

            self.app.push_screen(VerifyModal(f, self.student, save_verdict), self._after_form)

    def _after_form(self, message) -> None:
        if message:
            self._saved(message if isinstance(message, str) else "已保存")

    # -- status changes and records ----------------------------------------------------------
    def _reasons(self, record: bool):
        allowed = changes.allowed_reasons(self.session, self.student)
        return [r for r in allowed if (r.type.type in RECORD_TYPES) == record]

    def _change_form(self, record: bool) -> None:
        from xueji_tui.screens.status_form import StatusModal

        reasons = self._reasons(record)
        if not reasons:
            status = self.student.get("status", "")
            what = "奖惩记载" if record else "学籍异动"
            if codes().is_ended(status):
                why = f"学籍状态“{status}”已终结，不能再办理{what}；如系录入错误，请学生工作处以 9801 撤销原记录"
            else:
                why = f"学籍状态“{status}”不能办理{what}（第十四条）；请先办理注册学籍"
            self.notify(why, severity="warning", timeout=6, markup=False)
            return
        ksh, session = self.ksh, self.session
        majors = changes.majors(session) if not record else []

        def save(req) -> dict:
            return changes.change(session, ksh, req, today=self.app.today())

        today = self.app.today().strftime("%Y%m%d")
        self.app.push_screen(StatusModal(self.student, reasons, majors, today, save, record=record),
                             self._after_change)

    def _after_change(self, entry) -> None:
        if entry and entry.get("proposal"):
            self._saved(f"已报送 #{entry['proposal']}：{entry['code']} {entry['type']}·{entry['reason']}；"
                        f"学生信息未改变，待学生工作处复核")
        elif entry:
            to = f"，学籍状态 {entry['from']} → {entry['to']}" if entry.get("to") != entry.get("from") else ""
            self._saved(f"已办理 {entry['code']} {entry['type']}·{entry['reason']}{to}")

    def action_status(self) -> None:
        self._change_form(record=False)

    def action_record(self) -> None:
        self._change_form(record=True)

    # -- elsewhere -------------------------------------------------------------------------
    def action_history(self) -> None:
        from xueji_tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.ksh, self.student))

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "walk" and self.walk is None:
            return False  # opened on its own (预审, the palette): no list to walk, so J/K are not offered
        return super().check_action(action, parameters)

    def action_walk(self, step: int) -> None:
        if self.walk is None:
            self.notify("从名册或核对队列打开学生后，可用 J/K 逐个查看", timeout=3)
            return
        ksh = self.walk.step(step)
        if ksh is None:
            self.notify("已是最后一名" if step > 0 else "已是第一名", timeout=2)
            return
        if self.load(ksh, "first" if self.start_field == "first" else ART6_FIELDS[0]):
            self.say("")

    def action_reveal(self) -> None:
        try:
            self.revealed = students.reveal_id(self.session, self.ksh)
        except XuejiError as e:
            self.fail(e)
            return
        self._show()
        self.say("已显示完整身份证号（此次查看已记入审计日志）")
