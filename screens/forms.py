"""Modal forms: they collect and validate what a clerk types, and hand it to a save callback.

The opener passes ``save`` (a call into ``xueji_tui.services``). A form closes only when the save
succeeds; when it raises (lock timeout, a refused transition, no permission) the form stays open
with everything the clerk typed and says why.
"""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Checkbox, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from xueji_tui.domain.codes import Reason, codes
from xueji_tui.domain.errors import InvalidInput, XuejiError
from xueji_tui.domain.fields import label
from xueji_tui.domain.idcard import mask
from xueji_tui.domain.status import ChangeRequest
from xueji_tui.domain.validate import normalise_date
from xueji_tui.roster import Facets


# -- validators: the same rules the CLI and the services apply ------------------------------------
class FieldValue(Validator):
    """A value typed for a record field, checked with ``services.students.validate_field``."""

    def __init__(self, field: str, record: dict, optional: bool = False) -> None:
        super().__init__()
        self.field, self.record, self.optional = field, record, optional

    def validate(self, value: str) -> ValidationResult:
        from xueji_tui.services.students import validate_field

        if self.optional and not value.strip():
            return self.success()
        try:
            validate_field(self.field, value, self.record)
        except XuejiError as e:
            return self.failure(e.message)
        return self.success()


class DateValue(Validator):
    def __init__(self, optional: bool = False) -> None:
        super().__init__()
        self.optional = optional

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.success() if self.optional else self.failure("请填写日期（YYYYMMDD）")
        try:
            normalise_date(value)
        except InvalidInput as e:
            return self.failure(e.message)
        return self.success()


class Required(Validator):
    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def validate(self, value: str) -> ValidationResult:
        return self.success() if value.strip() else self.failure(f"请填写{self.what}")


class GradeValue(Validator):
    def validate(self, value: str) -> ValidationResult:
        v = value.strip()
        return self.success() if v.isdigit() and len(v) == 4 else self.failure("年级应为 4 位年份，如 2025")


def shown(widget) -> bool:
    """Displayed, and so are all its containers (hidden sections of a form do not count)."""
    node = widget
    while node is not None and not isinstance(node, ModalScreen):
        if not node.display:
            return False
        node = node.parent
    return True


# -- the form frame ------------------------------------------------------------------------------
class FormModal(ModalScreen):
    """A titled form: Tab/Enter go to the next field, ctrl+s saves, Esc cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "取消"),
        Binding("ctrl+s", "save", "保存"),
    ]
    TITLE = ""

    def __init__(self, save: Callable | None = None) -> None:
        super().__init__()
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static(self.TITLE, classes="form-title", id="form-title", markup=False)
            yield from self.fields()
            yield Static("", classes="form-error", id="form-error", markup=False)
            yield Static("ctrl+s 保存 · Enter/Tab 下一项 · Esc 取消（不保存）", classes="form-keys")

    def fields(self) -> ComposeResult:
        yield from ()

    @staticmethod
    def row(title: str, widget, note_id: str | None = None) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(title)
            yield widget
        if note_id:
            note = Static("", classes="field-error", id=note_id, markup=False)
            note.display = False
            yield note

    def on_mount(self) -> None:
        self.query_one("#form-title", Static).update(self.title_text())
        first = next(iter(self.query(Input)), None)
        if first is not None:
            first.focus()

    def title_text(self) -> str:
        return self.TITLE

    # -- validation shown as typed --------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        note = self._note_for(event.input)
        if note is not None:
            result = event.validation_result
            text = "" if result is None or result.is_valid else "；".join(result.failure_descriptions)
            note.update(text)
            note.display = bool(text)

    def _note_for(self, widget) -> Static | None:
        if not widget.id:
            return None
        found = self.query(f"#{widget.id}-note")
        return found.first(Static) if found else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = [i for i in self.query(Input) if shown(i) and not i.disabled]
        if event.input in inputs and event.input is not inputs[-1]:
            inputs[inputs.index(event.input) + 1].focus()
        else:
            self.action_save()

    def invalid(self) -> list[str]:
        """What is still wrong in the visible fields (each input re-validated now)."""
        out = []
        for inp in self.query(Input):
            if not shown(inp) or not inp.validators:
                continue
            result = inp.validate(inp.value)
            if result is not None and not result.is_valid:
                out.append("；".join(result.failure_descriptions))
                note = self._note_for(inp)
                if note is not None:
                    note.update(out[-1])
                    note.display = True
        return out

    def show_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(message)

    def action_save(self) -> None:
        problems = self.invalid()
        if problems:
            self.show_error("请先改正：" + problems[0])
            return
        try:
            result = self.submit()
        except XuejiError as e:
            self.show_error(e.message)
            return
        self.dismiss(result)

    def submit(self):
        """Call ``save`` with the form's values; its return value is what the form returns."""
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    def value(self, id_: str) -> str:
        """What the clerk typed into the input ``id_``, without surrounding spaces."""
        return self.query_one(f"#{id_}", Input).value.strip()


