"""Every word a clerk reads is Chinese: no ASCII word outside a short allow-list reaches the screen.

Walks every screen, form and question of the UI (office and college clerk), and checks the message
catalogues: the toasts shown on the way, form titles, help, the palette's commands, the bindings'
descriptions, the UI's own strings, and the services' refusals as the UI shows them. Allowed: key
names as printed on a keyboard, file formats, the product's name, values (numbers, codes, paths, the
clerk's login), and precheck rule ids and field codes in the precheck's details pane only.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from tui_kit import make_app, memory_only, palette_listed, ready, rows_where, type_text, wait_until

from xueji_tui.domain.fields import ART6_FIELDS
from xueji_tui.domain.record import ROW

KEYS = {"Esc", "Enter", "Tab", "shift", "ctrl", "PgUp", "PgDn", "Home", "End"}
FORMATS = {"DBF", "dbf", "Excel", "xlsx", "xls", "csv", "GBK", "YYYYMMDD", "YYYY"}
NAMES = {"xueji", "zs"}  # the product; the pinyin example of the filter (zs → 张三)
ALLOWED = KEYS | FORMATS | NAMES
ROOT = Path(__file__).resolve().parents[2]


def foreign_words(text: str, also: set[str] = frozenset()) -> set[str]:
    """ASCII words in ``text`` a clerk should not have to read."""
    out = set()
    for token in re.findall(r"[A-Za-z0-9_./~\-+:^*#@=]+", text):
        if "/" in token or any(ch.isdigit() for ch in token):
            continue  # a path, a number, a code or an account shown as a value
        for word in re.findall(r"[A-Za-z]+", token):
            if len(word) > 1 and word not in ALLOWED and word not in also:
                out.add(word)
    return out


def screen_text(app, hide: tuple[str, ...] = ()) -> str:
    """What the terminal shows now (top screen, a form with the screen under it), with the regions of
    ``hide`` (in any screen of the stack) blanked."""
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    for selector in hide:
        for widget in (w for screen in app.screen_stack for w in screen.query(selector)):
            r = widget.region
            for y in range(r.y, min(r.bottom, len(lines))):
                lines[y] = ""
    return "\n".join(lines)


class Walk:
    """Visit screens; every screen's text, help and palette commands are checked on the way."""

    def __init__(self, app, pilot, also: set[str]) -> None:
        self.app, self.pilot, self.also = app, pilot, also
        self.seen: dict[str, set[str]] = {}

    async def look(self, name: str, hide: tuple[str, ...] = ()) -> None:
        await self.app.workers.wait_for_complete()
        await self.pilot.pause()
        bad = foreign_words(screen_text(self.app, hide), self.also)
        from xueji_tui.screens.help import help_rows
        from xueji_tui.screens.palette import ActionsProvider, our_bindings

        for _group, _keys, desc in help_rows(self.app.screen):
            bad |= {f"help:{w}" for w in foreign_words(desc, self.also)}
        if not hasattr(self.app.screen, "__palette_checked"):
            provider = ActionsProvider(self.app.screen)
            for text, help_, _run in provider._commands():
                bad |= {f"palette:{w}" for w in foreign_words(text + help_, self.also)}
        for desc, keys, _action, _node in our_bindings(self.app.screen):
            bad |= {f"footer:{w}" for w in foreign_words(desc + " " + keys, self.also)}
        if bad:
            self.seen[name] = bad

    async def keys(self, *keys: str) -> None:
        for k in keys:
            await self.pilot.press(k)
        await self.app.workers.wait_for_complete()
        await self.pilot.pause()

    async def home(self) -> None:
        app = self.app
        while len(app.screen_stack) > 1:
            app.pop_screen()
            await self.pilot.pause()
        app.switch_area("1")
        await self.pilot.pause()

    def toasts(self) -> set[str]:
        bad = set()
        for n in self.app._notifications:
            bad |= foreign_words(n.title + " " + n.message.replace("\n", ""), self.also)
        return bad


