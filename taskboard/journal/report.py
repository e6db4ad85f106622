"""The figures of a recorded session: what ``taskboard report`` prints in every format.

One pass over the session's events keeps each task's JSON and its derived state (ready,
blocked, running, done), and turns every change of state or owner into an *interval*:
from these come the time each task spent blocked, ready but unclaimed and running, the
time to its first claim, the longest waits, each agent's running time and lane, and the
count of tasks in each state over time. Pure: no I/O; escaping is the formats' job.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from taskboard.board.graph import id_key
from taskboard.journal import events as ev
from taskboard.journal.events import Event
from taskboard.journal.narrate import describe

STATES = ("blocked", "ready", "running", "done")
KEY_KINDS = frozenset({ev.TEAM_APPEARED, ev.TEAM_VANISHED, ev.LIST_APPEARED, ev.LIST_VANISHED,
                       ev.MEMBER_JOINED, ev.MEMBER_LEFT, ev.OPERATOR_WRITE})
KEY_EVENTS_LIMIT = 300
CHART_POINTS = 240


@dataclass
class Interval:
    """A stretch of time a task spent in one state with one owner."""

    task: str
    state: str
    owner: str | None
    start: float
    end: float = 0.0

    @property
    def seconds(self) -> float:
        return max(self.end - self.start, 0.0)


@dataclass
class TaskFigures:
    """One task over the session."""

    id: str
    subject: str = ""
    created: float | None = None
    first_claim: float | None = None
    completed: float | None = None
    removed: float | None = None
    owner: str | None = None
    blocked_by: tuple[str, ...] = ()
    final_state: str = "ready"
    blocked: float = 0.0
    unclaimed: float = 0.0
    """Seconds ready, with nobody owning it."""
    running: float = 0.0
    longest_wait: float = 0.0
    """The longest single stretch ready and unclaimed."""

    @property
    def to_first_claim(self) -> float | None:
        if self.created is None or self.first_claim is None:
            return None
        return max(self.first_claim - self.created, 0.0)


@dataclass
class AgentFigures:
    """One agent over the session."""

    name: str
    completed: int = 0
    running: float = 0.0
    idle_holding: float = 0.0
    """Seconds idle while holding a running task."""
    sent: int = 0
    received: int = 0
    first_seen: float | None = None
    last_seen: float | None = None
    lane: list[Interval] = field(default_factory=list)
    """The stretches it ran tasks, for the Gantt-like chart."""


@dataclass
class Report:
    """Everything a report shows."""

    team: str
    session: str | None
    start: float
    end: float
    events: int
    tasks: dict[str, TaskFigures]
    agents: dict[str, AgentFigures]
    chart: list[tuple[float, dict[str, int]]]
    """Tasks by state over time: ``(time, {state: count})``, at most :data:`CHART_POINTS`."""
    throughput: list[tuple[float, int, int]]
    """``(bucket start, created, completed)`` per bucket of :attr:`bucket` seconds."""
    bucket: float
    key_events: list[tuple[float, str, str]]
    """``(time, kind, words)``: the session's milestones, at most :data:`KEY_EVENTS_LIMIT`."""
    key_events_left_out: int
    operator: list[Event]
    kinds: Counter[str]

    @property
    def duration(self) -> float:
        return max(self.end - self.start, 0.0)

    @property
    def created(self) -> int:
        return sum(1 for t in self.tasks.values() if t.created is not None)

    @property
    def completed(self) -> int:
        return sum(1 for t in self.tasks.values() if t.completed is not None)

    def longest_waits(self, count: int = 10) -> list[TaskFigures]:
        waits = [t for t in self.tasks.values() if t.longest_wait > 0]
        return sorted(waits, key=lambda t: (-t.longest_wait, id_key(t.id)))[:count]

    def ordered_tasks(self) -> list[TaskFigures]:
        return [self.tasks[tid] for tid in sorted(self.tasks, key=id_key)]


def _state(raw: dict[str, Any], tasks: dict[str, dict[str, Any]]) -> str:
    status = raw.get("status")
    if status == "completed":
        return "done"
    if status == "in_progress":
        return "running"
    for blocker in raw.get("blockedBy") or ():
        other = tasks.get(str(blocker))
        if other is None or other.get("status") != "completed":
            return "blocked"
    return "ready"


