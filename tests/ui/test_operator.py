"""The operator's actions, end to end on real files: the key, the dialog, the file after."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from taskboard.ui.screens.assign import AssignScreen
from taskboard.ui.screens.blockers import AddBlockerScreen, UnblockScreen
from taskboard.ui.screens.confirm import ConfirmScreen
from taskboard.ui.screens.conflict import ConflictScreen
from taskboard.ui.screens.console import ConsoleScreen
from taskboard.ui.screens.message import MessageScreen
from taskboard.ui.screens.task_form import TaskFormScreen
from taskboard.ui.widgets.agents import AgentList
from taskboard.ui.widgets.command_log import CommandLog
from taskboard.ui.widgets.outline import DependencyOutline

from .conftest import loaded, make_app, wait_for

TEAM = "parser-team"


def task_json(home: Path, task_id: str) -> dict:
    return json.loads((home / "tasks" / TEAM / f"{task_id}.json").read_text())


def inbox(home: Path, agent: str) -> list:
    path = home / "teams" / TEAM / "inboxes" / f"{agent}.json"
    return json.loads(path.read_text()) if path.exists() else []


def tree_state(root: Path) -> dict[str, bytes | None]:
    """Every file and directory under ``root``, with file bytes (directories: None)."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


async def start(pilot, task_id: str | None = None) -> ConsoleScreen:
    await loaded(pilot)
    screen = pilot.app.screen
    # The journal is read back in its own thread once the board is drawn.
    await wait_for(pilot, lambda: screen.journal_ready, what="the journal read back")
    if task_id is not None:
        assert screen.query_one(DependencyOutline).select_task(task_id)
        await pilot.pause()
    return screen


async def confirm(pilot, key: str = "y") -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen),
                   what="the confirmation")
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConsoleScreen | ConflictScreen))


def log_entries(screen: ConsoleScreen):
    return screen.query_one(CommandLog).entries


async def test_complete_confirmed_writes_the_file_and_logs_it(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        await pilot.press("c")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "10")["status"] == "completed")
        await wait_for(pilot, lambda: len(log_entries(screen)) == 1)
        entry = log_entries(screen)[0]
        assert (entry.verb, entry.target, entry.ok) == ("complete", "#10", True)
        assert "#10 ✓" in screen.query_one(DependencyOutline).row_text("10")


async def test_cancelled_confirmation_writes_nothing(home):
    app = make_app(home)
    before = tree_state(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "10")
        await pilot.press("c")
        await confirm(pilot, "n")
        await pilot.pause()
    assert tree_state(home) == before


async def test_release_and_reopen(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "8")
        await pilot.press("r")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "8")["status"] == "pending")
        assert "owner" not in task_json(home, "8")
        screen.query_one(DependencyOutline).select_task("1")
        await pilot.pause()
        await pilot.press("o")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "1")["status"] == "pending")


async def test_assign_sets_the_owner_and_notifies_the_agent(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "10")
        before = len(inbox(home, "tester"))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AssignScreen))
        options = app.screen.query_one("#assign-list")
        options.highlighted = options.get_option_index("tester")
        await pilot.press("enter")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "10").get("owner") == "tester")
        messages = inbox(home, "tester")
        assert len(messages) == before + 1
        payload = json.loads(messages[-1]["text"])
        assert payload["type"] == "task_assignment" and payload["taskId"] == "10"
        assert messages[-1]["read"] is False


async def test_assign_without_notifying(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "10")
        before = inbox(home, "tester")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AssignScreen))
        await pilot.press("ctrl+n")
        options = app.screen.query_one("#assign-list")
        options.highlighted = options.get_option_index("tester")
        await pilot.press("enter")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "10").get("owner") == "tester")
        assert inbox(home, "tester") == before


async def test_unblock_cuts_both_sides(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "5")
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UnblockScreen))
        await pilot.press("enter")
        await confirm(pilot)
        await wait_for(pilot, lambda: "3" not in task_json(home, "5")["blockedBy"])
        assert "5" not in task_json(home, "3")["blocks"]
        assert "4" in task_json(home, "5")["blockedBy"], "a completed blocker is not unmet"


async def test_add_blocker_links_both_sides(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "10")
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, AddBlockerScreen))
        await pilot.press("3", "enter")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "10")["blockedBy"] == ["3"])
        assert "10" in task_json(home, "3")["blocks"]


async def test_create_and_edit_a_task(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskFormScreen))
        await pilot.press(*"Profile the tokenizer")
        app.screen.query_one("#form-after").value = True  # the offered blocker, ticked
        await pilot.press("ctrl+s")
        await confirm(pilot)
        new = home / "tasks" / TEAM / "15.json"
        await wait_for(pilot, new.exists, what="task 15 to be created")
        created = task_json(home, "15")
        assert created["subject"] == "Profile the tokenizer"
        assert created["blockedBy"] == ["10"], "the offered blocker was ticked"
        assert "15" in task_json(home, "10")["blocks"]
        await wait_for(pilot, lambda: screen.query_one(DependencyOutline).select_task("15"))
        await pilot.pause()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskFormScreen))
        await pilot.press("end", *" fast")
        await pilot.press("ctrl+s")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "15")["subject"]
                       == "Profile the tokenizer fast")