# -- 有误: a corrected value and a note ---------------------------------------------------------
class VerifyModal(FormModal):
    def __init__(self, field: str, record: dict, save: Callable[[str | None, str], str]) -> None:
        super().__init__(save)
        self.field, self.record = field, record

    def title_text(self) -> str:
        r = self.record
        return f"标记有误 · {label(self.field)} · {r.get('XM', '')} {r.get('XH', '')}"

    def fields(self) -> ComposeResult:
        f = self.field
        current = self.record.get(f, "") if f != "ZP" else "（电子图像）"
        yield Static(f"现值：{mask(current) if f == 'SFZH' else current}", classes="form-hint", markup=False)
        if f != "ZP":
            yield from self.row("更正为", Input(id="value", compact=True, placeholder="正确的值（可留空，只说明）",
                                               validators=[FieldValue(f, self.record, optional=True)]),
                                "value-note")
        else:
            yield Static("照片不能在此更正：请说明问题，联系新华社/学信网处理。", classes="form-hint", markup=False)
        yield from self.row("说明", Input(id="note", compact=True, placeholder="错在哪里、依据什么"))

    def submit(self):
        value = self.value("value") if self.field != "ZP" else ""
        note = self.value("note")
        if not value and not note:
            raise InvalidInput(f"请给出正确的{label(self.field)}，或说明错在哪里")
        return self.save(value or None, note)


