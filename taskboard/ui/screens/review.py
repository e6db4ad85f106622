"""Review: the console, read-only, on a recorded session, with a cursor in time.

The screen is the live console's (same outline, agent panels, detail, status line and
filter), fed by a :class:`~taskboard.journal.timetravel.Replay` instead of the files: each
move of the cursor updates the replayed board in place and hands the widgets the ids that
changed, so a step costs what it changed, as a live update does. Nothing is written and
nothing on disk is read: it works after Claude Code has removed the team's files.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import BoardDelta
from taskboard.journal.agent_history import agent_history
from taskboard.journal.events import Event
from taskboard.journal.timetravel import Moved, Replay, no_gc
from taskboard.timefmt import clock_time

from ..widgets.agents import AgentList, AgentPanel
from ..widgets.attention import AttentionList
from ..widgets.command_log import CommandLog
from ..widgets.detail import TaskDetail
from ..widgets.outline import DependencyOutline
from ..widgets.status import StatusBar
from ..widgets.timeline import Timeline
from .console import ConsoleScreen
from .history import HistoryScreen, agent_summary
from .operator import WRITE_ACTIONS

MINUTE = 60.0
FREEZE_AFTER = 20_000
"""Events from which the loaded session is moved out of the garbage collector's sight
(``gc.freeze``): its hundreds of thousands of objects live as long as the screen, and
walking them again on every full collection made steps stutter by a second."""
LIVE_ONLY = WRITE_ACTIONS | {"pause", "tmux", "log", "messages"}
"""The console's actions that make no sense on a recording: none is shown or reachable."""


