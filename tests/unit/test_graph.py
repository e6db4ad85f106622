"""Derived state of a task list: states, broken links, cycles, would-be cycles, depth."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from taskboard.board.graph import (
    _walk,
    analyze,
    derive_state,
    edges,
    id_key,
    strongly_connected,
    task_link_problems,
    would_cycle,
)
from taskboard.board.model import State, Task


def task(tid: str, status: str = "pending", *, by: tuple[str, ...] = (),
         blocks: tuple[str, ...] = ()) -> Task:
    return Task(id=tid, status=status, blocked_by=by, blocks=blocks)


def linked(*specs: tuple[str, str, tuple[str, ...]]) -> dict[str, Task]:
    """Tasks ``(id, status, blockers)`` with both sides of every link filled in."""
    blocks: dict[str, list[str]] = {tid: [] for tid, _, _ in specs}
    for tid, _, by in specs:
        for blocker in by:
            blocks.setdefault(blocker, []).append(tid)
    return {tid: task(tid, status, by=by, blocks=tuple(blocks[tid])) for tid, status, by in specs}


def kinds(tasks: dict[str, Task]) -> list[str]:
    return [p.kind for p in analyze(tasks).problems]


def test_ids_sort_numerically_with_odd_ids_last() -> None:
    assert sorted(["10", "x", "2", "1"], key=id_key) == ["1", "2", "10", "x"]


def test_a_pending_task_without_blockers_is_ready() -> None:
    assert analyze(linked(("1", "pending", ()))).states == {"1": State.READY}


def test_a_pending_task_waits_while_any_blocker_is_not_completed() -> None:
    tasks = linked(("1", "completed", ()), ("2", "in_progress", ()), ("3", "pending", ("1", "2")))
    assert analyze(tasks).states["3"] == State.BLOCKED


def test_a_pending_task_is_ready_once_every_blocker_is_completed() -> None:
    tasks = linked(("1", "completed", ()), ("2", "completed", ()), ("3", "pending", ("1", "2")))
    assert analyze(tasks).states["3"] == State.READY


def test_running_and_completed_tasks_keep_their_status_whatever_their_blockers() -> None:
    tasks = linked(("1", "pending", ()), ("2", "in_progress", ("1",)), ("3", "completed", ("1",)))
    states = analyze(tasks).states
    assert (states["2"], states["3"]) == (State.IN_PROGRESS, State.COMPLETED)


def test_an_unknown_status_has_an_unknown_state() -> None:
    assert derive_state(task("1", "deleted"), {}) == State.UNKNOWN


def test_a_missing_blocker_blocks_and_is_a_dangling_reference() -> None:
    tasks = {"2": task("2", by=("9",))}
    analysis = analyze(tasks)
    assert analysis.states["2"] == State.BLOCKED
    assert [(p.kind, p.task) for p in analysis.problems] == [("dangling_ref", "2")]
    assert "#9" in analysis.problems[0].detail


def test_a_missing_dependant_is_a_dangling_reference() -> None:
    problems = analyze({"2": task("2", blocks=("9",))}).problems
    assert [(p.kind, p.task) for p in problems] == [("dangling_ref", "2")]


def test_a_link_kept_on_one_side_only_is_asymmetric_from_the_blocked_side() -> None:
    tasks = {"1": task("1"), "2": task("2", by=("1",))}
    problems = analyze(tasks).problems
    assert [(p.kind, p.task) for p in problems] == [("asymmetric", "2")]
    assert "'blocks'" in problems[0].detail


def test_a_link_kept_on_one_side_only_is_asymmetric_from_the_blocking_side() -> None:
    tasks = {"1": task("1", blocks=("2",)), "2": task("2")}
    problems = analyze(tasks).problems
    assert [(p.kind, p.task) for p in problems] == [("asymmetric", "1")]
    assert "'blockedBy'" in problems[0].detail


def test_a_one_sided_link_still_counts_as_a_dependency() -> None:
    tasks = {"1": task("1", blocks=("2",)), "2": task("2")}
    assert edges(tasks) == {"1": {"2"}, "2": set()}
    assert analyze(tasks).depth == {"1": 0, "2": 1}


def test_a_consistent_list_has_no_problems() -> None:
    tasks = linked(("1", "completed", ()), ("2", "pending", ("1",)), ("3", "pending", ("1", "2")))
    assert kinds(tasks) == []


def test_a_cycle_is_reported_for_each_member() -> None:
    tasks = linked(("1", "pending", ("3",)), ("2", "pending", ("1",)), ("3", "pending", ("2",)),
                   ("4", "pending", ("3",)))
    analysis = analyze(tasks)
    assert analysis.in_cycle == frozenset({"1", "2", "3"})
    cycles = [p for p in analysis.problems if p.kind == "cycle"]
    assert sorted(p.task for p in cycles) == ["1", "2", "3"]
    assert "#1 -> #2 -> #3" in cycles[0].detail


def test_a_task_waiting_on_itself_is_a_cycle() -> None:
    tasks = {"1": task("1", by=("1",), blocks=("1",)), "2": task("2")}
    analysis = analyze(tasks)
    assert analysis.in_cycle == frozenset({"1"})
    assert [p.kind for p in analysis.problems] == ["cycle"]


def test_two_separate_cycles_are_both_found() -> None:
    tasks = linked(("1", "pending", ("2",)), ("2", "pending", ("1",)),
                   ("5", "pending", ("6",)), ("6", "pending", ("5",)))
    assert analyze(tasks).in_cycle == frozenset({"1", "2", "5", "6"})


def test_cycle_search_survives_a_chain_longer_than_the_recursion_limit() -> None:
    n = 5000
    graph = {str(i): {str(i + 1)} for i in range(n)}
    graph[str(n)] = {"0"}
    components = strongly_connected(graph)
    assert [len(c) for c in components] == [n + 1]


def test_depth_is_the_longest_chain_of_blockers_above_a_task() -> None:
    tasks = linked(("1", "pending", ()), ("2", "pending", ("1",)), ("3", "pending", ("2",)),
                   ("4", "pending", ("1", "3")), ("5", "pending", ()))
    assert analyze(tasks).depth == {"1": 0, "2": 1, "3": 2, "4": 3, "5": 0}


def test_depth_leaves_out_tasks_in_a_cycle() -> None:
    tasks = linked(("1", "pending", ("2",)), ("2", "pending", ("1",)), ("3", "pending", ()))
    assert analyze(tasks).depth == {"3": 0}


def test_dependants_are_the_tasks_that_wait_on_each_task_in_id_order() -> None:
    tasks = linked(("1", "pending", ()), ("10", "pending", ("1",)), ("2", "pending", ("1",)))
    assert analyze(tasks).dependants == {"1": ("2", "10"), "2": (), "10": ()}


def test_counts_and_unmet_blockers() -> None:
    tasks = linked(("1", "completed", ()), ("2", "pending", ()), ("3", "pending", ("1", "2", "9")))
    analysis = analyze(tasks)
    assert analysis.counts() == {State.COMPLETED: 1, State.READY: 1, State.BLOCKED: 1}
    assert analysis.unmet_blockers(tasks["3"], tasks) == ["2", "9"]


def test_would_cycle_refuses_waiting_on_oneself() -> None:
    assert would_cycle(linked(("1", "pending", ())), "1", "1")


def test_would_cycle_finds_a_loop_through_existing_links() -> None:
    tasks = linked(("1", "pending", ()), ("2", "pending", ("1",)), ("3", "pending", ("2",)))
    assert would_cycle(tasks, "1", "3")  # 1 waiting on 3, which waits on 2, which waits on 1
    assert would_cycle(tasks, "1", "2")


def test_would_cycle_allows_links_that_keep_the_graph_acyclic() -> None:
    tasks = linked(("1", "pending", ()), ("2", "pending", ("1",)), ("3", "pending", ()))
    assert not would_cycle(tasks, "3", "2")
    assert not would_cycle(tasks, "2", "3")
    assert not would_cycle(tasks, "3", "1")


def test_would_cycle_follows_one_sided_links_too() -> None:
    tasks = {"1": task("1", blocks=("2",)), "2": task("2")}
    assert would_cycle(tasks, "1", "2")


# A link list: each task's status, the ids it names as blockers and as dependants (some
# missing, some one-sided, some itself, some twice), over ids "1".."6" and "x".
_IDS = st.sampled_from(["1", "2", "3", "4", "5", "6", "x"])
_TASKS = st.dictionaries(
    _IDS, st.tuples(st.sampled_from(["pending", "in_progress", "completed", "odd"]),
                    st.lists(_IDS, max_size=4), st.lists(_IDS, max_size=4)), max_size=7)


@settings(max_examples=400, deadline=None)
@given(_TASKS)
def test_the_full_analysis_walks_links_once_as_the_separate_steps_would(
        spec: dict[str, tuple[str, list[str], list[str]]]) -> None:
    """States, link problems, edges and dependants, made in one walk, are what
    derive_state, task_link_problems, edges and a walk of blockedBy make apart."""
    tasks = {tid: Task(id=tid, status=status, blocked_by=tuple(by), blocks=tuple(blocks))
             for tid, (status, by, blocks) in spec.items()}
    order = sorted(tasks, key=id_key)
    states, problems, graph, waiting = _walk(tasks, order)
    assert list(states.items()) == [(tid, derive_state(t, tasks)) for tid, t in tasks.items()]
    assert problems == [p for tid in order for p in task_link_problems(tid, tasks[tid], tasks)]
    assert graph == edges(tasks)
    assert waiting == {tid: tuple(other for other in order for blocker in
                                  tasks[other].blocked_by if blocker == tid)
                       for tid in tasks}
    analysis = analyze(tasks)
    assert analysis.states == states and analysis.dependants == waiting
