"""An agent's message history: what it received and sent, newest last, with full text.

Read from the transcripts (every delivered message is a line in its recipient's transcript)
and from the inbox messages the console saw before Claude Code deleted them.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from taskboard.claude.activity import TranscriptMessage
from taskboard.textsafe import clean, one_line
from taskboard.timefmt import clock_time


def render_message(message: TranscriptMessage, agent: str) -> Text:
    """One message: time, direction, kind and summary on a line, then the full text."""
    text = Text()
    text.append(clock_time(message.sent_at or message.time), style="dim")
    outgoing = message.sender == agent and message.recipient != agent
    text.append("  → " if outgoing else "  ← ", style="bold cyan" if outgoing else "bold green")
    other = message.recipient if outgoing else message.sender
    text.append(one_line(other, 30), style="bold")
    if message.kind != "message":
        text.append(f"  [{one_line(message.kind, 40)}]", style="magenta")
    if message.summary:
        text.append(f"  {one_line(message.summary, 80)}", style="italic")
    text.append("\n")
    text.append(clean(message.text))
    return text


class MessagesScreen(ModalScreen[None]):
    """The messages to and from one agent, newest last; escape closes."""

    BINDINGS = [
        Binding("escape,q,M", "close", "Close", id="messages.close"),
        Binding("j,down", "scroll_down", "Down", show=False, id="messages.down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="messages.up"),
    ]

    def __init__(self, agent: str, messages: list[TranscriptMessage], note: str | None = None
                 ) -> None:
        super().__init__()
        self.agent = agent
        self.messages = messages
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="messages-dialog"):
            yield Label(Text(f"Messages of {one_line(self.agent, 40)} "
                             f"({len(self.messages)})", style="bold"))
            with VerticalScroll(id="messages-list"):
                if not self.messages:
                    yield Static(Text("No messages seen yet.", style="dim"))
                for message in self.messages:
                    yield Static(render_message(message, self.agent), classes="messages-item")
            if self.note:
                yield Label(Text(self.note, style="dim"))
            yield Label(Text("newest last · j/k scroll · esc: close", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#messages-list", VerticalScroll).scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one("#messages-list", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#messages-list", VerticalScroll).scroll_up()
