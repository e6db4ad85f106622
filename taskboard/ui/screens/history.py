"""A recorded history in a dialog: an agent's (tasks done, time running, idle while holding,
messages) or a task's, one line per event, from the journal."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from taskboard.journal.agent_history import AgentHistory
from taskboard.journal.describe import actor, describe
from taskboard.journal.events import Event
from taskboard.textsafe import one_line
from taskboard.timefmt import clock_time


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds}s"


def event_lines(events: list[Event]) -> Text:
    """``10:41:09  alice  #3 status pending -> in_progress``, one per event."""
    text = Text()
    if not events:
        text.append("Nothing recorded yet.", style="italic dim")
    for index, event in enumerate(events):
        if index:
            text.append("\n")
        text.append(clock_time(event.time), style="dim")
        who = one_line(actor(event), 14)
        text.append(f"  {who:<14} " if who else "  " + " " * 15)
        text.append(describe(event))
    return text


def agent_summary(history: AgentHistory) -> Text:
    text = Text()
    done = ", ".join(f"#{t}" for t in history.done) or "none"
    text.append("tasks done  ", style="dim")
    text.append(f"{len(history.done)} ({done})\n")
    text.append("running     ", style="dim")
    text.append(duration(history.running) + "\n")
    text.append("idle while holding work  ", style="dim")
    text.append(duration(history.idle_holding),
                style="yellow" if history.idle_holding else "")
    text.append("\nmessages    ", style="dim")
    text.append(f"{history.sent} sent, {history.received} received")
    return text


class HistoryScreen(ModalScreen[None]):
    """The recorded events of one agent or task; escape closes."""

    BINDINGS = [Binding("escape,q,h", "close", "Close", id="history.close")]

    def __init__(self, title: str, events: list[Event], summary: Text | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.events = events
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(id="history-dialog"):
            yield Label(Text(self.title_text, style="bold"))
            if self.summary is not None:
                yield Static(self.summary, id="history-summary")
            with VerticalScroll(id="history-events"):
                yield Static(event_lines(self.events))
            yield Label(Text("from the journal · esc: close", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#history-events").scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
