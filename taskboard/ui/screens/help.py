"""The help screen: every key that works right now, read from the live bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

FILTER_HELP = ("Filter (/): words match subject, owner and activeForm; #12 is task 12; "
               "owner:NAME (owner:none for unowned) and state:ready|blocked|running|done "
               "narrow by field. Every term must match.")
SYMBOL_HELP = "✓ done   ● running   ○ ready   ◌ blocked   ⚠ problem"


GROUPS = ("moving", "viewing", "acting", "the app")
"""Help's sections, by purpose, in this order."""

MOVING_SUFFIXES = (".down", ".up", ".top", ".bottom", ".collapse", ".expand", ".next",
                   ".previous", ".back", ".tmux")
APP_IDS = ("app.quit", "app.help")
APP_ACTIONS = ("quit", "command_palette", "copy_text", "screenshot", "help_quit")
NOT_ACTING = ("operator.log", "operator.tmux")


def purpose(binding: Binding) -> str:
    """Which section of help a binding belongs to. Textual's own navigation keys (no id)
    are moving; the operator's writes (and marking for them) are acting."""
    ident = binding.id or ""
    if ident in APP_IDS or binding.action.rpartition(".")[2] in APP_ACTIONS:
        return "the app"
    if not ident or ident.endswith(MOVING_SUFFIXES):
        return "moving"
    if (ident.startswith("operator.") and ident not in NOT_ACTING) or ident.endswith(".mark"):
        return "acting"
    return "viewing"


def bindings_table(screen: Screen, sections: tuple[str, ...] = GROUPS) -> Table:
    """The active bindings of a screen, grouped by purpose (moving, viewing, acting, the app),
    one row per action with every key it has now (a remapped key shows as remapped).

    Bindings without a description, system bindings and disabled ones are left out.
    """
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    groups: dict[str, dict[str, list[str]]] = {name: {} for name in GROUPS}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system or not active.enabled:
            continue
        display = screen.app.get_key_display(binding) or key
        keys = groups[purpose(binding)].setdefault(binding.description, [])
        if display not in keys:
            keys.append(display)
    for title in sections:
        group = groups[title]
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
            with Horizontal(id="help-columns"):
                yield Static(bindings_table(self.under, ("viewing", "acting", "the app")))
                yield Static(bindings_table(self.under, ("moving",)))
            yield Static(Text("\n" + SYMBOL_HELP))
            yield Static(Text("\n" + FILTER_HELP, style="dim"))
            yield Static(Text("\nctrl+p opens the command palette. esc closes this.",
                              style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
