"""Per-agent summaries: what each member runs, holds, finished, and when it was last seen.

One summary per team member, then one per owner that is not a member, then one
for unowned open work. Pure code over a Board; the agent panels and
``taskboard show`` both use it.
"""

from __future__ import annotations

import bisect
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, overload

from taskboard.board.graph import id_key
from taskboard.board.model import Board, Member, Message, State, Task

if TYPE_CHECKING:
    from taskboard.claude.activity import AgentActivity

UNOWNED = "(unowned)"


@dataclass
class AgentSummary:
    """What one agent (or the unowned pool) is doing."""

    name: str
    kind: Literal["member", "stranger", "unowned"]
    member: Member | None = None
    active: bool | None = None
    """True working, False idle, None unknown."""
    running: Sequence[Task] = field(default_factory=list)
    pending: Sequence[Task] = field(default_factory=list)
    """Open tasks not running, by id (the unowned pool's too: it can be thousands long,
    and is kept in order as it changes)."""
    completed: int = 0
    last_seen: float | None = None
    """Epoch seconds of the newest sign of life: a task file it owns or a message it sent."""
    unread: int = 0
    newest: Message | None = None
    idle_since: float | None = None
    activity: AgentActivity | None = None
    """Its live activity from its transcript (:func:`apply_activity`), when found."""
    no_transcript: bool = False
    """The team's transcripts were found, but not this member's: what shows comes from the
    task and team files."""

    @property
    def color(self) -> str | None:
        return self.member.color if self.member else None


CLOCK_SKEW = 300.0
"""Seconds a message's timestamp may be later than its inbox file before it is not believed."""


def _latest_from(board: Board) -> dict[str, tuple[float, Message]]:
    """The newest message each agent sent, from every inbox (and the ones already delivered
    and deleted that the reader saw, ``Board.sent``)."""
    latest: dict[str, tuple[float, Message]] = dict(board.sent)
    for inbox in board.inboxes.values():
        for message in inbox.messages:
            when = message.when
            stamp = when.timestamp() if when else inbox.mtime
            if inbox.mtime and stamp > inbox.mtime + CLOCK_SKEW:
                # Not sent after its inbox was written: a date far in the future must not
                # make the sender look alive for ever (and hide a stall).
                stamp = inbox.mtime
            if message.sender not in latest or stamp >= latest[message.sender][0]:
                latest[message.sender] = (stamp, message)
    return latest


def _canonical(task_id: str) -> bool:
    """A plain decimal number (what Claude Code writes): kept as an int, cheaply."""
    return task_id.isdigit() and task_id.isascii() and (task_id[0] != "0" or task_id == "0")


class _Ordered:
    """Task ids in id order: plain numbers as a sorted list of ints (cheap to sort and
    bisect, and nothing for the garbage collector to trace), any other id after them."""

    __slots__ = ("nums", "odd")

    def __init__(self, ids: Iterable[str] = ()) -> None:
        nums: list[int] = []
        odd: list[str] = []
        for tid in ids:
            if _canonical(tid):
                nums.append(int(tid))
            else:
                odd.append(tid)
        nums.sort()
        odd.sort(key=id_key)
        self.nums, self.odd = nums, odd

    def add(self, task_id: str) -> None:
        if _canonical(task_id):
            bisect.insort(self.nums, int(task_id))
        else:
            bisect.insort(self.odd, task_id, key=id_key)

    def discard(self, task_id: str) -> None:
        if _canonical(task_id):
            number = int(task_id)
            index = bisect.bisect_left(self.nums, number)
            if index < len(self.nums) and self.nums[index] == number:
                del self.nums[index]
        elif task_id in self.odd:
            self.odd.remove(task_id)

    def tasks(self, by_id: Mapping[str, Task] | _AsItWas) -> TaskList:
        return TaskList(self.nums.copy(), self.odd.copy(), by_id)


class TaskList(Sequence[Task]):
    """Tasks in id order, looked up as they are read: the unowned pool's open tasks can be
    thousands, and a change mostly needs their count and the first few. A snapshot: the
    ids and the id -> task map it is given are not changed afterwards."""

    __slots__ = ("_by_id", "_nums", "_odd")

    def __init__(self, nums: list[int], odd: list[str],
                 by_id: Mapping[str, Task] | _AsItWas) -> None:
        self._nums, self._odd, self._by_id = nums, odd, by_id

    def __len__(self) -> int:
        return len(self._nums) + len(self._odd)

    @overload
    def __getitem__(self, index: int) -> Task: ...

    @overload
    def __getitem__(self, index: slice) -> list[Task]: ...

    def __getitem__(self, index: int | slice) -> Task | list[Task]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError(index)
        nums = self._nums
        if index < len(nums):
            return self._by_id[str(nums[index])]
        return self._by_id[self._odd[index - len(nums)]]

    def __iter__(self) -> Iterator[Task]:
        by_id = self._by_id
        for number in self._nums:
            yield by_id[str(number)]
        for tid in self._odd:
            yield by_id[tid]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TaskList({[t.id for t in self]!r})"


