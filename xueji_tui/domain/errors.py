"""Errors a clerk sees. Each carries the CLI exit code of spec/cli.md and a message in plain Chinese."""


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
