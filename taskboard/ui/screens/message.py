"""Write a message to an agent's inbox: pick a ready nudge or type free text.

The message lands in the agent's inbox the way a teammate's would; the summary
(its first line, cut short) is what the agent's teammates see in their lists.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from taskboard.textsafe import one_line

SUMMARY_WIDTH = 60


def summary_of(text: str, limit: int = SUMMARY_WIDTH) -> str | None:
    """The first non-blank line, cut to ``limit`` characters; None for blank text."""
    for line in text.splitlines():
        if line.strip():
            return one_line(line, limit)
    return None


class MessageScreen(ModalScreen[tuple[str, str | None] | None]):
    """A message to ``agent``: returns ``(text, summary)``, or None when cancelled.

    ``nudges`` are ``(label, text)`` ready messages; choosing one puts its text in
    the editor, to send as is or change first.
    """

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="message.send"),
        Binding("escape,q", "cancel", "Cancel", id="message.cancel"),
    ]

    def __init__(self, agent: str, nudges: list[tuple[str, str]]) -> None:
        super().__init__()
        self.agent = agent
        self.nudges = nudges

    def compose(self) -> ComposeResult:
        title = Text("Message to ", style="bold")
        title.append(one_line(self.agent, 40))
        with Vertical(id="message-dialog", classes="dialog"):
            yield Label(title, classes="dialog-title")
            if self.nudges:
                yield Label("Ready messages (enter: use one)", classes="field-label")
                yield OptionList(*[Option(Text(one_line(label, 70)), id=str(index))
                                   for index, (label, _) in enumerate(self.nudges)],
                                 id="message-nudges")
            yield Label("Message", classes="field-label")
            yield TextArea(id="message-text")
            yield Label("", id="message-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Label(Text("ctrl+s: send · esc: cancel", style="dim"),
                            classes="dialog-hint")
                yield Button("Send", variant="primary", id="message-send")
                yield Button("Cancel", id="message-cancel")

    def on_mount(self) -> None:
        target = "#message-nudges" if self.nudges else "#message-text"
        self.query_one(target).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        _, text = self.nudges[int(event.option.id or 0)]
        editor = self.query_one(TextArea)
        editor.load_text(text)
        editor.move_cursor(editor.document.end)
        editor.focus()
        self._error("")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.text.strip():
            self._error("")

    def _error(self, message: str) -> None:
        error = self.query_one("#message-error", Label)
        error.update(Text(message))
        error.set_class(bool(message), "-shown")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "message-send":
            self.action_send()
        else:
            self.dismiss(None)

    def action_send(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self._error("Write a message, or choose a ready one.")
            self.query_one(TextArea).focus()
            return
        self.dismiss((text, summary_of(text)))

    def action_cancel(self) -> None:
        self.dismiss(None)