def _nice_bucket(duration: float) -> float:
    for minutes in (1, 2, 5, 10, 15, 30, 60, 120, 240, 720, 1440):
        if duration / (minutes * 60) <= 16:
            return minutes * 60.0
    return 2880 * 60.0


class _Walk:
    """The single pass over the events (see the module docstring)."""

    def __init__(self) -> None:
        self.raw: dict[str, dict[str, Any]] = {}
        self.dependants: dict[str, set[str]] = {}
        self.open: dict[str, Interval] = {}
        self.figures: dict[str, TaskFigures] = {}
        self.agents: dict[str, AgentFigures] = {}
        self.idle: dict[str, bool] = {}
        self.counts: Counter[str] = Counter()
        self.running_by: Counter[str | None] = Counter()
        """Running tasks by owner, now."""
        self.points: list[tuple[float, dict[str, int]]] = []
        self.last = 0.0

    def agent(self, name: str, when: float) -> AgentFigures:
        figures = self.agents.get(name)
        if figures is None:
            figures = self.agents[name] = AgentFigures(name)
        if figures.first_seen is None:
            figures.first_seen = when
        figures.last_seen = when
        return figures

    def advance(self, when: float) -> None:
        """Time passes: agents idle while running a task accumulate it."""
        if when > self.last and self.idle:
            running = self.running_by
            for name, idle in self.idle.items():
                if idle and running.get(name):
                    self.agent(name, self.last).idle_holding += when - self.last
        self.last = max(self.last, when)

    def close(self, interval: Interval, when: float) -> None:
        interval.end = when
        figures = self.figures[interval.task]
        seconds = interval.seconds
        self.counts[interval.state] -= 1
        if interval.state == "blocked":
            figures.blocked += seconds
        elif interval.state == "ready" and interval.owner is None:
            figures.unclaimed += seconds
            figures.longest_wait = max(figures.longest_wait, seconds)
        elif interval.state == "running":
            figures.running += seconds
            self.running_by[interval.owner] -= 1
            if interval.owner:
                agent = self.agent(interval.owner, when)
                agent.running += seconds
                agent.lane.append(interval)

    def restate(self, task_id: str, when: float) -> None:
        raw = self.raw.get(task_id)
        current = self.open.get(task_id)
        if raw is None:
            if current is not None:
                self.close(self.open.pop(task_id), when)
            return
        state = _state(raw, self.raw)
        owner = raw.get("owner") or None
        figures = self.figures[task_id]
        figures.final_state, figures.owner = state, owner
        if (owner or state == "running") and figures.first_claim is None:
            figures.first_claim = when
        if state == "done" and figures.completed is None:
            figures.completed = when
            if owner:
                self.agent(owner, when).completed += 1
        if current is not None and (current.state, current.owner) == (state, owner):
            return
        if current is not None:
            self.close(current, when)
        self.open[task_id] = Interval(task_id, state, owner, when)
        self.counts[state] += 1
        if state == "running":
            self.running_by[owner] += 1

    def task_event(self, event: Event) -> None:
        tid, when = str(event.task), event.time
        old = self.raw.get(tid)
        if event.kind == ev.TASK_REMOVED:
            self.raw.pop(tid, None)
            if tid in self.figures:
                self.figures[tid].removed = when
        elif event.kind == ev.TASK_CREATED and isinstance(event.after, dict):
            self.raw[tid] = {**event.after, "id": tid}
        else:
            new = dict(old or {"id": tid})
            for key, value in (event.after or {}).items():
                if value is None:
                    new.pop(key, None)
                else:
                    new[key] = value
            self.raw[tid] = new
        raw = self.raw.get(tid)
        figures = self.figures.get(tid)
        if figures is None:
            figures = self.figures[tid] = TaskFigures(tid)
        if raw is not None:
            if figures.created is None:
                figures.created = when
            figures.subject = str(raw.get("subject") or "")
            figures.blocked_by = tuple(str(b) for b in raw.get("blockedBy") or ())
            figures.removed = None
        old_blockers = {str(b) for b in (old or {}).get("blockedBy") or ()}
        new_blockers = set(figures.blocked_by) if raw is not None else set()
        for blocker in old_blockers - new_blockers:
            self.dependants.get(blocker, set()).discard(tid)
        for blocker in new_blockers - old_blockers:
            self.dependants.setdefault(blocker, set()).add(tid)
        for affected in (tid, *self.dependants.get(tid, ())):
            if affected in self.figures:
                self.restate(affected, when)

    def sample(self, when: float) -> None:
        point = {state: self.counts[state] for state in STATES}
        if self.points and self.points[-1][0] == when:
            self.points[-1] = (when, point)
        elif not self.points or self.points[-1][1] != point:
            self.points.append((when, point))


