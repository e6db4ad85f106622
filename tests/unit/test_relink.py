"""The incremental analysis of tasks that came, went or moved their links equals a full one."""

from __future__ import annotations

import random

from taskboard.board.graph import analyze
from taskboard.board.model import Board, Task
from taskboard.board.relink import relink

STATUSES = ("pending", "in_progress", "completed")


def random_task(rng: random.Random, tid: str, tasks: dict[str, Task], cycles: bool) -> Task:
    """A task whose links name earlier tasks (no cycle), sometimes a later or missing one
    (dangling, or a cycle when ``cycles``), sometimes on one side only (asymmetric)."""
    ids = list(tasks)
    by = tuple(rng.sample(ids, min(len(ids), rng.choice((0, 0, 1, 1, 2, 3)))))
    if rng.random() < 0.15:
        by += (str(rng.randrange(1, 80)),)  # maybe missing, maybe a later task
    blocks: tuple[str, ...] = ()
    if cycles and ids and rng.random() < 0.1:
        blocks = (rng.choice(ids),)
    if rng.random() < 0.1:
        blocks += (str(rng.randrange(1, 80)),)
    if rng.random() < 0.05:
        by += by[:1]  # the same blocker twice
    return Task(id=tid, status=rng.choice(STATUSES), blocked_by=by, blocks=blocks)


def with_back_links(tasks: dict[str, Task], tid: str, rng: random.Random) -> set[str]:
    """Name ``tid`` in its blockers' ``blocks`` (mostly), as Claude Code writes both sides."""
    touched = set()
    for blocker in tasks[tid].blocked_by:
        other = tasks.get(blocker)
        if other is not None and tid not in other.blocks and rng.random() < 0.85:
            tasks[blocker] = Task(id=blocker, status=other.status, blocked_by=other.blocked_by,
                                  blocks=(*other.blocks, tid))
            touched.add(blocker)
    return touched


def run(seed: int, steps: int, cycles: bool) -> int:
    rng = random.Random(seed)
    tasks: dict[str, Task] = {}
    current = analyze(tasks)
    next_id = 1
    incremental = 0
    for _ in range(steps):
        changed: set[str] = set()
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            roll = rng.random()
            if roll < 0.45 or len(tasks) < 3:
                tid = str(next_id)
                next_id += 1
                tasks[tid] = random_task(rng, tid, tasks, cycles)
                changed |= {tid} | with_back_links(tasks, tid, rng)
            elif roll < 0.75:
                tid = rng.choice(list(tasks))
                del tasks[tid]
                changed.add(tid)
            elif roll < 0.88:
                tid = rng.choice(list(tasks))
                old = tasks[tid]
                new = random_task(rng, tid, {k: v for k, v in tasks.items() if k != tid}, cycles)
                tasks[tid] = Task(id=tid, status=old.status, blocked_by=new.blocked_by,
                                  blocks=new.blocks)
                changed.add(tid)
            else:
                tid = rng.choice(list(tasks))
                old = tasks[tid]
                tasks[tid] = Task(id=tid, status=rng.choice(STATUSES), blocked_by=old.blocked_by,
                                  blocks=old.blocks)
                changed.add(tid)
        previous = current
        current = analyze(tasks, current, changed)
        full = analyze(tasks)
        assert current == full, (seed, sorted(changed))
        assert current.problem_tasks == full.problem_tasks
        if current._index is not None and current.links is not previous.links:
            incremental += 1  # relinked, from the index the steps before kept up to date
    return incremental


def test_random_adds_and_removes_without_cycles_match_a_full_analysis() -> None:
    used = sum(run(seed, 150, cycles=False) for seed in range(6))
    assert used > 300  # the incremental path did the work, not the fallback


def test_random_sequences_with_cycles_match_a_full_analysis() -> None:
    for seed in range(6):
        run(100 + seed, 150, cycles=True)


def test_a_task_added_to_a_long_chain_costs_its_neighbourhood() -> None:
    tasks = {str(i): Task(id=str(i), blocked_by=(str(i - 1),) if i > 1 else (),
                          blocks=(str(i + 1),) if i < 2000 else ())
             for i in range(1, 2001)}
    before = analyze(tasks)
    tasks["2001"] = Task(id="2001", blocked_by=("2000",))
    after = relink(tasks, before, {"2001"})
    assert after is not None and after == analyze(tasks)
    assert after.depth["2001"] == 2000 and after.problem_tasks == {"2001"}
    del tasks["1"]
    again = relink(tasks, after, {"1"})
    assert again is not None and again == analyze(tasks)
    assert again.depth["2"] == 0 and again.depth["2001"] == 1999


def test_a_task_that_closes_a_cycle_falls_back_to_the_full_analysis() -> None:
    tasks = {"1": Task(id="1", blocks=("2",)), "2": Task(id="2", blocked_by=("1",))}
    before = analyze(tasks)
    tasks["3"] = Task(id="3", blocked_by=("2",), blocks=("1",))
    assert relink(dict(tasks), before, {"3"}) is None
    result = analyze(tasks, analyze(tasks.copy() | {}, None), set())
    assert result.in_cycle == {"1", "2", "3"} == analyze(tasks).in_cycle


def test_the_board_steps_structure_incrementally() -> None:
    board = Board(name="t")
    board.tasks = {"1": Task(id="1", status="completed", blocks=("2",)),
                   "2": Task(id="2", blocked_by=("1",))}
    first = board.analysis
    board.tasks["3"] = Task(id="3", blocked_by=("2",))
    board.invalidate({"3"})
    second = board.analysis
    assert second == analyze(board.tasks) and second._index is not None
    assert second.dependants is not first.dependants
    assert board.visible_counts() == analyze(board.tasks).counts()


def test_the_board_counts_follow_random_structural_steps() -> None:
    rng = random.Random(7)
    board = Board(name="t")
    next_id = 1
    for _ in range(300):
        changed: set[str] = set()
        if rng.random() < 0.55 or len(board.tasks) < 3:
            tid = str(next_id)
            next_id += 1
            board.tasks[tid] = random_task(rng, tid, board.tasks, cycles=False)
            changed |= {tid} | with_back_links(board.tasks, tid, rng)
        elif rng.random() < 0.6:
            tid = rng.choice(list(board.tasks))
            del board.tasks[tid]
            changed.add(tid)
        else:
            tid = rng.choice(list(board.tasks))
            old = board.tasks[tid]
            board.tasks[tid] = Task(id=tid, status=rng.choice(STATUSES),
                                    blocked_by=old.blocked_by, blocks=old.blocks)
            changed.add(tid)
        board.invalidate(changed)
        fresh = Board(name="t", tasks=dict(board.tasks))
        assert board.analysis == fresh.analysis
        assert board.visible_counts() == fresh.visible_counts()
        assert board.problem_count() == fresh.problem_count()
