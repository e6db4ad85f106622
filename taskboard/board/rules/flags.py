"""A flag: something that needs the operator, with its evidence, and the thresholds.

Every flag says what (``kind``), how bad (``severity``), why in one line naming its
evidence (``reason``), and since when it holds (``since``, epoch seconds, None when
nothing tells). False alarms train people to ignore alarms: a rule that cannot name
its evidence does not fire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from taskboard.board.graph import id_key

SEVERITIES = ("info", "warning", "critical")
"""From least to most severe; ``critical`` is what rings the bell."""
RANK = {name: index for index, name in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Thresholds:
    """How long a situation must last before it is flagged, in seconds."""

    stall: float = 10 * 60.0
    """Running, and neither the task nor its owner showed a sign of life."""
    idle: float = 2 * 60.0
    """The owner's turn ended (or it said it is idle) while it holds running work."""
    unclaimed: float = 2 * 60.0
    """Ready, nobody owns it, while an agent sits idle."""
    team_idle: float = 5 * 60.0
    """Open work remains and no agent has worked."""
    thinking: float = 30 * 60.0
    """A model request in flight hides a stall up to this long (the transcript lags
    during a long response)."""


@dataclass(frozen=True)
class Flag:
    """One thing that needs the operator, and why."""

    kind: str
    severity: str
    reason: str
    since: float | None = None
    task: str | None = None
    agent: str | None = None
    order: tuple[int, float, str, tuple[int, str], str] = field(
        init=False, repr=False, compare=False)
    """The sort key :func:`urgency` gives (computed once: the console sorts thousands
    of flags after every change)."""

    def __post_init__(self) -> None:
        since = self.since if self.since is not None else float("inf")
        object.__setattr__(self, "order", (-RANK.get(self.severity, 0), since, self.kind,
                                           id_key(self.task or ""), self.agent or ""))

    @property
    def detail(self) -> str:
        """The reason (the name older code and ``show`` use)."""
        return self.reason

    @property
    def rank(self) -> int:
        return RANK.get(self.severity, 0)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "severity": self.severity,
                               "reason": self.reason, "since": iso(self.since)}
        if self.task is not None:
            out["task"] = self.task
        if self.agent is not None:
            out["agent"] = self.agent
        return out


def iso(seconds: float | None) -> str | None:
    """Epoch seconds as an ISO 8601 UTC timestamp with milliseconds, or None."""
    if seconds is None:
        return None
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def urgency(flag: Flag) -> tuple[int, float, str, tuple[int, str], str]:
    """Sort key: most severe first, then oldest first (unknown start last), then kind,
    then task (numerically)."""
    return flag.order


def at_least(flags: list[Flag], severity: str) -> list[Flag]:
    """The flags at or above ``severity``."""
    floor = RANK[severity]
    return [f for f in flags if f.rank >= floor]


def duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``3 h``: how long, in the unit a person would say."""
    if seconds < 90:
        return f"{max(int(seconds), 0)} s"
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 72 else f"{hours // 24} d"
