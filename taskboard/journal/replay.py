"""Replaying a session's events: what the journal knew of a team at the end (or at time t).

:func:`fold` rebuilds a deriver's baseline (:class:`~taskboard.journal.derive.Seen`) from
recorded events, so a recorder that starts again picks up where the last one stopped: a
task that changed while nobody watched becomes one ``task.changed``, not a second
``task.created``. :func:`tasks_at` is the same fold for the task JSON alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from taskboard.journal import events as ev
from taskboard.journal.derive import Seen
from taskboard.journal.events import Event


def apply_task_event(tasks: dict[str, dict[str, Any]], event: Event) -> None:
    """Apply one task event to ``tasks`` (task JSON by id), in place."""
    if event.task is None:
        return
    if event.kind == ev.TASK_CREATED:
        tasks[event.task] = dict(event.after or {})
    elif event.kind == ev.TASK_CHANGED:
        current = tasks.setdefault(event.task, {"id": event.task})
        for key, value in (event.after or {}).items():
            if value is None:
                current.pop(key, None)
            else:
                current[key] = value
    elif event.kind == ev.TASK_REMOVED:
        tasks.pop(event.task, None)


def tasks_at(events: Iterable[Event], until: float | None = None) -> dict[str, dict[str, Any]]:
    """Every task's JSON after the events up to ``until`` (all when None)."""
    tasks: dict[str, dict[str, Any]] = {}
    for event in events:
        if until is not None and event.time > until:
            break
        apply_task_event(tasks, event)
    return tasks


def fold(events: Iterable[Event], lead: str | None = None) -> Seen:
    """The baseline a deriver would hold after seeing these events."""
    seen = Seen(lead=lead)
    for event in events:
        kind = event.kind
        if kind.startswith("task."):
            apply_task_event(seen.tasks, event)
            if kind == ev.TASK_REMOVED and event.detail.get("auto_clear") and not seen.tasks:
                seen.cleared = True
            elif kind == ev.TASK_CREATED:
                seen.cleared = False
        elif kind == ev.MEMBER_JOINED and event.agent:
            seen.members[event.agent] = dict(event.after or {})
        elif kind == ev.MEMBER_LEFT and event.agent:
            seen.members.pop(event.agent, None)
        elif kind in (ev.MEMBER_IDLE, ev.MEMBER_ACTIVE) and event.agent in seen.members:
            seen.members[event.agent]["isActive"] = kind == ev.MEMBER_ACTIVE
        elif kind in (ev.LIST_APPEARED, ev.LIST_VANISHED):
            seen.list_exists = kind == ev.LIST_APPEARED
        elif kind in (ev.TEAM_APPEARED, ev.TEAM_VANISHED):
            seen.team_exists = kind == ev.TEAM_APPEARED
    return seen


__all__ = ["apply_task_event", "fold", "tasks_at"]
