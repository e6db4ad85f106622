"""Derived state of a task list: ready/blocked/running/done, broken links, cycles, depth.

Pure functions over a mapping of task id to :class:`~taskboard.board.model.Task`; nothing
here reads the disk. Linear in the number of tasks and links.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from taskboard.board.model import Problem, State, Task

RELINK_MAX = 64
"""Changed tasks up to which (or an eighth of the list, if more) a structural change is
applied incrementally; past it, a full analysis is cheaper."""


def id_key(task_id: str) -> tuple[int, str]:
    """Sort ids numerically (``2`` before ``10``), anything odd after, by text."""
    return (int(task_id), "") if task_id.isdigit() else (1 << 62, task_id)


def derive_state(task: Task, tasks: Mapping[str, Task]) -> State:
    """Completed, in progress, or pending split into blocked (an unmet blocker) and ready."""
    if task.status == "completed":
        return State.COMPLETED
    if task.status == "in_progress":
        return State.IN_PROGRESS
    if task.status != "pending":
        return State.UNKNOWN
    for blocker in task.blocked_by:
        other = tasks.get(blocker)
        if other is None or other.status != "completed":
            return State.BLOCKED
    return State.READY


@dataclass(frozen=True)
class Analysis:
    """Everything derived from the tasks at one moment."""

    states: dict[str, State]
    problems: tuple[Problem, ...]
    in_cycle: frozenset[str]
    dependants: dict[str, tuple[str, ...]]
    """For each task, the tasks that wait on it (from their ``blockedBy``)."""
    depth: dict[str, int] = field(default_factory=dict)
    """Length of the longest chain of blockers above each task (0 for roots)."""
    links: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    """Each task's ``(blocks, blockedBy)`` when this was computed: the structure's key."""
    _index: Any = field(default=None, compare=False, repr=False)
    """Who names whom (:class:`taskboard.board.relink.LinkIndex`), made and kept by the
    incremental path when a task comes, goes or moves its links."""
    order: tuple[str, ...] | None = field(default=None, compare=False, repr=False)
    """Every task's id in id order, as the full analysis sorted them (None when this
    analysis was made incrementally with tasks that came or went): for callers that
    walk the tasks in order, so that 10,000 ids are not sorted again."""

    def counts(self) -> Counter[State]:
        return Counter(self.states.values())

    @cached_property
    def problem_tasks(self) -> frozenset[str]:
        """The tasks named by a link problem (dangling, one-sided, cycle): each shows ⚠."""
        return frozenset(p.task for p in self.problems if p.task is not None)

    def unmet_blockers(self, task: Task, tasks: Mapping[str, Task]) -> list[str]:
        return [b for b in task.blocked_by
                if b not in tasks or tasks[b].status != "completed"]


def task_link_problems(tid: str, task: Task, tasks: Mapping[str, Task]) -> list[Problem]:
    """One task's link problems: a blocker or dependant it names that does not exist, or
    that does not name it back."""
    problems: list[Problem] = []
    for blocker in task.blocked_by:
        other = tasks.get(blocker)
        if other is None:
            problems.append(Problem("dangling_ref", f"#{tid} is blocked by #{blocker}, "
                                    "which does not exist", tid))
        elif tid not in other.blocks:
            problems.append(Problem("asymmetric", f"#{tid} is blocked by #{blocker}, but "
                                    f"#{blocker} does not list #{tid} in 'blocks'", tid))
    for dependant in task.blocks:
        other = tasks.get(dependant)
        if other is None:
            problems.append(Problem("dangling_ref", f"#{tid} blocks #{dependant}, "
                                    "which does not exist", tid))
        elif tid not in other.blocked_by:
            problems.append(Problem("asymmetric", f"#{tid} blocks #{dependant}, but "
                                    f"#{dependant} does not list #{tid} in 'blockedBy'", tid))
    if problems and task.path:  # the path, only for a task that has a problem (most have none)
        where = str(task.path)
        problems = [Problem(p.kind, p.detail, tid, where) for p in problems]
    return problems


def _link_problems(tasks: Mapping[str, Task], order: Iterable[str]) -> list[Problem]:
    problems: list[Problem] = []
    for tid in order:
        problems.extend(task_link_problems(tid, tasks[tid], tasks))
    return problems


def _walk(tasks: Mapping[str, Task], order: list[str]
          ) -> tuple[dict[str, State], list[Problem], dict[str, set[str]],
                     dict[str, tuple[str, ...]]]:
    """States, link problems, edges and dependants in one walk over every link (each
    apart cost as much again as the walk): what :func:`derive_state`,
    :func:`_link_problems`, :func:`edges` and the dependants make, in ``order``."""
    get = tasks.get
    states: dict[str, State] = dict.fromkeys(tasks)  # type: ignore[arg-type]  # in its order
    problems: list[Problem] = []
    graph: dict[str, set[str]] = {tid: set() for tid in tasks}
    waiting: dict[str, list[str]] = {tid: [] for tid in tasks}
    done, running, ready, blocked, unknown = (State.COMPLETED, State.IN_PROGRESS,
                                              State.READY, State.BLOCKED, State.UNKNOWN)
    for tid in order:
        task = tasks[tid]
        met = True
        broken = False
        for blocker in task.blocked_by:
            other = get(blocker)
            if other is None:
                met = False
                broken = True
                continue
            graph[blocker].add(tid)
            waiting[blocker].append(tid)
            if other.status != "completed":
                met = False
            if tid not in other.blocks:
                broken = True
        for dependant in task.blocks:
            other = get(dependant)
            if other is None:
                broken = True
            elif tid not in other.blocked_by:
                broken = True
                graph[tid].add(dependant)  # the other side adds the edges it names
        status = task.status
        if status == "completed":
            states[tid] = done
        elif status == "in_progress":
            states[tid] = running
        elif status != "pending":
            states[tid] = unknown
        else:
            states[tid] = ready if met else blocked
        if broken:
            problems.extend(task_link_problems(tid, task, tasks))
    return states, problems, graph, {tid: tuple(ids) for tid, ids in waiting.items()}


def edges(tasks: Mapping[str, Task]) -> dict[str, set[str]]:
    """Blocker -> dependants, from both sides of every link that names existing tasks."""
    out: dict[str, set[str]] = {tid: set() for tid in tasks}
    for tid, task in tasks.items():
        for blocker in task.blocked_by:
            if blocker in out:
                out[blocker].add(tid)
        for dependant in task.blocks:
            if dependant in tasks:
                out[tid].add(dependant)
    return out


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so that 10,000-task chains do not hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _depths(graph: Mapping[str, set[str]], in_cycle: frozenset[str]) -> dict[str, int]:
    """Longest blocker chain above each task, ignoring tasks caught in cycles."""
    return _kahn(graph, in_cycle)[0]


def _kahn(graph: Mapping[str, set[str]],
          in_cycle: frozenset[str]) -> tuple[dict[str, int], bool]:
    """The depths, and whether every task outside ``in_cycle`` got one (False: a cycle)."""
    if in_cycle:
        indegree = {tid: 0 for tid in graph if tid not in in_cycle}
        for tid in indegree:
            for child in graph[tid]:
                if child in indegree:
                    indegree[child] += 1
    else:  # every task, and every child is one (the usual case, without a test per link)
        indegree = dict.fromkeys(graph, 0)
        for children in graph.values():
            for child in children:
                indegree[child] += 1
    depth = dict.fromkeys(indegree, 0)
    ready = [tid for tid, n in indegree.items() if n == 0]
    done = 0
    while ready:
        tid = ready.pop()
        done += 1
        below = depth[tid] + 1
        for child in graph[tid]:
            if child not in indegree:
                continue
            if depth[child] < below:
                depth[child] = below
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return depth, done == len(indegree)


def _links(tasks: Mapping[str, Task]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    return {tid: (task.blocks, task.blocked_by) for tid, task in tasks.items()}


def _same_structure(previous: Analysis, tasks: Mapping[str, Task], changed: set[str]) -> bool:
    """No task came or went and no changed task's links moved: only states can differ."""
    links = previous.links
    if len(links) != len(tasks):
        return False
    for tid in changed:
        task = tasks.get(tid)
        if task is None or links.get(tid) != (task.blocks, task.blocked_by):
            return False
    return True


