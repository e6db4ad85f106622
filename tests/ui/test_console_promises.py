"""The console does what it shows (issue 12): undo, delete, edit, previews, the lock wait,
titles, moving times, problem markers, the filter, toasts, ended teams, 80x24, screenshots,
and keys typed while a dialog opens."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from textual.widgets import Checkbox, Input

from taskboard.config import Settings
from taskboard.ui.screens.confirm import ConfirmScreen
from taskboard.ui.screens.console import ConsoleScreen
from taskboard.ui.screens.task_form import TaskFormScreen
from taskboard.ui.widgets.agents import AgentList
from taskboard.ui.widgets.command_log import CommandLog
from taskboard.ui.widgets.detail import TaskDetail
from taskboard.ui.widgets.outline import DependencyOutline

from .conftest import loaded, make_app, wait_for

TEAM = "parser-team"


def task_json(home: Path, task_id: str) -> dict:
    return json.loads((home / "tasks" / TEAM / f"{task_id}.json").read_text())


def write_task(home: Path, task_id: str, **changes) -> None:
    path = home / "tasks" / TEAM / f"{task_id}.json"
    path.write_text(json.dumps(task_json(home, task_id) | changes, indent=2))


def plain(widget) -> str:
    """The text a Static shows (its Rich content rendered without colour)."""
    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def start(pilot, task_id: str | None = None) -> ConsoleScreen:
    await loaded(pilot)
    screen = pilot.app.screen
    if task_id is not None:
        assert screen.query_one(DependencyOutline).select_task(task_id)
        await pilot.pause()
    return screen


async def confirm(pilot, key: str = "y") -> ConfirmScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen),
                   what="the confirmation")
    dialog = pilot.app.screen
    await pilot.press(key)
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ConfirmScreen))
    return dialog


# -- undo ----------------------------------------------------------------------------------


async def test_undo_after_a_delete_says_so_and_leaves_the_earlier_write(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        await pilot.press("c")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "10")["status"] == "completed")
        screen.query_one(DependencyOutline).select_task("14")
        await pilot.pause()
        await pilot.press("x")
        dialog = await confirm(pilot)
        assert "cannot be undone" in (dialog.note or "")
        await wait_for(pilot, lambda: not (home / "tasks" / TEAM / "14.json").exists())
        await wait_for(pilot, lambda: screen.undo_history.last is not None
                       and screen.undo_history.last.verb == "delete")
        await pilot.press("z")
        await pilot.pause()
        assert app.screen is screen, "no undo dialog after a delete"
        assert any("cannot be undone" in t and "delete" in t for t in toasts(app))
        assert task_json(home, "10")["status"] == "completed", "the earlier write stays"


async def test_delete_dialog_defaults_to_cancel(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "10")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause()
        assert app.screen.focused is not None and app.screen.focused.id == "confirm-cancel"
        await confirm(pilot, "enter")
        await pilot.pause()
        assert (home / "tasks" / TEAM / "10.json").exists(), "enter cancelled the delete"


async def test_undo_of_a_bulk_action_undoes_every_task_and_reports_the_rest(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "8")
        outline = screen.query_one(DependencyOutline)
        for task_id in ("8", "9", "10"):
            outline.select_task(task_id)
            await pilot.pause()
            await pilot.press("space")
        await pilot.press("r")  # release all three
        await confirm(pilot)
        await wait_for(pilot, lambda: screen.undo_history.last is not None
                       and len(screen.undo_history.last.results) == 2)
        # #10 was already unowned and pending: refused. Someone takes #9 meanwhile.
        write_task(home, "9", owner="tester", status="in_progress")
        await pilot.press("z")
        dialog = await confirm(pilot)
        assert "#9" in (dialog.note or "")
        await wait_for(pilot, lambda: task_json(home, "8")["owner"] == "docs")
        assert task_json(home, "9")["owner"] == "tester", "#9 changed since: left alone"
        await wait_for(pilot, lambda: any("Not undone" in str(n.title)
                                          for n in app._notifications))


# -- edit and create -----------------------------------------------------------------------


async def test_an_edit_is_checked_only_against_the_fields_it_changes(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "10")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskFormScreen))
        await pilot.press("end", *" now")
        write_task(home, "10", owner="tester", status="in_progress")  # an agent claims it
        await pilot.press("ctrl+s")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "10")["subject"]
                       == "Benchmark the tokenizer now")
        assert task_json(home, "10")["owner"] == "tester"


async def test_a_refused_edit_reopens_the_form_with_the_typed_text(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "10")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskFormScreen))
        await pilot.press("end", *" typed")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        write_task(home, "10", subject="Renamed by an agent")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskFormScreen),
                       what="the form again")
        await pilot.pause()
        assert app.screen.query_one("#form-subject", Input).value == \
            "Benchmark the tokenizer typed"
        assert task_json(home, "10")["subject"] == "Renamed by an agent"


async def test_new_task_offers_the_selected_task_unticked(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "10")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskFormScreen))
        await pilot.pause()
        form = app.screen
        assert form.query_one("#form-blockers", Input).value == ""
        offer = form.query_one("#form-after", Checkbox)
        assert offer.value is False and "#10" in str(offer.label)
        await pilot.press(*"Profile it", "ctrl+s")
        await confirm(pilot)
        new = home / "tasks" / TEAM / "15.json"
        await wait_for(pilot, new.exists)
        assert task_json(home, "15")["blockedBy"] == []


# -- previews and titles -------------------------------------------------------------------


async def test_previews_warn_on_surely_wrong_writes(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "5")
        await pilot.press("c")  # #5 waits on #3, running
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause()
        assert app.screen.focused is not None and app.screen.focused.id == "confirm-cancel"
        dialog = await confirm(pilot, "n")
        assert "still waits on #3" in (dialog.note or "")
        screen.query_one(DependencyOutline).select_task("3")
        await pilot.pause()
        await pilot.press("r")  # #3 runs, and parser is active
        dialog = await confirm(pilot, "n")
        assert "parser is active" in (dialog.note or "")
        screen.query_one(DependencyOutline).select_task("6")
        await pilot.pause()
        await pilot.press("a")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AssignScreen")
        await pilot.press("enter")
        dialog = await confirm(pilot, "n")
        assert "#6 is blocked" in (dialog.note or "")
        assert dialog.title_text.startswith("Assign #6 to ") and dialog.title_text.endswith("?")


async def test_block_title_reads_as_a_sentence(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "10")
        await pilot.press("b")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AddBlockerScreen")
        await pilot.press("3", "enter")
        dialog = await confirm(pilot, "n")
        assert dialog.title_text == "Make #10 wait on #3?"


HOLDER = """
import sys
from pathlib import Path
from taskboard.claude.lock import locked
with locked(Path(sys.argv[1])):
    print("LOCKED", flush=True)
    sys.stdin.readline()
