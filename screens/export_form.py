"""A report written from an area (the photo chase list, the precheck report): the output folder (the
clerk's, remembered) and a file name, the full path shown before writing, and a question before an
existing file is replaced."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from textual.app import ComposeResult
from textual.widgets import Static

from xueji_tui.domain.errors import OutputExists, XuejiError
from xueji_tui.screens.fields import FormField
from xueji_tui.screens.forms import FormModal, Required
from xueji_tui.screens.wrap import Wrapped
from xueji_tui.services import settings


class ExportModal(FormModal):
    """``save(path, force)`` writes the file and returns what to tell the clerk."""

    def __init__(self, title: str, default: str, save: Callable[[Path, bool], str], fmt: str = "xlsx") -> None:
        super().__init__(save)
        self._title = title
        self.default = default
        self.fmt = fmt

    def title_text(self) -> str:
        return self._title

    def fields(self) -> ComposeResult:
        folder = settings.output_folder(self.app.session)
        yield from self.row("输出目录", FormField(str(folder), id="folder", compact=True,
                                              validators=[Required("输出目录")]), "folder-note")
        yield from self.row("文件名", FormField(self.default, id="path", compact=True, validators=[Required("文件名")]),
                            "path-note")
        yield Static("", id="export-full", classes="form-hint", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.set_focus(self.query_one("#path"))
        self._full()

    def on_input_changed(self, event) -> None:
        super().on_input_changed(event)
        self._full()

    def target(self) -> Path:
        from xueji_tui.services.exports import with_format

        name = with_format(Path(self.value("path")), self.fmt)  # what is written, shown before writing
        return settings.output_path(self.app.session, name, self.value("folder") or None)

    def _full(self) -> None:
        try:
            text = f"写到 {self.target()}"
        except (XuejiError, OSError, ValueError):
            text = ""
        self.query_one("#export-full", Static).update(Wrapped(text))

    def _submit(self, force: bool = False) -> None:
        session = self.app.session
        try:
            folder = self.value("folder")
            if Path(os.path.expanduser(folder)).resolve() != settings.output_folder(session):
                settings.set_output_folder(session, folder)  # the folder chosen is remembered
            path = self.target()
            result = self.save(path, force)
        except OutputExists as e:
            from xueji_tui.screens.confirm import ConfirmModal

            def answered(yes: bool | None) -> None:
                if yes:
                    self._submit(force=True)
                else:
                    self.show_error("未覆盖：已有的文件保持不变；可改文件名后再按 ctrl+s")

            self.app.push_screen(ConfirmModal("覆盖已有的文件？", [str(e.path), "覆盖后原文件的内容不能恢复。"],
                                              yes="覆盖"), answered)
            return
        except (XuejiError, OSError) as e:
            from xueji_tui.domain.errors import explain

            self.show_error(explain(e).message)
            return
        self.dismiss(result)
