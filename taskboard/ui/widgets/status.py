"""The console's top line: team, counts by state, problems, last change, live or paused."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from taskboard.board.model import Board, State
from taskboard.board.outline import LABELS, SYMBOLS
from taskboard.render import STATE_STYLES
from taskboard.textsafe import one_line
from taskboard.timefmt import ago, clock_time

SHOWN = (State.READY, State.BLOCKED, State.IN_PROGRESS, State.COMPLETED)


def render_status(board: Board, *, now: float, paused: bool, waiting: int, alerts: int,
                  read_only: bool, seen_tasks: bool, compact: bool = False,
                  review: float | None = None) -> Text:
    """The status line: who, live or paused, counts, trouble, last change.

    ``compact`` (a narrow terminal) drops the words after the counts so the line
    still fits in 80 columns. ``review``: the moment of a recorded session on screen
    (review mode), shown instead of "live".
    """
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(f" {one_line(board.name, 30)} ", style="bold reverse")
    out.append(" ")
    if review is not None:
        out.append(f" REVIEW {clock_time(review)} ", style="bold black on cyan")
    elif paused:
        out.append(f" ⏸ PAUSED · {waiting} change{'s' if waiting != 1 else ''} waiting ",
                   style="bold black on yellow")
    else:
        out.append("● live", style="bold green")
    if read_only and review is None:
        out.append(" read-only", style="bold cyan")
    out.append("  ")
    if not board.list_exists and not board.team_exists and not board.tasks and review is None:
        out.append("waiting for the team to appear…", style="italic yellow")
        return out
    counts = board.visible_counts()
    for state in SHOWN:
        label = "" if compact else f" {LABELS[state]}"
        out.append(f"{SYMBOLS[state]} {counts.get(state, 0)}{label}", style=STATE_STYLES[state])
        out.append("  ")
    problems = board.problem_count()
    if problems:
        label = "" if compact else f" problem{'s' if problems != 1 else ''}"
        out.append(f"⚠ {problems}{label}", style="bold red")
        out.append("  ")
    if alerts:
        out.append(f"! {alerts}{'' if compact else ' stuck'}", style="bold yellow")
        out.append("  ")
    if seen_tasks and not board.list_exists and review is None:
        out.append("list removed: last known board  ", style="bold red")
    if board.last_change and review is None:
        when = ago(board.last_change, now)
        out.append(when if compact else f"changed {clock_time(board.last_change)} ({when})",
                   style="dim")
    return out


class StatusBar(Static):
    """The one-line header of the console."""

    text = Text()

    def show(self, board: Board, **kwargs) -> None:
        text = render_status(board, **kwargs)
        if text == self.text:
            return  # nothing to repaint
        self.text = text
        # One line, always: repaint it without laying out the whole screen again.
        self.update(text, layout=False)
