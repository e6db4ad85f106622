"""Rich text for tasks, agents and states, shared by the CLI and the console.

Everything from files goes through :mod:`taskboard.textsafe` and into ``Text``
objects, never through markup, so a subject such as ``[bold]x[/]`` shows as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.text import Text

from taskboard.board.model import Board, State, Task
from taskboard.board.outline import LABELS, PROBLEM_SYMBOL, SYMBOLS, OutlineNode
from taskboard.board.rules.flags import RANK, Flag
from taskboard.textsafe import one_line

STATE_STYLES: dict[State, str] = {
    State.COMPLETED: "green",
    State.IN_PROGRESS: "bold yellow",
    State.READY: "cyan",
    State.BLOCKED: "magenta",
    State.UNKNOWN: "bold red",
}
AGENT_COLORS: dict[str, str] = {
    "red": "red1",
    "blue": "dodger_blue1",
    "green": "green3",
    "yellow": "yellow3",
    "purple": "medium_purple1",
    "orange": "dark_orange",
    "pink": "hot_pink",
    "cyan": "dark_cyan",
}


def agent_style(color: str | None) -> str:
    """The Rich style for an agent's team colour (bold, so it reads without colour too)."""
    return f"bold {AGENT_COLORS.get(color or '', 'grey70')}"


def state_text(state: State, *, with_label: bool = True) -> Text:
    """``● running``: a symbol that reads without colour, and the colour."""
    label = f"{SYMBOLS[state]} {LABELS[state]}" if with_label else SYMBOLS[state]
    return Text(label, style=STATE_STYLES[state])


def has_problem(task: Task, board: Board) -> bool:
    return bool(task.problems or task.stale or task.id in board.analysis.in_cycle
                or task.id in board.analysis.problem_tasks)


def task_ref(board: Board, task_id: str) -> Text:
    """``#7 ✓``: a reference to another task with its state symbol."""
    if task_id not in board.tasks:
        return Text(f"#{one_line(task_id, 24)} ?", style="bold red")
    state = board.state(task_id)
    return Text(f"#{one_line(task_id, 24)} {SYMBOLS[state]}", style=STATE_STYLES[state])


FLAG_SYMBOL = "⚑"
"""Marks a flagged task in the outline: distinct from every state symbol."""
CRITICAL_MARK = "»"
"""Marks a task on the critical path, in the outline and the waves view."""
SEVERITY_STYLES: dict[str, str] = {
    "critical": "bold white on red",
    "warning": "bold black on yellow",
    "info": "yellow",
}
SEVERITY_SYMBOLS: dict[str, str] = {"critical": "‼", "warning": "!", "info": "·"}


def flag_badge(flags: Sequence[Flag]) -> Text:
    """``⚑ stalled``: the most urgent flag of a task, readable without colour."""
    top = flags[0]
    more = f" +{len(flags) - 1}" if len(flags) > 1 else ""
    return Text(f"{FLAG_SYMBOL} {top.kind.replace('_', ' ')}{more}",
                style=SEVERITY_STYLES.get(top.severity, ""))


def outline_label(board: Board, node: OutlineNode, *,
                  owner_colors: dict[str, str | None] | None = None,
                  subject_width: int = 80, flags: Sequence[Flag] = (),
                  critical: bool = False, reverse: bool = False) -> Text:
    """One outline row: ``#4 ● ⚑ stalled subject  @owner  activeForm…  also after #7 ✓``.

    ``flags``: the task's flags, most urgent first (only warning and above mark a row);
    ``critical``: on the critical path; ``reverse``: the tree shows what each task waits
    on, so other parents are "also before"."""
    task = board.tasks[node.id]
    state = board.state(node.id)
    problem = has_problem(task, board) or node.cyclic
    label = Text(no_wrap=True, overflow="ellipsis")
    if critical:
        label.append(CRITICAL_MARK, style="bold magenta")
    label.append(f"#{node.id} ", style="bold")
    label.append(PROBLEM_SYMBOL if problem else SYMBOLS[state],
                 style="bold red" if problem else STATE_STYLES[state])
    label.append(" ")
    marked = [f for f in flags if f.rank >= RANK["warning"]]
    if marked:  # before the subject, so that the pane's edge never hides it
        label.append_text(flag_badge(marked))
        label.append(" ")
    label.append(one_line(task.subject, subject_width),
                 style="dim" if state == State.COMPLETED else "")
    if task.owner:
        color = (owner_colors or {}).get(task.owner)
        label.append(f"  @{one_line(task.owner, 24)}", style=agent_style(color))
    if state == State.IN_PROGRESS and task.active_form:
        label.append(f"  {one_line(task.active_form, 40)}…", style="italic yellow")
    if task.stale:
        label.append("  (unreadable, last good shown)", style="red")
    if node.cyclic:
        label.append("  (cycle)", style="bold red")
    if node.also:
        label.append("  also before" if reverse else "  also after", style="dim")
        for parent in node.also:
            label.append(" ")
            label.append_text(task_ref(board, parent))
    return label


_PARTIAL_REF = re.compile(r"\s*#[^\s#]*…$")


def fit(label: Text, width: int) -> Text:
    """``label`` cut to ``width`` cells with a final "…" when it does not fit, never
    leaving a cut id behind (``#1…`` of ``#12`` reads as another task): a reference cut
    in the middle is dropped whole."""
    if width <= 0 or label.cell_len <= width:
        return label
    cut = label.copy()
    cut.truncate(width, overflow="ellipsis")
    found = _PARTIAL_REF.search(cut.plain)
    if found is not None:
        cut = cut[:found.start()]
        cut.append(" …" if cut.plain and not cut.plain.endswith(" ") else "…", style="dim")
    return cut