"""


async def test_a_write_waiting_on_a_lock_says_so(home):
    app = make_app(home)
    path = home / "tasks" / TEAM / "10.json"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "LOCKED"
        async with app.run_test(size=(120, 36)) as pilot:
            await start(pilot, "10")
            await pilot.press("c")
            await confirm(pilot)
            await wait_for(pilot, lambda: "Waiting for the lock on #10…" in toasts(app),
                           what="the lock notice")
            holder.stdin.write("\n")
            holder.stdin.flush()
            await wait_for(pilot, lambda: task_json(home, "10")["status"] == "completed",
                           timeout=20)
    finally:
        holder.communicate("\n", timeout=10)


# -- what the screen shows -----------------------------------------------------------------


async def test_the_detail_pane_time_moves(home):
    app = make_app(home)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await start(pilot, "10")
        body = screen.query_one(TaskDetail)._body
        text = plain(body)
        assert "ago)" in text
        app.clock.advance(3 * 3600)
        screen._tick()
        await pilot.pause()
        assert plain(body) != text


async def test_every_task_with_a_problem_shows_the_marker(home):
    app = make_app(home, "broken-team")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await start(pilot)
        outline = screen.query_one(DependencyOutline)
        for task_id in ("8", "9"):  # a dangling reference, a one-sided link
            assert f"#{task_id} ⚠" in outline.row_text(task_id), outline.row_text(task_id)


async def test_an_unknown_filter_term_is_reported(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot)
        await pilot.press("slash", *"state:bogus", "enter")
        await pilot.pause()
        assert "state:bogus" in str(screen.query_one(DependencyOutline).border_title)
        assert any("state:bogus" in t for t in toasts(app))


async def test_toasts_name_the_configured_key(home):
    app = make_app(home, settings=Settings(keymap={"console.pause": "ctrl+s"}))
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any("press ctrl+s again" in t for t in toasts(app)), toasts(app)


async def test_panels_say_the_team_ended_and_the_lead_is_no_unknown(home):
    app = make_app(home)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await start(pilot)
        panels = screen.query_one(AgentList).panels
        lead = plain(panels["team-lead"])
        assert "unknown" not in lead and "lead" in lead
        shutil.rmtree(home / "teams" / TEAM)
        screen.apply_paths({home / "teams" / TEAM / "config.json"})
        await wait_for(pilot, lambda: "team ended" in plain(panels["parser"]))


async def test_80x24_footer_shows_help_and_quit_and_detail_keeps_tree_rows(home):
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start(pilot, "1")
        footer = app.screen.query_one("ConsoleFooter")
        visible = [k for k in footer.query("FooterKey")
                   if k.region.width and k.region.right <= 80 - 12]
        shown = {k.key for k in visible}
        assert {"question_mark", "q"} <= shown, shown
        await pilot.press("enter")
        await pilot.pause()
        outline = screen.query_one(DependencyOutline)
        assert screen.query_one(TaskDetail).display
        assert outline.content_region.height >= 8


async def test_screenshot_saves_to_an_existing_directory_and_says_where(home, tmp_path,
                                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot)
        app.deliver_screenshot()
        await wait_for(pilot, lambda: any("Saved to" in t for t in toasts(app)))
        [svg] = list(tmp_path.glob("*.svg"))
        assert any(str(svg) in t for t in toasts(app))


async def test_keys_typed_while_a_dialog_opens_never_act_behind_it(home):
    app = make_app(home)
    before = task_json(home, "10")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        await pilot.press("ctrl+p", "c", "r", "x")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.press("a", "c", "x")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert not screen.query_one(CommandLog).entries
        assert task_json(home, "10") == before
        # A key queued for the console while a dialog opens over it finds no action there.
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        for action in ("complete", "delete", "release", "assign", "undo", "create"):
            assert not screen.check_action(action, ()), action
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.check_action("complete", ())


async def test_an_unknown_binding_id_is_reported_with_its_line(home, tmp_path):
    from taskboard.config import load_settings

    path = tmp_path / "config.toml"
    path.write_text('[keymap]\n"console.pause" = "ctrl+s"\n"console.paws" = "P"\n')
    settings, warnings = load_settings(path)
    app = make_app(home, settings=settings, warnings=warnings)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot)
        assert any(f"{path}, line 3: unknown binding id 'console.paws' ignored "
                   "(did you mean 'console.pause'?)" in t for t in toasts(app)), toasts(app)
