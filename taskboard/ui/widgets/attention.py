"""The attention pane, "needs you": every flag, most severe and oldest first.

Each row names the task, the agent, how long, and the whole reason (rows wrap: an
alert is never cut). Enter posts :class:`AttentionList.Jump` with the flag's task.
The pane hides itself when nothing needs the operator.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from taskboard.board.rules import Flag, duration
from taskboard.render import SEVERITY_STYLES, SEVERITY_SYMBOLS
from taskboard.textsafe import one_line


def flag_row(flag: Flag, now: float) -> Text:
    """``‼ #9 @reviewer · 46 min · stalled: reason``, wrapping rather than cut."""
    row = Text()
    row.append(f"{SEVERITY_SYMBOLS.get(flag.severity, '?')} ",
               style=SEVERITY_STYLES.get(flag.severity, ""))
    if flag.task is not None:
        row.append(f"#{one_line(flag.task, 12)} ", style="bold")
    if flag.agent is not None:
        row.append(f"@{one_line(flag.agent, 24)} ", style="bold")
    if flag.since is not None:
        row.append(f"· {duration(now - flag.since)} ", style="dim")
    row.append(f"· {flag.kind.replace('_', ' ')}: ", style="italic")
    row.append(one_line(flag.reason))
    return row


class AttentionList(OptionList):
    """What needs the operator, now."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="attention.down"),
        Binding("k", "cursor_up", "Up", show=False, id="attention.up"),
    ]

    @dataclass
    class Jump(Message):
        """Go to this task (enter on a flag)."""

        task: str | None
        agent: str | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.flags: list[Flag] = []
        self._shown: tuple[tuple[str, str | None, str | None, str], ...] | None = None

    def show_flags(self, flags: list[Flag], now: float) -> None:
        """Replace the rows, keeping the highlight on the same flag when it is still there."""
        rows = tuple((f.kind, f.task, f.agent, flag_row(f, now).plain) for f in flags)
        self.display = bool(flags)
        if rows == self._shown:
            return
        highlighted = self.highlighted
        keep = self._shown[highlighted][:3] if (
            self._shown and highlighted is not None and highlighted < len(self._shown)) else None
        self.flags = list(flags)
        self._shown = rows
        self.clear_options()
        self.add_options([Option(flag_row(f, now)) for f in flags])
        keys = [row[:3] for row in rows]
        if keep in keys:
            self.highlighted = keys.index(keep)
        critical = sum(1 for f in flags if f.severity == "critical")
        self.border_title = f"Needs you · {len(flags)}" + (
            f" · {critical} critical" if critical else "")
        self.set_class(critical > 0, "-critical")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        flag = self.flags[event.option_index]
        self.post_message(self.Jump(flag.task, flag.agent))