async def walk_everything(app, pilot, office: bool, elsewhere: Path, home: Path) -> Walk:
    clerks = {c["name"] for c in app.session.store.clerks()}
    w = Walk(app, pilot, clerks)
    await w.look("roster")
    await w.keys("slash")
    await type_text(pilot, "2025")
    await w.look("roster-filtered")
    await w.keys("escape", "f")
    await w.look("facets")
    await w.keys("escape", "question_mark")
    await w.look("help-roster")
    await w.keys("escape")
    # the student page and its forms
    row = rows_where(app, status="待注册")[0]
    pos = app.feed.model.position(row[ROW["KSH"]])
    app.screen.query_one("#roster").move_to(pos)
    await w.keys("enter")
    await w.look("student")
    await w.keys("v")
    await w.look("student-revealed")
    await w.keys("question_mark")
    await w.look("help-student")
    await w.keys("escape")
    for field, form in (("RXRQ", "verify-form"), ("MZ", "request-form")):
        await w.keys("g", *["j"] * ART6_FIELDS.index(field), "n")
        await type_text(pilot, "x")
        await w.keys("ctrl+s")
        await w.look(form)
        await w.keys("escape")
    await w.keys("s")
    await w.look("status-form-empty")
    await w.keys("ctrl+s")
    await w.look("status-form-refused")
    await type_text(pilot, "0101")
    await w.keys("ctrl+s")
    await w.look("status-form-0101")
    await w.keys("escape", "r")
    await w.look("record-form")
    await w.keys("escape", "h")
    await w.look("history")
    await w.keys("escape")
    registered = rows_where(app, status="注册学籍")[0]
    await w.home()
    app.screen.query_one("#roster").move_to(app.feed.model.position(registered[ROW["KSH"]]))
    await w.keys("enter", "s")
    await type_text(pilot, "2301")
    await w.keys("ctrl+s")
    await w.look("status-form-2301")
    await w.keys("escape", "s")
    await type_text(pilot, "退学")
    await w.look("status-form-search")
    await w.keys("escape", "s")
    await type_text(pilot, "3106")
    app.screen.query_one("#doc").value = "吉师大教字2025-8号"
    await w.keys("ctrl+s")
    await w.look("irreversible-question")
    await w.keys("n", "escape", "r")
    await type_text(pilot, "7103")
    await w.keys("ctrl+s")
    await w.look("record-refused")
    await w.keys("escape")
    # the other areas
    await w.home()
    await w.keys("2")
    await w.look("queue")
    await w.keys("question_mark")
    await w.look("help-queue")
    await w.keys("escape", "3")
    await w.look("photos")
    await w.keys("x")
    await w.look("chase-list-form")
    await w.keys("ctrl+s")
    await wait_until(pilot, lambda: len(app.screen_stack) == 1)
    await w.keys("x", "ctrl+s")
    await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmModal")
    await w.look("overwrite-question")
    await w.keys("n", "escape", "y")
    await w.look("scope-form")
    await w.keys("escape", "4")
    await wait_until(pilot, lambda: app.screen.result is not None)
    await w.look("precheck", hide=("#pc-msg",))  # rule ids and field codes only in the details pane
    await w.keys("o")
    await w.look("precheck-report-form", hide=("#pc-msg",))
    await w.keys("escape", "5")
    await w.look("files-import")
    app.screen.query_one("#import-path").value = str(home / "没有这个文件.dbf")
    await w.keys("ctrl+r")
    await w.look("files-import-error")
    bad = elsewhere / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    app.screen.query_one("#import-path").value = str(bad)
    await w.keys("ctrl+r")
    await w.look("files-import-bad")
    await w.keys("o")
    await w.look("files-export")
    app.screen.query_one("#export-kind").focus()  # a list opened: its Esc in the footer (was "Dismiss menu")
    await w.keys("enter")
    await w.look("select-open")
    await w.keys("escape")
    if office:
        await w.keys("ctrl+o")
        await wait_until(pilot, lambda: "正在" not in str(app.screen.query_one("#export-text").content.plain))
        await w.look("files-exported")
    await w.keys("6")
    await w.look("progress")
    await w.keys("ctrl+p")
    await type_text(pilot, "核对")
    await palette_listed(pilot)
    await w.look("palette-commands")
    await w.keys("escape", "ctrl+p")
    await type_text(pilot, "zzzzqq")
    await palette_listed(pilot, nothing=True)
    w.also = w.also | {"zzzzqq"}  # what the clerk typed, shown back
    await w.look("palette-nothing")
    await w.keys("escape", "ctrl+c")
    await w.look("ctrl-c")
    await w.keys("1")
    await w.keys("q")
    await w.look("quit-question")
    await w.keys("n")
    return w


