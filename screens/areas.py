"""The areas of spec/tui.md: one keypress (1–6) away from anywhere outside a text field.

A registry, like the CLI's command table: an area is a Chinese title and the screen class that
shows it, imported only when the clerk first opens it. An issue that builds an area creates the
module named here (its class takes no arguments and reads ``self.app.session``); until then the
key says the area is not available yet.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    target: str  # "module:Class"

    def screen_class(self):
        """The screen class, or None while its module has not been written yet."""
        module, attr = self.target.split(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name == module:
                return None
            raise
        return getattr(mod, attr, None)

    def available(self) -> bool:
        """Whether the area's module exists (without importing it)."""
        try:
            return importlib.util.find_spec(self.target.split(":")[0]) is not None
        except ModuleNotFoundError:
            return False


AREAS: dict[str, Area] = {}


def register(key: str, title: str, target: str) -> None:
    AREAS[key] = Area(key, title, target)


register("1", "名册", "xueji_tui.screens.roster:RosterScreen")
register("2", "核对", "xueji_tui.screens.queue:QueueScreen")
register("3", "照片", "xueji_tui.screens.photos:PhotosScreen")
register("4", "预审", "xueji_tui.screens.precheck:PrecheckScreen")
register("5", "文件", "xueji_tui.screens.files:FilesScreen")
register("6", "进度", "xueji_tui.screens.progress:ProgressScreen")
