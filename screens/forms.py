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
from textual.widgets import Checkbox, Label, Select, Static

from xueji_tui.domain.errors import InvalidInput, XuejiError
from xueji_tui.domain.fields import label
from xueji_tui.domain.idcard import mask
from xueji_tui.domain.validate import normalise_date
from xueji_tui.roster import Facets
from xueji_tui.screens.fields import FormField as Input
from xueji_tui.screens.words import for_screen
from xueji_tui.screens.wrap import Wrapped


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
    """A grade typed as a 4-digit year; empty is left to the reason's needs (optional for 0102)."""

    def validate(self, value: str) -> ValidationResult:
        v = value.strip()
        ok = not v or (v.isascii() and v.isdigit() and len(v) == 4)
        return self.success() if ok else self.failure("年级应为 4 位年份，用半角数字，如 2025")


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
    """A titled form: Tab/Enter go to the next field, ctrl+s saves, Esc cancels.

    Its text boxes are ``FormField`` (imported here as ``Input``): Enter and Tab act in order with
    the keys typed before them, so pasted or scripted input lands in the field it was meant for.
    """

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
            self.set_focus(first)

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

    def field_entered(self, field) -> None:
        """Enter in a text box: the next one, or save after the last."""
        inputs = [i for i in self.query(Input) if shown(i) and not i.disabled]
        if field in inputs and field is not inputs[-1]:
            self.set_focus(inputs[inputs.index(field) + 1])
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
        self.query_one("#form-error", Static).update(Wrapped(for_screen(message)))

    def action_save(self) -> None:
        problems = self.invalid()
        if problems:
            self.show_error("请先改正：" + problems[0])
            return
        try:
            question = self.confirmation()
        except XuejiError as e:
            self.show_error(e.message)
            return
        if question is None:
            self._submit()
            return
        from xueji_tui.screens.confirm import ConfirmModal

        title, lines = question

        def answered(yes: bool | None) -> None:
            if yes:
                self._submit()
            else:
                self.show_error("未保存：已取消，表单内容保留，可修改后再按 ctrl+s")

        self.app.push_screen(ConfirmModal(title, lines, yes="确认保存"), answered)

    def confirmation(self) -> tuple[str, list[str]] | None:
        """A question to answer before saving (what cannot be undone), or None; raises what is wrong
        before asking."""
        return None

    def _submit(self) -> None:
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
                                           placeholder="公安机关证明编号、日期（如 吉公户证〔2025〕12号 20250910）",
                                           validators=[Required("证明材料")]), "evidence-note")

    def submit(self):
        return self.save(self.value("value"), self.value("reason"), self.value("evidence"))


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
        self.set_focus(first)
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
