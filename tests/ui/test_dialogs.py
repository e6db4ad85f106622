"""The operator's dialogs: each returns what the operator chose, through the keyboard or mouse."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, RenderableType
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static, TextArea

import taskboard.ui
from taskboard.board.agents import AgentSummary
from taskboard.board.model import Member, Task
from taskboard.claude.tasks import TaskChange
from taskboard.claude.team import InboxChange
from taskboard.ops import OpResult
from taskboard.ui.screens.assign import AssignScreen
from taskboard.ui.screens.blockers import AddBlockerScreen, BlockerList, UnblockScreen
from taskboard.ui.screens.confirm import ConfirmScreen, confirm_title, render_results
from taskboard.ui.screens.conflict import ConflictScreen, conflict_text
from taskboard.ui.screens.message import MessageScreen, summary_of
from taskboard.ui.screens.task_form import TaskForm, TaskFormScreen, parse_blockers
from taskboard.ui.widgets.command_log import PLACEHOLDER, CommandLog, LogEntry

CSS_PATH = Path(taskboard.ui.__file__).parent / "taskboard.tcss"
TASKS = Path("/claude/tasks/demo")
INBOXES = Path("/claude/teams/demo/inboxes")


class DialogHarness(App[None]):
    """Pushes one dialog over an empty screen and keeps what it returns in ``results``."""

    CSS_PATH = str(CSS_PATH)

    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make = make
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("the console would be here")

    def on_mount(self) -> None:
        self.push_screen(self.make(), self.results.append)


# -- data builders -----------------------------------------------------------------------

def task_obj(task_id: str, **fields: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": task_id, "subject": f"Task {task_id}", "description": "",
                           "status": "pending", "blocks": [], "blockedBy": []}
    obj.update(fields)
    return {k: v for k, v in obj.items() if v is not None}


def change(task_id: str, before: dict[str, Any] | None,
           after: dict[str, Any] | None) -> TaskChange:
    return TaskChange(TASKS / f"{task_id}.json", task_id, before, after, 0.002)


def assignment(agent: str, task_id: str, subject: str) -> InboxChange:
    text = json.dumps({"type": "task_assignment", "taskId": task_id, "subject": subject,
                       "description": "", "assignedBy": "team-lead",
                       "timestamp": "2026-11-20T10:15:02.114Z"})
    return InboxChange(INBOXES / f"{agent}.json", agent,
                       {"from": "team-lead", "text": text, "read": False})


def text_message(agent: str, text: str) -> InboxChange:
    return InboxChange(INBOXES / f"{agent}.json", agent,
                       {"from": "team-lead", "text": text, "read": False})


def marked_results() -> list[OpResult]:
    """Two marked tasks released from tester and reassigned, with one message."""
    first = change("4", task_obj("4", subject="Write the parser", status="in_progress",
                                 owner="tester", blockedBy=["2", "3"]),
                   task_obj("4", subject="Write the parser", status="completed",
                            owner=None, blockedBy=["3"]))
    second = change("7", task_obj("7", subject="Docs", owner="reviewer"),
                    task_obj("7", subject="Docs", owner="tester"))
    return [OpResult("complete", "demo", "#4", "completed #4", [first]),
            OpResult("assign", "demo", "#7", "assigned #7 to tester", [second],
                     [assignment("tester", "4", "Write the parser")])]


def member(name: str, color: str | None, active: bool | None) -> Member:
    return Member(name=name, agent_id=f"{name}@demo", agent_type="general-purpose",
                  color=color, is_active=active)


def team_agents() -> list[AgentSummary]:
    """Four members in different states, a stranger and the unowned pool."""
    return [
        AgentSummary("tester", "member", member("tester", "green", True), active=True,
                     running=[Task("4"), Task("6")], pending=[Task("9")]),
        AgentSummary("reviewer", "member", member("reviewer", "purple", False), active=False,
                     pending=[Task("7"), Task("8")]),
        AgentSummary("writer", "member", member("writer", "orange", None), active=None),
        AgentSummary("planner", "member", member("planner", "cyan", True), active=True,
                     running=[Task("3")]),
        AgentSummary("ghost", "stranger", running=[Task("11")]),
        AgentSummary("(unowned)", "unowned", pending=[Task("12")]),
    ]


def plain(renderable: RenderableType, width: int = 100) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


async def opened(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


# -- confirm -------------------------------------------------------------------------------

def test_confirm_lists_each_changed_field_and_each_message():
    text = plain(render_results(marked_results()))
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    assert "#4 status in_progress → completed" in lines
    assert "owner tester → (nobody)" in lines
    assert "blockedBy #2, #3 → #3" in lines
    assert "#7 owner reviewer → tester" in lines
    assert "✉ message to tester: task_assignment for #4" in lines
    assert not any("subject" in line for line in lines)  # unchanged fields are not listed


def test_confirm_shows_new_deleted_absent_and_plain_messages():
    results = [OpResult("create", "demo", "#9", "created #9", [
        change("9", None, task_obj("9", subject="New work", blockedBy=["2"])),
        change("2", task_obj("2"), task_obj("2", blocks=["9"])),
        change("5", task_obj("5", subject="Old"), None),
        change("6", task_obj("6"), task_obj("6", activeForm="Running")),
    ], [text_message("tester", "Are you still on #4?\nReply with status.")])]
    lines = [" ".join(line.split()) for line in plain(render_results(results)).splitlines()]
    assert "#9 new task" in lines
    assert "subject “New work”" in lines
    assert "#2 blocks (none) → #9" in lines
    assert "#5 delete “Old”" in lines
    assert "#6 activeForm (absent) → “Running”" in lines
    assert "✉ message to tester: “Are you still on #4?”" in lines


def test_confirm_shows_markup_and_escapes_from_files_literally():
    results = [OpResult("edit", "demo", "#4", "edited", [
        change("4", task_obj("4", subject="[bold]old[/]"),
               task_obj("4", subject="new\x1b[31m red"))])]
    text = plain(render_results(results))
    assert "“[bold]old[/]” → “new red”" in text


def test_confirm_title_counts_marked_tasks():
    assert confirm_title("Complete", ["#4"]) == "Complete #4?"
    assert confirm_title("Complete", ["#4", "#5", "#6"]) == "Complete 3 tasks?"


@pytest.mark.parametrize(("keys", "expected"), [
    (("y",), True), (("enter",), True), (("n",), False), (("escape",), False),
    (("q",), False),  # q closes the dialog, it does not quit the console
    (("tab", "enter"), False),  # enter on the focused Cancel button cancels
])
async def test_confirm_keys(keys, expected):
    app = DialogHarness(lambda: ConfirmScreen("Complete 2 tasks?", marked_results()))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        assert app.results == [expected]


@pytest.mark.parametrize(("button", "expected"), [("#confirm-write", True),
                                                   ("#confirm-cancel", False)])
async def test_confirm_buttons_are_clickable(button, expected):
    app = DialogHarness(lambda: ConfirmScreen("Complete 2 tasks?", marked_results(),
                                              note="The owner is not told."))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        assert "The owner is not told." in str(app.screen.query_one(".dialog-note", Static)
                                               .content)
        await pilot.click(button)
        await pilot.pause()
        assert app.results == [expected]


async def test_confirm_destructive_verbs_get_a_warning_button():
    app = DialogHarness(lambda: ConfirmScreen("Delete #5?", [], destructive=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        assert app.screen.query_one("#confirm-write", Button).variant == "error"
        assert app.screen.query_one("#confirm-dialog").has_class("-destructive")
        assert "Nothing would change." in plain(render_results([]))


# -- conflict ------------------------------------------------------------------------------

def test_conflict_says_what_changed_and_that_nothing_was_written():
    text = conflict_text("4", "task #4 changed", {"status": ("in_progress", "completed"),
                                                  "owner": ("tester", None)})
    assert " ".join(text.plain.split()) == (
        "Task #4 changed since you looked: status is now completed (you saw in_progress); "
        "owner is now nobody (you saw tester). Nothing was written.")


def test_conflict_without_differences_shows_the_refusal():
    text = conflict_text("4", "task #4 is already completed", {})
    assert "task #4 is already completed" in text.plain
    assert "Nothing was written." in text.plain


@pytest.mark.parametrize(("press", "expected"), [("enter", True), ("escape", False)])
async def test_conflict_keys(press, expected):
    app = DialogHarness(lambda: ConflictScreen("4", "changed",
                                               {"status": ("in_progress", "completed")}))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press(press)
        await pilot.pause()
        assert app.results == [expected]


async def test_conflict_close_button():
    app = DialogHarness(lambda: ConflictScreen("4", "changed", {"owner": (None, "tester")}))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.click("#conflict-close")
        await pilot.pause()
        assert app.results == [False]


# -- assign --------------------------------------------------------------------------------

def assign_app(notify_default: bool = True, agents: list[AgentSummary] | None = None,
               owner: str | None = "reviewer") -> DialogHarness:
    return DialogHarness(lambda: AssignScreen(
        "5", "Write the docs", team_agents() if agents is None else agents, owner,
        notify_default))


async def test_assign_lists_members_only_with_the_owner_disabled():
    app = assign_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        options = app.screen.query_one(OptionList)
        prompts = {options.get_option_at_index(i).id: options.get_option_at_index(i)
                   for i in range(options.option_count)}
        assert list(prompts) == ["tester", "reviewer", "writer", "planner"]
        assert prompts["reviewer"].disabled
        reviewer = str(prompts["reviewer"].prompt)
        assert "(owner)" in reviewer and "idle" in reviewer and "2 pending" in reviewer
        tester = str(prompts["tester"].prompt)
        assert "working" in tester and "▶ #4, #6" in tester and "1 pending" in tester
        assert "unknown" in str(prompts["writer"].prompt)


async def test_assign_enter_returns_the_highlighted_member_and_notify_default():
    app = assign_app(notify_default=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [("tester", True)]


async def test_assign_with_the_checkbox_toggled_skips_the_owner():
    app = assign_app(notify_default=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.click("#assign-notify")
        await pilot.pause()
        assert app.screen.query_one(Checkbox).value is False
        app.screen.query_one(OptionList).focus()
        await pilot.press("down", "enter")  # past the disabled owner, onto writer
        await pilot.pause()
        assert app.results == [("writer", False)]


async def test_assign_keyboard_toggle_and_assign_button():
    app = assign_app(notify_default=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("ctrl+n", "j", "j")
        await pilot.click("#assign-ok")
        await pilot.pause()
        assert app.results == [("planner", True)]


async def test_assign_without_members_offers_only_cancel():
    app = assign_app(agents=[a for a in team_agents() if a.kind != "member"])
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        assert not app.screen.query(OptionList)
        assert [b.id for b in app.screen.query(Button)] == ["assign-cancel"]
        assert "no members" in str(app.screen.query_one("#assign-empty", Static).content)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


# -- unblock -------------------------------------------------------------------------------

BLOCKERS = [("2", "● running", "Write the lexer"), ("3", "○ ready", "Grammar"),
            ("10", "◌ blocked", "Fixtures")]


def unblock_app() -> DialogHarness:
    return DialogHarness(lambda: UnblockScreen("4", BLOCKERS))


async def test_unblock_returns_every_blocker_by_default():
    app = unblock_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [["2", "3", "10"]]


async def test_unblock_returns_the_selected_ones():
    app = unblock_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("down", "space", "enter")
        await pilot.pause()
        assert app.results == [["2", "10"]]


async def test_unblock_refuses_an_empty_choice_and_cancels_on_escape():
    app = unblock_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        app.screen.query_one(BlockerList).deselect_all()
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []
        assert isinstance(app.screen, UnblockScreen)
        assert any("at least one" in n.message for n in app._notifications)
        await pilot.press("a")
        await pilot.click("#unblock-ok")
        await pilot.pause()
        assert app.results == [["2", "3", "10"]]


async def test_unblock_escape_cancels():
    app = unblock_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_lists_show_markup_from_files_literally():
    app = DialogHarness(lambda: UnblockScreen("4", [("2", "○ ready", "[b]bold[/b] \x1b[2Jx")]))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        prompt = str(app.screen.query_one(BlockerList).get_option_at_index(0).prompt)
        assert "[b]bold[/b] x" in prompt and "\x1b" not in prompt
    app = DialogHarness(lambda: AddBlockerScreen("4", [("2", "[red]odd[/red]")]))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        assert "[red]odd[/red]" in str(app.screen.query_one(OptionList)
                                       .get_option_at_index(0).prompt)


# -- add a blocker -------------------------------------------------------------------------

CANDIDATES = [("1", "Set up the repo"), ("2", "Write the lexer"), ("7", "Write the docs"),
              ("12", "Release notes")]


def add_blocker_app() -> DialogHarness:
    return DialogHarness(lambda: AddBlockerScreen("4", CANDIDATES))


def shown_ids(app: App) -> list[str | None]:
    options = app.screen.query_one(OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


async def test_add_blocker_typed_id_is_returned():
    app = add_blocker_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("#", "1")
        assert shown_ids(app) == ["1", "12"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == ["1"]


async def test_add_blocker_filters_by_words_and_returns_the_highlighted():
    app = add_blocker_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press(*"write")
        assert shown_ids(app) == ["2", "7"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.results == ["7"]


async def test_add_blocker_refuses_an_id_not_offered():
    app = add_blocker_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("9", "enter")
        await pilot.pause()
        assert app.results == []
        error = app.screen.query_one("#add-blocker-error", Label)
        assert error.has_class("-shown") and "#9" in str(error.content)
        await pilot.press("backspace")
        assert not error.has_class("-shown")
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_add_blocker_click_on_a_candidate():
    app = add_blocker_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press(*"release")
        await pilot.click("#add-blocker-list", offset=(4, 1))
        await pilot.pause()
        assert app.results == ["12"]


# -- task form -----------------------------------------------------------------------------

def test_parse_blockers():
    known = {"2", "5", "7"}
    assert parse_blockers("2, #5 7,2", known) == (["2", "5", "7"], "")
    assert parse_blockers("", known) == ([], "")
    assert parse_blockers("2, x", known)[1].startswith("'x' is not a task id")
    assert parse_blockers("2 99", known)[1] == "There is no task #99."


async def test_task_form_refuses_an_empty_subject_then_creates():
    app = DialogHarness(lambda: TaskFormScreen("New task", known_ids={"2", "5"}))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == []
        error = app.screen.query_one("#form-subject-error", Label)
        assert error.has_class("-shown") and "subject" in str(error.content)
        await pilot.press(*"Write tests", "enter")  # enter moves on to the description
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"Cover the lexer")
        app.screen.query_one("#form-blockers", Input).value = "5, #2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == [TaskForm("Write tests", "Cover the lexer", ["5", "2"])]


@pytest.mark.parametrize(("blockers", "message"), [("2, x", "'x' is not a task id"),
                                                    ("2, 99", "There is no task #99.")])
async def test_task_form_refuses_bad_blocker_ids(blockers, message):
    app = DialogHarness(lambda: TaskFormScreen("New task", subject="Docs",
                                               known_ids={"2", "5"}))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        app.screen.query_one("#form-blockers", Input).value = blockers
        await pilot.click("#form-save")
        await pilot.pause()
        assert app.results == []
        error = app.screen.query_one("#form-blockers-error", Label)
        assert error.has_class("-shown") and message in str(error.content)
        assert app.focused is app.screen.query_one("#form-blockers", Input)


async def test_task_form_edit_has_no_blockers_and_returns_the_changes():
    app = DialogHarness(lambda: TaskFormScreen("Edit #4", subject="Old", description="Keep",
                                               show_blockers=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        assert not app.screen.query("#form-blockers")
        assert app.screen.query_one(TextArea).text == "Keep"
        await pilot.press("end", *" subject")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == [TaskForm("Old subject", "Keep", [])]


async def test_task_form_escape_cancels_even_from_the_description():
    app = DialogHarness(lambda: TaskFormScreen("New task"))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        app.screen.query_one(TextArea).focus()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


# -- message -------------------------------------------------------------------------------

NUDGES = [("Task #4 is unblocked", "Task #4 is unblocked, please start it."),
          ("Ask for status on #4", "Are you still working on #4? Reply with status.")]


async def test_message_nudge_fills_the_text_and_sends():
    app = DialogHarness(lambda: MessageScreen("tester", NUDGES))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("down", "enter")
        editor = app.screen.query_one(TextArea)
        assert editor.text == NUDGES[1][1]
        assert app.focused is editor
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == [(NUDGES[1][1], NUDGES[1][1])]


async def test_message_free_text_refuses_empty_and_sends_a_summary():
    app = DialogHarness(lambda: MessageScreen("tester", []))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        assert not app.screen.query(OptionList)
        await pilot.click("#message-send")
        await pilot.pause()
        assert app.results == []
        assert app.screen.query_one("#message-error").has_class("-shown")
        app.screen.query_one(TextArea).text = "x" * 80 + "\nsecond line"
        await pilot.press("ctrl+s")
        await pilot.pause()
        text, summary = app.results[0]
        assert text == "x" * 80 + "\nsecond line"
        assert summary == "x" * 59 + "…"


async def test_message_escape_cancels():
    app = DialogHarness(lambda: MessageScreen("tester", NUDGES))
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


def test_summary_is_the_first_line():
    assert summary_of("\n  Hello there\nmore") == "Hello there"
    assert summary_of("   ") is None


# -- command log ---------------------------------------------------------------------------

class LogHarness(App[None]):
    """A command log alone on a screen."""

    CSS_PATH = str(CSS_PATH)

    def compose(self) -> ComposeResult:
        yield CommandLog(id="log-under-test")


async def test_command_log_placeholder_rows_and_undone():
    app = LogHarness()
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        log = app.query_one(CommandLog)
        assert PLACEHOLDER in log.render_line(2).text
        first = log.add(LogEntry(0.0, "complete", "#4", 0.012, True, "completed #4"))
        for second in range(1, 12):
            log.add(LogEntry(float(second), "send", "tester", 0.0, False, "no inbox"))
        await pilot.pause()
        assert log.row_count == 12
        assert log.cursor_row == 11
        assert log.scroll_y == log.max_scroll_y > 0
        assert PLACEHOLDER not in log.render_line(2).text
        row = [str(cell) for cell in log.get_row_at(0)]
        assert row[0] == "00:00:00" and row[3] == "12 ms" and row[4].startswith("ok")
        assert str(log.get_row_at(11)[4]) == "refused: no inbox"
        log.mark_undone(first)
        assert str(log.get_row_at(0)[4]) == "undone"
