"""The remaining work as waves, its critical path, and how much each task gates.

Wave 1 is what can run now (and what runs already); each later wave is what becomes
runnable once the waves before it are done (``graphlib``'s batches). Completed work
and running work are set apart. Tasks caught in a cycle, waiting on a task that does
not exist, or waiting (directly or not) on either, can never run: they are listed as
``stuck`` and every cycle is reported with its members.

The critical path is the longest chain of open tasks, weighted by each task's typical
duration when the caller knows it (history) and by one per task otherwise.

Pure code over a mapping of tasks and their derived states; linear in tasks and links
(the transitive gate counts use one bitset per task).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from taskboard.board.graph import id_key, strongly_connected
from taskboard.board.model import State, Task
from taskboard.board.outline import OutlineNode


@dataclass(frozen=True)
class Plan:
    """The remaining work of a task list, in waves."""

    waves: tuple[tuple[str, ...], ...] = ()
    """Open tasks not yet running, by wave (``waves[0]`` is wave 1), ids in order."""
    running: tuple[str, ...] = ()
    done: tuple[str, ...] = ()
    stuck: tuple[str, ...] = ()
    """Open tasks that can never run as things stand (cycles, missing blockers)."""
    cycles: tuple[tuple[str, ...], ...] = ()
    wave_of: dict[str, int] = field(default_factory=dict)
    """Each open, runnable task's wave (running tasks included), 1 for what can run now."""
    critical_path: tuple[str, ...] = ()
    """The longest chain of open tasks, first to last."""
    critical_length: float = 0.0
    gates_direct: dict[str, int] = field(default_factory=dict)
    """For each task, how many open tasks wait on it directly."""
    gates_all: dict[str, int] = field(default_factory=dict)
    """For each task, how many open tasks wait on it, directly or not."""

    @property
    def waves_left(self) -> int:
        return max(self.wave_of.values(), default=0)

    @property
    def gating(self) -> str | None:
        """The task that gates completion: the head of the critical path."""
        return self.critical_path[0] if self.critical_path else None

    def to_json(self) -> dict[str, object]:
        return {
            "waves": [list(w) for w in self.waves],
            "running": list(self.running),
            "stuck": list(self.stuck),
            "cycles": [list(c) for c in self.cycles],
            "criticalPath": list(self.critical_path),
            "wavesLeft": self.waves_left,
        }


def plan(tasks: Mapping[str, Task], states: Mapping[str, State],
         weights: Mapping[str, float] | None = None,
         ordered: Iterable[str] | None = None) -> Plan:
    """Waves, critical path and gate counts for the visible (not ``_internal``) tasks;
    ``ordered``: every id of ``tasks`` in id order, when the caller has it."""
    if ordered is None:
        ordered = sorted(tasks, key=id_key)
    order = [tid for tid in ordered if not tasks[tid].metadata.get("_internal")]
    # Each visible task's place in id order: every later sort and tie is a lookup of it,
    # not an id parsed again.
    rank = {tid: index for index, tid in enumerate(order)}
    done = [t for t in order if states.get(t) is State.COMPLETED]
    open_ = {t for t in order if states.get(t) is not State.COMPLETED}
    # blocker -> open dependants, over open tasks only (a completed blocker gates nothing).
    after: dict[str, set[str]] = {t: set() for t in open_}
    before: dict[str, set[str]] = {t: set() for t in open_}
    dangling: set[str] = set()
    for tid in open_:
        for blocker in tasks[tid].blocked_by:
            if blocker in open_:
                after[blocker].add(tid)
                before[tid].add(blocker)
            elif blocker not in tasks:
                dangling.add(tid)
        for dependant in tasks[tid].blocks:
            if dependant in open_:
                after[tid].add(dependant)
                before[dependant].add(tid)
    cycles: list[tuple[str, ...]] = []
    cyclic: set[str] = set()
    wave_of, topo, wave = _waves(open_, before, after, closed=True)
    # Every open task got a wave: no cycle among them, so no component to look for
    # (Tarjan's walk costs as much as the waves).
    for component in () if len(wave_of) == len(open_) else strongly_connected(after):
        if len(component) > 1 or component[0] in after[component[0]]:
            members = tuple(sorted(component, key=id_key))
            cycles.append(members)
            cyclic.update(members)
    cycles.sort(key=lambda c: id_key(c[0]))
    # Whatever waits on a cycle or on a missing task can never run.
    stuck = set(cyclic | dangling)
    frontier = list(stuck)
    while frontier:
        for child in after[frontier.pop()]:
            if child not in stuck:
                stuck.add(child)
                frontier.append(child)
    runnable = open_ - stuck
    if stuck:
        wave_of, topo, wave = _waves(runnable, before, after)
    running = [t for t in order if t in runnable and states.get(t) is State.IN_PROGRESS]
    is_running = set(running)
    waves: list[list[str]] = [[] for _ in range(wave)]
    for tid in runnable:
        if tid not in is_running:
            waves[wave_of[tid] - 1].append(tid)
    path, length = _critical_path(topo, before, weights, rank.__getitem__)
    direct, total = _gates(topo, after, open_, stuck)
    place = rank.__getitem__
    return Plan(
        waves=tuple(tuple(sorted(w, key=place)) for w in waves),
        running=tuple(running),
        done=tuple(done),
        stuck=tuple(sorted(stuck, key=place)),
        cycles=tuple(cycles),
        wave_of=wave_of,
        critical_path=path,
        critical_length=length,
        gates_direct=direct,
        gates_all=total,
    )


