"""What the journal's history tells the rules and the critical path: since when each task
holds its current status, and how long tasks typically take.

Pure code over journal events (``task.created`` / ``task.changed``), oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from taskboard.board.model import Task


@dataclass(frozen=True)
class History:
    """The two things history adds: ``task_since`` and per-owner typical durations."""

    task_since: dict[str, float] = field(default_factory=dict)
    """When each task entered the status it had at the last event."""
    durations: dict[str | None, float] = field(default_factory=dict)
    """Median seconds from in progress to completed, by owner (None: everyone)."""

    def weights(self, tasks: Mapping[str, Task]) -> dict[str, float] | None:
        """Each open task's expected duration: its owner's typical one, else everyone's.
        None when no task was ever seen through (the critical path then counts tasks)."""
        overall = self.durations.get(None)
        if overall is None:
            return None
        return {tid: self.durations.get(task.owner, overall) for tid, task in tasks.items()
                if task.status != "completed"}


def read_history(events: Iterable[Any]) -> History:
    """Fold journal events (objects with ``time``, ``kind``, ``task``, ``before``,
    ``after``) into a :class:`History`."""
    from statistics import median

    since: dict[str, float] = {}
    status: dict[str, str] = {}
    owner: dict[str, str | None] = {}
    started: dict[str, float] = {}
    taken: dict[str | None, list[float]] = {}
    for event in events:
        tid = event.task
        if tid is None or event.kind not in ("task.created", "task.changed"):
            continue
        after = event.after or {}
        if "owner" in after:
            owner[tid] = after.get("owner") or None
        new = after.get("status")
        if not isinstance(new, str) or new == status.get(tid):
            continue
        status[tid] = new
        since[tid] = event.time
        if new == "in_progress":
            started[tid] = event.time
        elif new == "completed" and tid in started:
            spent = event.time - started.pop(tid)
            if spent > 0:
                taken.setdefault(owner.get(tid), []).append(spent)
                taken.setdefault(None, []).append(spent)
    return History(since, {who: median(values) for who, values in taken.items()})
