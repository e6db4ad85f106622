"""File events in, batches of changed paths out: inotify on the loop, watchfiles elsewhere.

:class:`TeamWatcher` (and :func:`watch_paths`) turns file events into batches of
the paths that matter to one team: its task files, ``config.json``, its inboxes,
and the directories themselves. The console applies each batch with
:meth:`BoardReader.refresh` on its loop, and runs the periodic stat sweep
(:meth:`BoardReader.changed_paths` in a worker thread) that catches what events
miss (``ui/screens/console.py``). Nothing here imports textual.

Two ways to watch, the same batches:

- On Linux, :class:`taskboard.claude.inotify.InotifyBatches`: an inotify
  descriptor read with ``loop.add_reader``, no thread and no timer while nothing
  happens. A batch is complete ``QUIET_MS`` after its last event once every file
  modified in it was closed, or ``DEBOUNCE_MS`` after its first event.
- Elsewhere, or when inotify fails (out of instances or watches),
  :class:`taskboard.claude.watch_fallback.FilesBatches`: ``watchfiles.awatch``,
  whose Rust thread wakes every ``STEP_MS`` even when idle; it batches after one
  quiet step, or ``DEBOUNCE_MS`` after the first event.

Timing (figures from ``benchmarks/bench_reader.py --tune`` on a 2-core VM at
10,000 tasks, load 1-2, writes in place from another thread; idle is the watcher
alone, without the sweeps):

- ``QUIET_MS = 3``: a lone write reaches the consumer in p50 4.4 ms, p95 7 ms,
  1.00 reads per change, idle 0.01 % of a core (quiet 1: p50 2.1, p95 2.8; 5:
  p50 6.6, p95 9.2; 10: p50 11.4, p95 14.7). Waiting for the close means one
  write is one batch and one read even when the writer is slow between its
  truncate and its write; 3 ms of quiet gathers the files one task update
  touches into one batch.
- watchfiles ``STEP_MS = 10`` (the fallback): p50 17 ms, p95 21 ms, idle
  0.4-0.5 % of a core (step 5: p95 12 ms, 0.6-1.1 %; 20: p95 43-59 ms,
  0.2-0.5 %; 50: p95 100-140 ms, 0.1-0.4 %).
- ``DEBOUNCE_MS = 50``: in a storm (a write every 2 ms for 2 s) a batch is cut
  at least every 50 ms: inotify p95 44 ms (~110 batches a second to a fast
  consumer; 25: 24 ms, 100: 91 ms, 200: 116 ms), watchfiles p95 63-68 ms (~21 a
  second; 25: 44-46 ms, 100: 112-118 ms, 200: 210-215 ms). Coalescing does not
  depend on it: while the consumer is busy painting, events keep joining the
  next batch (the kernel queues them, up to ``max_queued_events``; an overflow
  is a structural batch), so a slow screen gets fewer, bigger batches, never a
  backlog.
- The console's periodic sweep (every ``rescan_seconds``, 3 s) stats every file in a worker
  thread: 4 ms at 1,000 tasks, 45-50 ms at 10,000 on that VM. It is paced so it
  never takes more than the console's ``SWEEP_BUDGET`` (0.05 %) of a core, a slice of
  256 files at a time (:class:`~taskboard.claude.reader.Pace`): each file is looked at
  every ~10 s at 1,000 tasks, every ~100 s at 10,000, and no 30 s holds a whole sweep.

Events are hints, never the truth: every path in a batch is "look at this path
again". Bursts are coalesced, never dropped: the next batch grows until the
consumer asks for it.

The team's directories may not exist yet (the operator starts watching before
the lead creates the team) or may vanish (Claude Code removes them when the team
ends). The watcher watches the nearest existing directory on the way to each of
them, non-recursively, and starts a fresh watch whenever one of those
directories appears, disappears or is replaced (an inotify watch stays on a
removed directory's inode and would never report the new one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from watchfiles import Change

from taskboard.claude import inotify
from taskboard.claude.paths import TeamPaths, task_id_from_name
from taskboard.claude.watch_fallback import FilesBatches

log = logging.getLogger(__name__)

QUIET_MS = 3.0
"""inotify: quiet time (ms) that ends a batch. See the module docstring for the measurements."""
STEP_MS = 10
"""watchfiles (the fallback): its wake-up period (ms), the quiet time that ends a batch."""
DEBOUNCE_MS = 50
"""Longest time (ms) a busy batch is held before it is delivered."""
RETRY_DELAY = 1.0
"""Seconds before trying again when the watcher could not start."""


def _target_dirs(paths: TeamPaths) -> tuple[Path, ...]:
    return (paths.tasks_dir, paths.team_dir, paths.inboxes_dir)


def nearest_existing(path: Path) -> Path:
    """``path`` if it is a directory, else its nearest ancestor that is."""
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            return candidate
    return Path(path.anchor or "/")


def watch_roots(paths: TeamPaths) -> tuple[Path, ...]:
    """The directories to watch: for the task list, the team directory and its inboxes,
    the directory itself if it exists, else its nearest existing ancestor. No duplicates."""
    roots: dict[Path, None] = {}
    for target in _target_dirs(paths):
        roots[nearest_existing(target)] = None
    return tuple(roots)


def identity(path: Path) -> tuple[int, int] | None:
    """A directory's (device, inode): whether a watched root was replaced."""
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


class _Batches(Protocol):
    """One watch over fixed roots: :class:`inotify.InotifyBatches` or :class:`FilesBatches`."""

    roots: tuple[Path, ...]

    @property
    def ended(self) -> bool: ...
    async def open(self) -> None: ...
    async def next(self) -> set[str] | None: ...
    def end(self) -> None: ...
    async def aclose(self) -> None: ...