@pytest.mark.slow  # walks every screen and form of the app
@memory_only  # what the screens say: the store only supplies the rows
@pytest.mark.parametrize("clerk", ["office1", "wenxue"])
async def test_no_foreign_word_on_any_screen(seeded, short_home, tmp_path, clerk):
    home = short_home
    app = make_app(seeded.session(clerk))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await ready(app, pilot)
        walk = await walk_everything(app, pilot, clerk.startswith("office"), tmp_path, home)
        assert walk.seen == {}, walk.seen
        assert walk.toasts() == set()


def test_the_check_finds_english():
    assert foreign_words("Do you want to quit? Press ctrl+q") == {"Do", "you", "want", "to", "quit", "Press"}
    assert foreign_words("missing-field 必填项为空") == {"missing", "field"}
    assert foreign_words("规则 id-checksum") == {"id", "checksum"}
    assert foreign_words("ZSBH 证书编号") == {"ZSBH"}
    assert foreign_words("按 ctrl+s 保存 · Esc 取消 · 写到 /home/x/学籍注册-2025.dbf · office1 · J/K") == set()


# -- the catalogues: strings of the UI and the refusals the services hand it ----------------------
def literals(path: Path) -> list[tuple[int, str]]:
    """String constants of a module with Chinese in them (f-strings with their values as 0)."""
    out = []
    tree = ast.parse(path.read_text("utf-8"))
    parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    for node in ast.walk(tree):
        if id(node) in parts:
            continue  # a piece of an f-string: checked with the whole
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "0" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if re.search(r"[\u4e00-\u9fff]", text):
            out.append((node.lineno, text))
    return out


def _docstring_lines(path: Path) -> set[int]:
    lines = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = node.body[0] if node.body else None
            if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str):
                lines.add(doc.lineno)
    return lines


# words.py holds the command line's words it translates: it is where they are allowed
UI_MODULES = [p for p in sorted((ROOT / "screens").glob("*.py")) if p.name != "words.py"] + \
    [ROOT / "xueji_tui" / "app.py"]
# the refusals of the forms, the student page, the 文件 area and the report forms
SERVICE_MODULES = [ROOT / "xueji_tui" / p for p in (
    "domain/status.py", "domain/codes.py", "domain/clerks.py", "services/students.py", "services/find.py",
    "services/exports.py", "services/settings.py", "services/corrections.py", "formats/writers.py",
)]
# values a message may contain and the words that only name the command line's side (never shown)
UI_VALUES = {"Rows", "XuejiError",
             "language", "driver"}  # dbf_language_driver: the key the office types in a profile override


@pytest.mark.parametrize("path", UI_MODULES, ids=lambda p: p.name)
def test_the_ui_strings_are_chinese(path):
    docs = _docstring_lines(path)
    markup = re.compile(r"\[/?[a-z$ -]*\]")  # console markup ([b $error]) is not shown as text
    bad = {(n, w) for n, text in literals(path) if n not in docs
           for w in foreign_words(markup.sub("", text), UI_VALUES)}
    assert not bad, bad


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=lambda p: p.parent.name + "/" + p.name)
def test_the_services_refusals_read_as_chinese_in_the_ui(path):
    from xueji_tui.screens.words import for_screen

    docs = _docstring_lines(path)
    bad = {(n, w, for_screen(text)) for n, text in literals(path) if n not in docs
           for w in foreign_words(for_screen(text), UI_VALUES)}
    assert not bad, bad
