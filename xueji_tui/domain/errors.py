"""Errors a clerk sees. Each carries the CLI exit code (docs/cli.md) and a message in plain Chinese."""

import errno


class XuejiError(Exception):
    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(XuejiError):
    """Bad usage or a bad value: nothing was written (exit 2)."""

    exit_code = 2


class Refused(InvalidInput):
    """A rule of the regulation forbids it (a transition, a locked field): nothing was written."""


class NotFound(XuejiError):
    """The command ran and found nothing (exit 1)."""

    exit_code = 1


class NotAllowed(XuejiError):
    """Not allowed for this clerk's role or college (exit 3)."""

    exit_code = 3


class StoreBusy(XuejiError):
    """Another clerk held the store's lock for too long; nothing was written."""

    exit_code = 2


class NoData(XuejiError):
    """The data directory does not exist or is not a xueji store."""

    exit_code = 2


class Blocked(XuejiError):
    """The command ran and found problems that stop it (precheck errors before an upload): exit 1."""

    exit_code = 1


class InternalError(XuejiError):
    """A defect of xueji, not of the input: exit 2, nothing written."""


class StoreDamaged(XuejiError):
    """A file of the data directory cannot be read (truncated, garbled): named, with what to do."""

    exit_code = 2

    def __init__(self, message: str, path: str = ""):
        super().__init__(message)
        self.path = path


class TrailBroken(XuejiError):
    """The audit trail (or a data file) no longer agrees with what was committed: writes stop."""

    exit_code = 2


class WriteFailed(XuejiError):
    """The operating system refused a write (disk full …); the store was left as it was."""

    exit_code = 2


class WriteUnfinished(XuejiError):
    """Committed (the audit lines are on disk) but not all files were put in place; the next open
    finishes it. The command ran and hit a problem: exit 1."""

    exit_code = 1


_OS_REASONS = {
    "ENOSPC": "磁盘空间已满", "EDQUOT": "超出磁盘配额", "EACCES": "没有权限", "EPERM": "操作不被允许",
    "EROFS": "文件系统为只读", "EIO": "磁盘读写错误", "EMFILE": "打开的文件过多", "ENFILE": "打开的文件过多",
    "ENOENT": "文件或目录不存在", "ENOTDIR": "路径中有一项不是目录", "EISDIR": "这是一个目录，不是文件",
    "ELOOP": "路径中有符号链接", "EEXIST": "文件已存在", "EFBIG": "文件过大", "ENAMETOOLONG": "文件名过长",
}


def os_reason(error: OSError) -> str:
    """What the operating system said, in Chinese (an unusual error by its errno name)."""
    name = errno.errorcode.get(error.errno or 0, "")
    return _OS_REASONS.get(name) or (f"系统错误 {name}" if name else (error.strerror or "系统错误"))


def explain(error: BaseException) -> XuejiError:
    """Any error as a clerk sees it: the CLI prints this, the screens show it. Ours pass through; an
    operating-system error names the file and says that nothing was written; anything else is an
    internal error (XUEJI_DEBUG=1 shows the traceback)."""
    if isinstance(error, XuejiError):
        return error
    if isinstance(error, OSError):
        where = f"：{error.filename}" if error.filename else ""
        return InvalidInput(f"文件或目录操作失败{where}（{os_reason(error)}），未写入任何数据；请检查路径和权限后重试")
    if isinstance(error, MemoryError):
        return InvalidInput("内存不足，操作未完成，未写入任何数据；请关闭其他程序或分批处理后重试")
    return InternalError(f"xueji 内部错误：{type(error).__name__}: {error}。未保存的操作没有写入任何数据；"
                         f"设置 XUEJI_DEBUG=1 可查看详细信息，请把它告诉维护人员")


class OutputExists(InvalidInput):
    """The output file is already there: an export never replaces it unless asked to (exit 2)."""

    def __init__(self, path) -> None:
        super().__init__(f"文件 {path} 已存在，未覆盖，未写入任何数据；请换一个文件名，或确认覆盖后再导出")
        self.path = path
