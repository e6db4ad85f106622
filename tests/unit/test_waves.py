"""Waves, cycles, the critical path and gate counts on hand-made graphs."""

from __future__ import annotations

from taskboard.board.graph import analyze, id_key
from taskboard.board.model import Task
from taskboard.board.waves import plan


def linked(*specs: tuple[str, str, tuple[str, ...]]) -> dict[str, Task]:
    """Tasks ``(id, status, blockers)`` with both sides of every link filled in."""
    blocks: dict[str, list[str]] = {tid: [] for tid, _, _ in specs}
    for tid, _, by in specs:
        for blocker in by:
            blocks.setdefault(blocker, []).append(tid)
    return {tid: Task(id=tid, status=status, blocked_by=by, blocks=tuple(blocks.get(tid, ())))
            for tid, status, by in specs}


def plan_of(tasks: dict[str, Task], weights=None):
    """The plan, the same whether it sorts the ids or takes the analysis's order."""
    analysis = analyze(tasks)
    assert analysis.order == tuple(sorted(tasks, key=id_key))
    made = plan(tasks, analysis.states, weights)
    assert plan(tasks, analysis.states, weights, analysis.order) == made
    return made


DIAMOND = (
    ("1", "pending", ()),
    ("2", "pending", ("1",)),
    ("3", "pending", ("1",)),
    ("4", "pending", ("2", "3")),
)


def test_a_diamond_runs_in_three_waves() -> None:
    result = plan_of(linked(*DIAMOND))
    assert result.waves == (("1",), ("2", "3"), ("4",))
    assert result.waves_left == 3
    assert result.wave_of == {"1": 1, "2": 2, "3": 2, "4": 3}


def test_several_roots_share_wave_one_and_the_longer_chain_is_critical() -> None:
    tasks = linked(("1", "pending", ()), ("2", "pending", ("1",)), ("3", "pending", ("2",)),
                   ("5", "pending", ()), ("6", "pending", ("5",)))
    result = plan_of(tasks)
    assert result.waves[0] == ("1", "5")
    assert result.critical_path == ("1", "2", "3")
    assert result.gating == "1"


def test_running_and_done_work_is_set_apart_and_done_blockers_gate_nothing() -> None:
    tasks = linked(("1", "completed", ()), ("2", "in_progress", ("1",)),
                   ("3", "pending", ("1",)), ("4", "pending", ("2", "3")))
    result = plan_of(tasks)
    assert result.done == ("1",)
    assert result.running == ("2",)
    assert result.waves == (("3",), ("4",))
    assert result.wave_of["2"] == 1
    assert "1" not in result.gates_direct and "1" not in result.gates_all
    assert result.gates_all["3"] == 1


def test_a_diamond_gate_counts_each_task_once() -> None:
    result = plan_of(linked(*DIAMOND, ("5", "pending", ("4",))))
    assert result.gates_direct["1"] == 2
    assert result.gates_all["1"] == 4  # 2, 3, 4, 5: 4 reached twice, counted once
    assert result.gates_all["2"] == 2
    assert result.gates_all["5"] == 0


def test_the_critical_path_follows_the_weights_when_durations_are_known() -> None:
    tasks = linked(*DIAMOND)
    assert plan_of(tasks).critical_path == ("1", "2", "4")  # a tie: the lower id
    heavy = plan_of(tasks, {"3": 10.0})
    assert heavy.critical_path == ("1", "3", "4")
    assert heavy.critical_length == 12.0


def test_cycles_are_reported_with_their_members_and_what_waits_on_them_is_stuck() -> None:
    tasks = linked(("1", "pending", ("3",)), ("2", "pending", ("1",)), ("3", "pending", ("2",)),
                   ("4", "pending", ("3",)), ("5", "pending", ()), ("6", "pending", ("5",)))
    result = plan_of(tasks)
    assert result.cycles == (("1", "2", "3"),)
    assert result.stuck == ("1", "2", "3", "4")
    assert result.waves == (("5",), ("6",))
    assert result.critical_path == ("5", "6")
    assert result.gates_all["3"] == 3  # 1, 2 (the loop) and 4


def test_two_cycles_are_both_reported() -> None:
    tasks = linked(("1", "pending", ("2",)), ("2", "pending", ("1",)),
                   ("7", "pending", ("8",)), ("8", "pending", ("7",)))
    assert plan_of(tasks).cycles == (("1", "2"), ("7", "8"))


def test_a_missing_blocker_makes_a_task_and_its_dependants_stuck() -> None:
    tasks = {"2": Task(id="2", blocked_by=("9",), blocks=("3",)),
             "3": Task(id="3", blocked_by=("2",))}
    result = plan_of(tasks)
    assert result.stuck == ("2", "3")
    assert result.waves == ()


def test_a_completed_cycle_member_is_not_a_cycle_of_remaining_work() -> None:
    tasks = linked(("1", "completed", ("2",)), ("2", "pending", ("1",)))
    result = plan_of(tasks)
    assert result.cycles == ()
    assert result.waves == (("2",),)


def test_hidden_tasks_are_left_out() -> None:
    tasks = linked(("1", "pending", ()))
    tasks["9"] = Task(id="9", metadata={"_internal": True})
    assert plan_of(tasks).waves == (("1",),)


def test_nothing_left_means_no_waves_and_no_path() -> None:
    result = plan_of(linked(("1", "completed", ())))
    assert (result.waves, result.critical_path, result.waves_left) == ((), (), 0)
