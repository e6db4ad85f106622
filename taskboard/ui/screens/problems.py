"""Everything that looks wrong: stuck work (with why) and problems in the files."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from taskboard.board.health import Alert
from taskboard.board.model import Problem
from taskboard.render import SEVERITY_STYLES, SEVERITY_SYMBOLS
from taskboard.textsafe import one_line


class ProblemsScreen(ModalScreen[str | None]):
    """A list of alerts and problems; enter jumps to the task, escape closes."""

    BINDINGS = [
        Binding("escape,q,exclamation_mark", "dismiss_none", "Close", id="problems.close"),
        Binding("j", "cursor_down", "Down", show=False, id="problems.down"),
        Binding("k", "cursor_up", "Up", show=False, id="problems.up"),
    ]

    def __init__(self, alerts: list[Alert], problems: list[Problem], home_prefix: str) -> None:
        super().__init__()
        self.alerts = alerts
        self.problems = problems
        self.home_prefix = home_prefix

    def compose(self) -> ComposeResult:
        options: list[Option | None] = []
        for index, alert in enumerate(self.alerts):
            text = Text(no_wrap=True, overflow="ellipsis")
            severity = getattr(alert, "severity", "warning")
            text.append(f"{SEVERITY_SYMBOLS.get(severity, '!')} {one_line(alert.kind)}  ",
                        style=SEVERITY_STYLES.get(severity, "bold yellow"))
            text.append(one_line(alert.detail))
            options.append(Option(text, id=f"a{index}"))
        if self.alerts and self.problems:
            options.append(None)
        for index, problem in enumerate(self.problems):
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(f"⚠ {one_line(problem.kind)}  ", style="bold red")
            where = one_line(f"#{problem.task}" if problem.task else self._short(problem.path))
            text.append(f"{where}: ", style="bold")
            text.append(one_line(problem.detail))
            options.append(Option(text, id=f"p{index}"))
        total = len(self.alerts) + len(self.problems)
        with Vertical(id="problems-dialog"):
            yield Label(Text(f"Problems and stuck work ({total})", style="bold"))
            if total:
                yield OptionList(*options, id="problems-list")
            else:
                yield Label(Text("Nothing looks wrong.", style="green"))
            yield Label(Text("enter: go to the task · esc: close", style="dim"))

    def _short(self, path: str | None) -> str:
        if not path:
            return "?"
        return path[len(self.home_prefix):].lstrip("/") if path.startswith(
            self.home_prefix) else path

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        index = int(option_id[1:])
        item = self.alerts[index] if option_id[0] == "a" else self.problems[index]
        self.dismiss(item.task)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()
