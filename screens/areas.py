"""The areas of the UI: one keypress (1–7) away from anywhere outside a text field.

A registry, like the CLI's command table: an area is a Chinese title and the screen class that
shows it, imported only when the clerk first opens it (the app starts without loading them all).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    target: str  # "module:Class"

    def screen_class(self):
        module, attr = self.target.split(":")
        return getattr(importlib.import_module(module), attr)

    def make(self):
        """A new screen of this area (the app's modes are built from this)."""
        return self.screen_class()()


AREAS: dict[str, Area] = {}


def register(key: str, title: str, target: str) -> None:
    AREAS[key] = Area(key, title, target)


register("1", "名册", "xueji_tui.screens.roster:RosterScreen")
register("2", "核对", "xueji_tui.screens.queue:QueueScreen")
register("3", "照片", "xueji_tui.screens.photos:PhotosScreen")
register("4", "预审", "xueji_tui.screens.precheck:PrecheckScreen")
register("5", "文件", "xueji_tui.screens.files:FilesScreen")
register("6", "进度", "xueji_tui.screens.progress:ProgressScreen")
register("7", "复核", "xueji_tui.screens.review:ReviewScreen")
