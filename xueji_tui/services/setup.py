"""Creating a data directory: ``xueji init``, the sample school, the demo."""

from __future__ import annotations

from pathlib import Path

from xueji_tui.domain.validate import setting_text
from xueji_tui.domain.errors import InvalidInput
from xueji_tui.store import create_store, is_store


def is_data_dir(root: Path) -> bool:
    return is_store(Path(root))


def refuse_existing(root: Path, what: str) -> None:
    """``what`` writes only into a new or empty directory: say so, naming it, and change nothing."""
    root = Path(root)
    if is_store(root):
        raise InvalidInput(f"{root} 已经是 xueji 数据目录，{what} 不会覆盖其中的数据，未作任何修改；"
                           f"请换一个新的或空的目录")
    if root.exists() and not root.is_dir():
        raise InvalidInput(f"{root} 是一个文件，不是目录；请换一个新的或空的目录")
    if root.is_dir() and any(root.iterdir()):
        raise InvalidInput(f"{root} 不是空目录，{what} 只写入新的或空的目录，未作任何修改")


def init(root: Path, *, school_code: str, school_name: str, president: str, clerk: str) -> None:
    """A new, empty data directory; ``clerk`` becomes its first office clerk."""
    if not (school_code.isdigit() and len(school_code) == 5):
        raise InvalidInput(f"院校代码应为 5 位数字（如 10202），现为“{school_code}”")
    if not school_name.strip():
        raise InvalidInput("请填写院校名称（--school-name，如 吉林师范大学）")
    create_store(Path(root), school_code=school_code, school_name=setting_text(school_name, "院校名称", required=True),
                 president=setting_text(president, "校长姓名"), clerk=clerk)
