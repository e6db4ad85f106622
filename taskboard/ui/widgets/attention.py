"""The attention pane, "needs you": every flag, most severe and oldest first.

Each row names the task, the agent, how long, and the whole reason (rows wrap: an
alert is never cut). Enter posts :class:`AttentionList.Jump` with the flag's task.
The pane hides itself when nothing needs the operator. It lists the most urgent
:data:`MAX_ROWS` flags and says how many more there are (the problems screen, ``!``,
has them all): a list with thousands of flags costs no more per change than one with
fifty, and nobody reads the thousandth in a nine-line pane.
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

MAX_ROWS = 50
"""Flags listed in the pane; the rest are counted in a last row."""


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
        """Go to this task or agent (enter on a flag), or to every flag (``more``: enter on
        the "… and N more" row)."""

        task: str | None
        agent: str | None
        more: bool = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.flags: list[Flag] = []
        self.more_hint = "! lists them all"
        """The last row's hint when flags are left out (the console names its key)."""
        self._shown: tuple[tuple[str, str | None, str | None, str], ...] | None = None
        self._made: dict[tuple[Flag, str], Text] = {}

    def show_flags(self, flags: list[Flag], now: float) -> None:
        """Show these flags, keeping the highlight on the same flag when it is still there.

        When the same flags are shown in the same order and only their texts moved (an age,
        "for 10 min", moves with the clock), the changed rows are replaced in place and
        repainted only if they are on screen; otherwise the list is rebuilt."""
        total = len(flags)
        critical = sum(1 for f in flags if f.severity == "critical")
        title = f"Needs you · {total:,}" + (f" · {critical} critical" if critical else "")
        if self.border_title != title:
            self.border_title = title
            self.set_class(critical > 0, "-critical")
        if self.display != bool(flags):
            self.display = bool(flags)
        flags = flags[:MAX_ROWS]
        # A row's text is built again only when its flag or its age moved.
        made, self._made = self._made, {}
        texts = []
        for flag in flags:
            key = (flag, duration(now - flag.since) if flag.since is not None else "")
            text = self._made[key] = made.get(key) or flag_row(flag, now)
            texts.append(text)
        if total > len(flags):
            texts.append(Text(f"… and {total - len(flags):,} more: {self.more_hint}",
                              style="dim italic"))
        rows = tuple((f.kind, f.task, f.agent, text.plain)
                     for f, text in zip(flags, texts[:len(flags)], strict=True))
        rows += tuple(("more", None, None, text.plain) for text in texts[len(flags):])
        if rows == self._shown:
            return
        shown, self._shown = self._shown, rows
        self.flags = list(flags)
        if shown is not None and len(shown) == len(rows) \
                and all(old[:3] == new[:3] for old, new in zip(shown, rows, strict=True)) \
                and self._replace_in_place([i for i, (old, new) in
                                            enumerate(zip(shown, rows, strict=True))
                                            if old != new], texts):
            return
        highlighted = self.highlighted
        keep = shown[highlighted][:3] if (
            shown and highlighted is not None and highlighted < len(shown)) else None
        self.clear_options()
        self.add_options([Option(text) for text in texts])
        keys = [row[:3] for row in rows]
        if keep in keys:
            self.highlighted = keys.index(keep)

    def _replace_in_place(self, changed: list[int], texts: list[Text]) -> bool:
        """Swap in the new rows at ``changed`` and repaint those on screen; False (nothing
        done) when a row would take a different number of lines: then the list is rebuilt.

        Uses OptionList's option index (``_options``, ``_option_to_index``): a new Option
        object misses the render cache, and the line map stays valid as the heights do."""
        if not self.scrollable_content_region:
            return False
        padding = self.get_component_styles("option-list--option").padding
        width = self.scrollable_content_region.width - self._get_left_gutter_width() \
            - padding.width
        heights = self._heights
        new = {index: Option(texts[index]) for index in changed}
        for index, option in new.items():
            if self._get_visual(option).get_height(self.styles, width) + \
                    self._options[index]._divider != heights.get(index):
                return False
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        for index, option in new.items():
            old = self._options[index]
            self._options[index] = option
            self._option_to_index.pop(old, None)
            self._option_to_index[option] = index
            line = self._index_to_line[index]
            if line + heights[index] > top and line < top + height:
                self.refresh_lines(line, heights[index])
        return True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index >= len(self.flags):
            self.post_message(self.Jump(None, None, more=True))
            return
        flag = self.flags[event.option_index]
        self.post_message(self.Jump(flag.task, flag.agent))