class ReviewScreen(ConsoleScreen):
    """A recorded session, as it was at the cursor's moment."""

    ALARM = False
    """A recorded session rings no bell: what needed attention then is on screen."""

    BINDINGS = [
        Binding("comma", "step(-1)", "Previous event", key_display=",",
                id="review.previous"),
        Binding("full_stop", "step(1)", "Next event", key_display=".", id="review.next"),
        Binding("less_than_sign", "jump(-1)", "Back 1 min", key_display="<",
                id="review.back_minute"),
        Binding("greater_than_sign", "jump(1)", "Forward 1 min", key_display=">",
                id="review.forward_minute"),
        Binding("left_curly_bracket", "jump(-10)", "Back 10 min", key_display="{",
                show=False, id="review.back_ten"),
        Binding("right_curly_bracket", "jump(10)", "Forward 10 min", key_display="}",
                show=False, id="review.forward_ten"),
        Binding("0,ctrl+home", "to_start", "Start", show=False, id="review.start"),
        Binding("dollar_sign,ctrl+end", "to_end", "End", key_display="$", show=False,
                id="review.end"),
        Binding("n", "follow(1)", "Next of selection", id="review.next_selected"),
        Binding("N", "follow(-1)", "Previous of selection", key_display="N", show=False,
                id="review.previous_selected"),
    ]

    def __init__(self, replay: Replay | Callable[[], Replay], paths: TeamPaths, *,
                 session: str | None = None, cursor: int | None = None) -> None:
        """``replay``: the session, or a function that reads it (called off the UI thread)."""
        super().__init__(paths)
        self.live_activity = False  # the transcripts say what agents do now, not then
        self._source = replay
        self.replay = replay if isinstance(replay, Replay) else Replay([], name=paths.name)
        self.session = session
        self.start_cursor = cursor
        self.last_step_ms = 0.0
        """How long the last move took to apply and draw (for the benchmark)."""

    @property
    def board(self):
        return self.replay.board

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(id="left"):
            yield Input(placeholder="filter: words, owner:NAME, state:blocked  (esc clears)",
                        id="filter")
            yield AttentionList(id="attention")
            yield DependencyOutline(id="outline")
            yield Static(id="outline-empty")
            yield TaskDetail(id="detail")
            yield CommandLog(id="log")
        yield AgentList(id="agents")
        yield Timeline(id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        # The console's own on_mount runs after this one (Textual calls each class's
        # handler): calling it here too would start the load twice.
        timeline = self.query_one(Timeline)
        timeline.border_title = "Timeline"
        if self.session:
            timeline.border_subtitle = f"session {self.session}"

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        """Bring the replay to its first moment off the UI thread (10,000 tasks take a while)."""
        if not isinstance(self._source, Replay):
            self.replay = self._source()
        replay = self.replay
        cursor = self.start_cursor if self.start_cursor is not None else replay.default_cursor()
        with no_gc():  # the analysis of 10,000 tasks: 0.1 s, and 0.4 s more of collections
            replay.seek(cursor)
            _ = replay.board.analysis
        if len(replay) >= FREEZE_AFTER:
            gc.freeze()
        self.app.call_from_thread(self._loaded)

    def _loaded(self) -> None:
        self.loaded = True
        self.seen_tasks = bool(self.board.tasks)
        self._draw(None, flash=False)
        self._draw_timeline()
        self._resume_gc()  # paused for the load, as the live console's (``_start_load``)
        self.query_one(DependencyOutline).focus()

    def _now(self) -> float:
        return self.replay.time_at()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in LIVE_ONLY:
            return False
        return super().check_action(action, parameters)

    # -- drawing ----------------------------------------------------------------------

    def _draw_status(self) -> None:
        self.query_one(StatusBar).show(
            self.board, now=self._now(), paused=False, waiting=0, alerts=len(self.flags),
            read_only=True, seen_tasks=self.seen_tasks, compact=self.has_class("-narrow"),
            severity=self.flags[0].severity if self.flags else None, work=self.work,
            review=self.replay.time_at())

    def _draw_timeline(self) -> None:
        self.query_one(Timeline).show(self.replay)

    def _draw_empty(self) -> None:
        outline = self.query_one(DependencyOutline)
        board = self.board
        if outline.row_count:
            self._set_empty(None)
        elif not outline.task_filter.empty and board.tasks:
            self._set_empty(Text("No task matches the filter. esc clears it.", style="italic"))
        elif self.replay.cursor == 0:
            self._set_empty(Text("The start of the session: nothing had happened yet. "
                                 "Press . for the next event, $ for the end.", style="italic"))
        elif board.tasks:
            self._set_empty(Text("Only hidden tasks at this moment.", style="italic"))
        elif any(e.kind.startswith("task.") for e in self.replay.events[:self.replay.cursor]):
            self._set_empty(Text("No tasks at this moment: Claude Code had cleared the list. "
                                 "Step back (,) to see them.", style="italic"))
        else:
            self._set_empty(Text("No tasks yet at this moment.", style="italic"))

    def _tick(self) -> None:
        """Time stands still in a recording: nothing to refresh."""

    # -- history, up to the cursor ------------------------------------------------------

    def task_history(self, task_id: str | None) -> list[Event] | None:
        """The task's events up to the cursor (the detail pane lists them)."""
        if not task_id:
            return None
        replay = self.replay
        return [replay.events[i] for i in replay.by_task.get(task_id, ()) if i < replay.cursor]

    def action_history(self) -> None:
        """h: the focused agent's history up to the cursor, else the selected task's."""
        replay = self.replay
        selection = self._selection()
        if selection is None:
            self.notify("Select a task or an agent first.", severity="warning", timeout=2)
            return
        what, indexes = selection
        events = [replay.events[i] for i in indexes if i < replay.cursor]
        summary = None
        if not what.startswith("#"):
            history = agent_history(replay.events[:replay.cursor], what, self._now())
            events, summary = history.events, agent_summary(history)
        self.app.push_screen(HistoryScreen(f"History of {what} until "
                                           f"{clock_time(self._now())}", events, summary))

    # -- moving the cursor -------------------------------------------------------------

    def go(self, cursor: int | None) -> None:
        """Move to ``cursor`` (None: nowhere to go) and draw what changed."""
        if cursor is None or not self.loaded:
            if cursor is None:
                self.notify("No such event.", severity="warning", timeout=2)
            return
        started = time.perf_counter()
        moved = self.replay.seek(cursor)
        self._draw_moved(moved)
        self.last_step_ms = (time.perf_counter() - started) * 1000

    def _outline_changes(self, delta: BoardDelta | None) -> set[str] | None:
        """A member going idle or active (a fifth of a session's events) leaves the rows
        alone unless a colour moved: the team is in a row only as its owner's colour, and
        rebuilding 10,000 rows for it cost a step 300 ms."""
        if delta is not None and delta.team and not delta.structure:
            colors = {m.name: m.color for m in self.board.members}
            if colors == self.query_one(DependencyOutline).owner_colors:
                return set(delta.tasks)
        return super()._outline_changes(delta)

    def _draw_moved(self, moved: Moved) -> None:
        """Draw a move exactly as the live console draws a refresh: with its delta."""
        if moved:
            self._draw(BoardDelta(tasks=set(moved.tasks), inboxes=set(moved.inboxes),
                                  team=moved.team, structure=moved.structure), flash=False)
        else:
            self._draw_status()
        self._draw_detail()  # its relative times follow the cursor's moment
        self._draw_timeline()

    def action_step(self, by: int) -> None:
        self.go(self.replay.cursor + by)

    def action_jump(self, minutes: int) -> None:
        replay = self.replay
        when = replay.time_at() + minutes * MINUTE
        target = replay.cursor_at(when)
        if minutes < 0:
            target = min(target, replay.cursor - 1)
        self.go(max(target, 0) if target != replay.cursor else None)

    def action_to_start(self) -> None:
        self.go(0)

    def action_to_end(self) -> None:
        self.go(len(self.replay))

    def _selection(self) -> tuple[str, list[int]] | None:
        """The events of the focused agent panel, else of the task under the cursor."""
        focused = self.focused
        if isinstance(focused, AgentPanel) and focused.summary is not None \
                and focused.summary.kind != "unowned":
            name = focused.agent_name
            return name, self.replay.by_agent.get(name, [])
        task_id = self.query_one(DependencyOutline).task_id
        if task_id is None:
            return None
        return f"#{task_id}", self.replay.by_task.get(task_id, [])

    def action_follow(self, direction: int) -> None:
        """The next (or previous) event of the selected task or agent."""
        selection = self._selection()
        if selection is None:
            self.notify("Select a task or an agent first.", severity="warning", timeout=2)
            return
        what, indexes = selection
        replay = self.replay
        target = replay.next_of(indexes) if direction > 0 else replay.previous_of(indexes)
        if target is None:
            self.notify(f"No {'later' if direction > 0 else 'earlier'} event of {what}.",
                        timeout=2)
            return
        self.go(target)

    @on(Timeline.Seek)
    def _seek(self, message: Timeline.Seek) -> None:
        replay = self.replay
        self.go(replay.cursor_at(replay.start + message.fraction * (replay.end - replay.start)))
