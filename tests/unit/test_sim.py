"""The simulated team: it writes only valid, symmetric, well-ordered files through the locks,
reacts to the operator, misbehaves on purpose, and the demo cleans up after itself."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from taskboard.board.graph import analyze
from taskboard.board.model import Inbox, Task, parse_config, parse_inbox, parse_task
from taskboard.claude.paths import TeamPaths
from taskboard.claude.tasks import task_files
from taskboard.clock import FrozenClock
from taskboard.ops import Ops
from taskboard.sim import demo as demo_module
from taskboard.sim import simulator as sim_module
from taskboard.sim.simulator import AGENTS, LEAD, Simulation, plan_wave

START = 1763719200.0
SPEED = 4.0


def make_sim(home: Path, seed: int = 1) -> tuple[Simulation, FrozenClock]:
    clock = FrozenClock(START)
    sim = Simulation(TeamPaths(home, "demo-team"), speed=SPEED, seed=seed, clock=clock)
    sim.setup()
    return sim, clock


def read_strict(paths: TeamPaths) -> dict[str, Task]:
    """Every task file, each of which must parse with no problems at all."""
    tasks: dict[str, Task] = {}
    for task_id, path in task_files(paths.tasks_dir).items():
        task, problems = parse_task(path.read_text(), task_id, path)
        assert task is not None and problems == [], (path, problems)
        tasks[task_id] = task
    return tasks


def run(sim: Simulation, clock: FrozenClock, steps: int,
        each: Callable[[int], None] | None = None) -> None:
    for index in range(steps):
        sim.step()
        clock.advance(1.0)
        if each is not None:
            each(index)


def run_until(sim: Simulation, clock: FrozenClock, done: Callable[[], bool],
              limit: int = 1500) -> int:
    for index in range(limit):
        if done():
            return index
        sim.step()
        clock.advance(1.0)
    raise AssertionError(f"not reached within {limit} steps; stats {dict(sim.stats)}")


def inbox(paths: TeamPaths, agent: str) -> Inbox:
    path = paths.inbox_path(agent)
    parsed, problems = parse_inbox(agent, path.read_text(), path)
    assert parsed is not None and problems == []
    return parsed


def active_flags(paths: TeamPaths) -> dict[str, bool | None]:
    config, problems = parse_config(paths.config_path.read_text())
    assert config is not None and problems == []
    return {m.name: m.is_active for m in config.members}


@pytest.fixture
def simulation(tmp_path: Path) -> tuple[Simulation, FrozenClock]:
    return make_sim(tmp_path)


# -- setup -------------------------------------------------------------------------


def test_setup_writes_a_team_and_a_first_wave(simulation: tuple[Simulation, FrozenClock]) -> None:
    sim, _ = simulation
    config, problems = parse_config(sim.paths.config_path.read_text())
    assert config is not None and problems == []
    assert [m.name for m in config.members] == [LEAD, *(a.name for a in AGENTS)]
    agents = config.members[1:]
    assert len({m.color for m in agents}) == len(agents)
    assert all(m.tmux_pane_id == "in-process" for m in agents)
    assert len({m.model for m in config.members}) > 1
    tasks = read_strict(sim.paths)
    assert 25 <= len(tasks) <= 40
    assert all(t.status == "pending" and t.owner is None for t in tasks.values())
    assert analyze(tasks).problems == ()
    assert sum(1 for t in tasks.values() if len(t.blocked_by) >= 2) >= 3


def test_a_wave_plan_is_a_dag_of_the_right_size() -> None:
    import random

    for seed in range(20):
        specs = plan_wave(random.Random(seed), 1)
        assert 25 <= len(specs) <= 40
        seen: set[str] = set()
        for spec in specs:
            assert set(spec.after) <= seen  # only earlier tasks: no cycles
            seen.add(spec.key)


def test_speed_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Simulation(TeamPaths(tmp_path, "t"), speed=0)


# -- running -----------------------------------------------------------------------


def test_files_stay_valid_symmetric_and_in_order_at_every_step(
        simulation: tuple[Simulation, FrozenClock]) -> None:
    sim, clock = simulation
    started: set[str] = set()

    def check(_: int) -> None:
        tasks = read_strict(sim.paths)
        assert analyze(tasks).problems == ()
        for task in tasks.values():
            if task.status == "in_progress" and task.id not in started:
                started.add(task.id)
                unmet = [b for b in task.blocked_by if tasks[b].status != "completed"]
                assert unmet == [], f"#{task.id} started while blocked by {unmet}"
                assert task.owner in {a.name for a in AGENTS}
                assert task.active_form

    run(sim, clock, 200, check)
    assert len(started) > 20


def test_tasks_get_claimed_and_completed(simulation: tuple[Simulation, FrozenClock]) -> None:
    sim, clock = simulation
    run(sim, clock, 120)
    tasks = read_strict(sim.paths)
    done = [t for t in tasks.values() if t.status == "completed"]
    assert len(done) >= 15
    assert {t.owner for t in done} >= {"parser", "tester", "docs"}
    assert sim.stats["claimed"] >= len(done) - sim.stats["lead_fixed"]


def test_messages_reach_the_inboxes(simulation: tuple[Simulation, FrozenClock]) -> None:
    sim, clock = simulation
    run(sim, clock, 80)
    lead = inbox(sim.paths, LEAD)
    idle = [m for m in lead.messages if m.kind == "idle_notification"]
    assert idle and all(m.protocol and m.protocol["from"] == m.sender for m in idle)
    finished = {m.protocol["completedTaskId"] for m in idle if m.protocol
                and "completedTaskId" in m.protocol}
    tasks = read_strict(sim.paths)
    assert finished and finished <= set(tasks)
    parser = inbox(sim.paths, "parser")
    assignments = [m for m in parser.messages if m.kind == "task_assignment"]
    assert assignments and all(m.sender == LEAD for m in assignments)
    assert all(tasks[str(m.protocol["taskId"])].owner == "parser"
               for m in assignments if m.protocol)
    assert parser.unread <= 1  # agents read their inbox


def test_is_active_is_toggled_in_config(simulation: tuple[Simulation, FrozenClock]) -> None:
    sim, clock = simulation
    seen: dict[str, set[bool | None]] = {a.name: set() for a in AGENTS}

    def record(_: int) -> None:
        for name, flag in active_flags(sim.paths).items():
            if name in seen:
                seen[name].add(flag)

    run(sim, clock, 80, record)
    assert all(flags == {True, False} for flags in seen.values()), seen


def test_no_lock_is_left_behind(simulation: tuple[Simulation, FrozenClock]) -> None:
    sim, clock = simulation
    run(sim, clock, 80)
    leftovers = [p for p in sim.paths.home.rglob("*.lock") if p.is_dir()]
    assert leftovers == []
    temp_files = [p for p in sim.paths.home.rglob("*.tmp")]
    assert temp_files == []


def test_the_same_seed_gives_the_same_run(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        sim, clock = make_sim(tmp_path / name, seed=7)
        run(sim, clock, 80)
        runs.append(({tid: t.raw for tid, t in read_strict(sim.paths).items()},
                     dict(sim.stats)))
    assert runs[0] == runs[1]


def test_misbehaviour_shows_up_on_disk(tmp_path: Path) -> None:
    """Idle while holding a task, and 'finished' reported for a task left open."""
    sim, clock = make_sim(tmp_path, seed=1)
    seen: set[str] = set()

    def look(_: int) -> None:
        tasks = read_strict(sim.paths)
        flags = active_flags(sim.paths)
        if any(t.status == "in_progress" and flags.get(t.owner or "") is False
               for t in tasks.values()):
            seen.add("idle_holding")
        if not sim.paths.inbox_path(LEAD).exists():
            return
        for message in inbox(sim.paths, LEAD).messages:
            done = (message.protocol or {}).get("completedTaskId")
            if done and tasks[done].status == "in_progress" and tasks[done].owner == \
                    message.sender:
                seen.add("not_closed")

    def both() -> bool:
        look(0)
        return seen == {"idle_holding", "not_closed"}

    run_until(sim, clock, both, limit=600)
    run_until(sim, clock, lambda: sim.stats["lead_fixed"] >= 1, limit=600)


def test_a_new_wave_starts_and_old_tasks_stay(simulation: tuple[Simulation, FrozenClock]) -> None:
    sim, clock = simulation
    first = set(read_strict(sim.paths))
    run_until(sim, clock, lambda: sim.wave >= 2 and not sim._plan)
    tasks = read_strict(sim.paths)
    assert first < set(tasks)
    assert all(tasks[tid].status == "completed" for tid in first)
    assert analyze(tasks).problems == ()


def test_a_task_reassigned_by_the_operator_is_picked_up(
        simulation: tuple[Simulation, FrozenClock]) -> None:
    sim, clock = simulation
    ops = Ops(sim.paths, clock=clock)

    def running() -> list[Task]:
        return [t for t in read_strict(sim.paths).values() if t.status == "in_progress"]

    run_until(sim, clock, lambda: bool(running()))
    task = running()[0]
    other = next(a.name for a in AGENTS if a.name != task.owner)
    ops.assign(task.id, other, expect={"owner": task.owner, "status": "in_progress"})
    run_until(sim, clock, lambda: read_strict(sim.paths)[task.id].status == "completed")
    assert read_strict(sim.paths)[task.id].owner == other
    assert any(m.kind == "task_assignment" for m in inbox(sim.paths, other).messages)


def test_a_released_task_is_claimed_again(simulation: tuple[Simulation, FrozenClock]) -> None:
    sim, clock = simulation
    run_until(sim, clock, lambda: any(t.status == "in_progress"
                                      for t in read_strict(sim.paths).values()))
    task = next(t for t in read_strict(sim.paths).values() if t.status == "in_progress")
    Ops(sim.paths, clock=clock).release(task.id)
    run_until(sim, clock, lambda: read_strict(sim.paths)[task.id].status == "completed")
    assert sim.stats["dropped"] >= 1


def test_busy_locks_are_retried_on_a_later_tick(
        simulation: tuple[Simulation, FrozenClock], monkeypatch: pytest.MonkeyPatch) -> None:
    sim, clock = simulation
    monkeypatch.setattr(sim_module, "LOCK_TIMEOUT", 0.02)
    before = {tid: t.raw for tid, t in read_strict(sim.paths).items()}
    held = [sim.paths.task_path(tid).with_name(f"{tid}.json.lock") for tid in before]
    for lock in held:
        lock.mkdir()
    run(sim, clock, 2)
    assert sim.stats["lock_timeouts"] >= 1
    assert {tid: t.raw for tid, t in read_strict(sim.paths).items()} == before
    for lock in held:
        lock.rmdir()
    run(sim, clock, 3)
    assert sim.stats["claimed"] >= 1


def test_run_stops_when_asked(tmp_path: Path) -> None:
    sim = Simulation(TeamPaths(tmp_path, "demo-team"), speed=50.0, seed=3)
    sim.setup()
    stop = threading.Event()
    thread = threading.Thread(target=sim.run, args=(stop,), daemon=True)
    thread.start()
    stop.wait(0.3)
    stop.set()
    thread.join(5.0)
    assert not thread.is_alive()
    assert sim.stats["steps"] >= 1 and sim.stats["errors"] == 0


# -- the demo ------------------------------------------------------------------------


def _fake_app(monkeypatch: pytest.MonkeyPatch, body: Callable[..., int]) -> list[dict]:
    calls: list[dict] = []

    def run_app(**kwargs: object) -> int:
        calls.append(kwargs)
        return body(**kwargs)

    module = types.ModuleType("taskboard.ui.app")
    module.run_app = run_app  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "taskboard.ui.app", module)
    return calls


def _demo_args(**overrides: object) -> argparse.Namespace:
    values: dict[str, object] = {"speed": 20.0, "seed": 5, "read_only": True, "config": None}
    values.update(overrides)
    return argparse.Namespace(**values)


def test_demo_runs_the_console_on_a_live_team_and_removes_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def body(*, home: Path, team: str, **_: object) -> int:
        paths = TeamPaths(home, team)
        assert paths.config_path.is_file()
        assert json.loads(paths.config_path.read_text())["name"] == "demo-team"
        assert task_files(paths.tasks_dir)
        assert any(t.name == "taskboard-sim" and t.is_alive() for t in threading.enumerate())
        return 0

    calls = _fake_app(monkeypatch, body)
    assert demo_module.run_demo(_demo_args()) == 0
    home = calls[0]["home"]
    assert calls[0]["team"] == "demo-team" and calls[0]["read_only"] is True
    assert isinstance(home, Path) and home.name.startswith("taskboard-demo-")
    assert not home.exists()
    assert not any(t.name == "taskboard-sim" for t in threading.enumerate())
    assert "removed" in capsys.readouterr().err


def test_demo_cleans_up_after_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    def body(**_: object) -> int:
        raise KeyboardInterrupt

    calls = _fake_app(monkeypatch, body)
    assert demo_module.run_demo(_demo_args()) == 130
    assert not Path(str(calls[0]["home"])).exists()


def test_demo_cleans_up_after_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def body(**_: object) -> int:
        raise RuntimeError("boom")

    calls = _fake_app(monkeypatch, body)
    with pytest.raises(RuntimeError):
        demo_module.run_demo(_demo_args())
    assert not Path(str(calls[0]["home"])).exists()


def test_demo_refuses_a_non_positive_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_app(monkeypatch, lambda **_: 0)
    assert demo_module.run_demo(_demo_args(speed=-1.0)) == 2
    assert calls == []


def test_start_simulation_runs_headless(tmp_path: Path) -> None:
    sim, stop, thread = demo_module.start_simulation(tmp_path, 50.0, 2)
    try:
        assert thread.daemon and thread.is_alive()
        assert sim.paths.name == "demo-team"
    finally:
        demo_module.stop_simulation(stop, thread)
    assert not thread.is_alive()
