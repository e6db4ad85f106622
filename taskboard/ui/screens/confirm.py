"""Confirm a write: what the operation would change, field by field, before anything is written.

The console runs the operation as a dry run first and passes the results here, so the
operator reads exactly what would land on disk (``#4  status  in_progress → completed``)
and the messages that would be sent, then writes or cancels.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from taskboard.board.model import decode_protocol
from taskboard.claude.tasks import TaskChange
from taskboard.ops import OpResult
from taskboard.textsafe import one_line

ID_LISTS = ("blocks", "blockedBy")
FREE_TEXT = ("subject", "description", "activeForm")
VALUE_WIDTH = 30


def show_value(key: str, value: Any, *, limit: int = VALUE_WIDTH, bare: bool = False) -> str:
    """A task field's value on one line: ``(nobody)``, ``#2, #3``, ``“Write the parser”``.

    ``bare`` drops the parentheses around ``nobody`` / ``absent`` / ``none`` for use
    inside a sentence.
    """
    def word(text: str) -> str:
        return text if bare else f"({text})"

    if value is None:
        return word("nobody" if key == "owner" else "absent")
    if isinstance(value, list | tuple):
        if not value:
            return word("none")
        if key in ID_LISTS:
            return one_line(", ".join(f"#{v}" for v in value), limit)
        return one_line(json.dumps(list(value), ensure_ascii=False), limit)
    if isinstance(value, str):
        if key in FREE_TEXT:
            return f"“{one_line(value, limit)}”" if value.strip() else word("empty")
        return one_line(value, limit) if value else word("empty")
    return one_line(json.dumps(value, ensure_ascii=False), limit)


def message_headline(message: dict[str, Any], *, limit: int = 60) -> str:
    """One line for an inbox message: ``task_assignment for #4``, else its first line."""
    text = message.get("text")
    text = text if isinstance(text, str) else ""
    protocol = decode_protocol(text)
    if protocol is not None:
        kind = one_line(str(protocol.get("type")), 30)
        task_id = protocol.get("taskId")
        return f"{kind} for #{one_line(str(task_id), 12)}" if task_id else kind
    lines = [line for line in text.splitlines() if line.strip()]
    return f"“{one_line(lines[0], limit)}”" if lines else "(empty)"


def confirm_title(action: str, targets: Sequence[str]) -> str:
    """``Complete #4?`` for one task, ``Complete 3 tasks?`` for several (marked) tasks;
    ``{}`` in ``action`` says where the targets go: ``Assign #4 to bob?``."""
    what = targets[0] if len(targets) == 1 else f"{len(targets)} tasks"
    if "{}" in action:
        return action.replace("{}", what, 1) + "?"
    return f"{action} {what}?"


def _change_rows(table: Table, change: TaskChange) -> None:
    task = Text(f"#{one_line(change.task_id, 12)}", style="bold")
    if change.after is None:
        subject = (change.before or {}).get("subject", "")
        table.add_row(task, Text("delete", style="bold red"),
                      Text(show_value("subject", subject, limit=50), style="red"))
        return
    if change.before is None:
        table.add_row(task, Text("new task", style="bold green"), Text(""))
        for key, value in change.after.items():
            if key == "id" or value in ("", [], {}, None):
                continue
            table.add_row(Text(""), Text(one_line(key, 16), style="cyan"),
                          Text(show_value(key, value, limit=50)))
        return
    for index, (key, (before, after)) in enumerate(change.fields().items()):
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(show_value(key, before), style="dim")
        line.append(" → ", style="dim")
        line.append(show_value(key, after), style="bold")
        table.add_row(task if index == 0 else Text(""),
                      Text(one_line(key, 16), style="cyan"), line)


def render_results(results: Sequence[OpResult]) -> RenderableType:
    """Every task change and message of the dry-run results, in order."""
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, overflow="ellipsis")
    messages: list[Text] = []
    for result in results:
        for change in result.changes:
            if change.changed:
                _change_rows(table, change)
        for inbox in result.messages:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append("✉ ", style="bold")
            line.append("message to ")
            line.append(one_line(inbox.agent, 24), style="bold")
            line.append(": " + message_headline(inbox.message))
            messages.append(line)
    parts: list[RenderableType] = []
    if table.row_count:
        parts.append(table)
    if messages:
        if parts:
            parts.append(Text(""))
        parts.extend(messages)
    if not parts:
        parts.append(Text("Nothing would change.", style="italic"))
    return Group(*parts)


class ConfirmScreen(ModalScreen[bool]):
    """Show what a write would do; True writes it, False (or escape) writes nothing.

    ``results`` are dry-run results: every changed field of every task file, and every
    message that would be sent. ``destructive`` styles the write button as a warning and
    makes Cancel the default (enter cancels; ``y`` still writes); so does ``warned`` (the
    note says the write is surely wrong).
    """

    AUTO_FOCUS = "#confirm-write"
    """Enter presses the focused button: Write, or Cancel when that is the default."""
    BINDINGS = [
        Binding("y,enter", "write", "Write", id="confirm.yes"),
        Binding("n,escape,q", "cancel", "Cancel", id="confirm.no"),
    ]

    def __init__(self, title: str, results: list[OpResult], *, note: str | None = None,
                 destructive: bool = False, warned: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.warned = warned
        if destructive or warned:
            self.AUTO_FOCUS = "#confirm-cancel"
        self.results = results
        self.note = note
        self.destructive = destructive

    def compose(self) -> ComposeResult:
        classes = "dialog -destructive" if self.destructive else "dialog"
        with Vertical(id="confirm-dialog", classes=classes):
            yield Label(Text(one_line(self.title_text), style="bold"), classes="dialog-title")
            with VerticalScroll(id="confirm-body", classes="dialog-body"):
                yield Static(render_results(self.results), id="confirm-changes")
            if self.note:
                for line in self.note.splitlines():
                    style = "bold yellow" if line.startswith("⚠") else "italic"
                    yield Static(Text(one_line(line), style=style), classes="dialog-note")
            with Horizontal(classes="dialog-buttons"):
                hint = ("y: write · enter, n, esc: cancel" if self.AUTO_FOCUS == "#confirm-cancel"
                        else "y, enter: write · n, esc: cancel")
                yield Label(Text(hint, style="dim"), classes="dialog-hint")
                yield Button("Write", variant="error" if self.destructive else "primary",
                             id="confirm-write")
                yield Button("Cancel", id="confirm-cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-write")

    def action_write(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
