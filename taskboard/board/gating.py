"""What gates the remaining work, kept up to date while tasks change state.

The console shows the head of the critical path and how many waves are left
(``gated by #12 ● alice, 3 waves left``) and marks the path in the outline.
:func:`~taskboard.board.waves.plan` finds them with a walk of every task: ~45 ms at
10,000 tasks, for each task completed, claimed or reopened.

:class:`Gating` keeps each runnable open task's wave (the longest chain of open
tasks that ends at it; with every task weighing one, that chain's length is also
the task's distance on the critical path). When tasks only change state, the links
as they were, it walks again just the open tasks that follow the ones whose
openness flipped: completing the last task of a chain costs a few microseconds, and
finding the longest chain one pass over the waves. Anything else (a link, a task
added or removed, a cycle or a missing blocker anywhere in the open work) is
computed again with :func:`~taskboard.board.waves.plan`, whose answer this is: a
test compares the two on random lists and changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from taskboard.board.graph import id_key
from taskboard.board.model import State, Task
from taskboard.board.waves import plan


def _links(task: Task) -> tuple[object, ...]:
    """What the waves read of a task besides its state."""
    return (task.blocked_by, task.blocks, task.internal)


class Gating:
    """The waves and critical path of a task list's open work (unit weights)."""

    def __init__(self, tasks: Mapping[str, Task], states: Mapping[str, State]) -> None:
        self.full_walks = 0
        """How many times the whole list was walked (the first time included)."""
        self._walk(tasks, states)

    # -- what the console reads --------------------------------------------------------

    @property
    def gating(self) -> str | None:
        """The task that gates completion: the head of the critical path."""
        return self.critical_path[0] if self.critical_path else None

    # -- keeping it up to date -----------------------------------------------------------

    def update(self, tasks: Mapping[str, Task], states: Mapping[str, State],
               changed: Iterable[str] | None) -> None:
        """Bring the waves up to date after the ``changed`` tasks changed (None: any)."""
        if changed is None or self._stuck:
            self._walk(tasks, states)
            return
        flipped: list[str] = []
        for tid in changed:
            task = tasks.get(tid)
            if task is None or self._shape.get(tid) != _links(task):
                self._walk(tasks, states)  # added, removed or relinked
                return
            if self._open_now(tid, states) != (tid in self._open):
                flipped.append(tid)
        if not flipped:
            return  # no task became open or closed: no wave moves
        for tid in flipped:
            if tid in self._open:
                self._open.discard(tid)
                self.wave_of.pop(tid, None)
            elif any(b not in tasks for b in tasks[tid].blocked_by):
                self._walk(tasks, states)  # reopened behind a missing task: stuck
                return
            else:
                self._open.add(tid)
        moved = self._rewave(flipped)
        if moved is None:
            self._walk(tasks, states)  # reopening closed a cycle
            return
        moved.update(flipped)
        path = self.critical_path
        near = {*path, *(b for tid in path for b in self._before.get(tid, ()))}
        if not moved.isdisjoint(near) or max(
                (self.wave_of.get(t, 0) for t in moved), default=0) >= self.waves_left:
            self._find_path()
        # else: the chains that moved are shorter than the critical path and none of its
        # tasks or their blockers moved: it stands

    def _open_now(self, tid: str, states: Mapping[str, State]) -> bool:
        return tid in self._shape and not self._shape[tid][2] \
            and states.get(tid) is not State.COMPLETED

    def _walk(self, tasks: Mapping[str, Task], states: Mapping[str, State]) -> None:
        """Everything from scratch, with :func:`plan`."""
        self.full_walks += 1
        work = plan(tasks, states)
        self.wave_of = dict(work.wave_of)
        self.critical_path = work.critical_path
        self.waves_left = work.waves_left
        self._stuck = bool(work.stuck)
        self._shape = {tid: _links(task) for tid, task in tasks.items()}
        visible = {tid for tid, task in tasks.items() if not task.internal}
        self._open = {tid for tid in visible if states.get(tid) is not State.COMPLETED}
        # Every link both ways between visible tasks, whatever their state.
        self._before: dict[str, set[str]] = {tid: set() for tid in visible}
        self._after: dict[str, set[str]] = {tid: set() for tid in visible}
        for tid in visible:
            task = tasks[tid]
            for blocker in task.blocked_by:
                if blocker in visible:
                    self._before[tid].add(blocker)
                    self._after[blocker].add(tid)
            for dependant in task.blocks:
                if dependant in visible:
                    self._after[tid].add(dependant)
                    self._before[dependant].add(tid)

    def _rewave(self, flipped: list[str]) -> set[str] | None:
        """The waves of the open tasks at or after ``flipped``, in order (Kahn's algorithm
        over just them): the tasks whose wave moved, or None if they hold a cycle."""
        is_open = self._open.__contains__
        after, before, wave_of = self._after, self._before, self.wave_of
        affected = {tid for tid in flipped if is_open(tid)}
        frontier = [child for tid in flipped for child in after[tid] if is_open(child)]
        while frontier:
            tid = frontier.pop()
            if tid not in affected:
                affected.add(tid)
                frontier.extend(child for child in after[tid] if is_open(child))
        waiting = {tid: sum(1 for b in before[tid] if b in affected) for tid in affected}
        ready = [tid for tid, count in waiting.items() if not count]
        done = 0
        moved: set[str] = set()
        while ready:
            tid = ready.pop()
            done += 1
            wave = 1 + max((wave_of[b] for b in before[tid] if is_open(b)), default=0)
            if wave_of.get(tid) != wave:
                wave_of[tid] = wave
                moved.add(tid)
            for child in after[tid]:
                if child in waiting:
                    waiting[child] -= 1
                    if not waiting[child]:
                        ready.append(child)
        return moved if done == len(affected) else None

    def _find_path(self) -> None:
        """The longest chain (ties to the lower ids), from its last task back."""
        wave_of = self.wave_of
        if not wave_of:
            self.critical_path, self.waves_left = (), 0
            return
        longest = self.waves_left = max(wave_of.values())
        node: str | None = min((t for t, w in wave_of.items() if w == longest), key=id_key)
        path: list[str] = []
        while node is not None:
            path.append(node)
            blockers = [b for b in self._before[node] if b in wave_of]
            node = min(blockers, key=lambda b: (-wave_of[b], id_key(b))) if blockers else None
        self.critical_path = tuple(reversed(path))
