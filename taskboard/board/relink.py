"""The graph analysis brought up to date after a few tasks came, went or moved their links.

:func:`taskboard.board.graph.analyze` rebuilds everything (10,000 tasks: ~0.3 s) when the
structure moved; stepping through a recorded session creates or removes a task at every
other step. Here, from the previous analysis and the ids that changed, only what those
ids can reach is computed again: their states and the states of the tasks waiting on
them, the link problems of the tasks naming them, the dependants of their blockers, and
the depth of their descendants. The result equals a full :func:`analyze` (a property test
checks it on random sequences); when a cycle is or was there, None: the caller analyses
everything.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from taskboard.board.graph import Analysis, derive_state, id_key, task_link_problems
from taskboard.board.model import Problem, Task

Links = tuple[tuple[str, ...], tuple[str, ...]]


class LinkIndex:
    """Who names whom, for the tasks of one ``links`` map: for any id (existing or not),
    the tasks whose ``blockedBy`` (``waiting``) or ``blocks`` (``listed``) name it, once per
    mention; and each task's link problems."""

    def __init__(self, links: dict[str, Links], problems: Iterable[Problem]) -> None:
        self.links = links
        self.waiting: dict[str, list[str]] = {}
        self.listed: dict[str, list[str]] = {}
        for tid, pair in links.items():
            self.put(tid, pair)
        self.problems: dict[str, list[Problem]] = {}
        for problem in problems:
            if problem.task is not None:
                self.problems.setdefault(problem.task, []).append(problem)

    def put(self, tid: str, pair: Links) -> None:
        blocks, blocked_by = pair
        for name in blocked_by:
            self.waiting.setdefault(name, []).append(tid)
        for name in blocks:
            self.listed.setdefault(name, []).append(tid)

    def drop(self, tid: str, pair: Links) -> None:
        blocks, blocked_by = pair
        for index, names in ((self.waiting, blocked_by), (self.listed, blocks)):
            for name in names:
                namers = index[name]
                namers.remove(tid)
                if not namers:
                    del index[name]


def relink(tasks: Mapping[str, Task], previous: Analysis,
           changed: set[str]) -> Analysis | None:
    """The analysis of ``tasks``, which differ from those ``previous`` was made from in
    the ``changed`` ids only; None when a cycle is (or was) in the graph."""
    if previous.in_cycle or len(previous.states) + len(changed) < len(tasks):
        return None
    index = previous._index
    if not isinstance(index, LinkIndex) or index.links is not previous.links:
        index = LinkIndex(previous.links, previous.problems)
    old_links = previous.links
    links = dict(old_links)
    moved: list[tuple[str, Links | None, Links | None]] = []
    for tid in changed:
        old = old_links.get(tid)
        task = tasks.get(tid)
        new = (task.blocks, task.blocked_by) if task is not None else None
        if old == new:
            continue
        if old is not None:
            index.drop(tid, old)
            del links[tid]
        if new is not None:
            index.put(tid, new)
            links[tid] = new
        moved.append((tid, old, new))
    index.links = links
    if len(links) != len(tasks):
        return None
    waiting, listed = index.waiting, index.listed

    states = dict(previous.states)
    for tid in changed:
        for affected in (tid, *waiting.get(tid, ())):
            task = tasks.get(affected)
            if task is None:
                states.pop(affected, None)
            else:
                states[affected] = derive_state(task, tasks)

    named: set[str] = set()
    seeds: set[str] = set()
    blockers: set[str] = set()
    for tid, old, new in moved:
        for side in (old, new):
            if side is not None:
                seeds.update(side[0])
                blockers.update(side[1])
        named.add(tid)
        named.update(waiting.get(tid, ()))
        named.update(listed.get(tid, ()))
        seeds.add(tid)
        seeds.update(waiting.get(tid, ()))
        blockers.add(tid)

    by_task = index.problems
    for tid in named:
        task = tasks.get(tid)
        found = task_link_problems(tid, task, tasks) if task is not None else []
        if found:
            by_task[tid] = found
        else:
            by_task.pop(tid, None)
    problems = tuple(p for tid in sorted(by_task, key=id_key) for p in by_task[tid])

    dependants = dict(previous.dependants)
    depth = dict(previous.depth)
    for tid, _old, new in moved:
        if new is None:
            dependants.pop(tid, None)
            depth.pop(tid, None)
    for tid in blockers:
        if tid in tasks:
            dependants[tid] = tuple(sorted(waiting.get(tid, ()), key=id_key))
    if not _redepth(depth, {s for s in seeds if s in tasks}, links, tasks, waiting, listed):
        return None
    result = Analysis(states=states, problems=problems, in_cycle=frozenset(),
                      dependants=dependants, depth=depth, links=links, _index=index)
    return result


def _redepth(depth: dict[str, int], seeds: set[str], links: Mapping[str, Links],
             tasks: Mapping[str, Task], waiting: Mapping[str, list[str]],
             listed: Mapping[str, list[str]]) -> bool:
    """Longest blocker chain above the seeds and everything below them, in place: the
    other tasks' depths stand (nothing above them moved). False: a cycle among them."""

    def after(tid: str) -> set[str]:
        out = {d for d in links[tid][0] if d in tasks}
        out.update(waiting.get(tid, ()))
        return out

    def before(tid: str) -> set[str]:
        out = {b for b in links[tid][1] if b in tasks}
        out.update(listed.get(tid, ()))
        return out

    below = set(seeds)
    children: dict[str, set[str]] = {}
    stack = list(seeds)
    while stack:
        tid = stack.pop()
        found = children[tid] = after(tid)
        for child in found:
            if child not in below:
                below.add(child)
                stack.append(child)
    indegree = dict.fromkeys(below, 0)
    for found in children.values():
        for child in found:
            indegree[child] += 1
    ready = [tid for tid, n in indegree.items() if n == 0]
    done = 0
    while ready:
        tid = ready.pop()
        done += 1
        depth[tid] = max((depth[p] + 1 for p in before(tid)), default=0)
        for child in children[tid]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return done == len(below)