# -- identity fields: a change request (Art. 20) --------------------------------------------------
class RequestModal(FormModal):
    def __init__(self, field: str, record: dict, save: Callable[[str, str, str], str]) -> None:
        super().__init__(save)
        self.field, self.record = field, record

    def title_text(self) -> str:
        r = self.record
        return f"更正申请（第二十条）· {label(self.field)} · {r.get('XM', '')} {r.get('XH', '')}"

    def fields(self) -> ComposeResult:
        f = self.field
        current = self.record.get(f, "")
        yield Static(f"现值：{mask(current) if f == 'SFZH' else current}。身份信息以录取数据为准，"
                     f"申请经教育厅批准、由学生工作处办理后才会修改，批准前保留原值。", classes="form-hint", markup=False)
        yield from self.row("新值", Input(id="value", compact=True, placeholder=f"正确的{label(f)}",
                                         validators=[FieldValue(f, self.record)]), "value-note")
        yield from self.row("原因", Input(id="reason", compact=True, placeholder="如：录取数据民族有误",
                                         validators=[Required("更正原因")]), "reason-note")
        yield from self.row("证明材料", Input(id="evidence", compact=True,
                                           placeholder="公安机关证明编号、日期（如 吉公户证〔2025〕12号 20250910）"))

    def submit(self):
        return self.save(self.value("value"), self.value("reason"), self.value("evidence"))


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
        yield from self.row("原因代码", Input(id="reason", compact=True,
                                           placeholder="输入代码或文字筛选，如 1101 或 因病；↑↓ 选择"))
        yield OptionList(*[Option(reason_text(r), id=r.code) for r in self.reasons], id="reasons")
        yield Static("", id="reason-chosen", classes="form-hint", markup=False)
        yield from self.row("生效日期", Input(self.today, id="date", compact=True, validators=[DateValue()]),
                            "date-note")
        yield from self.row("批准日期", Input(id="approved", compact=True, placeholder="YYYYMMDD（可空）",
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
        if self.reasons:
            ol.highlighted = 0
        self._choose()

    def on_input_changed(self, event: Input.Changed) -> None:
        super().on_input_changed(event)
        if event.input.id != "reason":
            return
        pool = codes().search_reasons(event.value, self.reasons)
        words = event.value.strip()
        if words and not pool:  # '因病休学' style words that span type and reason
            pool = [r for r in self.reasons if words in r.type.name + r.name or words in reason_text(r)]
        self.shown = pool
        ol = self.query_one("#reasons", OptionList)
        ol.clear_options()
        ol.add_options([Option(reason_text(r), id=r.code) for r in pool])
        if pool:
            ol.highlighted = 0
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
            ol.highlighted = max(0, min(ol.option_count - 1, (ol.highlighted or 0) + step))
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
        self.query_one("#extra-major").display = t == "23"
        self.query_one("#extra-class").display = t in ("23", "02", "04")
        self.query_one("#extra-grade").display = t in ("02", "04")
        self.query_one("#extra-reverse").display = t == "98"
        if r is None:
            text = "没有符合的原因代码" if not self.shown else ""
        else:
            needs = []
            if r.type.needs_doc:
                needs.append("须填文号")
            if t == "23":
                needs.append("须选新专业并填新班号")
            if t in ("02", "04"):
                needs.append("须填编入年级")
            if "note" in r.type.needs:
                needs.append("须填" + ("名称/原因" if self.record else "说明"))
            text = f"已选：{reason_text(r)}" + (f"（{'，'.join(needs)}）" if needs else "")
        self.query_one("#reason-chosen", Static).update(text)

    def submit(self):
        r = self.chosen
        if r is None:
            raise InvalidInput("请选择原因代码（输入代码或文字筛选，↑↓ 选择）")
        major = self.query_one("#major", Select).value
        reverses = self.query_one("#reverses", Select).value
        t = r.type.type
        req = ChangeRequest(
            code=r.code, date=self.value("date"), approved=self.value("approved"), doc=self.value("doc"),
            note=self.value("note"),
            to_major=str(major) if t == "23" and major != Select.NULL else "",
            to_class=self.value("to_class") if t in ("23", "02", "04") else "",
            to_grade=self.value("to_grade") if t in ("02", "04") else "",
            reverses=str(reverses) if t == "98" and reverses != Select.NULL else "",
        )
        return self.save(req)


# -- the roster's `f` filters ---------------------------------------------------------------------
class FacetsModal(FormModal):
    BINDINGS = [
        Binding("ctrl+r", "reset", "清除条件"),
    ]

    def __init__(self, model, facets: Facets, session) -> None:
        super().__init__()
        self.model, self.facets, self.session = model, facets, session

    def title_text(self) -> str:
        return "筛选条件（空为全部）"

    def fields(self) -> ComposeResult:
        f = self.facets
        m = self.model

        def select(id_: str, values: list[str], value: str, fmt=lambda v: v):
            opts = [(fmt(v), v) for v in values]
            return Select(opts, prompt="全部", id=id_, compact=True, value=value if value in values else Select.NULL)

        college = select("college", m.values("FY"), f.college)
        if not self.session.office:
            college.disabled = True
        yield from self.row("学院", college)
        yield from self.row("年级", select("grade", m.values("DQSZJ"), f.grade, lambda v: f"{v}级"))
        yield from self.row("学籍状态", select("status", m.values("status"), f.status))
        yield from self.row("层次", select("level", m.values("CC"), f.level))
        yield from self.row("", Checkbox("只看有问题的学生（核对有误、数据有误）", f.problems, id="problems", compact=True))

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#form-error", Static).update("")
        first = self.query_one("#college" if self.session.office else "#grade")
        first.focus()
        self.query_one(".form-keys", Static).update("ctrl+s 保存 · Tab 下一项 · ctrl+r 清除条件 · Esc 取消")

    def _sel(self, id_: str) -> str:
        v = self.query_one(f"#{id_}", Select).value
        return "" if v == Select.NULL else str(v)

    def submit(self):
        return Facets(college=self._sel("college") if self.session.office else "", grade=self._sel("grade"),
                      status=self._sel("status"), level=self._sel("level"),
                      problems=self.query_one("#problems", Checkbox).value)

    def action_reset(self) -> None:
        self.dismiss(Facets())
