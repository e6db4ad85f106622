"""Per-agent summaries: what each member runs, holds, finished, and when it was last seen.

One summary per team member, then one per owner that is not a member, then one
for unowned open work. Pure code over a Board; the agent panels and
``taskboard show`` both use it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
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


@dataclass
class _Tally:
    """What one owner's tasks add up to (``None``: the unowned pool)."""

    running: list[Task] = field(default_factory=list)
    pending: list[Task] = field(default_factory=list)
    completed: int = 0
    last_seen: float | None = None


def _tally(owner: str | None, tasks: Iterable[Task], states: dict[str, State]) -> _Tally:
    out = _Tally()
    if owner is None:
        # The unowned pool can hold thousands of tasks: the cheapest path.
        for task in tasks:
            if not task.metadata.get("_internal"):
                state = states.get(task.id)
                if state is State.IN_PROGRESS:
                    out.running.append(task)
                elif state is not State.COMPLETED:
                    out.pending.append(task)
        out.running.sort(key=_by_id)  # pending: thousands, possibly (AgentSummary.pending)
        return out
    for task in tasks:
        out.last_seen = max(out.last_seen or 0.0, task.mtime)
        if task.internal:
            continue
        state = states.get(task.id)
        if state == State.COMPLETED:
            out.completed += 1
        elif state == State.IN_PROGRESS:
            out.running.append(task)
        else:
            out.pending.append(task)
    out.running.sort(key=_by_id)
    out.pending.sort(key=_by_id)
    return out


def _assemble(board: Board, tallies: dict[str | None, _Tally]) -> list[AgentSummary]:
    """Members first (in config order), then strangers by name, then the unowned pool."""
    summaries: dict[str, AgentSummary] = {}
    for member in board.members:
        summaries[member.name] = AgentSummary(member.name, "member", member)
    latest = _latest_from(board)
    strangers: dict[str, AgentSummary] = {}
    for owner, tally in tallies.items():
        if owner is None:
            continue
        summary = summaries.get(owner)
        if summary is None:
            summary = strangers[owner] = AgentSummary(owner, "stranger")
        summary.running, summary.pending = tally.running, tally.pending
        summary.completed, summary.last_seen = tally.completed, tally.last_seen
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
    out = list(summaries.values())
    out.extend(strangers[name] for name in sorted(strangers))
    pool = tallies.get(None)
    if pool is not None and (pool.running or pool.pending):
        out.append(AgentSummary(UNOWNED, "unowned", running=pool.running, pending=pool.pending))
    return out


def summarize_agents(board: Board) -> list[AgentSummary]:
    """Members first (in config order), then strangers by name, then the unowned pool."""
    buckets: dict[str | None, list[Task]] = {}
    for task in board.tasks.values():
        buckets.setdefault(task.owner, []).append(task)
    states = board.analysis.states
    return _assemble(board, {owner: _tally(owner, tasks, states)
                             for owner, tasks in buckets.items()})


class AgentTracker:
    """:func:`summarize_agents`, kept current from the ids of the tasks that changed.

    A change re-tallies only the owners of the changed tasks and of the tasks
    waiting on them (whose state may flip), so at 10,000 tasks it costs the
    agents involved, not a walk of every task. When links moved (the analysis
    was rebuilt) everything is tallied again.
    """

    def __init__(self) -> None:
        self._owner: dict[str, str | None] = {}
        self._buckets: dict[str | None, set[str]] = {}
        self._tallies: dict[str | None, _Tally] = {}
        self._structure: object | None = None
        self.touched: set[str] | None = None
        """The names (``UNOWNED`` for the pool) whose tasks the last call re-tallied;
        None when it tallied everything."""

    def summaries(self, board: Board, changed: Iterable[str] | None = None
                  ) -> list[AgentSummary]:
        """The summaries after ``changed`` tasks changed (None: anything may have)."""
        analysis = board.analysis
        states, tasks = analysis.states, board.tasks
        if changed is None or analysis.dependants is not self._structure:
            self._structure = analysis.dependants
            self._owner = {tid: task.owner for tid, task in tasks.items()}
            self._buckets = {}
            for tid, owner in self._owner.items():
                self._buckets.setdefault(owner, set()).add(tid)
            dirty: set[str | None] = set(self._buckets)
            self._tallies = {}
            self.touched = None
        else:
            affected = set(changed)
            for tid in list(affected):
                affected.update(analysis.dependants.get(tid, ()))
            dirty = set()
            missing = object()
            for tid in affected:
                old = self._owner.pop(tid, missing)
                if old is not missing:
                    self._buckets[old].discard(tid)  # type: ignore[index]
                    dirty.add(old)  # type: ignore[arg-type]
                task = tasks.get(tid)
                if task is not None:
                    self._owner[tid] = task.owner
                    self._buckets.setdefault(task.owner, set()).add(tid)
                    dirty.add(task.owner)
            self.touched = {UNOWNED if owner is None else owner for owner in dirty}
        for owner in dirty:
            bucket = self._buckets.get(owner)
            if bucket:
                self._tallies[owner] = _tally(owner, (tasks[t] for t in bucket), states)
            else:
                self._buckets.pop(owner, None)
                self._tallies.pop(owner, None)
        return _assemble(board, self._tallies)
