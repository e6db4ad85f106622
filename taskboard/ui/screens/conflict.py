"""A conditional write was refused: the task changed on disk since the operator saw it.

Nothing was written. The dialog says what is different now, so the operator can look
again (True) and decide afresh, or close (False).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from taskboard.textsafe import one_line

from .confirm import show_value


def conflict_text(task_id: str, message: str,
                  differences: dict[str, tuple[object, object]]) -> Text:
    """``Task #4 changed since you looked: status is now completed (you saw in_progress).
    Nothing was written.`` Without differences, the refusal's own message is shown."""
    text = Text()
    if not differences:
        text.append(one_line(message) or f"Task #{one_line(task_id, 12)} changed on disk.")
        if "nothing was written" not in message.lower():
            text.append("\n\nNothing was written.", style="bold")
        return text
    text.append(f"Task #{one_line(task_id, 12)} changed since you looked: ")
    for index, (key, (seen, now)) in enumerate(differences.items()):
        if index:
            text.append("; ")
        text.append(one_line(key, 16), style="cyan")
        text.append(" is now ")
        text.append(show_value(key, now, bare=True), style="bold")
        text.append(f" (you saw {show_value(key, seen, bare=True)})", style="dim")
    text.append(".\n\n")
    text.append("Nothing was written.", style="bold")
    return text


class ConflictScreen(ModalScreen[bool]):
    """The task is not what the operator saw: True to look again, False to close.

    ``differences`` is :attr:`PreconditionFailed.differences`: each field that differs,
    as ``(what the operator saw, what is on disk now)``.
    """

    AUTO_FOCUS = "#conflict-look"
    BINDINGS = [
        Binding("enter", "look", "Look again", id="conflict.look"),
        Binding("escape,q", "close", "Close", id="conflict.close"),
    ]

    def __init__(self, task_id: str, message: str,
                 differences: dict[str, tuple[object, object]]) -> None:
        super().__init__()
        self.task_id = task_id
        self.message = message
        self.differences = differences

    def compose(self) -> ComposeResult:
        with Vertical(id="conflict-dialog", classes="dialog -warning"):
            yield Label(Text("Changed on disk", style="bold"), classes="dialog-title")
            yield Static(conflict_text(self.task_id, self.message, self.differences),
                         id="conflict-text", classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Label(Text("enter: look again · esc: close", style="dim"),
                            classes="dialog-hint")
                yield Button("Look again", variant="primary", id="conflict-look")
                yield Button("Close", id="conflict-close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "conflict-look")

    def action_look(self) -> None:
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)
