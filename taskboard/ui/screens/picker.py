"""The team picker: every task list and team found, most recently active first."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from taskboard.claude.lists import ListSummary, summarize_lists
from taskboard.textsafe import one_line, safe_text
from taskboard.timefmt import ago, day_time


class PickerScreen(Screen[str]):
    """Choose the team to watch; dismisses with its name."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="picker.down"),
        Binding("k", "cursor_up", "Up", show=False, id="picker.up"),
        Binding("r", "reload", "Reload", id="picker.reload"),
    ]

    def __init__(self, home: Path, entries: list[ListSummary], now: float,
                 preselect: str | None = None) -> None:
        super().__init__()
        self.home = home
        self.entries = entries
        self.now = now
        self.preselect = preselect

    def compose(self) -> ComposeResult:
        yield Label(Text.assemble((" taskboard ", "bold reverse"), "  choose a team to watch"),
                    id="picker-title")
        yield DataTable(id="picker-table", cursor_type="row", zebra_stripes=True)
        yield Label(id="picker-empty")
        yield Footer()

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("team / list", "tasks", "open", "running", "members", "last change",
                          "lead's folder", "started")
        for entry in self.entries:
            table.add_row(safe_text(entry.name, "bold"), str(entry.tasks), str(entry.open),
                          str(entry.counts["in_progress"]), str(entry.members),
                          ago(entry.last_change, self.now),
                          Text(one_line(entry.lead_cwd or "-", 40)), day_time(entry.started),
                          key=entry.name)
        empty = self.query_one("#picker-empty", Label)
        if not self.entries:
            empty.update(Text(f"No task lists or teams in {one_line(self.home)}.\n"
                              "Start an agent team in Claude Code, or try 'taskboard demo'.",
                              style="dim"))
        else:
            empty.update("")
        names = [e.name for e in self.entries]
        if self.preselect in names:
            table.move_cursor(row=names.index(self.preselect))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.dismiss(str(event.row_key.value))

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    def action_reload(self) -> None:
        self.entries = summarize_lists(self.home)
        self._fill()
