"""The command log: every write this console made or tried, newest at the bottom.

One row per operator action: when, which verb, on what, how long the locks took,
and whether it was written, refused (with why), or later undone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.text import Text
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from taskboard.textsafe import one_line

PLACEHOLDER = "No writes yet: every change this console makes is listed here."
COLUMNS = (("time", "time"), ("verb", "verb"), ("target", "task/agent"),
           ("wait", "lock wait"), ("result", "result"))


@dataclass
class LogEntry:
    """One operator action as the log shows it. ``waited`` is in seconds."""

    time: float
    verb: str
    target: str
    waited: float
    ok: bool
    detail: str
    undone: bool = False


def result_text(entry: LogEntry) -> Text:
    """``ok`` (green, with the summary dimmed), ``refused: why`` (red), or ``undone``."""
    if not entry.ok:
        return Text(f"refused: {one_line(entry.detail, 100)}", style="red")
    if entry.undone:
        return Text("undone", style="yellow")
    text = Text("ok", style="green")
    if entry.detail:
        text.append(f"  {one_line(entry.detail, 80)}", style="dim")
    return text


def wait_text(waited: float) -> str:
    """``12 ms``."""
    return f"{max(waited, 0.0) * 1000:.0f} ms"


class CommandLog(DataTable):
    """A table of :class:`LogEntry` rows; shows a placeholder line while empty."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self.entries: list[LogEntry] = []
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def add(self, entry: LogEntry) -> RowKey:
        """Append ``entry`` at the bottom and scroll to it; returns its row key."""
        self.entries.append(entry)
        key = self.add_row(
            Text(time.strftime("%H:%M:%S", time.localtime(entry.time))),
            Text(one_line(entry.verb, 12), style="bold"),
            Text(one_line(entry.target, 24)),
            Text(wait_text(entry.waited), justify="right"),
            result_text(entry),
            key=str(len(self.entries) - 1),
        )
        self.move_cursor(row=self.row_count - 1, animate=False, scroll=True)
        return key

    def mark_undone(self, key: RowKey | str) -> None:
        """Show an earlier write (by the key :meth:`add` returned) as undone."""
        index = int(str(key.value if isinstance(key, RowKey) else key))
        entry = self.entries[index]
        entry.undone = True
        self.update_cell(str(index), "result", result_text(entry), update_width=True)

    def render_line(self, y: int) -> Strip:
        header = self.header_height if self.show_header else 0
        if self.row_count or y != header + 1:
            return super().render_line(y)
        width = self.size.width
        text = Text(f" {PLACEHOLDER}", style="italic", no_wrap=True, overflow="ellipsis")
        segments = list(text.render(self.app.console, end=""))
        return Strip(segments).crop_extend(0, width, None).apply_style(self.rich_style)
