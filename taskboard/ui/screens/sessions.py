"""The session picker of review: every recorded session, newest first."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from taskboard.textsafe import one_line
from taskboard.timefmt import clock_time

from ..widgets.timeline import duration


class SessionPickerScreen(Screen[str]):
    """Choose a recorded session to review; dismisses with its id ('' to quit).

    ``sessions``: objects with ``id``, ``team``, ``started``, ``ended``, ``duration``,
    ``events``, ``tasks_created``, ``tasks_completed`` and ``agents`` (the journal's
    ``SessionInfo``), newest first."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="sessions.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sessions.up"),
    ]

    def __init__(self, sessions: list, where: str) -> None:
        super().__init__()
        self.sessions = sessions
        self.where = where

    def compose(self) -> ComposeResult:
        yield Label(Text.assemble((" taskboard ", "bold reverse"),
                                  "  choose a recorded session to review"),
                    id="sessions-title")
        yield DataTable(id="sessions-table", cursor_type="row", zebra_stripes=True)
        yield Label(id="sessions-empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("session", "team", "started", "duration", "events", "tasks",
                          "done", "agents")
        for info in self.sessions:
            day = _day(info.started)
            table.add_row(Text(str(info.id), style="bold"), Text(one_line(info.team, 40)),
                          f"{day} {clock_time(info.started)}", duration(info.duration),
                          f"{info.events:,}", str(info.tasks_created),
                          str(info.tasks_completed),
                          Text(one_line(", ".join(info.agents), 50)), key=str(info.id))
        if not self.sessions:
            self.query_one("#sessions-empty", Label).update(Text(
                f"No recorded sessions in {self.where}.\nThe console records every team it "
                "watches; 'taskboard record' records without a screen.", style="dim"))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.dismiss(str(event.row_key.value))

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()


def _day(stamp: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(stamp)) if stamp else "-"