def analyze(tasks: Mapping[str, Task], previous: Analysis | None = None,
            changed: set[str] | None = None) -> Analysis:
    """Derive states, link problems, cycles, dependants and depth for a task list.

    With the ``previous`` analysis and the ids ``changed`` since, a change that moved
    no link (the usual one: a status, owner or subject) costs the changed tasks and
    their dependants only; everything structural is shared with ``previous``. A few
    tasks that came, went or moved their links cost those tasks, the tasks naming them
    and their descendants (:func:`taskboard.board.relink.relink`), unless a cycle is or
    was there: then, as for many changes, everything is computed again.
    """
    if previous is not None and changed is not None and \
            _same_structure(previous, tasks, changed):
        states = dict(previous.states)
        for tid in changed:
            for affected in (tid, *previous.dependants.get(tid, ())):
                states[affected] = derive_state(tasks[affected], tasks)
        return replace(previous, states=states)
    if previous is not None and changed is not None \
            and len(changed) <= max(RELINK_MAX, len(tasks) // 8):
        from taskboard.board.relink import relink

        relinked = relink(tasks, previous, changed)
        if relinked is not None:
            return relinked
    order = sorted(tasks, key=id_key)
    states, problems, graph, dependants = _walk(tasks, order)
    cyclic: set[str] = set()
    depth, acyclic = _kahn(graph, frozenset())
    # Every task got a depth: no cycle, so no component to look for (Tarjan's walk
    # costs as much as the rest of the analysis).
    for component in () if acyclic else strongly_connected(graph):
        if len(component) > 1 or component[0] in graph[component[0]]:
            members = sorted(component, key=id_key)
            cyclic.update(members)
            chain = " -> ".join(f"#{m}" for m in members)
            for member in members:
                task = tasks[member]
                problems.append(Problem("cycle", f"#{member} is in a dependency cycle: {chain}",
                                        member, str(task.path) if task.path else None))
    in_cycle = frozenset(cyclic)
    return Analysis(
        states=states,
        problems=tuple(problems),
        in_cycle=in_cycle,
        dependants=dependants,
        depth=depth if acyclic else _depths(graph, in_cycle),
        links=_links(tasks),
        order=tuple(order),
    )


def would_cycle(tasks: Mapping[str, Task], task_id: str, blocker_id: str) -> bool:
    """True if making ``task_id`` wait on ``blocker_id`` closes a cycle."""
    if task_id == blocker_id:
        return True
    graph = edges(tasks)
    # A cycle appears if blocker_id already (transitively) waits on task_id.
    seen = {task_id}
    frontier = [task_id]
    while frontier:
        node = frontier.pop()
        for child in graph.get(node, ()):
            if child == blocker_id:
                return True
            if child not in seen:
                seen.add(child)
                frontier.append(child)
    return False
