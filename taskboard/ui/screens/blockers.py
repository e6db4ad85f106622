"""Edit a task's dependencies: cut unmet blockers, or add one that makes no cycle.

The console computes what is offered (the unmet blockers; the tasks that could be
waited on without closing a cycle); these dialogs only let the operator choose.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from taskboard.textsafe import one_line


class BlockerList(SelectionList[str]):
    """A SelectionList where space toggles and enter submits the dialog."""

    BINDINGS = [
        Binding("enter", "screen.submit", "Cut the selected", show=False,
                id="unblock.submit"),
    ]


class UnblockScreen(ModalScreen[list[str] | None]):
    """Choose which unmet blockers to cut (all selected to start); returns their ids.

    ``blockers`` are ``(id, state symbol and label, subject)``, e.g.
    ``("2", "● running", "Write the lexer")``.
    """

    AUTO_FOCUS = "#unblock-list"
    BINDINGS = [
        Binding("escape,q", "cancel", "Cancel", id="unblock.cancel"),
        Binding("a", "select_all", "All", id="unblock.all"),
    ]

    def __init__(self, task_id: str, blockers: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.task_id = task_id
        self.blockers = blockers

    def compose(self) -> ComposeResult:
        selections = []
        id_width = max((len(one_line(b[0], 12)) for b in self.blockers), default=0) + 1
        state_width = max((len(one_line(b[1], 16)) for b in self.blockers), default=0)
        for blocker_id, state, subject in self.blockers:
            prompt = Text(no_wrap=True, overflow="ellipsis")
            prompt.append(f"#{one_line(blocker_id, 12)}".ljust(id_width), style="bold")
            prompt.append(f"  {one_line(state, 16).ljust(state_width)}  ")
            prompt.append(one_line(subject, 60))
            selections.append(Selection(prompt, blocker_id, True))
        with Vertical(id="unblock-dialog", classes="dialog"):
            yield Label(Text(f"Cut blockers of #{one_line(self.task_id, 12)}", style="bold"),
                        classes="dialog-title")
            yield Static(Text("The task stops waiting on the ones you keep selected; "
                              "both sides of each link are updated.", style="dim"),
                         classes="dialog-note")
            yield BlockerList(*selections, id="unblock-list")
            with Horizontal(classes="dialog-buttons"):
                yield Label(Text("space: select · a: all · enter: cut · esc: cancel",
                                 style="dim"), classes="dialog-hint")
                yield Button("Cut", variant="primary", id="unblock-ok")
                yield Button("Cancel", id="unblock-cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "unblock-ok":
            self.action_submit()
        else:
            self.dismiss(None)

    def action_submit(self) -> None:
        selected = list(self.query_one(BlockerList).selected)
        if not selected:
            self.app.notify("Select at least one blocker to cut.", severity="warning")
            return
        order = [b[0] for b in self.blockers]
        self.dismiss(sorted(selected, key=order.index))

    def action_select_all(self) -> None:
        self.query_one(BlockerList).select_all()

    def action_cancel(self) -> None:
        self.dismiss(None)


def _matches(query: str, task_id: str, subject: str) -> bool:
    query = query.strip().lower()
    if not query:
        return True
    if query.lstrip("#").isdigit():
        return task_id.startswith(query.lstrip("#"))
    words = one_line(subject).lower()
    return all(word in words for word in query.split())


class AddBlockerScreen(ModalScreen[str | None]):
    """Choose a task for ``task_id`` to wait on: type an id or words, enter returns the id.

    ``candidates`` are ``(id, subject)`` of the tasks that would not close a cycle.
    """

    AUTO_FOCUS = "#add-blocker-input"
    BINDINGS = [
        Binding("escape,q", "cancel", "Cancel", id="add_blocker.cancel"),
        Binding("down", "cursor_down", "Down", show=False, id="add_blocker.down"),
        Binding("up", "cursor_up", "Up", show=False, id="add_blocker.up"),
    ]

    def __init__(self, task_id: str, candidates: list[tuple[str, str]]) -> None:
        super().__init__()
        self.task_id = task_id
        self.candidates = candidates
        self._moved = False
        """True once the operator moved the highlight since the last keystroke."""

    def compose(self) -> ComposeResult:
        with Vertical(id="add-blocker-dialog", classes="dialog"):
            yield Label(Text(f"#{one_line(self.task_id, 12)} waits on…", style="bold"),
                        classes="dialog-title")
            yield Input(placeholder="a task id, or words of its subject",
                        id="add-blocker-input")
            yield Label("", id="add-blocker-error", classes="field-error")
            if self.candidates:
                yield OptionList(id="add-blocker-list")
            else:
                yield Static(Text("No task can be added without making a cycle.",
                                  style="italic"), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Label(Text("↑↓: choose · enter: add · esc: cancel", style="dim"),
                            classes="dialog-hint")
                yield Button("Add", variant="primary", id="add-blocker-ok")
                yield Button("Cancel", id="add-blocker-cancel")

    def on_mount(self) -> None:
        self._refilter("")

    def _options(self) -> OptionList | None:
        found = self.query("#add-blocker-list")
        return found.first(OptionList) if found else None

    def _refilter(self, query: str) -> None:
        options = self._options()
        if options is None:
            return
        options.clear_options()
        width = max((len(one_line(c[0], 12)) for c in self.candidates), default=0) + 1
        for task_id, subject in self.candidates:
            if _matches(query, task_id, subject):
                prompt = Text(no_wrap=True, overflow="ellipsis")
                prompt.append(f"#{one_line(task_id, 12)}".ljust(width), style="bold")
                prompt.append(f"  {one_line(subject, 70)}")
                options.add_option(Option(prompt, id=task_id))
        options.highlighted = 0 if options.option_count else None

    def _error(self, message: str) -> None:
        error = self.query_one("#add-blocker-error", Label)
        error.update(Text(message))
        error.set_class(bool(message), "-shown")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._error("")
        self._moved = False
        self._refilter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.dismiss(event.option.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add-blocker-ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        """An exact id typed wins; a typed id that is not offered is refused (unless the
        operator then moved the highlight); else the highlighted candidate."""
        typed = self.query_one(Input).value.strip().lstrip("#")
        ids = [c[0] for c in self.candidates]
        if typed in ids:
            self.dismiss(typed)
            return
        options = self._options()
        option = options.highlighted_option if options is not None else None
        if typed.isdigit() and not self._moved:
            option = None
        if option is not None and option.id:
            self.dismiss(option.id)
            return
        if typed.isdigit():
            self._error(f"#{typed} is not a task #{one_line(self.task_id, 12)} can wait on "
                        "(it does not exist, or it would make a cycle).")
        elif typed:
            self._error("No task matches.")
        else:
            self._error("Type a task id or choose one from the list.")

    def action_cursor_down(self) -> None:
        options = self._options()
        if options is not None:
            options.action_cursor_down()
            self._moved = True

    def action_cursor_up(self) -> None:
        options = self._options()
        if options is not None:
            options.action_cursor_up()
            self._moved = True

    def action_cancel(self) -> None:
        self.dismiss(None)
