"""``taskboard record``: every list and team under a Claude home, recorded without a screen.

:class:`HomeRecorder` keeps one :class:`~taskboard.claude.reader.BoardReader` and one
:class:`~taskboard.journal.recorder.TeamRecorder` per list/team name, and feeds them from:

- one recursive watch over ``<home>/tasks`` and ``<home>/teams`` (not one per team:
  a home holds hundreds of old lists), restarted whenever one of those two
  directories appears, vanishes or is replaced; lock directories are filtered out.
  On Linux it is inotify read on the loop (:class:`~taskboard.claude.inotify.InotifyBatches`,
  a watch added for each subdirectory as it appears; nothing wakes while nothing
  happens), elsewhere or when inotify fails a recursive ``watchfiles`` watch;
- a discovery pass every :data:`DISCOVER_INTERVAL` seconds (two ``scandir`` calls)
  that starts recording names that appeared (Claude Code 2.1.3xx names each session's
  team ``session-<8 chars>``, so nobody can name it in advance) and checks the roots;
- a stat sweep of every known file every :data:`SWEEP_INTERVAL` seconds (stretched to
  stay under :data:`SWEEP_BUDGET` of a core) that catches whatever events missed.

Everything runs on one asyncio loop; each batch is read and committed before the next.
One recorder per Claude home: :class:`RecorderLock` is an ``flock`` on a file in the data
dir, released by the kernel even on SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from watchfiles import awatch

from taskboard.board.rules import Signals, evaluate
from taskboard.claude import inotify
from taskboard.claude.live import TeamActivity
from taskboard.claude.paths import TeamPaths, known_names, list_dir_name, team_dir_name
from taskboard.claude.reader import BoardReader
from taskboard.clock import Clock
from taskboard.journal.events import digest
from taskboard.journal.observers import AgentStates, FlagChanges
from taskboard.journal.recorder import TeamRecorder
from taskboard.journal.store import Journal

log = logging.getLogger(__name__)

DISCOVER_INTERVAL = 1.0
SWEEP_INTERVAL = 5.0
SWEEP_BUDGET = 0.005
FLAG_BUDGET = 0.002
"""Share of a core the rules may take while a team's files and transcripts are quiet."""
BUSY_FLAG_BUDGET = 0.02
"""The same while its agents' transcripts move (they write every 0.1 s)."""
STEP_MS = 50
"""The watch's quiet time: well inside the ~1 s an inbox message lives on disk."""
DEBOUNCE_MS = 200
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
"""A list or team directory name as Claude Code makes them (``x.deleted-1`` is not one)."""


