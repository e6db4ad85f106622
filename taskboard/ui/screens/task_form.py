"""Create a task, or edit one's subject and description.

The form checks what it can before anything is written: a subject is required and
every blocker must be a task that exists. Errors show under the field, inline.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, TextArea

from taskboard.textsafe import one_line


@dataclass
class TaskForm:
    """What the operator filled in."""

    subject: str
    description: str
    blocked_by: list[str] = field(default_factory=list)


def parse_blockers(text: str, known_ids: Collection[str]) -> tuple[list[str], str]:
    """``"2, 5 #7"`` -> ``(["2", "5", "7"], "")``; an unknown or malformed id -> an error."""
    ids: list[str] = []
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        task_id = item.removeprefix("#")
        if not task_id.isdigit():
            return [], f"'{one_line(item, 20)}' is not a task id: use numbers, as in 2, 5, 7."
        if task_id not in known_ids:
            return [], f"There is no task #{task_id}."
        if task_id not in ids:
            ids.append(task_id)
    return ids, ""


class TaskFormScreen(ModalScreen[TaskForm | None]):
    """Subject, description and (for a new task) blockers; ctrl+s saves, escape cancels."""

    AUTO_FOCUS = "#form-subject"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="task_form.save"),
        Binding("escape,q", "cancel", "Cancel", id="task_form.cancel"),
    ]

    def __init__(self, title: str, *, subject: str = "", description: str = "",
                 blocked_by: list[str] | None = None, show_blockers: bool = True,
                 known_ids: Collection[str] = frozenset(),
                 offer_blocker: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.subject = subject
        self.description = description
        self.blocked_by = list(blocked_by or [])
        self.show_blockers = show_blockers
        self.known_ids = known_ids
        self.offer_blocker = offer_blocker if show_blockers else None
        """The selected task, offered as a blocker with a box left unticked."""

    def compose(self) -> ComposeResult:
        with Vertical(id="task-form-dialog", classes="dialog"):
            yield Label(Text(one_line(self.title_text), style="bold"), classes="dialog-title")
            yield Label("Subject", classes="field-label")
            yield Input(self.subject, placeholder="what is to be done", id="form-subject")
            yield Label("", id="form-subject-error", classes="field-error")
            yield Label("Description", classes="field-label")
            yield TextArea(self.description, id="form-description")
            if self.show_blockers:
                yield Label("Waits on (task ids)", classes="field-label")
                typed = [b for b in self.blocked_by if b != self.offer_blocker]
                yield Input(", ".join(typed), placeholder="e.g. 2, 5, 7",
                            id="form-blockers")
                yield Label("", id="form-blockers-error", classes="field-error")
                if self.offer_blocker is not None:
                    yield Checkbox(f"Wait on #{self.offer_blocker} (the selected task)",
                                   self.offer_blocker in self.blocked_by, id="form-after")
            with Horizontal(classes="dialog-buttons"):
                yield Label(Text("ctrl+s: save · tab: next · esc: cancel", style="dim"),
                            classes="dialog-hint")
                yield Button("Save", variant="primary", id="form-save")
                yield Button("Cancel", id="form-cancel")

    def _error(self, name: str, message: str) -> None:
        error = self.query_one(f"#form-{name}-error", Label)
        error.update(Text(message))
        error.set_class(bool(message), "-shown")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "form-subject":
            self._error("subject", "")
        elif event.input.id == "form-blockers":
            self._error("blockers", "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the subject moves on to the description; in the blockers, saves."""
        event.stop()
        if event.input.id == "form-subject":
            self.query_one(TextArea).focus()
        else:
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_save(self) -> None:
        subject_input = self.query_one("#form-subject", Input)
        subject = subject_input.value.strip()
        blockers: list[str] = []
        problem: Input | None = None
        if not subject:
            self._error("subject", "A task needs a subject.")
            problem = subject_input
        if self.show_blockers:
            blockers_input = self.query_one("#form-blockers", Input)
            blockers, message = parse_blockers(blockers_input.value, self.known_ids)
            self._error("blockers", message)
            if message and problem is None:
                problem = blockers_input
        if problem is not None:
            problem.focus()
            return
        if self.offer_blocker is not None:
            ticked = self.query_one("#form-after", Checkbox).value
            if ticked and self.offer_blocker not in blockers:
                blockers.append(self.offer_blocker)
        self.dismiss(TaskForm(subject, self.query_one(TextArea).text, blockers))

    def action_cancel(self) -> None:
        self.dismiss(None)
