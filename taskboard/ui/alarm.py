"""The alarm: a terminal bell and an optional desktop notification command when a new
flag of the highest severity appears. Both are off unless configured."""

from __future__ import annotations

import shlex
import subprocess
from typing import Any

from taskboard.board.rules import SEVERITIES, Flag
from taskboard.config import Settings

HIGHEST = SEVERITIES[-1]


class Alarm:
    """Remembers the critical flags already announced; announces only new ones.

    The first evaluation is the baseline: what was already wrong when the console
    opened is on screen, not rung."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str | None, str | None]] | None = None
        self.rung = 0
        """How many times it sounded (tests read this)."""

    def sound(self, flags: list[Flag], app: Any, settings: Settings) -> list[Flag]:
        """Ring for the new highest-severity flags; returns them."""
        current = {(f.kind, f.task, f.agent): f for f in flags if f.severity == HIGHEST}
        baseline, self.seen = self.seen, set(current)
        if baseline is None:
            return []
        new = [flag for key, flag in current.items() if key not in baseline]
        if not new:
            return []
        self.rung += 1
        if settings.bell:
            app.bell()
        if settings.notify_command:
            self._run(settings.notify_command, new[0].reason, app)
        return new

    @staticmethod
    def _run(command: str, reason: str, app: Any) -> None:
        try:
            subprocess.Popen([*shlex.split(command), reason], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        except (OSError, ValueError) as err:
            app.notify(f"notify_command failed: {err}", severity="warning", timeout=5)
