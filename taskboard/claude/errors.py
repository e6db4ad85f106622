"""Why a store operation refused: one exception class per reason, all StoreError.

Every refusal leaves the files as they were and carries a one-line message that
the CLI prints as is and the console shows in a notification.
"""

from __future__ import annotations

import errno
from pathlib import Path


class StoreError(Exception):
    """Base class: a store operation was refused and nothing was written."""


class LockTimeout(StoreError):
    """The lock on a file could not be obtained before the deadline."""

    def __init__(self, path: Path, waited: float) -> None:
        self.path = Path(path)
        self.waited = waited
        super().__init__(f"'{self.path}' is locked by another writer (waited {waited:.1f} s)")


class NotFound(StoreError):
    """The task, list, team or inbox does not exist."""


class Unreadable(StoreError):
    """A file exists but is not valid JSON of the expected shape, so it cannot be updated."""


class PreconditionFailed(StoreError):
    """The file no longer matches what the caller expected; nothing was written.

    ``differences`` maps each field that differs to ``(expected, actual)``.
    """

    def __init__(self, message: str, differences: dict[str, tuple[object, object]] | None = None):
        self.differences = differences or {}
        super().__init__(message)


class CycleRefused(StoreError):
    """The change would make a dependency cycle."""


class ReadOnly(StoreError):
    """A write was attempted while taskboard runs read-only."""


class InvalidSender(StoreError):
    """A message would be sent under a name taskboard must not use (a lead name)."""


class NotAMember(StoreError):
    """The agent is not a member of the team (a typo would create a stray inbox)."""


_WHY = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EFBIG: "the file is larger than allowed (file-size limit)",
    errno.ENAMETOOLONG: "the name is too long for the file system",
    errno.ELOOP: "a symlink is in the way",
}


class WriteFailed(StoreError):
    """The operating system refused a write (full disk, read-only, permission, ...).

    Files are written through a temp file and a rename, so the original is intact.
    """

    def __init__(self, message: str, err: OSError | None = None) -> None:
        self.errno = err.errno if err is not None else None
        super().__init__(message)

    @classmethod
    def from_os_error(cls, what: str, err: OSError) -> WriteFailed:
        why = _WHY.get(err.errno or 0) or err.strerror or type(err).__name__
        where = f" ({err.filename})" if err.filename else ""
        return cls(f"{what}: {why}{where}; nothing was changed", err)
