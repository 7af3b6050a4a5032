"""s and r on the student page: a status change (异动 / 注销) or a reward / punishment record.

The form offers only the reasons allowed from the student's state, searchable by code or words
(best match first, nothing chosen until the clerk types or moves), asks for the fields the chosen
type needs, and asks again before an irreversible change.
"""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Select, Static
from textual.widgets.option_list import Option

from xueji_tui.domain.codes import Reason, codes
from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.status import ChangeRequest, plan_change
from xueji_tui.screens.fields import FormField as Input
from xueji_tui.screens.forms import DateValue, FormModal, GradeValue


# -- status changes and reward / punishment records -----------------------------------------------
def reason_text(r: Reason) -> str:
    to = f" → {r.to}" if r.to and r.type.kind not in ("record", "reversal") else ""
    return f"{r.code} {r.type.name}·{r.name}{to}"


class StatusModal(FormModal):
    """The reasons allowed from the current state, searchable by code or words; the fields it needs."""

    BINDINGS = [
        Binding("down", "reason_cursor(1)", "下一个原因", show=False),
        Binding("up", "reason_cursor(-1)", "上一个原因", show=False),
    ]

    def __init__(self, student: dict, reasons: list[Reason], majors: list[dict], today: str,
                 save: Callable[[ChangeRequest], dict], *, record: bool = False) -> None:
        super().__init__(save)
        self.student, self.reasons, self.majors = student, reasons, majors
        self.today = today
        self.record = record  # 71/72 奖惩记载 rather than 异动
        self.shown: list[Reason] = list(reasons)
        self.chosen: Reason | None = None

    def title_text(self) -> str:
        s = self.student
        what = "奖惩记载" if self.record else "学籍异动"
        return f"{what} · {s.get('XM', '')} {s.get('XH', '')} · 当前：{s.get('status', '')}"

    def fields(self) -> ComposeResult:
        example = "7103 或 校级" if self.record else "1101 或 因病"
        yield from self.row("原因代码", Input(id="reason", compact=True,
                                           placeholder=f"输入代码或文字筛选，如 {example}；↑↓ 选择"))
        yield OptionList(*[Option(reason_text(r), id=r.code) for r in self.reasons], id="reasons")
        yield Static("", id="reason-chosen", classes="form-hint", markup=False)
        yield from self.row("生效日期", Input(self.today, id="date", compact=True, validators=[DateValue()]),
                            "date-note")
        yield from self.row("批准日期", Input(id="approved", compact=True, placeholder="YYYYMMDD，批准文件的日期",
                                           validators=[DateValue(optional=True)]), "approved-note")
        yield from self.row("文号", Input(id="doc", compact=True, placeholder="如 吉师大教字〔2025〕31号"))
        note = "名称/原因" if self.record else "说明"
        yield from self.row(note, Input(id="note", compact=True,
                                        placeholder="奖励名称或处分原因" if self.record else "可空"))
        with Vertical(id="extra-major", classes="extra"):
            options = [(f"{m['ZYDM']} {m.get('ZYMC', '')}（{m.get('FY', '')}）", m["ZYDM"]) for m in self.majors]
            yield from self.row("新专业", Select(options, prompt="选择专业", id="major", compact=True))
        with Vertical(id="extra-class", classes="extra"):
            yield from self.row("新班号", Input(id="to_class", compact=True, placeholder="如 计算机2502"))
        with Vertical(id="extra-grade", classes="extra"):
            yield from self.row("编入年级", Input(id="to_grade", compact=True, placeholder="YYYY，如 2025",
                                              validators=[GradeValue()]), "to_grade-note")
        with Vertical(id="extra-reverse", classes="extra"):
            live = [e for e in self.student.get("history") or []
                    if e.get("kind") != "reversal" and not e.get("reversed_by")]
            options = [(f"{e['id']} {e['code']} {e.get('type', '')}·{e.get('reason', '')} {e.get('date', '')}", e["id"])
                       for e in reversed(live)]
            yield from self.row("撤销记录", Select(options, prompt="最近一条", id="reverses", compact=True))

    def on_mount(self) -> None:
        super().on_mount()
        ol = self.query_one("#reasons", OptionList)
        ol.can_focus = False  # typed search drives it; ↑↓ move it from the search box
        ol.highlighted = None  # nothing is chosen until the clerk types or moves to a reason
        self._choose()

    def on_input_changed(self, event: Input.Changed) -> None:
        super().on_input_changed(event)
        if event.input.id != "reason":
            return
        self.show_error("")  # a refusal about the reason is answered by choosing one
        words = event.value.strip()
        pool = codes().search_reasons(words, self.reasons)  # best match first
        self.shown = pool
        ol = self.query_one("#reasons", OptionList)
        ol.clear_options()
        ol.add_options([Option(reason_text(r), id=r.code) for r in pool])
        ol.highlighted = 0 if pool and words else None  # typing chooses the best match; clearing, none
        self._choose()

    def action_reason_cursor(self, step: int) -> None:
        focused = self.focused
        if isinstance(focused, Input) and focused.id != "reason":
            self.focus_next() if step > 0 else self.focus_previous()
            return
        if isinstance(focused, Select):
            return
        ol = self.query_one("#reasons", OptionList)
        if ol.option_count:
            at = ol.highlighted
            ol.highlighted = 0 if at is None else max(0, min(ol.option_count - 1, at + step))
            ol.scroll_to_highlight()
            self._choose()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._choose()

    def _choose(self) -> None:
        ol = self.query_one("#reasons", OptionList)
        i = ol.highlighted
        self.chosen = self.shown[i] if i is not None and 0 <= i < len(self.shown) else None
        r = self.chosen
        t = r.type.type if r else ""
        takes = r.takes if r else frozenset()  # what the reason's data (codes.json) lets the entry carry
        self.query_one("#extra-major").display = "to_major" in takes
        self.query_one("#extra-class").display = "to_class" in takes
        self.query_one("#extra-grade").display = "to_grade" in takes
        self.query_one("#extra-reverse").display = t == "98"
        if r is None:
            text = "没有符合的原因代码" if not self.shown else "尚未选择原因：输入代码或文字，或按 ↓ 选择"
        else:
            needs = []
            if "doc" in r.needs:
                needs.append("须填文号")
            if "approved" in r.needs:
                needs.append("须填批准日期")
            if "to_major" in r.needs:
                needs.append("须选新专业")
            if "to_class" in r.needs:
                needs.append("须填新班号")
            if "to_grade" in r.needs:
                needs.append("须填编入年级")
            if "note" in r.needs:
                needs.append("须填" + ("名称/原因" if self.record else "说明"))
            if r.irreversible:
                needs.append("不可撤回，保存前需确认")
            text = f"已选：{reason_text(r)}" + (f"（{'，'.join(needs)}）" if needs else "")
        self.query_one("#reason-chosen", Static).update(text)

    def confirmation(self) -> tuple[str, list[str]] | None:
        r = self.chosen
        if r is None or not r.irreversible:
            return None
        s = self.student
        # the same rules the save applies, on the record as shown: what is missing is said now,
        # not after the clerk confirmed
        plan = plan_change(s, self.request(), office=self.app.session.office, clerk="", at="", entry_id="",
                           today=self.app.today(), catalogue=self.majors)
        to = plan.entry.get("to") or s.get("status", "")
        office = self.app.session.office
        title = (f"确认办理 {r.code} {r.type.name}·{r.name}？此变更不可撤回" if office else
                 f"确认报送 {r.code} {r.type.name}·{r.name}？学生工作处复核接受后生效，且不可撤回")
        return (title, [
            f"学生　　{s.get('XM', '')}　学号 {s.get('XH', '')}　{s.get('FY', '')} {s.get('BH', '')}",
            f"学籍状态 {s.get('status', '')} → {to}" + ("" if office else "（复核接受后）"),
            f"文号　　{self.value('doc') or '（未填）'}",
            f"生效日期 {self.value('date')}" + (f"　批准日期 {self.value('approved')}" if self.value('approved') else ""),
            "保存后只能由学生工作处以 9801 撤销录入错误。" if office else
            "保存后学生信息不变，报送进入学生工作处的复核队列；复核前可请学生工作处驳回。",
        ])

    def request(self) -> ChangeRequest:
        r = self.chosen
        if r is None:
            raise InvalidInput("请先选择原因代码：输入代码或文字筛选，↑↓ 选择")
        major = self.query_one("#major", Select).value
        reverses = self.query_one("#reverses", Select).value
        t, takes = r.type.type, r.takes
        req = ChangeRequest(
            code=r.code, date=self.value("date"), approved=self.value("approved"), doc=self.value("doc"),
            note=self.value("note"),
            to_major=str(major) if "to_major" in takes and major != Select.NULL else "",
            to_class=self.value("to_class") if "to_class" in takes else "",
            to_grade=self.value("to_grade") if "to_grade" in takes else "",
            reverses=str(reverses) if t == "98" and reverses != Select.NULL else "",
        )
        return req

    def submit(self):
        return self.save(self.request())
