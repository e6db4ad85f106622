"""SVG snapshots of the operator's dialogs and the command log: fixed data, fixed size, UTC."""

from __future__ import annotations

import os
import time

from textual.app import App, ComposeResult

from taskboard.ops import OpResult
from taskboard.ui.screens.assign import AssignScreen
from taskboard.ui.screens.confirm import ConfirmScreen
from taskboard.ui.widgets.command_log import CommandLog, LogEntry

from .test_dialogs import (
    CSS_PATH,
    DialogHarness,
    change,
    opened,
    task_obj,
    team_agents,
    text_message,
)

os.environ["TZ"] = "UTC"
time.tzset()

NOON = 1_795_176_000.0
"""2026-11-20 12:00:00 UTC."""


def cut_and_nudge() -> list[OpResult]:
    """Cutting #2 from #4 touches both tasks; then a message tells tester."""
    unblock = OpResult("unblock", "demo", "#4", "cut #2 from #4", [
        change("4", task_obj("4", subject="Write the parser", status="in_progress",
                             owner="tester", blockedBy=["2", "3"]),
               task_obj("4", subject="Write the parser", status="in_progress",
                        owner="tester", blockedBy=["3"])),
        change("2", task_obj("2", subject="Write the lexer", blocks=["4", "5"]),
               task_obj("2", subject="Write the lexer", blocks=["5"])),
    ])
    send = OpResult("send", "demo", "tester", "sent a message to tester", [],
                    [text_message("tester", "Task #4 is unblocked, please start it.")])
    return [unblock, send]


def test_confirm_dialog(snap_compare):
    app = DialogHarness(lambda: ConfirmScreen("Cut #2 from #4?", cut_and_nudge(),
                                              note="tester is told by message."))
    assert snap_compare(app, terminal_size=(100, 30), run_before=opened)


def test_assign_dialog(snap_compare):
    app = DialogHarness(lambda: AssignScreen("5", "Write the docs", team_agents(),
                                             "reviewer", True))
    assert snap_compare(app, terminal_size=(100, 30), run_before=opened)


class LogHarness(App[None]):
    """The command log with three writes: one ok, one refused, one undone."""

    CSS_PATH = str(CSS_PATH)

    def compose(self) -> ComposeResult:
        yield CommandLog(id="log-under-test")

    def on_mount(self) -> None:
        log = self.query_one(CommandLog)
        first = log.add(LogEntry(NOON, "assign", "#4", 0.012, True,
                                 "assigned #4 to tester (notified)"))
        log.add(LogEntry(NOON + 9, "complete", "#7", 0.003, False,
                         "task #7 changed: status is \"completed\" (expected \"in_progress\")"))
        log.add(LogEntry(NOON + 65, "send", "reviewer", 0.001, True,
                         "sent a message to reviewer"))
        log.mark_undone(first)


def test_command_log(snap_compare):
    assert snap_compare(LogHarness(), terminal_size=(100, 30), run_before=opened)
