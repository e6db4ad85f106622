"""Review's timeline: where the cursor is in the session, over a bar of activity.

Four lines: a marker over the cursor's moment, a sparkline of events over time (what is
before the cursor bright, what is after dim), the start, cursor and end times, and the
event the cursor is on. A click on the bar moves the cursor there.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from taskboard.journal.narrate import describe
from taskboard.journal.timetravel import Replay
from taskboard.textsafe import one_line
from taskboard.timefmt import clock_time

BARS = " ▁▂▃▄▅▆▇█"


def duration(seconds: float) -> str:
    """``1h 02m``, ``4m 05s``, ``12s``."""
    seconds = int(max(seconds, 0))
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds}s"


def sparkline(counts: list[int]) -> str:
    """One character per count, scaled to the largest (an empty slice is a space)."""
    top = max(counts, default=0)
    if not top:
        return " " * len(counts)
    return "".join(BARS[0] if not n else BARS[max(1, round(n / top * (len(BARS) - 1)))]
                   for n in counts)


def render_timeline(replay: Replay, width: int) -> Text:
    """The timeline's four lines for a cursor in a session, ``width`` columns wide."""
    width = max(width, 20)
    out = Text(no_wrap=True, overflow="ellipsis")
    cursor, total = replay.cursor, len(replay)
    if not total:
        out.append("No events recorded in this session.", style="italic")
        return out
    bars = sparkline(replay.activity(width))
    at = column_of(replay, width)
    out.append(" " * at + "▼", style="bold yellow")
    out.append("\n")
    out.append(bars[:at], style="bold cyan")
    out.append(bars[at] if bars[at] != " " else "┃", style="bold yellow")
    out.append(bars[at + 1:], style="dim cyan")
    out.append("\n")
    now = replay.time_at()
    left = f"{clock_time(replay.start)}"
    middle = (f"{clock_time(now)}  +{duration(now - replay.start)}  "
              f"event {cursor:,}/{total:,}")
    right = f"{clock_time(replay.end)}  ({duration(replay.end - replay.start)})"
    gap = max(width - len(left) - len(middle) - len(right), 2)
    out.append(left, style="dim")
    out.append(" " * (gap // 2))
    out.append(middle, style="bold")
    out.append(" " * (gap - gap // 2))
    out.append(right, style="dim")
    out.append("\n")
    if cursor == 0:
        out.append("start of the session: before the first event", style="italic dim")
    else:
        event = replay.events[cursor - 1]
        out.append(f"{event.kind} ", style="bold magenta")
        out.append(one_line(describe(event), width))
        if event.source != "disk":
            out.append(f"  [{event.source}]", style="cyan")
    return out


def column_of(replay: Replay, width: int) -> int:
    """The column of the cursor's moment on a bar ``width`` columns wide."""
    span = replay.end - replay.start
    if span <= 0:
        return 0 if replay.cursor == 0 else width - 1
    fraction = (replay.time_at() - replay.start) / span
    return min(int(fraction * width), width - 1)


class Timeline(Static):
    """The timeline of a session under review."""

    DEFAULT_CSS = "Timeline { height: 6; }"

    class Seek(Message):
        """The user clicked on the timeline: go to this fraction of the session's time."""

        def __init__(self, fraction: float) -> None:
            super().__init__()
            self.fraction = fraction

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.replay: Replay | None = None
        self.text = Text()

    def show(self, replay: Replay) -> None:
        self.replay = replay
        self.text = render_timeline(replay, self.content_size.width or 80)
        self.update(self.text)

    def on_resize(self) -> None:
        if self.replay is not None:
            self.show(self.replay)

    def on_click(self, event: events.Click) -> None:
        """A click on the marker or the bar: go to that moment."""
        offset = event.get_content_offset(self)
        width = self.content_size.width
        if offset is not None and width and offset.y in (0, 1) and self.replay is not None:
            self.post_message(self.Seek(min(max(offset.x / width, 0.0), 1.0)))
