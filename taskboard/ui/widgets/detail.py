"""The selected task in full: description, links with their states, owner, metadata, file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from taskboard.board.model import Board, State
from taskboard.board.rules import Flag, duration
from taskboard.journal import events as ev
from taskboard.journal.describe import actor, describe
from taskboard.journal.events import Event
from taskboard.render import SEVERITY_STYLES, SEVERITY_SYMBOLS, agent_style, state_text, task_ref
from taskboard.textsafe import clean, one_line
from taskboard.timefmt import ago, clock_time


def relative_path(path: Path | None, home: Path) -> str:
    """A file's path relative to the Claude home (short, and stable in screenshots)."""
    if path is None:
        return "-"
    try:
        return str(path.relative_to(home))
    except ValueError:
        return str(path)


def _links(board: Board, ids: list[str]) -> Text:
    out = Text()
    if not ids:
        out.append("none", style="dim")
    for index, tid in enumerate(ids):
        if index:
            out.append("\n")
        out.append_text(task_ref(board, tid))
        task = board.tasks.get(tid)
        out.append(" " + (one_line(task.subject, 60) if task else "(missing)"))
    return out


HISTORY_LINES = 30
"""The detail pane shows a task's newest recorded events (the dialog, ``h``, shows all)."""


def render_history(events: list[Event]) -> Text:
    """Status, owner and dependency changes with their time and who made them."""
    text = Text("\nHistory", style="bold")
    shown = [e for e in events if e.kind != ev.MESSAGE][-HISTORY_LINES:]
    if not shown:
        text.append("\nnothing recorded yet", style="dim italic")
    for event in shown:
        text.append("\n" + clock_time(event.time), style="dim")
        who = one_line(actor(event), 12)
        text.append(f"  {who:<12}  " if who else "  " + " " * 14,
                    style="bold" if event.source == "operator" else "")
        text.append(describe(event))
    return text


def render_flags(flags: Sequence[Flag], now: float) -> Text:
    """Every flag of a task in full, one per line (wrapped, never cut)."""
    text = Text()
    for index, flag in enumerate(flags):
        if index:
            text.append("\n")
        text.append(f"{SEVERITY_SYMBOLS.get(flag.severity, '?')} {flag.kind.replace('_', ' ')}",
                    style=SEVERITY_STYLES.get(flag.severity, ""))
        text.append(f" ({flag.severity}" + (f", {duration(now - flag.since)}"
                                            if flag.since is not None else "") + "): ",
                    style="dim")
        text.append(one_line(flag.reason))
    return text


def render_detail(board: Board, task_id: str | None, home: Path, now: float,
                  history: list[Event] | None = None,
                  flags: Sequence[Flag] = ()) -> Group:
    """The detail of one task as Rich renderables: its flags in full under the title,
    and (``history``) its recorded events."""
    task = board.tasks.get(task_id or "")
    if task is None:
        return Group(Text("No task selected.", style="dim"))
    state = board.state(task.id)
    title = Text()
    title.append(f"#{task.id} ", style="bold")
    title.append_text(state_text(state))
    title.append("  ")
    title.append(one_line(task.subject), style="bold")

    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    colors = {m.name: m.color for m in board.members}
    owner = Text("nobody", style="dim")
    if task.owner:
        owner = Text(one_line(task.owner), style=agent_style(colors.get(task.owner)))
        if board.team is not None and task.owner not in colors:
            owner.append("  (not on the team)", style="italic red")
    table.add_row("owner", owner)
    if task.active_form:
        table.add_row("doing", Text(one_line(task.active_form), style="italic"))
    stale_note = "  (unreadable now: last good version shown)" if task.stale else ""
    table.add_row("status", Text(one_line(task.status) + stale_note))
    table.add_row("blocked by", _links(board, list(task.blocked_by)))
    dependants = list(dict.fromkeys([*board.analysis.dependants.get(task.id, ()),
                                     *task.blocks]))
    table.add_row("blocks", _links(board, dependants))
    if task.metadata:
        meta = Text()
        for index, (key, value) in enumerate(task.metadata.items()):
            if index:
                meta.append("\n")
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            meta.append(f"{one_line(key, 40)}: ", style="dim")
            meta.append(one_line(shown, 100))
        table.add_row("metadata", meta)
    table.add_row("file", Text(f"{one_line(relative_path(task.path, home))} · changed "
                               f"{clock_time(task.mtime)} ({ago(task.mtime, now, seconds=False)})"))
    parts: list = [title]
    if flags:
        parts.append(render_flags(flags, now))
    parts.append(table)
    problems = [*board.file_problems.get(str(task.path), ()), *task.problems,
                *(p for p in board.analysis.problems if p.task == task.id)]
    if problems:
        text = Text()
        for problem in problems:
            text.append(f"⚠ {one_line(problem.kind)}: ", style="bold red")
            text.append(one_line(problem.detail) + "\n")
        parts.append(text)
    description = clean(task.description).strip()
    parts.append(Text(""))
    parts.append(Text(description) if description else Text("(no description)", style="dim"))
    if state == State.BLOCKED:
        unmet = board.analysis.unmet_blockers(task, board.tasks)
        parts.append(Text(f"\nwaiting on {one_line(', '.join('#' + b for b in unmet))}",
                          style="magenta"))
    if history is not None:
        parts.append(render_history(history))
    return Group(*parts)


def _signature(renderable: object) -> list[object]:
    """What a detail renders, comparable: the text and styles of every part (tables cell by
    cell), so an unchanged pane is not repainted when the clock ticks."""
    if isinstance(renderable, Text):
        return [(renderable.plain, renderable.spans, renderable.style)]
    if isinstance(renderable, Group):
        return [item for part in renderable.renderables for item in _signature(part)]
    if isinstance(renderable, Table):
        return [item for column in renderable.columns for cell in column.cells
                for item in _signature(cell)]
    return [repr(renderable)]


class TaskDetail(VerticalScroll, can_focus=True):
    """The detail pane."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._body = Static(Text("No task selected.", style="dim"))
        self._shown: list[object] | None = None

    def compose(self):
        yield self._body

    def show_task(self, board: Board, task_id: str | None, home: Path, now: float,
                  history: list[Event] | None = None, flags: Sequence[Flag] = ()) -> None:
        title = f"Task #{task_id}" if task_id in board.tasks else "Task"
        if self.border_title != title:  # setting it repaints the pane
            self.border_title = title
        body = render_detail(board, task_id, home, now, history, flags)
        lines = _signature(body)
        if lines == self._shown:
            return  # the clock moved nothing shown here
        self._shown = lines
        self._body.update(body)
