"""File events in, batches of changed paths out: watchfiles for speed.

:class:`TeamWatcher` (and :func:`watch_paths`) turns ``watchfiles.awatch`` into
batches of the paths that matter to one team: its task files, ``config.json``,
its inboxes, and the directories themselves. The console applies each batch with
:meth:`BoardReader.refresh` on its loop, and runs the periodic stat sweep
(:meth:`BoardReader.changed_paths` in a worker thread) that catches what events
miss (``ui/screens/console.py``). Nothing here imports textual.

Timing (``step`` and ``debounce``; figures from ``benchmarks/bench_reader.py --tune``
on a 2-core VM, 1,000 and 10,000 tasks, writes in place from another thread):

- watchfiles wakes every ``step`` ms; once events are waiting it returns the
  batch after one ``step`` with no new event, or ``debounce`` ms after the first
  event if they keep coming. Its defaults (50 ms, 1,600 ms) measured p95 100-140
  ms for a lone write and 1.5 s in a storm: the whole 100 ms write-to-screen
  budget gone before anything is read.
- ``STEP_MS = 10``: a lone write reaches the consumer in p50 16 ms, p95 21 ms
  at 1,000 and at 10,000 tasks (step 5: p95 11 ms; 20: 43 ms; 50: 99-142 ms),
  leaving ~80 ms of the budget to the screen. The price is the watch thread
  waking 100 times a second: 0.4-0.5 % of one core while idle (step 5: 0.9-1.1 %,
  20: 0.4-0.5 %, 50: 0.1-0.4 %). Claude Code's in-place write is a truncate and a
  write microseconds apart, far inside one step, so one write is one batch and
  one read (1.00 reads per change measured); a torn read is still survived (the
  reader keeps the last good version).
- ``DEBOUNCE_MS = 50``: in a storm (a write every 2 ms for 2 s) a batch is cut
  at least every 50 ms: p95 65-68 ms (25: 46 ms, 100: 118 ms, 200: 215 ms,
  1,600: 1.5 s), so the 100 ms goal holds even under sustained load, at ~25-30
  deltas a second. Coalescing does not depend on it: while the consumer is busy
  painting, watchfiles keeps gathering events into the next batch, so a slow
  screen gets fewer, bigger batches, never a backlog.
- The console's periodic sweep (every ``rescan_seconds``, 3 s) stats every file in a worker
  thread: 4 ms at 1,000 tasks, 50 ms at 10,000 on that VM. It is stretched so it
  never takes more than the console's ``SWEEP_BUDGET`` (0.1 %) of a core: every
  4 s at 1,000 tasks, every ~50 s at 10,000 there.

Events are hints, never the truth: every path in a batch is "look at this path
again". Bursts are coalesced, never dropped: the next batch grows until the
consumer asks for it.

The team's directories may not exist yet (the operator starts watching before
the lead creates the team) or may vanish (Claude Code removes them when the team
ends). The watcher watches the nearest existing directory on the way to each of
them, non-recursively, and starts a fresh ``awatch`` whenever one of those
directories appears, disappears or is replaced (an inotify watch stays on a
removed directory's inode and would never report the new one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from watchfiles import Change, awatch

from taskboard.claude.paths import TeamPaths, task_id_from_name

log = logging.getLogger(__name__)

STEP_MS = 10
"""Quiet time (ms) that ends a batch. See the module docstring for the measurements."""
DEBOUNCE_MS = 50
"""Longest time (ms) a busy batch is held before it is delivered."""
RETRY_DELAY = 1.0
"""Seconds before trying again when the watcher could not start."""


def _target_dirs(paths: TeamPaths) -> tuple[Path, ...]:
    return (paths.tasks_dir, paths.team_dir, paths.inboxes_dir)


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            return candidate
    return Path(path.anchor or "/")


def watch_roots(paths: TeamPaths) -> tuple[Path, ...]:
    """The directories to watch: for the task list, the team directory and its inboxes,
    the directory itself if it exists, else its nearest existing ancestor. No duplicates."""
    roots: dict[Path, None] = {}
    for target in _target_dirs(paths):
        roots[_nearest_existing(target)] = None
    return tuple(roots)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


class TeamFilter:
    """watchfiles filter that keeps only the paths that matter to one team.

    Kept: ``<list>/<n>.json``, ``config.json``, ``inboxes/<agent>.json``, and the
    team's directories and their ancestors (so a directory created or removed
    is seen). Dropped: lock directories (``*.lock``) and anything inside them,
    ``.lock``, ``.highwatermark``, temp files (whatever does not end in
    ``.json``), hidden inbox files, other teams and lists. It works on strings
    only: a deleted path cannot be asked whether it was a directory.
    """

    def __init__(self, paths: TeamPaths) -> None:
        self._tasks_dir = str(paths.tasks_dir)
        self._inboxes_dir = str(paths.inboxes_dir)
        self._config = str(paths.config_path)
        self._structural = frozenset(
            str(p) for target in _target_dirs(paths) for p in (target, *target.parents))

    def __call__(self, change: Change, path: str) -> bool:
        if path in self._structural:
            return True
        parent, _, name = path.rpartition(os.sep)
        if parent == self._tasks_dir:
            return task_id_from_name(name) is not None
        if parent == self._inboxes_dir:
            return name.endswith(".json") and not name.startswith(".")
        return path == self._config

    def is_structural(self, path: str | Path) -> bool:
        return str(path) in self._structural


class _StopFlag:
    """The stop event handed to one ``awatch``: set by the watcher's stop, or to restart.

    awatch's thread polls ``is_set()`` every step, so setting it ends that
    ``awatch`` within one step; the outer stop event is left alone.
    """

    def __init__(self, outer: asyncio.Event) -> None:
        self._outer = outer
        self._set = False

    def is_set(self) -> bool:
        return self._set or self._outer.is_set()

    def set(self) -> None:
        self._set = True


@dataclass
class _Session:
    """One running ``awatch`` over a fixed set of roots."""

    roots: tuple[Path, ...]
    identities: tuple[tuple[int, int] | None, ...]
    changes: AsyncGenerator[set[tuple[Change, str]], None]
    flag: _StopFlag
    pending: asyncio.Future[set[tuple[Change, str]]] | None = field(default=None)

    def advance(self) -> None:
        self.pending = asyncio.ensure_future(anext(self.changes))
        # When the app exits before close() (its worker cancelled), the awatch's end
        # (StopAsyncIteration) must not be reported as a "never retrieved" exception.
        self.pending.add_done_callback(_retrieve)

    async def close(self) -> None:
        self.flag.set()
        pending = self.pending
        if pending is not None:
            if not pending.done():
                # The thread sees the flag within one step and the awatch returns.
                await asyncio.wait([pending])
            if not pending.cancelled():
                pending.exception()  # retrieved: a batch or error here no longer matters
        with contextlib.suppress(Exception):
            await self.changes.aclose()


def _retrieve(future: asyncio.Future[object]) -> None:
    if not future.cancelled():
        future.exception()


class TeamWatcher:
    """Batches of changed paths for one team, surviving its directories coming and going.

    Iterate it (``async for batch in watcher``) to get ``set[Path]`` batches; a
    batch that holds one of the team's directories means "the structure
    changed, compare everything". When it restarts its ``awatch``, the new
    watches are in place before the batch is yielded, so a sweep made after
    receiving it misses nothing. ``stop`` (an asyncio.Event) ends the iteration
    within one step; ``ready`` is set once the first watch is in place (or could
    not be placed). :meth:`check_roots` restarts the watch if a watched
    directory was replaced without an event (call it now and then).
    """

    def __init__(self, paths: TeamPaths, *, stop: asyncio.Event | None = None,
                 step_ms: int = STEP_MS, debounce_ms: int = DEBOUNCE_MS,
                 force_polling: bool | None = None, rust_timeout_ms: int | None = None) -> None:
        self.paths = paths
        self.stop_event = stop if stop is not None else asyncio.Event()
        self.step_ms = step_ms
        self.debounce_ms = debounce_ms
        self.force_polling = force_polling
        self.rust_timeout_ms = rust_timeout_ms
        self.filter = TeamFilter(paths)
        self.ready = asyncio.Event()
        self.starts = 0
        """How many times an awatch was started (1 + restarts)."""
        self.batches = 0
        self._session: _Session | None = None

    @property
    def roots(self) -> tuple[Path, ...]:
        """The directories watched right now (empty when not running)."""
        return self._session.roots if self._session is not None else ()

    def stop(self) -> None:
        self.stop_event.set()

    def check_roots(self) -> bool:
        """Restart the watch if its directories are no longer the right ones; True if so."""
        session = self._session
        if session is None or session.flag.is_set():
            return False
        roots = watch_roots(self.paths)
        if roots == session.roots and tuple(map(_identity, roots)) == session.identities:
            return False
        log.debug("watch roots changed: %s -> %s", session.roots, roots)
        session.flag.set()
        return True

    async def _open(self) -> _Session | None:
        """Start an awatch on the current roots, with its watches in place, or None."""
        for _attempt in range(5):
            if self.stop_event.is_set():
                return None
            roots = watch_roots(self.paths)
            identities = tuple(map(_identity, roots))
            flag = _StopFlag(self.stop_event)
            changes = awatch(
                *roots, watch_filter=self.filter, step=self.step_ms,
                debounce=self.debounce_ms, stop_event=flag, recursive=False,
                force_polling=self.force_polling, rust_timeout=self.rust_timeout_ms)
            session = _Session(roots, identities, changes, flag)
            session.advance()
            # awatch builds its RustNotify (which places the watches) in its first
            # step, before it first suspends; two loop turns let that step run.
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            assert session.pending is not None
            if session.pending.done() and session.pending.exception() is not None:
                err = session.pending.exception()
                await session.close()
                if isinstance(err, StopAsyncIteration):
                    return None
                log.debug("watch on %s failed: %r", roots, err)
                if isinstance(err, FileNotFoundError):
                    continue  # a root vanished meanwhile: look again
                log.warning("cannot watch %s: %s", ", ".join(map(str, roots)), err)
                if not self.force_polling:
                    self.force_polling = True  # e.g. out of inotify watches
                    continue
                return None
            self.starts += 1
            self._session = session
            if watch_roots(self.paths) != roots:
                session.flag.set()  # changed while starting: the loop restarts it
            return session
        return None

    async def _wait_stop(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop_event.wait(), seconds)

    async def __aiter__(self) -> AsyncIterator[set[Path]]:
        structure = set(_target_dirs(self.paths))
        session = await self._open()
        self.ready.set()
        try:
            while not self.stop_event.is_set():
                if session is None:
                    await self._wait_stop(RETRY_DELAY)
                    session = await self._open()
                    if session is not None:
                        yield set(structure)  # events may have been missed: sweep
                    continue
                assert session.pending is not None
                try:
                    # shield: a cancelled consumer must not cancel awatch's thread wait,
                    # which would block until the thread returns (rust_timeout).
                    raw = await asyncio.shield(session.pending)
                except StopAsyncIteration:
                    # Stopped, or check_roots asked for a restart.
                    await session.close()
                    self._session = session = None
                    if not self.stop_event.is_set():
                        session = await self._open()
                        if session is not None:
                            yield set(structure)
                    continue
                batch = {Path(path) for _change, path in raw}
                self.batches += 1
                if any(self.filter.is_structural(p) for p in batch):
                    await session.close()
                    self._session = session = None
                    session = await self._open()
                else:
                    session.advance()
                yield batch
        finally:
            if session is not None:
                await session.close()
            self._session = None


async def watch_paths(paths: TeamPaths, *, stop: asyncio.Event, step_ms: int = STEP_MS,
                      debounce_ms: int = DEBOUNCE_MS,
                      force_polling: bool | None = None) -> AsyncIterator[set[Path]]:
    """Batches of the team's changed paths until ``stop`` is set (see :class:`TeamWatcher`)."""
    watcher = TeamWatcher(paths, stop=stop, step_ms=step_ms, debounce_ms=debounce_ms,
                          force_polling=force_polling)
    async for batch in watcher:
        yield batch


__all__ = ["DEBOUNCE_MS", "STEP_MS", "TeamFilter", "TeamWatcher", "watch_paths", "watch_roots"]
