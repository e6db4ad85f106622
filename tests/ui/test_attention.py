"""The console built around attention: the "needs you" pane, flagged rows, the status line's
alarm and what gates completion, agents by urgency, the waves view, folding, the bell."""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

from rich.console import Console

from taskboard.clock import FrozenClock
from taskboard.config import Settings
from taskboard.sim.sample import SAMPLE_NOW
from taskboard.ui.app import TaskboardApp
from taskboard.ui.widgets.agents import AgentList
from taskboard.ui.widgets.attention import AttentionList
from taskboard.ui.widgets.detail import TaskDetail, render_detail
from taskboard.ui.widgets.outline import DependencyOutline
from tests.conftest import make_task, make_team

from .conftest import loaded, make_app, wait_for
from .helpers import outline_rows, status_text


def calm_team(home: Path) -> None:
    """``calm``: #1 done with #2 done under it, #3 running under #1, all fresh."""
    team = make_team(home, "calm", ["team-lead", {"name": "bob", "isActive": True}])
    make_task(team.tasks_dir, "1", status="completed", owner="bob", blocks=["2", "3"])
    make_task(team.tasks_dir, "2", status="completed", owner="bob", blockedBy=["1"])
    make_task(team.tasks_dir, "3", status="in_progress", owner="bob", blockedBy=["1"],
              blocks=["4"])
    make_task(team.tasks_dir, "4", blockedBy=["3"])
    make_task(team.tasks_dir, "5", status="completed", owner="bob", blocks=["6"])
    make_task(team.tasks_dir, "6", status="completed", owner="bob", blockedBy=["5"])
    for path in team.tasks_dir.glob("*.json"):
        os.utime(path, (SAMPLE_NOW - 30, SAMPLE_NOW - 30))


async def test_needs_you_lists_every_flag_most_severe_first_and_enter_jumps(home) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        pane = screen.query_one(AttentionList)
        assert pane.display and pane.flags == screen.flags
        assert [f.severity for f in pane.flags][0] == "critical"
        assert (pane.flags[0].kind, pane.flags[0].task) == ("stalled", "9")
        assert "7 need you" in status_text(screen)
        pane.focus()
        pane.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        outline = screen.query_one(DependencyOutline)
        assert outline.task_id == pane.flags[1].task and outline.has_focus


async def test_a_flagged_row_is_marked_and_its_detail_gives_the_full_reasons(home) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        rows = outline_rows(screen)
        assert "⚑ stalled" in rows["9"] and "⚑ idle holding +1" in rows["8"]
        assert "⚑" not in rows["3"]
        screen.query_one(DependencyOutline).select_task("8")
        await pilot.pause()
        assert screen.query_one(TaskDetail).border_title == "Task #8"
        shown = render_detail(screen.board, "8", home, SAMPLE_NOW,
                              flags=screen._flags_by_task["8"])
        console = Console(width=100, record=True)
        console.print(shown)
        text = " ".join(console.export_text().split())
        assert "docs reported #8 finished (idle notification), but it is not marked" in text
        assert "docs is idle (it reported idle) but holds #8 in progress" in text


async def test_the_status_line_is_calm_when_nothing_needs_you_and_names_the_gate(home) -> None:
    calm_team(home)
    app = make_app(home, "calm")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        status = status_text(screen)
        assert "nothing needs you" in status
        assert "gated by #3 ● bob, 2 waves left" in status
        assert not screen.query_one(AttentionList).display


async def test_the_narrow_calm_count_is_not_mistaken_for_done_work(home) -> None:
    calm_team(home)
    app = make_app(home, "calm")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        status = status_text(app.screen)
        assert "⚑ 0" in status, status
        assert status.count("✓") == 1, "✓ is done work only"


async def test_the_tree_opens_on_running_work_and_f_folds_completed_subtrees(home) -> None:
    calm_team(home)
    app = make_app(home, "calm")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        outline = app.screen.query_one(DependencyOutline)
        await wait_for(pilot, lambda: outline.task_id == "3", what="cursor on running work")
        folded = outline._task_nodes["5"]
        assert not folded.is_expanded  # #5 and #6: all done, folded on opening
        assert outline._task_nodes["1"].is_expanded  # #3 runs under #1
        await pilot.press("f")
        assert folded.is_expanded
        await pilot.press("f")
        assert not folded.is_expanded


