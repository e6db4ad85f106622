"""One agent's record in a session: tasks done, time running, idle while holding work,
messages sent and received. Pure: computed from the session's events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from taskboard.journal import events as ev
from taskboard.journal.events import Event
from taskboard.journal.replay import apply_task_event


@dataclass
class AgentHistory:
    """What one agent did, by the journal."""

    name: str
    done: list[str] = field(default_factory=list)
    """Tasks it completed (or that were completed while it owned them), in order."""
    running: float = 0.0
    """Seconds during which it owned at least one task in progress."""
    idle_holding: float = 0.0
    """Seconds during which it was idle while owning a task in progress."""
    sent: int = 0
    received: int = 0
    events: list[Event] = field(default_factory=list)
    """The events about it (its tasks' changes, its membership, its messages)."""

    def to_json(self) -> dict[str, Any]:
        return {"agent": self.name, "done": self.done, "running": round(self.running, 3),
                "idleHolding": round(self.idle_holding, 3), "sent": self.sent,
                "received": self.received}


def agent_history(events: Iterable[Event], name: str, until: float | None = None
                  ) -> AgentHistory:
    """Replay a session's events (all of them, oldest first) for ``name``; time still
    running at the end counts up to ``until`` (the session's end, or now when live)."""
    out = AgentHistory(name)
    tasks: dict[str, dict[str, Any]] = {}
    idle = False
    last: float | None = None

    def holding() -> bool:
        return any(t.get("owner") == name and t.get("status") == "in_progress"
                   for t in tasks.values())

    def advance(to: float) -> None:
        nonlocal last
        if last is not None and to > last and holding():
            out.running += to - last
            if idle:
                out.idle_holding += to - last
        last = to if last is None or to > last else last

    for event in events:
        advance(event.time)
        kind = event.kind
        if kind.startswith("task.") and event.task is not None:
            before = dict(tasks.get(event.task, {}))
            apply_task_event(tasks, event)
            after = tasks.get(event.task, {})
            if (after.get("status") == "completed" and before.get("status") != "completed"
                    and after.get("owner") == name):
                out.done.append(event.task)
            if name in (before.get("owner"), after.get("owner"), event.agent):
                out.events.append(event)
        elif kind in (ev.MEMBER_IDLE, ev.MEMBER_ACTIVE) and event.agent == name:
            idle = kind == ev.MEMBER_IDLE
            out.events.append(event)
        elif kind == ev.MESSAGE:
            if event.detail.get("from") == name:
                out.sent += 1
                out.events.append(event)
            elif event.agent == name:
                out.received += 1
                out.events.append(event)
        elif event.agent == name:
            out.events.append(event)
    if until is not None:
        advance(until)
    return out


__all__ = ["AgentHistory", "agent_history"]