_UNSET = object()
_ABSENT = object()


class _AsItWas:
    """A tally's tasks as they were when its lists were taken: the live dict, and the old
    value of each task the tally changed since (written here before the change). A copy
    of the unowned pool's thousands of tasks at every change was ~1 ms at 10,000 tasks
    (its reference counts touch every task); this costs the tasks that changed."""

    __slots__ = ("__weakref__", "_live", "old")

    def __init__(self, live: dict[str, Task]) -> None:
        self._live = live
        self.old: dict[str, object] = {}
        """id -> the task before the change, or ``_ABSENT`` if there was none."""

    def __getitem__(self, task_id: str) -> Task:
        old = self.old.get(task_id, _UNSET)
        if old is _UNSET:
            return self._live[task_id]
        if old is _ABSENT:
            raise KeyError(task_id)
        return old  # type: ignore[return-value]


class _Tally:
    """What one owner's tasks add up to (``owner`` None: the unowned pool), kept by task:
    adding or removing one task costs a bisection, not a walk of the owner's tasks.
    Running and pending tasks are kept in id order, for the pool too."""

    def __init__(self, owner: str | None) -> None:
        self.pool = owner is None
        self.tasks: dict[str, Task] = {}
        self._kind: dict[str, State | None] = {}
        self._running = _Ordered()
        self._pending = _Ordered()
        self.completed = 0
        self._last_seen: float | None = None
        self._lost: float | None = None
        """The mtime of the newest task when it was removed and the newest is not known
        yet: a rewrite removes the task and adds it back newer, which settles it without
        a walk of the owner's tasks (hundreds each at 10,000 tasks)."""
        self._lists: tuple[TaskList, TaskList] | None = None
        self._views: list[weakref.ref[_AsItWas]] = []
        """The views of the tasks that lists still alive were given: kept as they were."""

    def _keep(self, task_id: str) -> None:
        """Before ``task_id`` changes: its old value into every view still alive."""
        if self._views:
            old = self.tasks.get(task_id, _ABSENT)
            alive = []
            for ref in self._views:
                view = ref()
                if view is not None:
                    view.old.setdefault(task_id, old)
                    alive.append(ref)
            self._views = alive

    @property
    def last_seen(self) -> float | None:
        """The newest mtime of the owner's task files (None for the pool, or none left)."""
        if self._lost is not None:
            self._lost = None
            self._last_seen = max((t.mtime for t in self.tasks.values()), default=None)
        return self._last_seen

    def _classify(self, task: Task, state: State | None) -> State | None:
        """IN_PROGRESS, COMPLETED, READY (any other open state) or None (not counted)."""
        if task.metadata.get("_internal"):
            return None
        if state is State.COMPLETED or state is State.IN_PROGRESS:
            return state
        return State.READY

    def fill(self, tasks: Iterable[Task], states: dict[str, State]) -> _Tally:
        """Tally these tasks from scratch (the tight loop of a first summary)."""
        own, kinds = self.tasks, self._kind
        running: list[str] = []
        pending: list[str] = []
        last = self.last_seen
        self._lost = None
        done, progress, other = State.COMPLETED, State.IN_PROGRESS, State.READY
        for task in tasks:
            tid = task.id
            own[tid] = task
            if not self.pool:
                last = max(last or 0.0, task.mtime)
            if task.metadata.get("_internal"):
                kinds[tid] = None
                continue
            state = states.get(tid)
            if state is done:
                kinds[tid] = done
                self.completed += 1
            elif state is progress:
                kinds[tid] = progress
                running.append(tid)
            else:
                kinds[tid] = other
                pending.append(tid)
        self._last_seen = last
        self._running, self._pending = _Ordered(running), _Ordered(pending)
        self._lists = None
        return self

    def add(self, task: Task, state: State | None) -> None:
        self._keep(task.id)
        self.tasks[task.id] = task
        if not self.pool:
            if self._lost is not None and task.mtime >= self._lost:
                self._lost, self._last_seen = None, task.mtime  # newer than the newest was
            elif self._lost is None:
                self._last_seen = max(self._last_seen or 0.0, task.mtime)
        kind = self._kind[task.id] = self._classify(task, state)
        if kind is State.COMPLETED:
            self.completed += 1
        elif kind is State.IN_PROGRESS:
            self._running.add(task.id)
        elif kind is not None:
            self._pending.add(task.id)
        self._lists = None

    def remove(self, task_id: str) -> None:
        self._keep(task_id)
        task = self.tasks.pop(task_id)
        kind = self._kind.pop(task_id)
        if kind is State.COMPLETED:
            self.completed -= 1
        elif kind is State.IN_PROGRESS:
            self._running.discard(task_id)
        elif kind is not None:
            self._pending.discard(task_id)
        if not self.pool and self._lost is None and self._last_seen is not None \
                and task.mtime >= self._last_seen:
            self._lost = task.mtime  # worked out when asked, unless a newer task comes first
        self._lists = None

    def lists(self) -> tuple[TaskList, TaskList]:
        """The running and the pending tasks, in id order."""
        if self._lists is None:
            # A snapshot: the tally moves on with the next change, the lists do not.
            view = _AsItWas(self.tasks)
            self._views.append(weakref.ref(view))
            self._lists = (self._running.tasks(view), self._pending.tasks(view))
        return self._lists


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
        summary.running, summary.pending = tally.lists()
        summary.completed, summary.last_seen = tally.completed, tally.last_seen
    for summary in [*summaries.values(), *strangers.values()]:
        inbox = board.inboxes.get(summary.name)
        if inbox is not None:
            summary.unread = inbox.unread
            summary.newest = inbox.newest
        worked = summary.last_seen  # the newest task file it owns
        sent = latest.get(summary.name)
        if sent is not None:
            stamp, message = sent
            summary.last_seen = max(summary.last_seen or 0.0, stamp)
            if message.kind == "idle_notification":
                summary.idle_since = stamp
        member = summary.member
        if member is not None and member.is_active is not None:
            summary.active = member.is_active
        elif summary.idle_since is not None and summary.idle_since >= (worked or 0.0):
            summary.active = False  # it said so after its last task write
        elif summary.running:
            summary.active = True
    out = list(summaries.values())
    out.extend(strangers[name] for name in sorted(strangers))
    pool = tallies.get(None)
    if pool is not None:
        running, pending = pool.lists()
        if running or pending:
            out.append(AgentSummary(UNOWNED, "unowned", running=running, pending=pending))
    return out


