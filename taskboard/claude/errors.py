"""Why a store operation refused: one exception class per reason, all StoreError.

Every refusal leaves the files as they were and carries a one-line message that
the CLI prints as is and the console shows in a notification.
"""

from __future__ import annotations

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