class RecorderLock:
    """One recorder per Claude home: an exclusive ``flock`` on
    ``<data dir>/record-<hash of the home>.lock`` holding the recorder's pid."""

    def __init__(self, data: Path, home: Path) -> None:
        self.path = data / f"record-{digest(str(home.resolve()))[:12]}.lock"
        self._fd: int | None = None

    def acquire(self) -> bool:
        """True if taken; False if another recorder holds it (see :meth:`holder`)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        """The pid written by the recorder that holds the lock ('' if unknown)."""
        try:
            return self.path.read_text().strip()
        except OSError:
            return ""

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


class HomeRecorder:
    """Records the lists and teams under one Claude home (all, or the ``names`` given)."""

    def __init__(self, home: Path, journal: Journal, names: Sequence[str] = (), *,
                 clock: Clock | None = None, say: object = None,
                 sweep_interval: float = SWEEP_INTERVAL) -> None:
        self.home = home
        self.journal = journal
        self.clock = clock or Clock()
        self.wanted: set[str] | None = None
        if names:
            self.wanted = {n for name in names for n in (list_dir_name(name),
                                                        team_dir_name(name))}
        self.teams: dict[str, tuple[BoardReader, TeamRecorder]] = {}
        self.live: dict[str, tuple[TeamActivity, AgentStates, FlagChanges]] = {}
        """Teams whose agents' transcripts are followed (those with a team directory)."""
        self.say = say if callable(say) else (lambda text: None)
        self.sweep_interval = sweep_interval
        self.sweep_seconds = 0.0
        self.batches = 0
        self.started = False
        """True once the first discovery is done: what appears later is new."""
        self._dirty: set[str] = set()
        """Teams whose files changed since their rules were last evaluated."""
        self._flags_at: dict[str, float] = {}
        self._flags_cost: dict[str, float] = {}
        self._roots: tuple[tuple[Path, tuple[int, int] | None], ...] = ()
        self._restart = asyncio.Event()

    @property
    def recorded(self) -> int:
        return sum(rec.recorded for _, rec in self.teams.values())

    # -- teams ---------------------------------------------------------------------

    def discover(self) -> list[str]:
        """Start recording every wanted name that exists and is not recorded yet."""
        added = []
        for name in known_names(self.home):
            if name in self.teams or not _NAME.match(name):
                continue
            if self.wanted is not None and name not in self.wanted:
                continue
            reader = BoardReader(TeamPaths(self.home, name))
            recorder = TeamRecorder(self.journal, name, clock=self.clock,
                                    watching_before=self.started)
            recorder.start()
            self.teams[name] = (reader, recorder)
            recorder.observe(reader.board, reader.rescan())
            if reader.board.team_exists:
                self.live[name] = (TeamActivity(self.home, name), AgentStates(name),
                                   FlagChanges(name))
            added.append(name)
            self.say(f"recording {name}" + (f" (session {recorder.session})"
                                             if recorder.session else ""))
        return added

    def apply(self, paths: Iterable[Path]) -> int:
        """Re-read these paths (a watch batch) team by team and record what changed."""
        groups: dict[str, list[Path]] = {}
        tasks, teams = self.home / "tasks", self.home / "teams"
        for path in paths:
            for root in (tasks, teams):
                if path == root or path.parent == self.home:
                    groups.update({name: [] for name in self.teams})
                    break
                try:
                    rel = path.relative_to(root)
                except ValueError:
                    continue
                groups.setdefault(rel.parts[0], []).append(path)
                break
        added = 0
        for name, batch in groups.items():
            team = self.teams.get(name)
            if team is None:
                if _NAME.match(name) and (self.wanted is None or name in self.wanted):
                    self.discover()  # a new list or team: read it whole, now
                continue
            reader, recorder = team
            delta = reader.refresh(batch or [reader.paths.tasks_dir])
            if delta:
                self._dirty.add(name)
                added += recorder.observe(reader.board, delta)
        return added

    def follow_agents(self) -> int:
        """Read the live teams' transcripts; record each agent state change, and each
        health flag raised or cleared (the rules, given the agents' activity)."""
        added = 0
        now = self.clock.time()
        for name, (live, states, flags) in list(self.live.items()):
            reader, recorder = self.teams[name]
            try:
                changed = live.refresh()
            except OSError as err:
                log.debug("reading %s's transcripts failed: %s", name, err)
                continue
            found = states.observe(live.agents, now, changed) if changed else []
            if self._flags_due(name, bool(changed)):
                started = time.perf_counter()
                held = evaluate(reader.board, now, signals=Signals(activity=dict(live.agents)))
                found += flags.observe(held, now)
                self._flags_cost[name] = time.perf_counter() - started
                self._flags_at[name] = time.monotonic()
                self._dirty.discard(name)
            added += recorder.record_events(found)
            if not reader.board.team_exists and live.members is None:
                del self.live[name]  # the team ended: its agents' last states are recorded
        return added

    def _flags_due(self, name: str, activity: bool) -> bool:
        """Whether to evaluate a team's rules now: after a change to its files, else as
        often as keeps them under ``FLAG_BUDGET`` (``BUSY_FLAG_BUDGET`` while its agents'
        transcripts move). At 10,000 tasks the rules cost ~60 ms: a flag that only time
        raises ("stalled", "ready unclaimed for 10 min") is recorded up to ~30 s late, with
        the time it began in its ``since``."""
        if name in self._dirty or name not in self._flags_at:
            return True
        budget = BUSY_FLAG_BUDGET if activity else FLAG_BUDGET
        wait = max(DISCOVER_INTERVAL, self._flags_cost.get(name, 0.0) / budget)
        return time.monotonic() >= self._flags_at[name] + wait

    def sweep(self) -> int:
        """Stat every known file; re-read and record whatever differs."""
        started = time.perf_counter()
        added = 0
        for name, (reader, recorder) in self.teams.items():
            paths = reader.changed_paths()
            if paths:
                delta = reader.refresh(paths, sweep=False)
                if delta:
                    self._dirty.add(name)
                    added += recorder.observe(reader.board, delta)
        self.sweep_seconds = time.perf_counter() - started
        return added

    # -- the loop ------------------------------------------------------------------

    def _current_roots(self) -> tuple[tuple[Path, tuple[int, int] | None], ...]:
        out = []
        for root in (self.home / "tasks", self.home / "teams"):
            try:
                st = os.stat(root)
            except OSError:
                continue
            out.append((root, (st.st_dev, st.st_ino)))
        return tuple(out)

    async def _watch(self, stop: asyncio.Event) -> None:
        """Watch the roots that exist; start again whenever they change."""
        use_inotify = inotify.available()
        while not stop.is_set():
            self._restart.clear()
            self._roots = roots = self._current_roots()
            if not roots:
                await _first(stop.wait(), self._restart.wait())
                continue
            if use_inotify:
                watch = inotify.InotifyBatches(
                    [r for r, _ in roots], lambda path: _keep(None, path), stop=stop,
                    quiet_ms=STEP_MS, debounce_ms=DEBOUNCE_MS, recursive=True)
                try:
                    await watch.open()
                except (FileNotFoundError, NotADirectoryError):
                    await asyncio.sleep(0.1)  # a root vanished while starting: look again
                    continue
                except Exception as err:  # noqa: BLE001 - e.g. out of watches: watchfiles
                    log.info("inotify unavailable (%s): watching with watchfiles", err)
                    use_inotify = False
                else:
                    try:
                        await self._follow(watch)
                    except Exception as err:  # the sweep goes on without events
                        log.warning("watching %s failed: %s", self.home, err)
                        await _first(stop.wait(), self._restart.wait(),
                                     asyncio.sleep(SWEEP_INTERVAL))
                    continue
            flag = _Flag(stop, self._restart)
            try:
                async for raw in awatch(*(r for r, _ in roots), step=STEP_MS,
                                        debounce=DEBOUNCE_MS, stop_event=flag,
                                        recursive=True, watch_filter=_keep):
                    self.batches += 1
                    self.apply({Path(p) for _change, p in raw})
            except FileNotFoundError:
                await asyncio.sleep(0.1)  # a root vanished while starting: look again
            except Exception as err:  # the sweep goes on without events
                log.warning("watching %s failed: %s", self.home, err)
                await _first(stop.wait(), self._restart.wait(), asyncio.sleep(SWEEP_INTERVAL))

    async def _follow(self, watch: inotify.InotifyBatches) -> None:
        """Apply the batches of one inotify watch until stopped or restarted."""
        restart = asyncio.ensure_future(self._restart.wait())
        restart.add_done_callback(lambda _done: watch.end())
        try:
            roots = {str(root) for root in watch.roots}
            while (batch := await watch.next()) is not None:
                self.batches += 1
                self.apply({Path(p) for p in batch})
                if not roots.isdisjoint(batch):
                    return  # a root removed or replaced (or events lost): watch afresh
        finally:
            restart.cancel()
            await watch.aclose()

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Record until ``stop`` is set; a last sweep then catches the final changes."""
        self.discover()
        self.started = True
        watcher = asyncio.create_task(self._watch(stop))
        await asyncio.sleep(0.2)  # the watch's first step places its inotify watches
        self.sweep()
        if ready is not None:
            ready.set()
        next_sweep = time.monotonic() + self.sweep_interval
        try:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), DISCOVER_INTERVAL)
                if stop.is_set():
                    break
                if self._current_roots() != self._roots:
                    self._restart.set()
                for name in self.discover():
                    log.debug("now recording %s", name)
                self.follow_agents()
                if time.monotonic() >= next_sweep:
                    self.sweep()
                    interval = max(self.sweep_interval, self.sweep_seconds / SWEEP_BUDGET)
                    next_sweep = time.monotonic() + interval
        finally:
            stop.set()
            await asyncio.gather(watcher, return_exceptions=True)
            self.discover()
            self.sweep()


class _Flag:
    """awatch's stop event: the recorder stopping, or the roots changing."""

    def __init__(self, *events: asyncio.Event) -> None:
        self._events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self._events)


def _keep(change: object, path: str) -> bool:
    """Drop lock directories and what is inside them; keep everything else."""
    return ".lock" not in path


async def _first(*aws: object) -> None:
    tasks = [asyncio.ensure_future(a) for a in aws]  # type: ignore[call-overload]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


__all__ = ["HomeRecorder", "RecorderLock"]
