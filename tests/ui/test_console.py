"""The live console, driven with Pilot on real files."""

from __future__ import annotations

import shutil

from taskboard.board.model import dump_json
from taskboard.claude.tasks import update_task
from taskboard.ui.screens.console import ConsoleScreen
from taskboard.ui.screens.help import HelpScreen, bindings_table
from taskboard.ui.screens.problems import ProblemsScreen
from taskboard.ui.widgets.outline import DependencyOutline

from .conftest import loaded, make_app, wait_for
from .helpers import outline_rows, status_text


def _set_status(home, task_id: str, status: str, team: str = "parser-team"):
    def change(obj):
        obj["status"] = status
        return obj

    return update_task(home / "tasks" / team, task_id, change).path


async def test_console_shows_the_team(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        rows = outline_rows(screen)
        # 14 task files, one of them Claude Code's hidden bookkeeping task.
        assert len(rows) == 13
        assert not any("_internal" in text for text in rows.values())
        assert rows["3"].startswith("»#3 ● Implement the tokenizer")  # » critical path
        assert "Implementing the tokenizer" in rows["3"]
        assert "also after #4 ✓" in rows["5"]
        status = status_text(screen)
        assert "parser-team" in status and "1 ready" in status and "3 running" in status


async def test_a_file_written_on_disk_appears_on_screen(home):
    app = make_app(home, watch=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert "#10 ○" in outline_rows(screen)["10"]
        _set_status(home, "10", "in_progress")
        await wait_for(pilot, lambda: "#10 ●" in outline_rows(screen)["10"],
                       what="task 10 to show as running")


async def test_cursor_stays_on_its_task_across_updates(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        outline = screen.query_one(DependencyOutline)
        assert outline.select_task("6")
        await pilot.pause()
        # A change that only relabels rows ...
        screen.apply_paths({_set_status(home, "8", "completed")})
        await pilot.pause()
        assert outline.task_id == "6"
        # ... and one that reshapes the outline (a new root task above everything).
        (home / "tasks" / "parser-team" / "15.json").write_text(dump_json({
            "id": "15", "subject": "A new first task", "description": "", "status": "pending",
            "blocks": [], "blockedBy": []}))
        screen.apply_paths({home / "tasks" / "parser-team" / "15.json"})
        await wait_for(pilot, lambda: "15" in outline_rows(screen))
        await pilot.pause()
        assert outline.task_id == "6"


async def test_pause_holds_changes_back_and_resume_applies_them(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        await pilot.press("p")
        assert screen.paused
        screen.apply_paths({_set_status(home, "10", "in_progress")})
        await pilot.pause()
        assert "#10 ○" in outline_rows(screen)["10"]
        assert "PAUSED · 1 change waiting" in status_text(screen)
        await pilot.press("p")
        await pilot.pause()
        assert not screen.paused
        assert "#10 ●" in outline_rows(screen)["10"]
        assert "live" in status_text(screen)


async def test_the_list_vanishing_and_coming_back(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        tasks_dir = home / "tasks" / "parser-team"
        saved = {p.name: p.read_text() for p in tasks_dir.glob("*.json")}
        shutil.rmtree(tasks_dir)
        screen.apply_paths({tasks_dir})
        await pilot.pause()
        assert not screen.board.list_exists
        assert len(outline_rows(screen)) == 13, "the last known board stays on screen"
        assert "list removed" in status_text(screen)
        tasks_dir.mkdir()
        for name, text in saved.items():
            (tasks_dir / name).write_text(text.replace('"Benchmark the tokenizer"',
                                                       '"Benchmark it again"'))
        screen.apply_paths({tasks_dir})
        await wait_for(pilot, lambda: "Benchmark it again" in outline_rows(screen)["10"])
        assert screen.board.list_exists
        assert "list removed" not in status_text(screen)


async def test_markup_and_escapes_in_a_subject_are_shown_literally(home):
    app = make_app(home, "broken-team")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        rows = outline_rows(app.screen)
        literal = [text for text in rows.values() if "[bold red]boom[/]" in text]
        assert literal, rows
        assert all("\x1b" not in text for text in rows.values())


async def test_a_team_that_does_not_exist_yet_fills_in_when_it_appears(home):
    app = make_app(home, "future-team")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert "waiting for the team" in status_text(screen)
        assert screen.query_one("#outline-empty").display
        tasks_dir = home / "tasks" / "future-team"
        tasks_dir.mkdir(parents=True)
        (tasks_dir / "1.json").write_text(dump_json({
            "id": "1", "subject": "First", "description": "", "status": "pending",
            "blocks": [], "blockedBy": []}))
        screen.apply_paths({tasks_dir})
        await wait_for(pilot, lambda: "1" in outline_rows(screen))
        assert not screen.query_one("#outline-empty").display


async def test_filter_narrows_the_outline_and_escape_clears_it(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        await pilot.press("slash")
        await pilot.press(*"state:ready")
        await pilot.pause()
        assert set(outline_rows(screen)) == {"10"}
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert len(outline_rows(screen)) == 13


async def test_problems_key_lists_problems_and_jumps_to_the_task(home):
    app = make_app(home, "broken-team")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        console = app.screen
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        problems = app.screen
        assert problems.problems, "the broken team has problems"
        target = next(p.task for p in problems.problems if p.task in console.board.tasks)
        index = next(i for i, p in enumerate(problems.problems) if p.task == target)
        option_list = problems.query_one("OptionList")
        option_list.highlighted = option_list.get_option_index(f"p{index}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is console)
        await pilot.pause()
        assert console.query_one(DependencyOutline).task_id == target


async def test_help_lists_the_live_bindings(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = bindings_table(app.screen.under).columns[1]._cells
        descriptions = {c.plain for c in rows}
        assert {"Pause", "Filter", "Problems", "Quit"} <= descriptions
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConsoleScreen))


async def test_direction_key_turns_the_outline_around(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        outline = app.screen.query_one(DependencyOutline)
        roots_before = [n.data for n in outline.root.children]
        await pilot.press("d")
        await pilot.pause()
        roots_after = [n.data for n in outline.root.children]
        assert "1" in roots_before and "14" not in roots_before
        assert "14" in roots_after and "1" not in roots_after


async def test_narrow_terminal_shows_detail_on_enter(home):
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert screen.has_class("-narrow")
        assert not screen.query_one("#detail").display or not screen.query_one(
            "#detail").region.height
        await pilot.press("enter")
        await pilot.pause()
        assert screen.has_class("-show-detail")
        assert screen.query_one("#detail").region.height > 0
        await pilot.press("escape")
        assert not screen.has_class("-show-detail")


def _help_sections(table) -> dict[str, list[tuple[str, str]]]:
    """The help table as {section: [(keys, description), ...]}."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for keys, description in zip(table.columns[0]._cells, table.columns[1]._cells,
                                 strict=True):
        if not description.plain:
            current = keys.plain
            sections[current] = []
        else:
            sections[current].append((keys.plain, description.plain))
    return sections


async def test_help_groups_keys_by_purpose_with_the_configured_key(home):
    from taskboard.config import Settings

    app = make_app(home, settings=Settings(keymap={"console.pause": "ctrl+s"}))
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        sections = _help_sections(bindings_table(app.screen.under))
        assert list(sections) == ["moving", "viewing", "acting", "the app"]
        acting = {d for _k, d in sections["acting"]}
        assert {"Complete", "Assign", "Undo"} <= acting
        viewing = dict((d, k) for k, d in sections["viewing"])
        assert viewing["Pause"] == "^s"
        assert "Down" in {d for _k, d in sections["moving"]}
        assert {"Quit", "Help", "palette"} <= {d for _k, d in sections["the app"]}


async def test_the_collector_is_paused_while_the_board_loads_and_on_again_after(
        home, monkeypatch):
    """The load makes the whole board at once (a few hundred thousand objects at 10,000
    tasks): the cyclic collector is off meanwhile, and on again once the board is drawn."""
    import gc

    from taskboard.claude.reader import BoardReader

    seen: list[bool] = []
    rescan = BoardReader.rescan

    def noting(reader: BoardReader) -> object:
        seen.append(gc.isenabled())
        return rescan(reader)

    monkeypatch.setattr(BoardReader, "rescan", noting)
    assert gc.isenabled()
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        assert seen[0] is False  # the load's read, with the collector off
        assert gc.isenabled()


async def test_a_console_closed_while_it_loads_turns_the_collector_on_again(
        home, monkeypatch):
    import gc
    import threading

    from taskboard.claude.reader import BoardReader

    release = threading.Event()
    rescan = BoardReader.rescan

    def held(reader: BoardReader) -> object:
        release.wait(30)
        return rescan(reader)

    monkeypatch.setattr(BoardReader, "rescan", held)
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: not gc.isenabled(), what="the load to start")
        assert not app.screen.loaded
        await app.action_quit()
    release.set()
    assert gc.isenabled()


async def test_the_agents_pane_says_when_there_is_nobody_and_stops_once_work_comes(home):
    from taskboard.ui.widgets.agents import AgentList
    from tests.conftest import make_task

    tasks_dir = home / "tasks" / "empty-list"
    tasks_dir.mkdir(parents=True)
    app = make_app(home, "empty-list")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        agents = screen.query_one(AgentList)

        def says_nobody() -> bool:
            return any("No team members yet." in str(w.render())
                       for w in agents.query(".agents-empty"))

        assert says_nobody()
        screen.apply_paths({make_task(tasks_dir, "1", subject="Start")})
        await wait_for(pilot, lambda: agents.panels and not says_nobody(),
                       what="a panel instead of the line")
        assert not agents.query(".agents-empty")
