"""Events that come from watching, not from files changing: agents' live states (from their
transcripts) and health flags raised and cleared. Pure: each observer compares what it is
shown with what it last saw.

Each event carries a ``key`` made of what it observed (the state and since when; the flag and
since when), so two recorders that watch the same team store it once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from taskboard.journal import events as ev
from taskboard.journal.events import Event


class Activity(Protocol):
    """What :class:`AgentStates` reads of an agent (``taskboard.claude.activity``)."""

    state: str
    since: float | None
    tool: str | None
    woken_by: str | None
    model: str | None

    @property
    def context_pct(self) -> float | None: ...


def _state(activity: Activity) -> dict[str, Any]:
    out: dict[str, Any] = {"state": activity.state}
    if activity.tool:
        out["tool"] = activity.tool
    if activity.woken_by:
        out["wokenBy"] = activity.woken_by
    return out


class AgentStates:
    """``agent.state`` events: one each time an agent's state (thinking, running a tool,
    idle, woken, gone) changes."""

    def __init__(self, team: str) -> None:
        self.team = team
        self.last: dict[str, dict[str, Any]] = {}

    def observe(self, agents: Mapping[str, Activity], now: float,
                names: Iterable[str] | None = None) -> list[Event]:
        out = []
        for name in sorted(agents if names is None else names):
            activity = agents.get(name)
            if activity is None or activity.state == "unknown":
                continue
            state = _state(activity)
            before = self.last.get(name)
            if before == state:
                continue
            self.last[name] = state
            since = activity.since if activity.since is not None else now
            after = dict(state, since=since)
            if activity.model:
                after["model"] = activity.model
            if activity.context_pct is not None:
                after["contextPct"] = round(activity.context_pct, 1)
            out.append(Event(time=since, team=self.team, kind=ev.AGENT_STATE,
                             source="transcript", agent=name, before=before, after=after,
                             key=f"{state}|{round(since, 3)}"))
        return out


class FlagLike(Protocol):
    """What :class:`FlagChanges` reads of a health flag."""

    kind: str

    def to_json(self) -> dict[str, Any]: ...


def flag_identity(flag: FlagLike) -> str:
    body = flag.to_json()
    return "|".join(str(body.get(k) or "") for k in ("kind", "task", "agent"))


class FlagChanges:
    """``flag.raised`` / ``flag.cleared`` events: the difference between the flags that
    held at the last look and those that hold now."""

    def __init__(self, team: str) -> None:
        self.team = team
        self.held: dict[str, dict[str, Any]] = {}

    def observe(self, flags: Iterable[FlagLike], now: float) -> list[Event]:
        current = {flag_identity(f): f.to_json() for f in flags}
        out = []
        for ident, body in current.items():
            if ident not in self.held:
                out.append(Event(time=now, team=self.team, kind=ev.FLAG_RAISED,
                                 source="disk", task=_str(body.get("task")),
                                 agent=_str(body.get("agent")), after=body,
                                 key=f"{ident}|{body.get('since')}"))
        for ident, body in self.held.items():
            if ident not in current:
                out.append(Event(time=now, team=self.team, kind=ev.FLAG_CLEARED,
                                 source="disk", task=_str(body.get("task")),
                                 agent=_str(body.get("agent")), before=body,
                                 key=f"{ident}|cleared|{round(now)}"))
        self.held = current
        return out


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