def summarize_agents(board: Board) -> list[AgentSummary]:
    """Members first (in config order), then strangers by name, then the unowned pool."""
    buckets: dict[str | None, list[Task]] = {}
    for task in board.tasks.values():
        buckets.setdefault(task.owner, []).append(task)
    states = board.analysis.states
    return _assemble(board, {owner: _Tally(owner).fill(tasks, states)
                             for owner, tasks in buckets.items()})


class AgentTracker:
    """:func:`summarize_agents`, kept current from the ids of the tasks that changed.

    A change moves each changed task in or out of its owner's tally (a bisection),
    so at 10,000 tasks it costs the tasks that changed, not a walk of every task.
    When links moved (the analysis was rebuilt) everything is tallied again.
    """

    def __init__(self) -> None:
        self._owner: dict[str, str | None] = {}
        self._tallies: dict[str | None, _Tally] = {}
        self._structure: object | None = None
        self.touched: set[str] | None = None
        """The names (``UNOWNED`` for the pool) whose panels the last call may have
        changed: owners of the changed tasks and of the tasks waiting on them (their
        state shows there). None when everything was tallied again."""

    def summaries(self, board: Board, changed: Iterable[str] | None = None
                  ) -> list[AgentSummary]:
        """The summaries after ``changed`` tasks changed (None: anything may have)."""
        analysis = board.analysis
        states, tasks = analysis.states, board.tasks
        if changed is None or analysis.dependants is not self._structure:
            self._structure = analysis.dependants
            self._owner = {tid: task.owner for tid, task in tasks.items()}
            buckets: dict[str | None, list[Task]] = {}
            for task in tasks.values():
                buckets.setdefault(task.owner, []).append(task)
            self._tallies = {owner: _Tally(owner).fill(owned, states)
                             for owner, owned in buckets.items()}
            self.touched = None
            return _assemble(board, self._tallies)
        touched: set[str | None] = set()
        missing = object()
        for tid in set(changed):
            old = self._owner.pop(tid, missing)
            if old is not missing:
                tally = self._tallies[old]  # type: ignore[index]
                tally.remove(tid)
                if not tally.tasks:
                    del self._tallies[old]  # type: ignore[arg-type]
                touched.add(old)  # type: ignore[arg-type]
            task = tasks.get(tid)
            if task is not None:
                self._owner[tid] = task.owner
                tally = self._tallies.get(task.owner)
                if tally is None:
                    tally = self._tallies[task.owner] = _Tally(task.owner)
                tally.add(task, states.get(tid))
                touched.add(task.owner)
            for waiting in analysis.dependants.get(tid, ()):
                touched.add(self._owner.get(waiting))
        self.touched = {UNOWNED if owner is None else owner for owner in touched}
        return _assemble(board, self._tallies)


def apply_activity(summaries: list[AgentSummary],
                   activity: Mapping[str, AgentActivity] | None, *,
                   found: bool = True) -> None:
    """Overlay each agent's live activity from its transcript (taskboard.claude.live):
    the last sign of life, working or idle, and idle since. ``isActive`` and idle
    notifications (already in the summaries) stay only where the transcript says nothing.
    ``found``: whether the team's transcripts were found at all."""
    for summary in summaries:
        if summary.kind == "unowned":
            continue
        live = activity.get(summary.name) if activity else None
        summary.activity = live
        summary.no_transcript = found and live is None and summary.kind == "member"
        if live is None:
            continue
        if live.last_seen is not None:
            summary.last_seen = max(summary.last_seen or 0.0, live.last_seen)
        working = live.working
        if working is not None:
            summary.active = working
            summary.idle_since = live.idle_since
