"""The dependency outline: every visible task exactly once, cycles marked and finite."""

from __future__ import annotations

from collections import Counter

from taskboard.board.graph import analyze
from taskboard.board.model import Task
from taskboard.board.outline import OutlineNode, build_outline, walk


def linked(*specs: tuple[str, tuple[str, ...]], internal: tuple[str, ...] = ()) -> dict[str, Task]:
    """Pending tasks ``(id, blockers)`` with both sides of every link filled in."""
    blocks: dict[str, list[str]] = {tid: [] for tid, _ in specs}
    for tid, by in specs:
        for blocker in by:
            blocks.setdefault(blocker, []).append(tid)
    return {tid: Task(id=tid, blocked_by=by, blocks=tuple(blocks[tid]),
                      metadata={"_internal": True} if tid in internal else {})
            for tid, by in specs}


def rows(tasks: dict[str, Task], direction: str = "blockers") -> list[tuple[int, str]]:
    forest = build_outline(tasks, analyze(tasks), direction)  # type: ignore[arg-type]
    return [(level, node.id) for level, node in walk(forest)]


def nodes(tasks: dict[str, Task], direction: str = "blockers") -> dict[str, OutlineNode]:
    forest = build_outline(tasks, analyze(tasks), direction)  # type: ignore[arg-type]
    return {node.id: node for _, node in walk(forest)}


def test_roots_are_tasks_without_blockers_and_children_wait_on_them() -> None:
    tasks = linked(("1", ()), ("2", ("1",)), ("3", ("2",)), ("4", ()))
    assert rows(tasks) == [(0, "1"), (1, "2"), (2, "3"), (0, "4")]


def test_children_are_in_numeric_id_order() -> None:
    tasks = linked(("1", ()), ("10", ("1",)), ("9", ("1",)))
    assert rows(tasks) == [(0, "1"), (1, "9"), (1, "10")]


def test_a_task_with_two_blockers_appears_once_under_the_deepest_with_an_also_badge() -> None:
    # 4 waits on 1 (a root) and on 3 (at the end of 1 -> 2 -> 3): it sits under 3.
    tasks = linked(("1", ()), ("2", ("1",)), ("3", ("2",)), ("4", ("1", "3")))
    assert rows(tasks) == [(0, "1"), (1, "2"), (2, "3"), (3, "4")]
    assert nodes(tasks)["4"].also == ("1",)


def test_every_visible_task_appears_exactly_once_in_a_diamond() -> None:
    tasks = linked(("1", ()), ("2", ("1",)), ("3", ("1",)), ("4", ("2", "3")), ("5", ("4",)))
    for direction in ("blockers", "dependants"):
        counts = Counter(tid for _, tid in rows(tasks, direction))
        assert counts == Counter({"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}), direction


def test_reverse_direction_starts_from_the_tasks_nothing_waits_on() -> None:
    tasks = linked(("1", ()), ("2", ("1",)), ("3", ("2",)), ("4", ()))
    assert rows(tasks, "dependants") == [(0, "3"), (1, "2"), (2, "1"), (0, "4")]


def test_reverse_direction_badges_the_other_dependants() -> None:
    tasks = linked(("1", ()), ("2", ("1",)), ("3", ("1",)))
    outline = nodes(tasks, "dependants")
    assert rows(tasks, "dependants") == [(0, "2"), (1, "1"), (0, "3")]
    assert outline["1"].also == ("3",)


def test_a_cycle_is_placed_once_marked_and_the_walk_ends() -> None:
    tasks = linked(("1", ("3",)), ("2", ("1",)), ("3", ("2",)))
    for direction in ("blockers", "dependants"):
        placed = rows(tasks, direction)
        assert sorted(tid for _, tid in placed) == ["1", "2", "3"], direction
        outline = nodes(tasks, direction)
        assert all(outline[tid].cyclic for tid in "123")


def test_a_self_loop_is_one_marked_node_naming_itself() -> None:
    tasks = {"1": Task(id="1", blocked_by=("1",), blocks=("1",))}
    forest = build_outline(tasks, analyze(tasks))
    assert len(forest) == 1
    assert forest[0].cyclic
    assert forest[0].children == ()
    assert forest[0].also == ("1",)


def test_the_top_of_a_cycle_shows_the_task_it_waits_on_as_a_badge() -> None:
    tasks = linked(("1", ("2",)), ("2", ("1",)))
    assert rows(tasks) == [(0, "1"), (1, "2")]
    assert nodes(tasks)["1"].also == ("2",)


def test_a_task_hanging_off_a_cycle_sits_under_its_blocker() -> None:
    # 3 waits on 5, and 5 and 6 wait on each other: 3 belongs under 5, not at the top.
    tasks = linked(("3", ("5",)), ("5", ("6",)), ("6", ("5",)))
    assert rows(tasks) == [(0, "5"), (1, "3"), (1, "6")]
    outline = nodes(tasks)
    assert not outline["3"].cyclic and outline["5"].cyclic and outline["6"].cyclic


def test_internal_tasks_are_left_out_and_their_links_ignored() -> None:
    tasks = linked(("1", ()), ("2", ("1",)), ("3", ("2",)), internal=("2",))
    assert rows(tasks) == [(0, "1"), (0, "3")]
    assert rows(tasks, "dependants") == [(0, "1"), (0, "3")]


def test_links_to_missing_tasks_do_not_hide_a_task() -> None:
    tasks = {"2": Task(id="2", blocked_by=("9",))}
    assert rows(tasks) == [(0, "2")]


def test_a_long_chain_does_not_hit_the_recursion_limit() -> None:
    n = 3000
    tasks = linked(*[(str(i), (str(i - 1),) if i else ()) for i in range(n)])
    placed = rows(tasks)
    assert len(placed) == n
    assert placed[-1] == (n - 1, str(n - 1))


def test_the_outline_is_the_same_for_the_same_list() -> None:
    tasks = linked(("1", ()), ("2", ("1",)), ("3", ("1",)), ("4", ("2", "3")))
    shuffled = dict(reversed(list(tasks.items())))
    assert rows(tasks) == rows(shuffled)
