"""The main console: status line, dependency outline, task detail and agent panels, live.

Data flows one way: watcher -> BoardReader.refresh (only the changed files) ->
widgets updated with the delta. Pausing stops applying changes and counts the
files waiting; resuming applies them in one go.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from operator import attrgetter
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static, Tree

from taskboard.board.agents import AgentTracker, apply_activity
from taskboard.board.filtering import parse_filter
from taskboard.board.gating import Gating
from taskboard.board.health import Alert, check
from taskboard.board.rules import Flag, Signals, by_task
from taskboard.board.rules.team import Unclaimed
from taskboard.board.whole_list import WholeList
from taskboard.claude.activity import TranscriptMessage
from taskboard.claude.lists import NO_TASKS_HINT
from taskboard.claude.live import TeamActivity
from taskboard.claude.live_watch import ActivityWatch
from taskboard.claude.paths import TeamPaths, task_id_from_name
from taskboard.claude.reader import BoardDelta, BoardReader, Pace, SweepStopped
from taskboard.config import thresholds
from taskboard.textsafe import safe_text
from taskboard.undo import UndoHistory

from ..alarm import Alarm
from ..compositor import SpanCompositor
from ..keys import key_for
from ..widgets.agents import AgentList, AgentPanel
from ..widgets.attention import AttentionList
from ..widgets.command_log import CommandLog
from ..widgets.detail import TaskDetail
from ..widgets.footer import ConsoleFooter
from ..widgets.outline import DependencyOutline
from ..widgets.status import StatusBar
from .agent_actions import AgentActions
from .help import HelpScreen
from .journaling import JournalActions
from .operator import OPERATOR_BINDINGS, OperatorActions
from .undo import UndoActions

FLASH_SECONDS = 1.5
TICK_SECONDS = 5.0
PROGRESS_SECONDS = 0.2
SWEEP_BUDGET = 0.0005
"""Share of one core the periodic stat sweep may use (it only catches what events missed):
10,000 files take ~50 ms to stat, so at that size each file is looked at every ~100 s, a
slice of the list every few seconds (:class:`~taskboard.claude.reader.Pace`)."""
NARROW_WIDTH = 100
DEFER_WHOLE_LIST = 2000
"""Above this many tasks, the first whole-list analysis waits until the board is on screen."""
WHOLE_LIST_BUDGET = 0.05
"""The analyses that walk every task (the waves and critical path, the whole-list flags)
are redone at most as often as keeps them under this share of a core: a small list on
every change, a 10,000-task list (~0.3 s) every few seconds."""
TICK_RULES_BUDGET = 0.0005
"""Share of a core the clock tick may spend redoing the rules (their flags age), their
repaint included."""
RULES_REPAINT = 4.0
"""Until the tick has measured a run of the rules with its repaint, what it reckons one
costs, in walks of the rules alone (at 10,000 tasks: the walk ~25 ms, the flags' rows and
the outline's marks ~25 ms, the frame ~45 ms)."""
TICK_PAINTED = 0.1
"""Seconds after the tick's rules by which their repaint is done (what it cost is then read)."""
FIRST_FRAME_DELAY = 0.03
"""Seconds between mounting and starting to read the board: the first frame goes out first
(``call_after_refresh`` can run before it is painted; a small list then loaded first)."""
RULES_DELAY = 0.03
"""Seconds from a change's paint to the rules' run (a frame is 1/60 s)."""
RULES_INLINE = 0.003
"""Rules that last took less than this (seconds) run with the change, in its frame."""
ACTIVITY_RULES_BUDGET = 0.01
"""The same, for the transcripts' news (busy agents write every 0.1 s)."""
ACTIVITY_POLL = 0.5
"""Where inotify cannot be had: seconds between looks at the transcripts (one stat per file
when nothing changed; Claude Code writes every 0.1 s): "running Bash" is at most this late."""
ACTIVITY_GAP = 0.25
"""With inotify: the least time (seconds) between two reads of the transcripts while agents
write (every 0.1 s each); a write after a quiet spell is read at once."""
ELAPSED_SECONDS = 1.0
"""While an agent works, its panel's elapsed time ("running Bash 42 s") moves this often."""

ORDER = attrgetter("order")
"""The flags' sort key (``urgency``), read without a Python call per flag."""


def _rule_inputs(task) -> tuple[object, ...] | None:  # noqa: ANN001
    """What the rules read of a task, but for its times (see ``_rules_moved``)."""
    if task is None:
        return None
    return (task.status, task.owner, task.blocked_by, task.blocks, task.internal,
            task.problems, task.stale)


class ConsoleScreen(JournalActions, OperatorActions, UndoActions, AgentActions, Screen[None]):
    """Watching one team, and acting on it (see :mod:`.operator`)."""

    BINDINGS = [
        Binding("p", "pause", "Pause", id="console.pause"),
        Binding("slash", "filter", "Filter", id="console.filter"),
        Binding("exclamation_mark", "problems", "Problems", key_display="!",
                id="console.problems"),
        Binding("d", "direction", "Direction", id="console.direction"),
        Binding("w", "waves", "Waves", id="console.waves"),
        Binding("f", "fold_done", "Fold done", show=False, id="console.fold_done"),
        Binding("M", "messages", "Messages", show=False, id="console.messages"),
        Binding("escape", "back", "Back", show=False, id="console.back"),
        Binding("h", "history", "History", show=False, id="console.history"),
        *OPERATOR_BINDINGS,
    ]

    ALARM = True
    """Ring the bell (and run the notify command) on a new critical flag, when configured."""

    def __init__(self, paths: TeamPaths) -> None:
        super().__init__()
        self._compositor = SpanCompositor()  # a change renders only the panes it touches
        self.paths = paths
        self.reader = BoardReader(paths)
        self.activity = TeamActivity(paths.home, paths.name, clock=self._now)
        self.live_activity = True
        """Whether the panels show the transcripts' live activity (not in a replay)."""
        """Each member's live activity, from its transcript (:mod:`taskboard.claude.live`)."""
        self._elapsed = None
        """The timer that moves working agents' elapsed times (None while nobody works)."""
        self.activity_watch: ActivityWatch | None = None
        """The transcripts' inotify watch (None without one: then they are polled)."""
        self._activity_poll = None
        """The transcripts' poll, where inotify cannot be had."""
        self.loaded = False
        self.paused = False
        self.waiting: set[Path] = set()
        self.seen_tasks = False
        self.alerts: list[Alert] = []
        self.flags: list[Flag] = []
        """Everything that needs the operator: the alerts and the files' problems."""
        self._flags_by_task: dict[str, list[Flag]] = {}
        self._whole = WholeList(WHOLE_LIST_BUDGET)
        self._rules_memo = Unclaimed()
        """The rules' flags kept from one run to the next (see ``evaluate``)."""
        self._rules_changed: set[str] | None = None
        """Tasks changed since the rules last ran; None: look at every task (the clock
        moved every age, links moved, or this is the first run)."""
        self._delta_cost = 0.0
        self._gc_paused = False
        """The collector was on when the load paused it (``_start_load``)."""
        self._whole_soon = False
        self._whole_catch_up = False
        self.alarm = Alarm()
        self._flash_timer = None
        self._agents = AgentTracker()
        self._summaries: list | None = None
        self._rules_pending = False
        self._rules_at = 0.0
        self._rules_cost = 0.0
        """When the rules last ran, and what they cost (seconds): the tick's budget."""
        self._tick_rules_cost = 0.0
        """What the tick's last run of the rules cost with its repaint (main thread CPU)."""
        self._stop = asyncio.Event()
        self._sweep_stop = threading.Event()
        """Ends a paced sweep's pause at once when the console closes."""
        self.updates = 0
        """How many deltas were drawn (tests wait on this)."""
        self.marked: set[str] = set()
        self.undo_history = UndoHistory()
        self.log_keys: dict[int, object] = {}
        """The command log row of each write (by the result's id), to mark it undone."""

    @property
    def board(self):
        return self.reader.board

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
        yield ConsoleFooter()

    # -- start-up --------------------------------------------------------------

    def on_mount(self) -> None:
        outline = self.query_one(DependencyOutline)
        outline.border_title = "Dependencies"
        self.query_one(AgentList).border_title = "Agents"
        self.query_one(CommandLog).border_title = \
            f"Command log ({key_for(self.app, 'operator.log', 'l')} closes)"
        self.query_one(AttentionList).more_hint = \
            f"{key_for(self.app, 'console.problems', '!')} lists them all"
        self.query_one("#filter").display = False
        self._set_empty(Text("Loading…", style="dim"))
        self._apply_width(self.app.size.width)
        self._progress = self.set_interval(PROGRESS_SECONDS, self._show_progress)
        # The first frame (borders, "Loading…") goes out before the reading starts: the
        # reader's thread would otherwise hold the interpreter while it is drawn.
        self.set_timer(FIRST_FRAME_DELAY, self._start_load)

    def _show_progress(self) -> None:
        """While a big list loads: how many files were read so far."""
        if not self.loaded:
            # The pane's size is set by the CSS (2fr): the count repaints without a layout
            # of the screen, which would take the interpreter from the reading thread.
            self.query_one("#outline-empty", Static).update(
                Text(f"Loading… {self.reader.reads:,} files read", style="dim"), layout=False)

    def _start_load(self) -> None:
        """The cyclic collector is paused until the board is drawn (``_loaded``): the load
        makes a few hundred thousand objects that all stay alive, and the collector walked
        them again and again while they were made, with Textual's own, to find nothing to
        free (a fifth of the load at 10,000 tasks). What start-up made is frozen first:
        out of the collector's walks for good."""
        gc.freeze()
        if gc.isenabled():
            gc.disable()
            self._gc_paused = True
        self._load()

    def _resume_gc(self) -> None:
        if self._gc_paused:
            self._gc_paused = False
            gc.enable()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        """Read the whole team once, off the UI thread (10,000 files take a while)."""
        self.reader.rescan()
        self.activity.refresh()
        self.app.call_from_thread(self._loaded)

    def _loaded(self) -> None:
        self.loaded = True
        self._progress.stop()
        self.seen_tasks = bool(self.board.tasks)
        self._draw(None, flash=False)
        # The board as loaded (10,000 tasks: a million objects) lives as long as the
        # console: kept out of the cyclic collector's walks, which would otherwise
        # traverse it at every full collection while the console idles or draws a change.
        gc.freeze()
        self._resume_gc()
        outline = self.query_one(DependencyOutline)
        outline.focus()
        self.call_after_refresh(outline.open_on_work)
        # The journal after the board's first full frame: reading the session back and
        # comparing takes its thread ~0.5 s at 10,000 tasks (more as the session grows).
        self.call_after_refresh(self.open_journal)
        self.set_interval(TICK_SECONDS, self._tick)
        self._note_inboxes(self.board.inboxes)
        if self.app.watch_enabled:
            self._watch()
            self._watch_activity()
            self._schedule_sweep(0.0)

    # -- live updates --------------------------------------------------------------

    @work(exclusive=True, group="watch", exit_on_error=False)
    async def _watch(self) -> None:
        from taskboard.claude.watch import watch_paths

        async for batch in watch_paths(self.paths, stop=self._stop):
            self.apply_paths(batch)

    def _schedule_sweep(self, cost: float) -> None:
        """The next full rescan: every few seconds, further apart when a sweep is costly
        so that it never uses more than ``SWEEP_BUDGET`` of a core (``cost``: what its
        last slice took, see :class:`~taskboard.claude.reader.Pace`)."""
        if not self._sweep_stop.is_set():
            self.set_timer(max(self.app.rescan_seconds, cost / SWEEP_BUDGET), self._rescan)

    def _rescan(self) -> None:
        if self.paused:
            self._schedule_sweep(0.0)
        else:
            self._sweep()

    @work(thread=True, exclusive=True, group="rescan", exit_on_error=False)
    def _sweep(self) -> None:
        """The periodic full rescan: a stat sweep off the UI thread catches what events
        missed; the files that differ are then re-read on the UI thread."""
        pace = Pace(SWEEP_BUDGET, self._sweep_stop)
        try:
            paths = self.reader.changed_paths(pace=pace)
        except SweepStopped:
            return
        finally:
            if not self._sweep_stop.is_set():
                self.app.call_from_thread(self._schedule_sweep, pace.rest())
        if paths:
            self.app.call_from_thread(self.apply_paths, paths)

    def apply_paths(self, paths: set[Path]) -> None:
        """A batch of changed paths: re-read them, or hold them while paused."""
        if not self.loaded:
            return
        if self.paused:
            self.waiting |= set(paths)
            self.record_paused(paths)
            self._draw_status()
            return
        tasks = self.board.tasks
        before = {tid: tasks.get(tid) for tid in map(task_id_from_name,
                                                     (Path(p).name for p in paths)) if tid}
        delta = self.reader.refresh(paths)
        if delta.inboxes:
            self._note_inboxes(delta.inboxes)
        if delta:
            self.record_delta(delta)
            self._draw(delta, rules=self._rules_moved(delta, before))

    def _rules_moved(self, delta: BoardDelta, before: dict) -> bool:
        """Whether a change can move a flag now: a status, owner or link, a message, the
        team. A subject or an ``activeForm`` moves none, and the rules (a walk of every
        unowned task at 10,000 tasks) are left for the clock tick, which redoes them all
        (what such a change moves is a time: "for 10 min"). ``before``: the batch's tasks
        as they were; a task a sweep found besides them counts as moved."""
        if delta.inboxes or delta.team or delta.structure:
            return True
        tasks = self.board.tasks
        return any(_rule_inputs(before.get(tid)) != _rule_inputs(tasks.get(tid))
                   for tid in delta.tasks)

    def _note_inboxes(self, agents) -> None:
        """Inbox messages seen, kept for the message history (Claude Code deletes them
        about a second after delivery)."""
        for agent in agents:
            inbox = self.board.inboxes.get(agent)
            for message in inbox.messages if inbox is not None else ():
                when = message.when
                self.activity.note_inbox_message(agent, TranscriptMessage(
                    when.timestamp() if when else None, message.sender, agent, message.text,
                    message.summary, message.kind, message.protocol))

    @work(exclusive=True, group="activity", exit_on_error=False)
    async def _watch_activity(self) -> None:
        """The transcripts, read when inotify says one moved (nothing runs while nobody
        writes); where inotify cannot be had, polled every ``ACTIVITY_POLL`` seconds."""
        watch = self.activity_watch = ActivityWatch(self.activity, stop=self._stop)
        loop = asyncio.get_running_loop()
        async for paths in watch:
            started = loop.time()
            self.activity_news(paths, discover=paths is None)
            # Busy agents write every 0.1 s: their writes meanwhile join the next batch.
            await asyncio.sleep(max(0.0, started + ACTIVITY_GAP - loop.time()))
        if watch.failed and not self._stop.is_set():
            self.activity_watch = None
            self._activity_poll = self.set_interval(ACTIVITY_POLL, self.poll_activity)

    def poll_activity(self) -> None:
        """Look at every transcript (one ``stat`` each when nothing changed)."""
        self.activity_news(None)

    def activity_news(self, paths: set[str] | None, *, discover: bool = False) -> None:
        """Read the transcripts a watcher reported (None: every one; ``discover``: look for
        new ones too); repaint the panels of agents whose activity changed."""
        if self.paused or not self.loaded:
            return
        live = self.activity.refresh(paths, discover=discover)
        if live:
            self._draw_agents(resummarize=False, live=live,
                              rules=self._rules_due(ACTIVITY_RULES_BUDGET))
        self._elapsed_clock()

    def _elapsed_clock(self) -> None:
        """Move working agents' elapsed times every ``ELAPSED_SECONDS``, only while one
        works: when none does, no panel shows a time that moves by the second."""
        if not self.app.watch_enabled:
            return  # tests and screenshots: the clock moves when they say
        working = any(a.working for a in self.activity.agents.values())
        if working and self._elapsed is None:
            self._elapsed = self.set_interval(ELAPSED_SECONDS, self._elapsed_tick)
        elif not working and self._elapsed is not None:
            self._elapsed.stop()
            self._elapsed = None

    def _elapsed_tick(self) -> None:
        """Repaint the working agents' panels; the lead process's state is looked at again
        (an agent that looked busy is idle once the process has been idle a while)."""
        if self.paused or not self.loaded:
            return
        live = self.activity.refresh(())
        live |= {name for name, a in self.activity.agents.items() if a.working}
        if live:
            self._draw_agents(resummarize=False, live=live,
                              rules=self._rules_due(ACTIVITY_RULES_BUDGET))
        self._elapsed_clock()

    def _rules_due(self, budget: float) -> bool:
        """Whether the rules may run again and stay under ``budget`` of a core."""
        return self._now() >= self._rules_at + self._rules_cost / budget

    def on_unmount(self) -> None:
        self._resume_gc()  # a console closed while it loads
        self._stop.set()
        self._sweep_stop.set()
        self.close_journal()

    # -- drawing ---------------------------------------------------------------------

    def _now(self) -> float:
        return self.app.clock.time()

    def _draw(self, delta: BoardDelta | None, *, flash: bool = True,
              rules: bool = True) -> None:
        board = self.board
        self.seen_tasks = self.seen_tasks or bool(board.tasks)
        touched = None if delta is None or delta.structure or delta.team else delta.tasks
        self._whole.touched(touched)
        if touched is None:
            self._rules_changed = None
        elif self._rules_changed is not None:
            self._rules_changed.update(touched)
        outline = self.query_one(DependencyOutline)
        if delta is None or delta.tasks or delta.structure or delta.team:
            changed = self._outline_changes(delta)
            outline.show_board(board, changed, flash=flash and delta is not None)
            if flash and delta is not None and delta.tasks:
                if self._flash_timer is not None:
                    self._flash_timer.stop()
                self._flash_timer = self.set_timer(FLASH_SECONDS, outline.clear_flash)
        if delta is None or delta.tasks or delta.inboxes or delta.team or delta.structure:
            changed = None if delta is None or delta.team or delta.structure else delta.tasks
            # A live change is painted first, and the rules (a walk of every unowned task)
            # run once it is on screen, unless they are cheap enough to share its frame
            # (a second frame costs more than they do).
            cost = self._rules_cost if self._rules_changed is None else self._delta_cost
            later = rules and delta is not None and cost > RULES_INLINE
            self._draw_agents(changed=changed, rules=rules and not later,
                              only_touched=delta is not None and not delta.inboxes)
            if later:
                self._rules_after_paint()
        self._draw_status()
        if self._detail_touched(delta):
            self._draw_detail()
        self._draw_empty()
        if not self._rules_pending:
            self.updates += 1

    def _rules_after_paint(self) -> None:
        """Run the rules once the change is on screen: after the screen's next update
        (``RULES_DELAY`` is longer than Textual's frame period; ``call_after_refresh``
        can run before the changed widgets have asked for their repaint)."""
        if not self._rules_pending:
            self._rules_pending = True
            self.set_timer(RULES_DELAY, self._rules_now)

    def _rules_now(self) -> None:
        """The rules after a change was painted: the flags, the panels' alerts, the status
        line's count and the detail's flags catch up (``updates`` counts the change now)."""
        self._rules_pending = False
        if not self.is_attached:
            return
        # The change's own frame redrew the panels of the agents it touched: here only
        # those whose alerts the rules moved (``live`` empty: no agent's own data moved).
        self._draw_agents(resummarize=False, rules=True, live=set())
        self._draw_status()
        self._draw_detail()
        self.updates += 1

    def _outline_changes(self, delta: BoardDelta | None) -> set[str] | None:
        """The tasks whose outline rows may differ after ``delta`` (None: every row)."""
        return None if delta is None or delta.structure or delta.team else delta.tasks

    def _detail_touched(self, delta: BoardDelta | None) -> bool:
        """Whether a change can alter the detail pane: its task, a task it links to, the team."""
        if delta is None or delta.team or delta.structure:
            return True
        task_id = self.query_one(DependencyOutline).task_id
        if task_id is None or not delta.tasks:
            return False
        if task_id in delta.tasks:
            return True
        task = self.board.tasks.get(task_id)
        linked = {*task.blocks, *task.blocked_by} if task is not None else set()
        linked.update(self.board.analysis.dependants.get(task_id, ()))
        return not linked.isdisjoint(delta.tasks)

    def _draw_agents(self, *, resummarize: bool = True, changed: set[str] | None = None,
                     only_touched: bool = False, live: set[str] | None = None,
                     rules: bool = True) -> None:
        """Agent panels and alerts. The summaries are kept from the changed ids (a change
        re-tallies only the agents it touches); the clock tick reuses the last ones
        (``resummarize=False``): only the times and time-based alerts move. ``rules=False``
        (a change that moves no flag, see :meth:`_rules_moved`) keeps the flags as they are."""
        board = self.board
        if resummarize or self._summaries is None:
            self._summaries = self._agents.summaries(board, changed)
        summaries = self._summaries
        now = self._now()
        if rules:
            self._whole_list()
        activity = self.activity if self.live_activity else None  # not in a replay
        if activity is not None:
            apply_activity(summaries, activity.agents, found=activity.found)
        if rules:
            signals = Signals(activity=activity.agents) if activity is not None else None
            changed, self._rules_changed = self._rules_changed, set()
            started = time.perf_counter()
            self.alerts = check(board, now, agents=summaries, signals=signals,
                                thresholds=thresholds(self.app.settings), slow=self._whole.slow,
                                memo=self._rules_memo, changed=changed)
            if changed is None:  # a full run: what the budgets and the ages go by
                self._rules_at, self._rules_cost = now, time.perf_counter() - started
            else:
                self._delta_cost = time.perf_counter() - started
            problems = self._whole.problems  # the alerts come sorted: none, no sort
            flags = sorted([*self.alerts, *problems], key=ORDER) if problems else self.alerts
            if flags != self.flags:
                self.flags = flags
                self._flags_by_task = by_task(flags)
        touched = self._agents.touched if only_touched and resummarize else None
        if live is not None and not resummarize:
            touched = live  # only these agents' activity moved
        agents = self.query_one(AgentList)
        subtitle = "" if activity is None or activity.found \
            or board.team is None else "no transcripts found: from the team files"
        if agents.border_subtitle != subtitle:  # setting it repaints the pane
            agents.border_subtitle = subtitle
        agents.show_agents(summaries, self.alerts, now, board, touched=touched)
        if not rules:
            return  # the flags, their ages and the critical path stand as last drawn
        # Ages as of the rules' run, so that a row and its reason agree ("for 10 min").
        self.query_one(AttentionList).show_flags(self.flags, self._rules_at)
        critical = frozenset(self.work.critical_path) if self.work else frozenset()
        self.query_one(DependencyOutline).set_attention(self._flags_by_task, critical)
        if self.ALARM:
            self.alarm.sound(self.flags, self.app, self.app.settings)

    @property
    def work(self) -> Gating | None:
        """The waves and critical path (None until the first whole-list analysis)."""
        return self._whole.work

    def _whole_list(self) -> None:
        """The waves, the critical path and the flags that need every task: updated from
        the changed tasks, or walked again when the budget allows (``WHOLE_LIST_BUDGET``,
        see :mod:`taskboard.board.whole_list`); in between, the last ones stand."""
        if self.work is None and len(self.board.tasks) > DEFER_WHOLE_LIST \
                and not self._whole_soon:
            # A big list: paint first, then analyse it (a cold start stays fast).
            self._whole_soon = True
            self.set_timer(0.2, self._whole_then_redraw)
            return
        self._whole.update(self.board)
        wait = self._whole.due_in(self.board)
        if wait is not None and not self._whole_catch_up:
            # A walk deferred by its budget: caught up as soon as it allows, not at the
            # next run of the rules (the clock tick's, minutes later at 10,000 tasks).
            self._whole_catch_up = True
            self.set_timer(wait, self._whole_caught_up)

    def _whole_caught_up(self) -> None:
        """The whole-list walk a change left for later (see :meth:`_whole_list`)."""
        self._whole_catch_up = False
        if not self.is_attached or self.paused:
            return
        wait = self._whole.due_in(self.board)
        if wait is None:
            return  # done meanwhile
        if wait > 0:  # done meanwhile, and due again later
            self._whole_catch_up = True
            self.set_timer(wait, self._whole_caught_up)
            return
        self._draw_agents(resummarize=False)
        self._draw_status()
        self._draw_detail()

    def _whole_then_redraw(self) -> None:
        self._whole_list()  # computes now: ``_whole_soon`` is set
        self._draw_agents(resummarize=False)
        self._draw_status()

    def _draw_status(self) -> None:
        self.query_one(StatusBar).show(
            self.board, now=self._now(), paused=self.paused, waiting=len(self.waiting),
            alerts=len(self.flags), read_only=self.app.read_only, seen_tasks=self.seen_tasks,
            compact=self.has_class("-narrow"),
            severity=self.flags[0].severity if self.flags else None, work=self.work)

    def _draw_detail(self) -> None:
        outline = self.query_one(DependencyOutline)
        task_id = outline.task_id
        self.query_one(TaskDetail).show_task(self.board, task_id, self.paths.home, self._now(),
                                             history=self.task_history(task_id),
                                             flags=self._flags_by_task.get(task_id or "", ()))

    def _set_empty(self, text: Text | None) -> None:
        empty = self.query_one("#outline-empty", Static)
        empty.display = text is not None
        self.query_one(DependencyOutline).display = text is None
        if text is not None:
            empty.update(text)

    def _draw_empty(self) -> None:
        board = self.board
        outline = self.query_one(DependencyOutline)
        if outline.row_count:
            self._set_empty(None)
        elif not board.list_exists and not board.team_exists and not self.seen_tasks:
            self._set_empty(Text(
                f"Waiting for '{self.paths.name}' to appear…\n\n"
                f"Watching {self.paths.tasks_dir}\nand {self.paths.team_dir}.\n"
                "Agents often create the team after you start watching; "
                "this fills in as soon as they do.", style="italic"))
        elif not board.list_exists and self.seen_tasks:
            self._set_empty(Text("The task list was removed (Claude Code removes it when a "
                                 "team ends).", style="italic yellow"))
        elif not outline.task_filter.empty:
            self._set_empty(Text("No task matches the filter. esc clears it.", style="italic"))
        elif self.seen_tasks:
            self._set_empty(Text("All tasks cleared: Claude Code deletes the task files a few "
                                 "seconds after every task is completed.", style="italic"))
        elif board.team_exists and not board.tasks:
            self._set_empty(Text("No tasks yet. They appear here as soon as an agent "
                                 f"creates one.\n\nNone at all? {NO_TASKS_HINT}.",
                                 style="italic"))
        else:
            self._set_empty(Text("No tasks yet. They appear here as soon as an agent "
                                 "creates one.", style="italic"))

    def _tick(self) -> None:
        """Keep the relative times ("seen 2m ago") current, every few seconds. The rules
        (whose flags age too) are redone as often as ``TICK_RULES_BUDGET`` allows, counting
        what they repaint (the flags' rows, the outline's marks, the frame): every tick on a
        small list, every two minutes or so on a 10,000-task one (~100 ms each, a quarter of
        it the rules' own walk)."""
        if self.paused:
            return
        if self.activity_watch is not None:
            # What the transcripts' watch cannot hear: a lead transcript not found yet, a
            # pane teammate's file naming its agent late (a stat per transcript).
            self.activity.refresh()
        cost = max(self._rules_cost, self._tick_rules_cost) if self._tick_rules_cost \
            else self._rules_cost * RULES_REPAINT
        rules = self._now() >= self._rules_at + cost / TICK_RULES_BUDGET
        if rules:
            self._rules_changed = None  # every age moved: the rules look at every task
        started = time.thread_time()
        self._draw_agents(resummarize=False, rules=rules)
        self._draw_status()
        self._draw_detail()
        self._elapsed_clock()
        if rules:  # the frame goes out within ~1/60 s (``call_after_refresh`` may be early)
            self.set_timer(TICK_PAINTED, lambda: self._tick_rules_done(started))

    def _tick_rules_done(self, started: float) -> None:
        """The tick's rules are painted: what the main thread spent since (nothing else
        runs there while the console idles) is their cost for the tick's budget."""
        self._tick_rules_cost = time.thread_time() - started

    # -- events --------------------------------------------------------------------

    def on_resize(self) -> None:
        self._apply_width(self.size.width)

    def _apply_width(self, width: int) -> None:
        narrow = width < NARROW_WIDTH
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            if self.loaded:
                self._draw_status()

    @on(Tree.NodeHighlighted, "#outline")
    def _highlighted(self) -> None:
        if self.loaded:
            self._draw_detail()

    @on(Tree.NodeSelected, "#outline")
    def _selected(self) -> None:
        """Enter on a task: show its detail (a pane of its own on a narrow terminal)."""
        self._draw_detail()
        if self.has_class("-narrow"):
            self.add_class("-show-detail")
        self.query_one(TaskDetail).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        outline = self.query_one(DependencyOutline)
        outline.task_filter = parse_filter(event.value)
        outline.show_board(self.board, None)
        unknown = outline.task_filter.unknown
        self._filter_problem = (
            f"Not understood: {', '.join(unknown)} (states: ready, blocked, running, done; "
            "owner:NAME, owner:none)") if unknown else ""
        title = f"Dependencies · filter: {event.value}" if event.value else "Dependencies"
        if unknown:
            title += f" · ⚠ not understood: {', '.join(unknown)}"
        outline.border_title = safe_text(title, limit=120) if event.value else title
        self._draw_empty()
        self._draw_detail()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        if getattr(self, "_filter_problem", ""):
            self.notify(self._filter_problem, title="Filter", severity="warning", timeout=6,
                        markup=False)
        field = self.query_one("#filter", Input)
        if not field.value:
            field.display = False
        self.query_one(DependencyOutline).focus()

    # -- actions -------------------------------------------------------------------

    def action_pause(self) -> None:
        """Freeze the screen; resuming applies every change that waited."""
        self.paused = not self.paused
        self.shadow_recording(self.paused)
        if not self.paused:
            waiting, self.waiting = self.waiting, set()
            if waiting:
                self.apply_paths(waiting)
            if self.loaded and self.app.watch_enabled:
                self.poll_activity()  # what the transcripts said meanwhile
        self._draw_status()
        key = key_for(self.app, "console.pause", "p")
        self.notify(f"Paused: changes wait until you press {key} again." if self.paused
                    else "Live again.", timeout=2)

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        field.focus()

    def action_back(self) -> None:
        """Escape: close the detail pane or the filter, whichever is open."""
        field = self.query_one("#filter", Input)
        if self.has_class("-show-log"):
            self.remove_class("-show-log")
            self.query_one(DependencyOutline).focus()
        elif self.has_class("-show-detail"):
            self.remove_class("-show-detail")
            self.query_one(DependencyOutline).focus()
        elif field.display:
            field.value = ""
            field.display = False
            self.query_one(DependencyOutline).focus()

    def action_direction(self) -> None:
        outline = self.query_one(DependencyOutline)
        outline.direction = "dependants" if outline.direction == "blockers" else "blockers"
        outline.show_board(self.board, None)
        self.notify("Showing what each task waits on" if outline.direction == "dependants"
                    else "Showing what waits on each task", timeout=2)

    def action_waves(self) -> None:
        """Switch the outline between the dependency tree and the waves of remaining work."""
        outline = self.query_one(DependencyOutline)
        view = outline.toggle_view(self.board)
        outline.border_title = "Waves (» critical path)" if view == "waves" else "Dependencies"
        self._draw_detail()
        self._draw_empty()

    def action_fold_done(self) -> None:
        """Fold every completed subtree away (again: unfold them)."""
        folded = self.query_one(DependencyOutline).fold_done()
        self.notify("Completed work folded." if folded else "Completed work unfolded.",
                    timeout=2)

    @on(AttentionList.Jump)
    def _jump(self, event: AttentionList.Jump) -> None:
        if event.task is not None and event.task in self.board.tasks:
            self.go_to_task(event.task)
        elif event.agent is not None:
            self.go_to_agent(event.agent)
        elif event.more:
            self.action_problems()

    def action_messages(self) -> None:
        """The focused agent's messages (or the selected task's owner's), newest last."""
        agent = self._message_target()
        if agent is None:
            self.notify("Focus an agent's panel (tab), or select a task that has an owner.",
                        severity="warning")
            return
        note = None if self.activity.found else (
            "No transcripts found: only the inbox messages seen while watching are shown.")
        from .messages import MessagesScreen

        self.app.push_screen(MessagesScreen(agent, self.activity.history(agent), note))

    def action_problems(self) -> None:
        from .problems import ProblemsScreen

        self.app.push_screen(ProblemsScreen(self.alerts, self.board.problems(),
                                            str(self.paths.home)), self.go_to_task)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self))

    def go_to_task(self, task_id: str | None) -> None:
        """Put the cursor on a task, clearing a filter that hides it."""
        if not task_id:
            return
        outline = self.query_one(DependencyOutline)
        if not outline.select_task(task_id):
            field = self.query_one("#filter", Input)
            if field.value:
                field.value = ""
                field.display = False
                outline.task_filter = parse_filter("")
                outline.show_board(self.board, None)
                self.call_after_refresh(outline.select_task, task_id)
            else:
                self.notify(f"Task #{task_id} is not in the outline.", severity="warning")
                return
        outline.focus()

    def go_to_agent(self, name: str) -> None:
        panel: AgentPanel | None = self.query_one(AgentList).panels.get(name)
        if panel is not None:
            panel.focus()
            panel.scroll_visible()