async def test_agents_come_flagged_first_then_working_and_the_lead_not_first(home) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        order = list(app.screen.query_one(AgentList).panels)
        assert order[:3] == ["docs", "reviewer", "migrator"]  # flagged, in team order
        assert order.index("parser") < order.index("tester")  # working before idle
        assert order[-2:] == ["team-lead", "(unowned)"]


async def test_w_switches_to_the_waves_and_back(home) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        outline = app.screen.query_one(DependencyOutline)
        await pilot.press("w")
        rows = [outline.row_label(tid).plain for tid in outline._task_nodes]
        assert rows[0] == "Running now · 3"
        assert "Wave 1 · 1 task · runnable now" in rows
        assert outline.border_title.startswith("Waves")
        assert outline.row_text("5").startswith("»#5")  # the critical path, marked
        await pilot.press("w")
        assert outline.view == "tree" and "Running now · 3" not in [
            outline.row_label(tid).plain for tid in outline._task_nodes]


async def test_a_new_critical_flag_rings_the_bell_and_runs_the_notify_command(
        home, tmp_path) -> None:
    said = tmp_path / "notified.txt"
    command = f"{shlex.quote(sys.executable)} -c " + shlex.quote(
        f"import sys; open({str(said)!r}, 'w').write(sys.argv[-1])")
    clock = FrozenClock(SAMPLE_NOW)
    app = TaskboardApp(home, "parser-team", clock=clock, watch=False,
                       settings=Settings(bell=True, notify_command=command))
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert screen.alarm.rung == 0  # what was wrong at opening is the baseline
        clock.advance(10 * 60)  # parser's #3 now silent past the stall threshold too
        screen._tick()
        assert screen.alarm.rung == 1
        deadline = time.monotonic() + 10
        while not (said.exists() and said.read_text()):
            assert time.monotonic() < deadline, "the notify command never ran"
            await pilot.pause(0.05)
        assert "#3 is in progress" in said.read_text() or "no agent" in said.read_text()
        screen._tick()
        assert screen.alarm.rung == 1  # not again for the same flags


async def test_a_big_list_gets_its_waves_and_gate_after_it_is_on_screen(tmp_path) -> None:
    from taskboard.sim.sample import generate_large_list

    home = tmp_path / "claude"
    generate_large_list(home, "big", 2500, now=SAMPLE_NOW)
    app = make_app(home, "big")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        await wait_for(pilot, lambda: screen.work is not None, what="the waves")
        await wait_for(pilot, lambda: "gated by #" in status_text(screen), what="the gate")
        assert screen.work.waves_left > 1


async def test_state_changes_update_the_waves_without_walking_every_task(home) -> None:
    """Waves, the critical path and the whole-list flags read states, links and problems:
    a subject change leaves them standing, a completed task moves them from what it
    touched (no walk of every task), and only a moved link walks the whole list again."""
    import json

    from taskboard.board.model import dump_json

    calm_team(home)
    tasks_dir = home / "tasks" / "calm"

    def rewrite(task_id: str, **fields: object) -> Path:
        path = tasks_dir / f"{task_id}.json"
        path.write_text(dump_json(dict(json.loads(path.read_text()), **fields)))
        return path

    app = make_app(home, "calm")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        await wait_for(pilot, lambda: screen.work is not None, what="the waves")
        work = screen.work
        assert work.critical_path == ("3", "4") and "2 waves left" in status_text(screen)
        screen.apply_paths({rewrite("4", subject="Renamed, nothing else")})
        await wait_for(pilot, lambda: "Renamed, nothing else" in " ".join(
            outline_rows(screen).values()), what="the new subject")
        screen.apply_paths({rewrite("3", status="completed")})
        await wait_for(pilot, lambda: "1 wave left" in status_text(screen),
                       what="the waves after #3 was completed")
        assert screen.work is work and work.full_walks == 1
        assert work.critical_path == ("4",) and "gated by #4" in status_text(screen)
        screen._whole._due = 0.0  # no budget wait in this test
        screen.apply_paths({rewrite("4", blockedBy=["3", "2"])})
        await wait_for(pilot, lambda: work.full_walks == 2, what="a walk after a link moved")
