"""The dependency outline: tasks as a tree along their links, each task exactly once.

Forward (``waits="blockers"``) the roots are tasks with no blockers and a task sits
under the blocker that finishes last in the chain (the deepest); its other blockers
become an "also after" badge. Backward (``waits="dependants"``) the roots are tasks
nothing waits on and children are what a task waits on. Tasks caught in a cycle
are placed once and marked, never followed forever. Hidden (``_internal``) tasks
are left out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from taskboard.board.graph import Analysis, id_key
from taskboard.board.model import State, Task

Direction = Literal["blockers", "dependants"]

SYMBOLS: dict[State, str] = {
    State.COMPLETED: "✓",
    State.IN_PROGRESS: "●",
    State.READY: "○",
    State.BLOCKED: "◌",
    State.UNKNOWN: "⚠",
}
PROBLEM_SYMBOL = "⚠"
LABELS: dict[State, str] = {
    State.COMPLETED: "done",
    State.IN_PROGRESS: "running",
    State.READY: "ready",
    State.BLOCKED: "blocked",
    State.UNKNOWN: "unknown",
}


@dataclass(frozen=True)
class OutlineNode:
    """One task in the outline, with the tasks placed under it."""

    id: str
    children: tuple[OutlineNode, ...] = ()
    also: tuple[str, ...] = ()
    """The task's other parents, shown as a badge rather than repeated."""
    cyclic: bool = False


def build_outline(tasks: Mapping[str, Task], analysis: Analysis,
                  direction: Direction = "blockers",
                  critical: Collection[str] = ()) -> list[OutlineNode]:
    """The forest of tasks for the outline view, deterministic for a given list.

    A task with several parents hangs under the one on the critical path, else the
    most recently changed open one, else the most recently completed one (the
    deepest, then the lowest id, on a tie)."""
    # Every task's place in id order, worked out once: parents, children and roots are
    # ordered by it (an id's key worked out again at each comparison was a third of this
    # at 10,000 tasks).
    order = sorted([tid for tid, task in tasks.items() if not task.internal], key=id_key)
    place = {tid: index for index, tid in enumerate(order)}
    dependants = analysis.dependants
    forward = direction == "blockers"
    parents: dict[str, list[str]] = {}
    for tid in order:
        ups = tasks[tid].blocked_by if forward else dependants.get(tid, ())
        kept = [up for up in ups if up in place]
        if len(kept) > 1:
            kept = sorted(set(kept), key=place.__getitem__)
        parents[tid] = kept

    depth = analysis.depth
    states = analysis.states
    on_path = set(critical)

    def rank(pid: str) -> tuple[bool, bool, float, int, int]:
        # Forward, the deepest blocker wins a tie; backward, the shallowest.
        d = depth.get(pid, 0)
        return (pid not in on_path, states.get(pid) is State.COMPLETED, -tasks[pid].mtime,
                -d if forward else d, place[pid])

    primary: dict[str, str] = {}
    children: dict[str, list[str]] = {tid: [] for tid in order}
    for tid in order:  # in id order: each list of children comes out sorted
        ups = parents[tid]
        if ups:
            parent = primary[tid] = ups[0] if len(ups) == 1 else min(ups, key=rank)
            children[parent].append(tid)

    placed: set[str] = set()
    in_cycle = analysis.in_cycle

    def build(root: str) -> OutlineNode:
        # Iterative post-order so that long chains do not hit the recursion limit; each
        # entry's children to place are kept reversed, taken from the end.
        placed.add(root)
        stack: list[tuple[str, list[str], list[OutlineNode]]] = [(root, children[root][::-1], [])]
        result: OutlineNode | None = None
        while stack:
            tid, pending, built = stack[-1]
            if pending:
                child = pending.pop()
                if child in placed:
                    continue
                placed.add(child)
                stack.append((child, children[child][::-1], []))
                continue
            stack.pop()
            # A root has no parent above it: every parent it has (a cycle's) is a badge.
            ups = parents[tid]
            if not ups or (len(ups) == 1 and tid != root):
                others: tuple[str, ...] = ()
            else:
                others = tuple(p for p in ups if tid == root or p != primary.get(tid))
            node = OutlineNode(tid, tuple(built), others, tid in in_cycle)
            if stack:
                stack[-1][2].append(node)
            else:
                result = node
        assert result is not None
        return result

    forest = [build(tid) for tid in order if not parents[tid]]
    # Whatever is left hangs off a cycle: climb the primary parents to the loop and
    # start from the loop's lowest id, so a task below the cycle stays under its parent.
    for tid in order:
        if tid in placed:
            continue
        chain: list[str] = []
        node = tid
        while node not in chain and node in primary and node not in placed:
            chain.append(node)
            node = primary[node]
        loop = chain[chain.index(node):] if node in chain else [tid]
        forest.append(build(min(loop, key=place.__getitem__)))
    return forest


def walk(forest: list[OutlineNode]) -> list[tuple[int, OutlineNode]]:
    """Depth-first ``(level, node)`` pairs, in display order."""
    out: list[tuple[int, OutlineNode]] = []
    stack = [(0, node) for node in reversed(forest)]
    while stack:
        level, node = stack.pop()
        out.append((level, node))
        stack.extend((level + 1, child) for child in reversed(node.children))
    return out


def prune(forest: list[OutlineNode], keep: set[str]) -> list[OutlineNode]:
    """The forest with only the kept tasks and their ancestors (the path that leads to them)."""
    out: list[OutlineNode] = []
    # Iterative post-order: a node survives if it is kept or has a surviving child.
    for root in forest:
        stack: list[tuple[OutlineNode, int, list[OutlineNode]]] = [(root, 0, [])]
        while stack:
            node, index, kept = stack[-1]
            if index < len(node.children):
                stack[-1] = (node, index + 1, kept)
                stack.append((node.children[index], 0, []))
                continue
            stack.pop()
            if node.id in keep or kept:
                survivor = OutlineNode(node.id, tuple(kept), node.also, node.cyclic)
                (stack[-1][2] if stack else out).append(survivor)
    return out
