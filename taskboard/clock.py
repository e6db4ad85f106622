"""The one source of time, so tests and snapshots can freeze it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    """Wall-clock time. Everything that shows or records time asks one of these."""

    def time(self) -> float:
        """Seconds since the epoch."""
        return time.time()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)


class FrozenClock(Clock):
    """A clock that stands still (and can be moved by hand) for tests and snapshots."""

    def __init__(self, at: float) -> None:
        self.at = at

    def time(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds
