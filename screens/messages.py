"""How refusals and failures are titled on screen: by what did not happen, so a lookup that found
nobody is not called "未保存"."""

from __future__ import annotations

from xueji_tui.domain.errors import (Blocked, InternalError, NotAllowed, NotFound, OutputExists, Refused,
                                     StoreBusy, XuejiError)

# the most specific class first
TITLES: list[tuple[type, str]] = [
    (OutputExists, "文件已存在"),
    (StoreBusy, "未保存：其他经办人正在保存"),
    (InternalError, "内部错误"),
    (NotAllowed, "不在权限范围内"),
    (NotFound, "没有找到"),
    (Blocked, "有问题需先处理"),
    (Refused, "不允许"),
]
SAVING = "未保存"  # a save that was refused: nothing written
PREVIEW = "无法预览"
EXPORT = "未导出"


def error_title(error: XuejiError) -> str:
    return next((title for cls, title in TITLES if isinstance(error, cls)), "请检查")


def toast_width(screen_width: int) -> int:
    """The text width of a toast: Textual's is 60 cells, at most half of the toast rack (the screen
    less its 2-cell scrollbar), less the toast's left border (1) and padding (1 each side)."""
    return max(10, min(60, (screen_width - 2) // 2) - 3)
