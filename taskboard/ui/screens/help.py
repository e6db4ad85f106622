"""The help screen: every key that works right now, read from the live bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

FILTER_HELP = ("Filter (/): words match subject, owner and activeForm; #12 is task 12; "
               "owner:NAME (owner:none for unowned) and state:ready|blocked|running|done "
               "narrow by field. Every term must match.")
SYMBOL_HELP = "✓ done   ● running   ○ ready   ◌ blocked   ⚠ problem"


def bindings_table(screen: Screen) -> Table:
    """The active bindings of a screen, one row per action with all its keys.

    taskboard's own bindings (those with an id) come first, then Textual's
    navigation keys; bindings without a description are left out.
    """
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    ours: dict[str, list[str]] = {}
    navigation: dict[str, list[str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system or not active.enabled:
            continue
        group = ours if binding.id else navigation
        display = screen.app.get_key_display(binding) or key
        keys = group.setdefault(binding.description, [])
        if display not in keys:
            keys.append(display)
    for title, group in (("taskboard", ours), ("moving around", navigation)):
        if not group:
            continue
        table.add_row(Text(title, style="bold underline"), Text(""))
        for description in sorted(group, key=str.lower):
            table.add_row(Text(", ".join(group[description])), Text(description))
    return table


class HelpScreen(ModalScreen[None]):
    """Keys for the screen underneath, and how to read the console."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Label(Text("taskboard: keys", style="bold"))
            yield Static(bindings_table(self.under))
            yield Static(Text("\n" + SYMBOL_HELP))
            yield Static(Text("\n" + FILTER_HELP, style="dim"))
            yield Static(Text("\nctrl+p opens the command palette. esc closes this.",
                              style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
