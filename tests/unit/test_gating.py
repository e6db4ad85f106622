"""The waves and critical path kept from change to change agree with a walk of every task."""

from __future__ import annotations

import random
from dataclasses import replace

from taskboard.board.gating import Gating
from taskboard.board.graph import analyze
from taskboard.board.model import Task
from taskboard.board.waves import plan

STATUSES = ("pending", "pending", "in_progress", "completed", "completed")


def random_list(rng: random.Random, count: int) -> dict[str, Task]:
    """Layered links (blockers among lower ids), some one-sided, now and then a link to
    a missing task, a backward link (a cycle) or an internal task."""
    blocked_by: dict[str, list[str]] = {str(n): [] for n in range(1, count + 1)}
    blocks: dict[str, list[str]] = {str(n): [] for n in range(1, count + 1)}
    for n in range(2, count + 1):
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            blocker = str(rng.randint(max(1, n - 12), n - 1))
            if blocker in blocked_by[str(n)]:
                continue
            blocked_by[str(n)].append(blocker)
            if rng.random() < 0.9:  # Claude Code writes both sides; not always
                blocks[blocker].append(str(n))
    if rng.random() < 0.15:
        blocked_by[str(rng.randint(1, count))].append("999")
    if rng.random() < 0.15 and count > 1:
        low, high = sorted(rng.sample(range(1, count + 1), 2))
        blocked_by[str(low)].append(str(high))
    tasks = {tid: Task(id=tid, status=rng.choice(STATUSES), blocked_by=tuple(blocked_by[tid]),
                       blocks=tuple(blocks[tid])) for tid in blocked_by}
    if rng.random() < 0.2:
        tid = rng.choice(list(tasks))
        tasks[tid] = replace(tasks[tid], metadata={"_internal": True})
    return tasks


def expected(tasks: dict[str, Task]) -> tuple[dict[str, int], tuple[str, ...], int]:
    work = plan(tasks, analyze(tasks).states)
    return work.wave_of, work.critical_path, work.waves_left


def test_state_changes_give_what_a_full_walk_gives() -> None:
    incremental = 0
    for seed in range(120):
        rng = random.Random(seed)
        tasks = random_list(rng, rng.randint(1, 40))
        gating = Gating(tasks, analyze(tasks).states)
        for step in range(25):
            changed = set(rng.sample(list(tasks), rng.randint(1, min(3, len(tasks)))))
            for tid in changed:
                tasks[tid] = replace(tasks[tid], status=rng.choice(STATUSES))
            if step % 9 == 8:  # now and then a link moves too
                tid = rng.choice(list(tasks))
                tasks[tid] = replace(tasks[tid], blocked_by=tasks[tid].blocked_by[1:])
                changed.add(tid)
            walks = gating.full_walks
            gating.update(tasks, analyze(tasks).states, changed)
            incremental += gating.full_walks == walks
            wave_of, path, left = expected(tasks)
            assert gating.wave_of == wave_of, (seed, step)
            assert gating.critical_path == path, (seed, step)
            assert gating.waves_left == left and gating.gating == (path[0] if path else None)
    assert incremental > 2000, "most updates are answered without a walk of every task"


def test_completing_the_end_of_a_chain_walks_only_that_task() -> None:
    tasks = {str(n): Task(id=str(n), blocked_by=(str(n - 1),) if n > 1 else (),
                          blocks=(str(n + 1),) if n < 500 else ()) for n in range(1, 501)}
    gating = Gating(tasks, analyze(tasks).states)
    assert gating.waves_left == 500 and gating.gating == "1"
    tasks["500"] = replace(tasks["500"], status="completed")
    gating.update(tasks, analyze(tasks).states, {"500"})
    assert gating.full_walks == 1
    assert gating.waves_left == 499 and gating.critical_path[-1] == "499"
    tasks["1"] = replace(tasks["1"], status="completed")
    gating.update(tasks, analyze(tasks).states, {"1"})
    assert gating.full_walks == 1 and gating.gating == "2" and gating.waves_left == 498


def test_an_unknown_change_or_a_new_task_walks_everything() -> None:
    tasks = {"1": Task(id="1"), "2": Task(id="2", blocked_by=("1",))}
    gating = Gating(tasks, analyze(tasks).states)
    gating.update(tasks, analyze(tasks).states, None)
    tasks["3"] = Task(id="3", blocked_by=("2",))
    gating.update(tasks, analyze(tasks).states, {"3"})
    assert gating.full_walks == 3 and gating.critical_path == ("1", "2", "3")