def _downsample(points: list[tuple[float, dict[str, int]]], start: float, end: float
                ) -> list[tuple[float, dict[str, int]]]:
    """At most :data:`CHART_POINTS` points: the last state in each slice of time."""
    if len(points) <= CHART_POINTS or end <= start:
        return points
    step = (end - start) / CHART_POINTS
    out: dict[int, tuple[float, dict[str, int]]] = {}
    for when, point in points:
        out[min(int((when - start) / step), CHART_POINTS - 1)] = (when, point)
    return [out[k] for k in sorted(out)]


def build_report(events: list[Event], *, team: str | None = None,
                 session: str | None = None) -> Report:
    """The report of one session's events (in any order: they are sorted by time)."""
    ordered = sorted(events, key=lambda e: e.time)
    walk = _Walk()
    key_events: list[tuple[float, str, str]] = []
    left_out = 0
    operator: list[Event] = []
    start = ordered[0].time if ordered else 0.0
    end = ordered[-1].time if ordered else 0.0
    walk.last = start
    cleared = 0
    for event in ordered:
        walk.advance(event.time)
        kind = event.kind
        if kind.startswith("task.") and event.task is not None:
            walk.task_event(event)
            walk.sample(event.time)
            if kind == ev.TASK_REMOVED and event.detail.get("auto_clear"):
                cleared += 1
                continue
        elif kind in (ev.MEMBER_IDLE, ev.MEMBER_ACTIVE) and event.agent:
            walk.idle[event.agent] = kind == ev.MEMBER_IDLE
            walk.agent(event.agent, event.time)
        elif kind == ev.MESSAGE:
            sender = event.detail.get("from")
            if isinstance(sender, str) and sender:
                walk.agent(sender, event.time).sent += 1
            if event.agent:
                walk.agent(event.agent, event.time).received += 1
        elif kind in (ev.MEMBER_JOINED, ev.MEMBER_LEFT) and event.agent:
            walk.agent(event.agent, event.time)
        if kind == ev.OPERATOR_WRITE:
            operator.append(event)
        if cleared and kind != ev.TASK_REMOVED:
            key_events.append((event.time, ev.TASK_REMOVED,
                               f"auto-clear removed {cleared} completed tasks"))
            cleared = 0
        if _is_key(event):
            key_events.append((event.time, kind, describe(event)))
    if cleared:
        key_events.append((end, ev.TASK_REMOVED, f"auto-clear removed {cleared} completed tasks"))
    for interval in list(walk.open.values()):
        walk.close(interval, end)
    if len(key_events) > KEY_EVENTS_LIMIT:
        left_out = len(key_events) - KEY_EVENTS_LIMIT
        key_events = key_events[:KEY_EVENTS_LIMIT]
    bucket = _nice_bucket(end - start)
    throughput: list[tuple[float, int, int]] = []
    if ordered:
        slots = int((end - start) // bucket) + 1
        created, completed = [0] * slots, [0] * slots
        for figures in walk.figures.values():
            if figures.created is not None:
                created[int((figures.created - start) // bucket)] += 1
            if figures.completed is not None:
                completed[int((figures.completed - start) // bucket)] += 1
        throughput = [(start + i * bucket, created[i], completed[i]) for i in range(slots)]
    return Report(
        team=team or (ordered[0].team if ordered else ""), session=session,
        start=start, end=end, events=len(ordered), tasks=walk.figures,
        agents=dict(sorted(walk.agents.items())), chart=_downsample(walk.points, start, end),
        throughput=throughput, bucket=bucket, key_events=key_events,
        key_events_left_out=left_out, operator=operator,
        kinds=Counter(e.kind for e in ordered))


def _is_key(event: Event) -> bool:
    """Milestones: directories, members, operator writes, claims and completions."""
    if event.kind in KEY_KINDS:
        return True
    if event.kind == ev.TASK_CHANGED:
        after = event.after or {}
        return after.get("status") in ("in_progress", "completed") or "owner" in after
    return event.kind == ev.TASK_REMOVED and not event.detail.get("auto_clear")
