"""Choose the team member a task goes to, and whether to wake them with a message.

Only members of the team are offered: an owner that is not on the team would never
see the task. The current owner is listed, marked and disabled.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Label, OptionList, Static
from textual.widgets.option_list import Option

from taskboard.board.agents import AgentSummary
from taskboard.render import agent_style
from taskboard.textsafe import one_line

NOTIFY_LABEL = "Send a task_assignment message (wakes the agent)"


def member_prompt(agent: AgentSummary, *, owner: bool) -> Text:
    """``● tester  working  ▶ #3, #5  2 pending  (owner)``."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if agent.active is True:
        text.append("● ", style="bold green")
        state, style = "working", "green"
    elif agent.active is False:
        text.append("○ ", style="dim")
        state, style = "idle", "yellow"
    else:
        text.append("◌ ", style="dim")
        state, style = "unknown", "dim"
    text.append(one_line(agent.name, 24).ljust(16), style=agent_style(agent.color))
    text.append(f"  {state:<8}", style=style)
    if agent.running:
        ids = ", ".join(f"#{one_line(t.id, 8)}" for t in agent.running[:4])
        more = f" +{len(agent.running) - 4}" if len(agent.running) > 4 else ""
        text.append(f"  ▶ {ids}{more}", style="yellow")
    if agent.pending:
        text.append(f"  {len(agent.pending)} pending", style="dim")
    if owner:
        text.append("  (owner)", style="bold")
    return text


class AssignScreen(ModalScreen[tuple[str, bool] | None]):
    """Pick a member for a task: returns ``(name, notify)``, or None when cancelled."""

    BINDINGS = [
        Binding("escape,q", "cancel", "Cancel", id="assign.cancel"),
        Binding("ctrl+n", "toggle_notify", "Notify on/off", id="assign.notify"),
        Binding("j", "cursor_down", "Down", show=False, id="assign.down"),
        Binding("k", "cursor_up", "Up", show=False, id="assign.up"),
    ]

    def __init__(self, task_id: str, subject: str, agents: list[AgentSummary],
                 current_owner: str | None, notify_default: bool) -> None:
        super().__init__()
        self.task_id = task_id
        self.subject = subject
        self.members = [a for a in agents if a.kind == "member"]
        self.current_owner = current_owner
        self.notify_default = notify_default

    def compose(self) -> ComposeResult:
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"Assign #{one_line(self.task_id, 12)}", style="bold")
        title.append(f"  {one_line(self.subject, 60)}")
        with Vertical(id="assign-dialog", classes="dialog"):
            yield Label(title, classes="dialog-title")
            if self.members:
                yield OptionList(*[
                    Option(member_prompt(a, owner=a.name == self.current_owner), id=a.name,
                           disabled=a.name == self.current_owner)
                    for a in self.members], id="assign-list")
                yield Checkbox(NOTIFY_LABEL, self.notify_default, id="assign-notify")
            else:
                yield Static(Text("This team has no members to assign the task to.",
                                  style="italic"), id="assign-empty", classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                hint = "enter: assign · ctrl+n: message · esc: cancel" if self.members \
                    else "esc: close"
                yield Label(Text(hint, style="dim"), classes="dialog-hint")
                if self.members:
                    yield Button("Assign", variant="primary", id="assign-ok")
                yield Button("Cancel", id="assign-cancel")

    def on_mount(self) -> None:
        if not self.members:
            self.query_one("#assign-cancel").focus()
            return
        options = self.query_one(OptionList)
        options.focus()
        options.highlighted = next(
            (i for i, a in enumerate(self.members) if a.name != self.current_owner), None)

    @property
    def wake(self) -> bool:
        """Whether the task_assignment message is to be sent."""
        return self.query_one(Checkbox).value if self.members else self.notify_default

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and not event.option.disabled:
            self.dismiss((event.option.id, self.wake))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id != "assign-ok":
            self.dismiss(None)
            return
        option = self.query_one(OptionList).highlighted_option
        if option is None or option.disabled or not option.id:
            self.app.notify("Choose a team member first.", severity="warning")
            return
        self.dismiss((option.id, self.wake))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_toggle_notify(self) -> None:
        if self.members:
            self.query_one(Checkbox).toggle()

    def action_cursor_down(self) -> None:
        if self.members:
            self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.members:
            self.query_one(OptionList).action_cursor_up()
