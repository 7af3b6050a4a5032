"""h: one student's history — change entries and audit lines, oldest first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from xueji_tui.domain.errors import XuejiError
from xueji_tui.domain.fields import label
from xueji_tui.domain.idcard import mask
from xueji_tui.screens.base import XuejiScreen
from xueji_tui.screens.table import Column, Rows, VirtualTable
from xueji_tui.services import students

ACTIONS = {
    "verify": "核对", "change": "异动", "reveal": "查看身份证号", "edit": "更正", "import": "导入",
    "correction-file": "提交更正申请", "correction-submit": "更正申请报教育厅", "correction-reject": "驳回更正申请",
    "correction-apply": "更正申请获批", "users-add": "登记经办人", "init": "新建数据目录",
    "import-new": "导入新增", "import-change": "导入变更", "import-conflict": "导入冲突（保留本地值）",
    "certno": "证书编号", "conclusion": "毕结业结论", "graduate": "学历注册", "settings": "修改设置",
    "migrate": "数据格式升级", "layout": "存储布局扩容", "sample-data": "示例数据",
    "propose": "学院报送", "review-accept": "复核接受报送", "review-reject": "复核驳回报送",
    "import-identity": "按学信网更正身份信息", "correction-close": "更正申请已由学信网更正",
    "export": "导出（含完整身份证号）", "ssh-authorize": "授权登录钥匙", "ssh-revoke": "收回登录钥匙",
}
VERDICTS = {"ok": "无误", "wrong": "有误"}


def _short(at: str) -> str:
    return f"{at[:10]} {at[11:16]}" if len(at or "") >= 16 else (at or "")


def _plain(v) -> str:
    if v is None or v == "":
        return ""
    return VERDICTS.get(v, str(v)) if isinstance(v, str) else str(v)


def history_rows(items: list[dict]) -> list[list[str]]:
    """[when, who, kind, what, detail] for entries and audit lines."""
    out = []
    for d in items:
        if d.get("source") == "entry":
            what = f"{d.get('code', '')} {d.get('type', '')}·{d.get('reason', '')}"
            bits = []
            if d.get("to") != d.get("from"):
                bits.append(f"{d.get('from', '')} → {d.get('to', '')}")
            bits += [f"{label(f)} {old} → {new}" for f, (old, new) in (d.get("fields") or {}).items()]
            bits += [x for x in (f"生效 {d.get('date', '')}" if d.get("date") else "",
                                 f"批准 {d['approved']}" if d.get("approved") else "",
                                 d.get("doc", ""), d.get("note", ""),
                                 f"撤销 {d['reverses']}" if d.get("reverses") else "",
                                 f"已被 {d['reversed_by']} 撤销" if d.get("reversed_by") else "") if x]
            out.append([_short(d.get("at", "")), d.get("clerk", ""), f"记录 {d.get('id', '')}", what, "；".join(bits)])
        else:
            action = d.get("action", "")
            what = ACTIONS.get(action, "其他操作")  # an action added later is still shown in Chinese
            if d.get("field"):
                what += f" {label(d['field'])}"
            change = ""
            old, new = _plain(d.get("old")), _plain(d.get("new"))
            if d.get("field") == "SFZH":  # the trail keeps the full number; the screen never shows it
                old, new = mask(old), mask(new)
            if old or new:
                change = f"{old or '（空）'} → {new}" if old else new
            detail = "；".join(x for x in (change, d.get("why", "")) if x)
            out.append([_short(d.get("at", "")), d.get("clerk", ""), "审计", what, detail])
    return out



class HistoryTable(VirtualTable):
    HELP_GROUP = "历史"
    BINDINGS = [Binding("enter", "select", "详情", show=False)]


class HistoryScreen(XuejiScreen):
    HELP_TITLE = "历史"
    BINDINGS = [
        Binding("escape,q", "app.back", "返回"),
    ]

    def __init__(self, ksh: str, student: dict | None = None) -> None:
        super().__init__()
        self.ksh = ksh
        self.student = student or {}

    def body(self) -> ComposeResult:
        s = self.student
        yield Static(f"{s.get('XM', '')}  学号 {s.get('XH', '')}  {s.get('status', '')} · 历史（异动记录与审计日志，最早的在前）",
                     id="student-head", markup=False)
        yield HistoryTable([
            Column("时间", "", 16, lambda r: r[0]),
            Column("经办人", "", 8, lambda r: r[1]),
            Column("类别", "", 7, lambda r: r[2]),
            Column("事项", "", 22, lambda r: r[3]),
            Column("内容", "", 60, lambda r: r[4]),
        ], id="history")
        yield Static("", id="history-detail", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.go_home()
        self.data_changed()

    def home(self):
        return self.query_one(HistoryTable)

    def data_changed(self) -> None:
        try:
            items = students.history(self.session, self.ksh)
        except XuejiError as e:
            self.fail(e)
            return
        self.rows = history_rows(items)
        table = self.query_one(HistoryTable)
        table.set_source(Rows(self.rows), keep=len(self.rows) - 1)
        if self.rows:
            self._detail(table.cursor_row)
        else:
            self.query_one("#history-detail", Static).update("暂无异动记录或审计记录")

    def _detail(self, pos: int) -> None:
        if 0 <= pos < len(self.rows):
            r = self.rows[pos]
            self.query_one("#history-detail", Static).update(f"{r[0]} {r[1]} · {r[2]} · {r[3]}\n{r[4]}")

    def on_virtual_table_moved(self, event: VirtualTable.Moved) -> None:
        self._detail(event.pos)
