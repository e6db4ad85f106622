"""Per-agent summaries: what each member runs, holds, finished, and when it was last seen.

One summary per team member, then one per owner that is not a member, then one
for unowned open work. Pure code over a Board; the agent panels and
``taskboard show`` both use it.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Literal

from taskboard.board.graph import id_key
from taskboard.board.model import Board, Member, Message, State, Task

UNOWNED = "(unowned)"


@dataclass
class AgentSummary:
    """What one agent (or the unowned pool) is doing."""

    name: str
    kind: Literal["member", "stranger", "unowned"]
    member: Member | None = None
    active: bool | None = None
    """True working, False idle, None unknown."""
    running: list[Task] = field(default_factory=list)
    pending: list[Task] = field(default_factory=list)
    """Open tasks not running, by id; for the unowned pool in no particular order
    (it can be thousands long: use :func:`first_by_id`)."""
    completed: int = 0
    last_seen: float | None = None
    """Epoch seconds of the newest sign of life: a task file it owns or a message it sent."""
    unread: int = 0
    newest: Message | None = None
    idle_since: float | None = None

    @property
    def color(self) -> str | None:
        return self.member.color if self.member else None


def _latest_from(board: Board) -> dict[str, tuple[float, Message]]:
    """The newest message each agent sent, from every inbox."""
    latest: dict[str, tuple[float, Message]] = {}
    for inbox in board.inboxes.values():
        for message in inbox.messages:
            when = message.when
            stamp = when.timestamp() if when else inbox.mtime
            if message.sender not in latest or stamp >= latest[message.sender][0]:
                latest[message.sender] = (stamp, message)
    return latest


def _by_id(task: Task) -> tuple[int, str]:
    return id_key(task.id)


def first_by_id(tasks: list[Task], count: int) -> list[Task]:
    """The ``count`` lowest-numbered tasks, without sorting the whole list."""
    return heapq.nsmallest(count, tasks, key=_by_id)


def summarize_agents(board: Board) -> list[AgentSummary]:
    """Members first (in config order), then strangers by name, then the unowned pool."""
    summaries: dict[str, AgentSummary] = {}
    for member in board.members:
        summaries[member.name] = AgentSummary(member.name, "member", member)
    latest = _latest_from(board)
    states = board.analysis.states
    strangers: dict[str, AgentSummary] = {}
    unowned = AgentSummary(UNOWNED, "unowned")
    for tid, task in board.tasks.items():
        owner = task.owner
        if owner is None:
            # The unowned pool can hold thousands of tasks: the cheapest path.
            if not task.metadata.get("_internal"):
                state = states.get(tid)
                if state is State.IN_PROGRESS:
                    unowned.running.append(task)
                elif state is not State.COMPLETED:
                    unowned.pending.append(task)
            continue
        if owner in summaries:
            summary = summaries[owner]
        else:
            summary = strangers.setdefault(owner, AgentSummary(owner, "stranger"))
        summary.last_seen = max(summary.last_seen or 0.0, task.mtime)
        if task.internal:
            continue
        state = states.get(tid)
        if state == State.COMPLETED:
            summary.completed += 1
        elif state == State.IN_PROGRESS:
            summary.running.append(task)
        else:
            summary.pending.append(task)
    for summary in [*summaries.values(), *strangers.values()]:
        inbox = board.inboxes.get(summary.name)
        if inbox is not None:
            summary.unread = inbox.unread
            summary.newest = inbox.newest
        sent = latest.get(summary.name)
        if sent is not None:
            stamp, message = sent
            summary.last_seen = max(summary.last_seen or 0.0, stamp)
            if message.kind == "idle_notification":
                summary.idle_since = stamp
        member = summary.member
        if member is not None and member.is_active is not None:
            summary.active = member.is_active
        elif summary.idle_since is not None:
            summary.active = False
        elif summary.running:
            summary.active = True
    for summary in [*summaries.values(), *strangers.values(), unowned]:
        summary.running.sort(key=_by_id)
        if summary is not unowned:  # thousands, possibly: see AgentSummary.pending
            summary.pending.sort(key=_by_id)
    out = list(summaries.values())
    out.extend(strangers[name] for name in sorted(strangers))
    if unowned.running or unowned.pending:
        out.append(unowned)
    return out
