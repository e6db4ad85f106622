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
    visible = {tid for tid, task in tasks.items() if not task.internal}
    parents: dict[str, list[str]] = {}
    for tid in visible:
        task = tasks[tid]
        if direction == "blockers":
            ups = [b for b in task.blocked_by if b in visible]
        else:
            ups = [d for d in analysis.dependants.get(tid, ()) if d in visible]
        parents[tid] = sorted(dict.fromkeys(ups), key=id_key)

    depth = analysis.depth

    states = analysis.states
    on_path = set(critical)

    def rank(pid: str) -> tuple[bool, bool, float, int, tuple[int, str]]:
        # Forward, the deepest blocker wins a tie; backward, the shallowest.
        d = depth.get(pid, 0)
        return (pid not in on_path, states.get(pid) is State.COMPLETED, -tasks[pid].mtime,
                -d if direction == "blockers" else d, id_key(pid))

    primary = {tid: min(ups, key=rank) for tid, ups in parents.items() if ups}
    children: dict[str, list[str]] = {tid: [] for tid in visible}
    for tid, parent in primary.items():
        children[parent].append(tid)
    for kids in children.values():
        kids.sort(key=id_key)

    placed: set[str] = set()

    def build(root: str) -> OutlineNode:
        # Iterative post-order so that long chains do not hit the recursion limit.
        placed.add(root)
        stack: list[tuple[str, list[str], list[OutlineNode]]] = [(root, list(children[root]), [])]
        result: OutlineNode | None = None
        while stack:
            tid, pending, built = stack[-1]
            if pending:
                child = pending.pop(0)
                if child in placed:
                    continue
                placed.add(child)
                stack.append((child, list(children[child]), []))
                continue
            stack.pop()
            # A root has no parent above it: every parent it has (a cycle's) is a badge.
            others = tuple(p for p in parents[tid] if tid == root or p != primary.get(tid))
            node = OutlineNode(tid, tuple(built), others, tid in analysis.in_cycle)
            if stack:
                stack[-1][2].append(node)
            else:
                result = node
        assert result is not None
        return result

    forest = [build(tid) for tid in sorted(visible, key=id_key) if not parents[tid]]
    # Whatever is left hangs off a cycle: climb the primary parents to the loop and
    # start from the loop's lowest id, so a task below the cycle stays under its parent.
    for tid in sorted(visible, key=id_key):
        if tid in placed:
            continue
        chain: list[str] = []
        node = tid
        while node not in chain and node in primary and node not in placed:
            chain.append(node)
            node = primary[node]
        loop = chain[chain.index(node):] if node in chain else [tid]
        forest.append(build(min(loop, key=id_key)))
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
