"""The console's top line: team, counts by state, problems, last change, live or paused."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from taskboard.board.gating import Gating
from taskboard.board.model import Board, State
from taskboard.board.outline import LABELS, SYMBOLS
from taskboard.board.waves import Plan
from taskboard.render import SEVERITY_STYLES, SEVERITY_SYMBOLS, STATE_STYLES, task_ref
from taskboard.textsafe import one_line
from taskboard.timefmt import ago, clock_time

SHOWN = (State.READY, State.BLOCKED, State.IN_PROGRESS, State.COMPLETED)


def gate_text(board: Board, work: Plan | Gating | None, *, compact: bool = False) -> Text:
    """``gated by #12 ● alice, 3 waves left``: what gates completion (the head of the
    critical path) and how many waves of work remain."""
    out = Text()
    gating = work.gating if work is not None else None
    if work is None or gating is None or gating not in board.tasks:
        return out
    task = board.tasks[gating]
    out.append("" if compact else "gated by ", style="dim")
    out.append_text(task_ref(board, gating))
    if task.owner and not compact:
        out.append(f" {one_line(task.owner, 16)}", style="bold")
    left = work.waves_left
    out.append(f" · {left}w" if compact else f", {left} wave{'s' if left != 1 else ''} left",
               style="dim")
    return out


def render_status(board: Board, *, now: float, paused: bool, waiting: int, alerts: int,
                  read_only: bool, seen_tasks: bool, compact: bool = False,
                  severity: str | None = None, work: Plan | Gating | None = None,
                  review: float | None = None) -> Text:
    """The status line: who, live or paused, what needs you, counts, what gates
    completion, last change.

    ``alerts`` flags need the operator, the worst of them of ``severity``: an alarm
    style of its own, calm when zero. ``compact`` (a narrow terminal) drops the words
    after the counts so the line still fits in 80 columns. ``review``: the moment of a
    recorded session on screen (review mode), shown instead of "live".
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
    if alerts:
        symbol = SEVERITY_SYMBOLS.get(severity or "warning", "!")
        label = f" {symbol} {alerts} " if compact else \
            f" {symbol} {alerts} need{'s' if alerts == 1 else ''} you "
        out.append(label, style=SEVERITY_STYLES.get(severity or "warning", "bold yellow"))
    else:
        out.append("⚑ 0" if compact else "✓ nothing needs you", style="green")  # not ✓: done
    out.append("  ")
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
    gate = gate_text(board, work, compact=compact)
    if gate.plain:
        out.append_text(gate)
        out.append("  ")
    if seen_tasks and not board.list_exists and review is None:
        out.append("list removed: last known board  ", style="bold red")
    if board.last_change and review is None:
        when = ago(board.last_change, now, seconds=False)
        out.append(when if compact else f"changed {when}", style="dim")
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
