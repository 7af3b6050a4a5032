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


_OS_REASONS = {
    errno.ENOENT: "找不到该文件或目录", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间已满", errno.EDQUOT: "超出磁盘配额", errno.EROFS: "只读文件系统，不能写入",
    errno.EISDIR: "这是一个目录，不是文件", errno.ENOTDIR: "路径中有一段不是目录", errno.EEXIST: "已经存在",
    errno.ENAMETOOLONG: "文件名太长", errno.EIO: "磁盘读写出错", errno.ELOOP: "符号链接层数过多或指向自身",
}


def explain(error: BaseException) -> XuejiError:
    """Any error as a clerk sees it: the CLI prints this, the screens show it. Ours pass through; an
    operating-system error names the file and says that nothing was written; anything else is an
    internal error (XUEJI_DEBUG=1 shows the traceback)."""
    if isinstance(error, XuejiError):
        return error
    if isinstance(error, OSError):
        reason = _OS_REASONS.get(error.errno or 0) or (error.strerror or str(error))
        where = f"：{error.filename}" if error.filename else ""
        return InvalidInput(f"文件或目录操作失败{where}（{reason}），未写入任何数据；请检查路径和权限后重试")
    if isinstance(error, MemoryError):
        return InvalidInput("内存不足，操作未完成，未写入任何数据；请关闭其他程序或分批处理后重试")
    return InternalError(f"xueji 内部错误：{type(error).__name__}: {error}。未保存的操作没有写入任何数据；"
                         f"设置 XUEJI_DEBUG=1 可查看详细信息，请把它告诉维护人员")


class OutputExists(InvalidInput):
    """The output file is already there: an export never replaces it unless asked to (exit 2)."""

    def __init__(self, path) -> None:
        super().__init__(f"文件 {path} 已存在，未覆盖；请换一个文件名，或确认覆盖后再导出")
        self.path = path
