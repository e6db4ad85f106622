"""What a change or the clock repaints, and what it leaves alone: the "needs you" pane
lists the most urgent flags and counts the rest, a row whose age moved is replaced in
place, and a change that moves no rule input leaves the flags standing."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from taskboard.sim.sample import SAMPLE_NOW
from taskboard.ui.screens.console import RULES_INLINE, RULES_REPAINT, TICK_RULES_BUDGET
from taskboard.ui.screens.problems import ProblemsScreen
from taskboard.ui.widgets.attention import MAX_ROWS, AttentionList
from tests.conftest import make_task, make_team

from .conftest import loaded, make_app, wait_for

UNCLAIMED = MAX_ROWS + 12


def idle_team_with_unclaimed_work(home: Path) -> Path:
    """``crowd``: an idle member and more ready, unowned tasks than the pane lists, each
    ready for a different number of minutes (so their rows age at different moments)."""
    team = make_team(home, "crowd", ["team-lead", {"name": "bob", "isActive": False}])
    for n in range(1, UNCLAIMED + 1):
        path = make_task(team.tasks_dir, str(n), subject=f"job {n}")
        age = 600 + n * 7
        os.utime(path, (SAMPLE_NOW - age, SAMPLE_NOW - age))
    return team.tasks_dir


async def test_the_pane_lists_the_most_urgent_flags_and_counts_the_rest(home) -> None:
    idle_team_with_unclaimed_work(home)
    app = make_app(home, "crowd")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        pane = screen.query_one(AttentionList)
        assert len([f for f in screen.flags if f.kind == "ready_unclaimed"]) == UNCLAIMED
        assert pane.flags == screen.flags[:MAX_ROWS]
        assert pane.option_count == MAX_ROWS + 1
        last = str(pane.get_option_at_index(MAX_ROWS).prompt)
        assert f"… and {len(screen.flags) - MAX_ROWS} more: ! lists them all" in last
        assert f"Needs you · {len(screen.flags)}" in str(pane.border_title)
        pane.focus()
        pane.highlighted = MAX_ROWS
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen),
                       what="the problems screen")


async def test_rows_whose_age_moved_are_replaced_in_place(home) -> None:
    idle_team_with_unclaimed_work(home)
    app = make_app(home, "crowd")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        pane = screen.query_one(AttentionList)
        before = list(pane.options)
        texts = [str(o.prompt) for o in before]
        # Seven seconds apart, the tasks cross a minute boundary one at a time.
        app.clock.advance(60)
        screen._tick()
        after = list(pane.options)
        moved = [i for i, o in enumerate(after) if str(o.prompt) != texts[i]]
        assert moved, "a minute later some ages must read differently"
        kept = [i for i in range(len(after)) if i not in moved]
        assert kept, "and some must read the same"
        assert all(after[i] is before[i] for i in kept), "unchanged rows are not rebuilt"
        assert all(after[i] is not before[i] for i in moved)
        # OptionList's index of each option still matches (selection and clicks use it).
        assert [pane._option_to_index[o] for o in after] == list(range(len(after)))


def _rewrite(tasks_dir: Path, task_id: str, **fields: object) -> Path:
    path = tasks_dir / f"{task_id}.json"
    data = json.loads(path.read_text())
    data.update(fields)
    path.write_text(json.dumps(data))
    os.utime(path, (SAMPLE_NOW - 3000, SAMPLE_NOW - 3000))
    return path


async def test_a_subject_change_leaves_the_flags_and_a_claim_moves_them(home) -> None:
    tasks_dir = idle_team_with_unclaimed_work(home)
    app = make_app(home, "crowd")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        flags = screen.flags
        screen.apply_paths({_rewrite(tasks_dir, "3", subject="job 3, renamed")})
        await pilot.pause()
        assert screen.flags is flags, "no rule reads a subject: the flags stand"
        assert "job 3, renamed" in screen.query_one("#outline").row_text("3")
        drawn = screen.updates
        screen._delta_cost = RULES_INLINE * 2  # as if the rules took a while on a big list
        screen.apply_paths({_rewrite(tasks_dir, "3", owner="bob")})
        assert screen.flags is flags, "the claim is painted before the rules run"
        assert "@bob" in screen.query_one("#outline").row_text("3")
        # The change is painted first; the rules catch up right after (updates counts it).
        await wait_for(pilot, lambda: screen.updates > drawn, what="the rules after a claim")
        unclaimed = [f.task for f in screen.flags if f.kind == "ready_unclaimed"]
        assert len(unclaimed) == UNCLAIMED - 1 and "3" not in unclaimed
        # The rules' run measured itself (what decides inline or after the paint); its
        # figure is a wall-clock time, so it is not compared here: set as if cheap, rules
        # run with the change, in its frame.
        assert screen._delta_cost != RULES_INLINE * 2
        screen._delta_cost = RULES_INLINE / 2
        flags = screen.flags
        screen.apply_paths({_rewrite(tasks_dir, "4", owner="bob")})
        assert screen.flags is not flags
        assert "4" not in [f.task for f in screen.flags if f.kind == "ready_unclaimed"]


async def test_the_ticks_rules_are_spaced_by_their_cost_with_their_repaint(home) -> None:
    idle_team_with_unclaimed_work(home)
    app = make_app(home, "crowd")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        app.clock.advance(600)
        screen._tick()  # due: the rules run; what they and their repaint cost is read after
        await wait_for(pilot, lambda: screen._tick_rules_cost > 0, what="the tick's cost")
        flags = screen.flags
        screen._rules_cost = 0.0  # the walk alone would allow the next run at once
        screen._tick_rules_cost = 1.0  # as if the walk and its repaint took a second
        app.clock.advance(60)
        screen._tick()
        assert screen.flags is flags, "not due yet: the flags stand"
        app.clock.advance(1.0 / TICK_RULES_BUDGET)
        screen._tick()
        assert screen.flags is not flags


async def test_the_tick_redoes_the_rules_only_as_often_as_their_cost_allows(home) -> None:
    idle_team_with_unclaimed_work(home)
    app = make_app(home, "crowd")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        flags = screen.flags
        screen._rules_cost = 0.25  # as if a walk of the rules took a quarter of a second
        # Until the tick has measured a run with its repaint, it reckons RULES_REPAINT walks.
        apart = screen._rules_cost * RULES_REPAINT / TICK_RULES_BUDGET
        app.clock.advance(60)
        screen._tick()
        assert screen.flags is flags, "not due yet: the flags stand"
        app.clock.advance(apart)
        screen._tick()
        assert screen.flags is not flags
        minutes = int((607 + 60 + apart) // 60)  # task 1 was ready 607 s before the start
        assert f"for {minutes} min" in next(f.reason for f in screen.flags if f.task == "1")


async def test_a_change_repaints_its_own_rows_not_those_still_flashing(home) -> None:
    tasks_dir = idle_team_with_unclaimed_work(home)
    app = make_app(home, "crowd")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        outline = screen.query_one("#outline")
        screen.apply_paths({_rewrite(tasks_dir, "3", subject="job 3, renamed")})
        await pilot.pause()
        assert outline.row_text("3") and "3" in outline._label_cache, "drawn, flashing"
        flashing = outline._label_cache["3"]
        screen.apply_paths({_rewrite(tasks_dir, "5", subject="job 5, renamed")})
        await pilot.pause()
        # Row 3 still flashes (the highlight lasts until the changes pause) with the label
        # it was drawn with: only row 5 was rebuilt and repainted.
        assert outline._label_cache.get("3") is flashing
        assert "5" in outline._flash and "3" in outline._flash
        outline.clear_flash()
        assert "3" not in outline._label_cache and not outline._flash


async def test_a_whole_list_analysis_left_for_later_catches_up_by_itself(
        home, monkeypatch) -> None:
    from taskboard.ui.screens import console

    monkeypatch.setattr(console, "TICK_SECONDS", 3600.0)  # neither the tick nor a change
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        work = screen.work
        walks = work.full_walks
        screen._whole._due = time.monotonic() + 2.0  # as if the last walk was costly
        path = home / "tasks" / "parser-team" / "8.json"
        task = json.loads(path.read_text())
        task["blockedBy"] = [*task.get("blockedBy", []), "1"]  # a link moves: a full walk
        path.write_text(json.dumps(task, indent=2))
        screen.apply_paths({path})
        await wait_for(pilot, lambda: screen._whole_catch_up, what="the walk deferred")
        assert work.full_walks == walks, "over budget: the waves stand for now"
        await wait_for(pilot, lambda: work.full_walks == walks + 1
                       and screen._whole.due_in(screen.board) is None,
                       what="the deferred walk caught up")


async def test_a_subject_repaints_its_row_a_state_also_the_rows_that_show_it(home) -> None:
    team = make_team(home, "chain", ["team-lead", "bob"])
    make_task(team.tasks_dir, "1", subject="first", blocks=["2", "3"])
    make_task(team.tasks_dir, "2", subject="second", blockedBy=["1"])
    make_task(team.tasks_dir, "3", subject="third", blockedBy=["1"])
    app = make_app(home, "chain")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        outline = screen.query_one("#outline")
        await pilot.pause()
        labels = dict(outline._label_cache)
        assert {"1", "2", "3"} <= labels.keys(), "every row drawn"
        screen.apply_paths({_rewrite(team.tasks_dir, "1", subject="first, renamed")})
        await pilot.pause()
        assert "first, renamed" in outline.row_text("1")
        assert outline._label_cache.get("2") is labels["2"], "#2 shows nothing of a subject"
        screen.apply_paths({_rewrite(team.tasks_dir, "1", status="completed")})
        await pilot.pause()
        # #2 and #3 were blocked by #1: ready now, and their rows were drawn again.
        assert outline._label_cache.get("2") is not labels["2"]
        assert outline._label_cache.get("3") is not labels["3"]
        assert "○" in outline.row_text("2")


async def test_a_row_off_screen_whose_flag_moved_is_painted_anew_when_scrolled_to(
        home) -> None:
    """Flags on rows off screen only mark the rows stale (no repaint region worked out for
    each): scrolled to, the row shows the flag's change, not Tree's cached line."""
    from textual.geometry import Region

    from taskboard.ui.widgets.outline import DependencyOutline

    tasks_dir = idle_team_with_unclaimed_work(home)
    app = make_app(home, "crowd", watch=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        outline = screen.query_one(DependencyOutline)

        def painted(task_id: str) -> str:
            line = outline._task_nodes[task_id].line - outline.scroll_offset.y + \
                outline.gutter.top  # below the pane's border
            (strip,) = outline.render_lines(Region(0, line, outline.size.width, 1))
            return strip.text

        last = str(UNCLAIMED)
        node = outline._task_nodes[last]
        outline.scroll_to_node(node, animate=False)
        await pilot.pause()
        before = painted(last)  # drawn once: Tree's line cache holds it
        assert "job" in before and "@bob" not in before
        outline.scroll_home(animate=False)
        await wait_for(pilot, lambda: outline.scroll_offset.y == 0, what="back at the top")
        assert not outline.scroll_offset.y <= node.line < outline.scroll_offset.y + \
            outline.size.height, "the row is off screen"
        make_task(tasks_dir, last, subject=f"job {last}", owner="bob")
        await wait_for(pilot, lambda: not any(f.task == last for f in screen.flags),
                       what="the claimed task's flag gone")
        outline.scroll_to_node(node, animate=False)
        await pilot.pause()
        assert "@bob" in painted(last)
        assert painted(last) != before


async def test_the_clock_leaves_an_agent_seen_under_a_minute_ago_alone(home) -> None:
    """Seconds would move at every tick and repaint the whole panel; under a minute an
    agent is "seen just now", and the panel repaints when that turns into minutes."""
    from taskboard.timefmt import ago
    from taskboard.ui.widgets.agents import AgentPanel
    from taskboard.ui.widgets.status import StatusBar

    assert ago(1000.0, 1059.0, seconds=False) == "just now"
    assert ago(1000.0, 1060.0, seconds=False) == "1m ago"
    assert ago(1000.0, 1012.0) == "12s ago"
    team = make_team(home, "crowd", ["team-lead", "bob"])
    path = make_task(team.tasks_dir, "1", subject="job 1", owner="bob", status="in_progress")
    os.utime(path, (SAMPLE_NOW - 5, SAMPLE_NOW - 5))
    app = make_app(home, "crowd")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        (panel,) = [p for p in screen.query(AgentPanel) if p.agent_name == "bob"]
        def text() -> str:
            return "\n".join(line.plain for line in panel._lines or [])

        assert "seen just now" in text()
        assert "changed just now" in screen.query_one(StatusBar).text.plain
        painted: list[object] = []
        real_update = panel.update
        panel.update = lambda *a, **k: (painted.append(a), real_update(*a, **k))[1]
        for _ in range(10):  # 50 s of ticks: still under a minute since bob was seen
            app.clock.advance(5)
            screen._tick()
        assert painted == []
        app.clock.advance(5)
        screen._tick()
        await pilot.pause()
        assert len(painted) == 1 and "seen 1m ago" in text()


async def test_a_taller_or_shorter_outline_keeps_its_lines_and_a_wider_one_redoes_them(
        home) -> None:
    """The outline's lines depend on its width, not on how many show: the "Needs you" pane
    growing by an alert, or the detail opening, changes only its height, and Tree would
    drop every line (and its list of 10,000 at 10,000 tasks) and lay the screen out
    again. The rows still show what they show after each resize."""
    from textual.geometry import Region

    from taskboard.ui.widgets.outline import DependencyOutline

    idle_team_with_unclaimed_work(home)
    app = make_app(home, "crowd")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        outline = app.screen.query_one(DependencyOutline)
        await pilot.pause()
        lines, height = outline._tree_lines, outline.size.height
        cached = len(outline._line_cache)
        assert cached > 0

        def top_row() -> str:
            (strip,) = outline.render_lines(
                Region(0, outline.gutter.top, outline.size.width, 1))
            return strip.text

        await pilot.resize_terminal(120, 30)
        await wait_for(pilot, lambda: outline.size.height < height, what="a shorter outline")
        await pilot.pause()
        assert outline._tree_lines is lines, "the list of lines kept"
        assert len(outline._line_cache) >= cached - 1, "the rendered lines kept"
        assert "job 1 " in top_row()
        await pilot.resize_terminal(120, 36)
        await wait_for(pilot, lambda: outline.size.height == height, what="as tall again")
        await pilot.pause()
        assert outline._tree_lines is lines
        last = str(UNCLAIMED)
        assert f"job {last}" in outline.row_text(last)
        await pilot.resize_terminal(100, 36)
        await wait_for(pilot, lambda: outline.size.width < 100, what="a narrower outline")
        await pilot.pause()
        assert outline._tree_lines is not lines, "a new width lays the lines out anew"
        assert "job 1 " in top_row()