def _waves(nodes: set[str], before: Mapping[str, set[str]], after: Mapping[str, set[str]],
           *, closed: bool = False) -> tuple[dict[str, int], list[str], int]:
    """Kahn's algorithm a wave at a time over ``nodes``: each one's wave (1 for what waits
    on none of them), a topological order, and how many waves. A node in or behind a
    cycle gets none. ``closed``: every node's ``before`` lies within ``nodes``."""
    if closed:
        waiting = {tid: len(before[tid]) for tid in nodes}
    else:
        waiting = {tid: sum(1 for b in before[tid] if b in nodes) for tid in nodes}
    batch = [tid for tid, count in waiting.items() if not count]
    wave_of: dict[str, int] = {}
    order: list[str] = []
    wave = 0
    while batch:
        wave += 1
        following: list[str] = []
        for tid in batch:
            wave_of[tid] = wave
            for child in after[tid]:
                if child in waiting:
                    waiting[child] -= 1
                    if not waiting[child]:
                        following.append(child)
        order.extend(batch)
        batch = following
    return wave_of, order, wave


def _critical_path(order: list[str], before: Mapping[str, set[str]],
                   weights: Mapping[str, float] | None,
                   place: Callable[[str], object] = id_key) -> tuple[tuple[str, ...], float]:
    """The heaviest chain through ``order`` (a topological order); ties go to lower ids
    (``place``: where an id sorts)."""
    dist: dict[str, float] = {}
    prev: dict[str, str | None] = {}
    for tid in order:
        weight = weights.get(tid, 1.0) if weights is not None else 1.0
        best: str | None = None
        for blocker in before[tid]:
            if blocker not in dist:
                continue
            if best is None or dist[blocker] > dist[best] or (
                    dist[blocker] == dist[best] and place(blocker) < place(best)):  # type: ignore[operator]
                best = blocker
        dist[tid] = weight + (dist[best] if best is not None else 0.0)
        prev[tid] = best
    if not dist:
        return (), 0.0
    end = min(dist, key=lambda t: (-dist[t], place(t)))
    path: list[str] = []
    node: str | None = end
    while node is not None:
        path.append(node)
        node = prev[node]
    return tuple(reversed(path)), dist[end]


def _gates(order: list[str], after: Mapping[str, set[str]], open_: set[str],
           stuck: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Open dependants of each open task, directly and in all (bitsets, reverse order)."""
    direct = {tid: len(after[tid]) for tid in open_}
    index = {tid: i for i, tid in enumerate(order)}
    below: dict[str, int] = {}
    for tid in reversed(order):
        bits = 0
        for child in after[tid]:
            if child in index:
                bits |= (1 << index[child]) | below[child]
        below[tid] = bits
    total = {tid: bits.bit_count() for tid, bits in below.items()}
    for tid in stuck:  # stuck tasks: count what waits on them without bitsets
        seen: set[str] = set()
        frontier = [tid]
        while frontier:
            for child in after[frontier.pop()]:
                if child not in seen and child != tid:
                    seen.add(child)
                    frontier.append(child)
        total[tid] = len(seen)
    return direct, total


SECTION = "§"
"""Outline ids of the waves view's section rows start with this (task ids never do)."""


def waves_forest(work: Plan) -> list[OutlineNode]:
    """The waves view as an outline: a section per wave (running work first, then wave 1,
    2, ...), then what can never run, then what is done; each section's tasks in order."""
    def section(key: str, ids: tuple[str, ...]) -> OutlineNode:
        return OutlineNode(SECTION + key, tuple(OutlineNode(t) for t in ids))

    forest = []
    if work.running:
        forest.append(section("running", work.running))
    forest.extend(section(str(n), ids) for n, ids in enumerate(work.waves, start=1) if ids)
    if work.stuck:
        forest.append(section("stuck", work.stuck))
    if work.done:
        forest.append(section("done", work.done))
    return forest


def section_title(section_id: str, work: Plan) -> str:
    """``Wave 2 · 4 tasks`` for a section row of :func:`waves_forest`."""
    key = section_id[len(SECTION):]
    if key == "running":
        return f"Running now · {len(work.running)}"
    if key == "stuck":
        cycles = "; ".join(" → ".join(f"#{m}" for m in c) for c in work.cycles)
        return f"Can never run · {len(work.stuck)}" + (f" (cycle {cycles})" if cycles else "")
    if key == "done":
        return f"Done · {len(work.done)}"
    number = int(key)
    size = len(work.waves[number - 1])
    when = "runnable now" if number == 1 else f"after wave {number - 1}"
    return f"Wave {number} · {size} task{'s' if size != 1 else ''} · {when}"