async def test_delete_warns_with_dependants_and_strips_links(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "7")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.note and "#12" in app.screen.note and "#14" in app.screen.note
        await pilot.press("y")
        await wait_for(pilot, lambda: not (home / "tasks" / TEAM / "7.json").exists())
        assert "7" not in task_json(home, "12")["blockedBy"]
        assert "7" not in task_json(home, "6")["blocks"]
        assert (home / "tasks" / TEAM / ".highwatermark").read_text() == "7"


async def test_message_an_agent_from_its_panel(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot)
        screen.query_one(AgentList).panels["tester"].focus()
        await pilot.pause()
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MessageScreen))
        await pilot.press("tab")
        app.screen.query_one("TextArea").focus()
        await pilot.press(*"Please rebase on main")
        await pilot.press("ctrl+s")
        await confirm(pilot)
        await wait_for(pilot, lambda: inbox(home, "tester")[-1]["text"]
                       == "Please rebase on main")
        assert inbox(home, "tester")[-1]["from"] == "taskboard"


async def test_marked_tasks_get_one_action(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        await pilot.press("space")
        screen.query_one(DependencyOutline).select_task("6")
        await pilot.pause()
        await pilot.press("space")
        assert screen.marked == {"10", "6"}
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "2 tasks" in app.screen.title_text
        await pilot.press("y")
        await wait_for(pilot, lambda: task_json(home, "10")["status"] == "completed"
                       and task_json(home, "6")["status"] == "completed")
        await wait_for(pilot, lambda: not screen.marked)


async def test_a_task_changed_on_disk_after_display_is_refused(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        # An agent claims the task while the operator reads the dialog.
        path = home / "tasks" / TEAM / "10.json"
        claimed = task_json(home, "10") | {"owner": "tester", "status": "in_progress"}
        path.write_text(json.dumps(claimed, indent=2))
        on_disk = path.read_bytes()
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen),
                       what="the conflict dialog")
        assert path.read_bytes() == on_disk, "nothing was written"
        await wait_for(pilot, lambda: log_entries(screen) and not log_entries(screen)[0].ok)
        await pilot.press("enter")  # look again
        await wait_for(pilot, lambda: screen.board.tasks["10"].owner == "tester")


HOLDER = """
import sys
from pathlib import Path
from taskboard.claude.lock import locked
with locked(Path(sys.argv[1])):
    print("LOCKED", flush=True)
    sys.stdin.readline()
"""


async def test_a_lock_held_elsewhere_keeps_the_ui_responsive_and_refuses(home):
    app = make_app(home)
    path = home / "tasks" / TEAM / "10.json"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "LOCKED"
        original = path.read_bytes()
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await start(pilot, "10")
            await pilot.press("c")
            await confirm(pilot)
            # While the write waits for the lock, the console still answers keys.
            outline = screen.query_one(DependencyOutline)
            await pilot.press("up")
            await pilot.pause()
            assert outline.task_id != "10"
            assert not log_entries(screen), "still waiting for the lock"
            await wait_for(pilot, lambda: bool(log_entries(screen)), what="the refusal")
            entry = log_entries(screen)[0]
            assert not entry.ok and "locked" in entry.detail
            assert path.read_bytes() == original
    finally:
        holder.communicate("\n", timeout=10)
    assert holder.returncode == 0


async def test_undo_restores_the_last_write(home):
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        await pilot.press("c")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "10")["status"] == "completed")
        await wait_for(pilot, lambda: screen.undo_history.last is not None)
        await pilot.press("z")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "10")["status"] == "pending")
        await wait_for(pilot, lambda: log_entries(screen)[0].undone)


async def test_read_only_offers_no_action_and_writes_nothing(home):
    app = make_app(home, read_only=True)
    before = tree_state(home)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        for key in ("space", "c", "o", "r", "a", "u", "b", "n", "e", "x", "z", "m"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, f"{key} opened a dialog in read-only mode"
        screen.query_one(AgentList).panels["tester"].focus()
        await pilot.press("m")
        assert app.screen is screen
        shown = {b.binding.action for b in screen.active_bindings.values()}
        assert not {"complete", "assign", "message", "delete"} & shown
        from taskboard.ui.commands import OPERATOR_ACTIONS, ConsoleCommands
        provider = ConsoleCommands(screen)
        titles = {title for title, _, _ in provider._commands()}
        assert not titles & {title for title, _ in OPERATOR_ACTIONS}
        assert "read-only" in screen.query_one("#status").text.plain
    assert tree_state(home) == before