class TeamWatcher:
    """Batches of changed paths for one team, surviving its directories coming and going.

    Iterate it (``async for batch in watcher``) to get ``set[Path]`` batches; a
    batch that holds one of the team's directories means "the structure
    changed, compare everything". When it restarts its watch, the new watches
    are in place before the batch is yielded, so a sweep made after receiving
    it misses nothing. ``stop`` (an asyncio.Event) ends the iteration promptly;
    ``ready`` is set once the first watch is in place (or could not be placed).
    :meth:`check_roots` restarts the watch if a watched directory was replaced
    without an event (call it now and then). ``backend`` is ``"inotify"`` (Linux,
    read on the loop) or ``"watchfiles"`` (elsewhere, or when inotify fails);
    ``use_inotify=False`` or ``force_polling=True`` asks for the latter.
    """

    def __init__(self, paths: TeamPaths, *, stop: asyncio.Event | None = None,
                 step_ms: int = STEP_MS, debounce_ms: int = DEBOUNCE_MS,
                 quiet_ms: float = QUIET_MS, force_polling: bool | None = None,
                 rust_timeout_ms: int | None = None, use_inotify: bool | None = None) -> None:
        self.paths = paths
        self.stop_event = stop if stop is not None else asyncio.Event()
        self.step_ms = step_ms
        self.debounce_ms = debounce_ms
        self.quiet_ms = quiet_ms
        self.force_polling = force_polling
        self.rust_timeout_ms = rust_timeout_ms
        wants_inotify = use_inotify is not False and not force_polling
        self.backend = "inotify" if wants_inotify and inotify.available() else "watchfiles"
        self.filter = TeamFilter(paths)
        self.ready = asyncio.Event()
        self.starts = 0
        """How many times a watch was started (1 + restarts)."""
        self.batches = 0
        self._session: _Batches | None = None
        self._identities: tuple[tuple[int, int] | None, ...] = ()

    @property
    def roots(self) -> tuple[Path, ...]:
        """The directories watched right now (empty when not running)."""
        return self._session.roots if self._session is not None else ()

    def stop(self) -> None:
        self.stop_event.set()

    def check_roots(self) -> bool:
        """Restart the watch if its directories are no longer the right ones; True if so."""
        session = self._session
        if session is None or session.ended or self.stop_event.is_set():
            return False
        roots = watch_roots(self.paths)
        if roots == session.roots and tuple(map(identity, roots)) == self._identities:
            return False
        log.debug("watch roots changed: %s -> %s", session.roots, roots)
        session.end()
        return True

    def _keep(self, path: str) -> bool:
        return self.filter(Change.modified, path)

    def _make(self, roots: tuple[Path, ...]) -> _Batches:
        if self.backend == "inotify":
            return inotify.InotifyBatches(roots, self._keep, stop=self.stop_event,
                                          quiet_ms=self.quiet_ms, debounce_ms=self.debounce_ms)
        return FilesBatches(roots, self._keep, stop=self.stop_event, step_ms=self.step_ms,
                            debounce_ms=self.debounce_ms, force_polling=self.force_polling,
                            rust_timeout_ms=self.rust_timeout_ms)

    async def _open(self) -> _Batches | None:
        """Start a watch on the current roots, with its watches in place, or None."""
        for _attempt in range(5):
            if self.stop_event.is_set():
                return None
            roots = watch_roots(self.paths)
            identities = tuple(map(identity, roots))
            session = self._make(roots)
            try:
                await session.open()
            except (FileNotFoundError, NotADirectoryError) as err:
                log.debug("watch on %s failed: %r", roots, err)
                continue  # a root vanished meanwhile: look again
            except Exception as err:  # noqa: BLE001 - any failure: the next way to watch
                if self.backend == "inotify":
                    log.info("inotify unavailable (%s): watching with watchfiles", err)
                    self.backend = "watchfiles"  # e.g. out of inotify instances or watches
                    continue
                log.warning("cannot watch %s: %s", ", ".join(map(str, roots)), err)
                if not self.force_polling:
                    self.force_polling = True  # e.g. out of inotify watches
                    continue
                return None
            if session.ended:
                return None  # stopped while starting
            self.starts += 1
            self._session, self._identities = session, identities
            if watch_roots(self.paths) != roots:
                session.end()  # changed while starting: the loop restarts it
            return session
        return None

    async def _wait_stop(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop_event.wait(), seconds)

    async def _close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.aclose()

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
                raw = await session.next()
                if raw is None:
                    # Stopped, or check_roots asked for a restart.
                    await self._close()
                    session = None
                    if not self.stop_event.is_set():
                        session = await self._open()
                        if session is not None:
                            yield set(structure)
                    continue
                batch = {Path(path) for path in raw}
                self.batches += 1
                if any(self.filter.is_structural(p) for p in batch):
                    await self._close()
                    session = await self._open()
                yield batch
        finally:
            await self._close()


async def watch_paths(paths: TeamPaths, *, stop: asyncio.Event, step_ms: int = STEP_MS,
                      debounce_ms: int = DEBOUNCE_MS, quiet_ms: float = QUIET_MS,
                      force_polling: bool | None = None,
                      use_inotify: bool | None = None) -> AsyncIterator[set[Path]]:
    """Batches of the team's changed paths until ``stop`` is set (see :class:`TeamWatcher`)."""
    watcher = TeamWatcher(paths, stop=stop, step_ms=step_ms, debounce_ms=debounce_ms,
                          quiet_ms=quiet_ms, force_polling=force_polling,
                          use_inotify=use_inotify)
    async for batch in watcher:
        yield batch


__all__ = ["DEBOUNCE_MS", "QUIET_MS", "STEP_MS", "TeamFilter", "TeamWatcher", "watch_paths",
           "watch_roots"]
