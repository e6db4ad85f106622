"""A team's transcripts watched by inotify on the loop: a transcript write is heard when it
happens, and nothing runs while nobody writes (the alternative, one ``stat`` per transcript
twice a second, wakes the console all day).

:class:`ActivityWatch` watches, non-recursively, the directories that
:meth:`TeamActivity.watch_dirs` names: the lead's project directory (the lead's and pane
teammates' transcripts, a new session directory), the session's ``subagents`` directory
(in-process teammates' transcripts and sidecars), ``sessions/`` (the lead process busy or
idle) and the team directory (``config.json``). A directory that does not exist yet is
watched through its nearest existing ancestor, so its creation is heard. Iterate it::

    watch = ActivityWatch(activity, stop=stop)
    async for paths in watch:        # None: "look at everything" (the watch (re)started)
        changed = activity.refresh(paths, discover=paths is None)

After each batch (once the consumer has refreshed the activity, which may have found new
transcripts in new directories) the directories are named again; when they moved, the watch
starts afresh on the new ones and yields None (something may have been written in between).

Only inotify (:mod:`taskboard.claude.inotify`) is used here: where it is not available or
fails, :attr:`ActivityWatch.failed` is set and the iteration ends, and the caller polls
(:meth:`TeamActivity.refresh` without paths) instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from taskboard.claude import inotify
from taskboard.claude.watch import identity, nearest_existing

if TYPE_CHECKING:
    import asyncio

    from taskboard.claude.live import TeamActivity

log = logging.getLogger(__name__)

QUIET_MS = 3.0
"""Quiet time (ms) that ends a batch: a lone transcript write is heard within a few ms."""
DEBOUNCE_MS = 50.0
"""Longest time (ms) a busy batch is held (agents write every 0.1 s while they work)."""
RETRIES = 5
"""Attempts at placing the watches while directories come and go, before giving up."""


class ActivityWatch:
    """Batches of paths that may have moved a team's live activity (module docstring)."""

    def __init__(self, activity: TeamActivity, *, stop: asyncio.Event,
                 quiet_ms: float = QUIET_MS, debounce_ms: float = DEBOUNCE_MS) -> None:
        self.activity = activity
        self.stop = stop
        self.quiet_ms = quiet_ms
        self.debounce_ms = debounce_ms
        self.failed = not inotify.available()
        """True when inotify cannot be had: the iteration ends and the caller polls."""
        self.starts = 0
        """How many times the watches were placed (1 + restarts)."""
        self.batches = 0
        self._targets: frozenset[str] = frozenset()
        self._chain: frozenset[str] = frozenset()
        self._session: inotify.InotifyBatches | None = None
        self._roots: tuple[Path, ...] = ()
        self._identities: tuple[tuple[int, int] | None, ...] = ()

    @property
    def roots(self) -> tuple[Path, ...]:
        """The directories watched right now (empty when not running)."""
        return self._roots if self._session is not None else ()

    def _plan(self) -> tuple[Path, ...]:
        """The directories to watch now (targets, or their nearest existing ancestors)."""
        targets = sorted(self.activity.watch_dirs())
        self._targets = frozenset(str(t) for t in targets)
        self._chain = frozenset(str(p) for t in targets for p in (t, *t.parents))
        return tuple(dict.fromkeys(nearest_existing(t) for t in targets))

    def _keep(self, path: str) -> bool:
        """A transcript, a sidecar, a session or config file in a watched target directory,
        or a directory on the way to one (created, removed or renamed: watch afresh)."""
        if path in self._chain:
            return True
        parent, _, name = path.rpartition(os.sep)
        return parent in self._targets and name.endswith((".jsonl", ".json")) \
            and not name.startswith(".")

    def moved(self) -> bool:
        """Whether the directories to watch are no longer those watched."""
        roots = self._plan()
        return roots != self._roots or tuple(map(identity, roots)) != self._identities

    async def _open(self) -> inotify.InotifyBatches | None:
        for _attempt in range(RETRIES):
            if self.stop.is_set():
                return None
            roots = self._plan()
            identities = tuple(map(identity, roots))
            session = inotify.InotifyBatches(roots, self._keep, stop=self.stop,
                                             quiet_ms=self.quiet_ms,
                                             debounce_ms=self.debounce_ms)
            try:
                await session.open()
            except (FileNotFoundError, NotADirectoryError):
                continue  # a directory vanished meanwhile: name them again
            except OSError as err:  # out of instances or watches: the caller polls
                log.info("cannot watch the transcripts with inotify (%s): polling", err)
                self.failed = True
                return None
            self.starts += 1
            self._session, self._roots, self._identities = session, roots, identities
            return session
        self.failed = True
        return None

    async def _close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.aclose()

    async def __aiter__(self) -> AsyncIterator[set[str] | None]:
        if self.failed:
            return
        try:
            while not self.stop.is_set():
                session = await self._open()
                if session is None:
                    return
                yield None  # what was written before the watches were in place
                while not self.moved():
                    batch = await session.next()
                    if batch is None:
                        return  # stopped
                    self.batches += 1
                    if batch.isdisjoint(self._chain):
                        yield batch
                    elif not self.moved():
                        yield None  # events lost (the kernel's queue overflowed): look again
                await self._close()
        finally:
            await self._close()


__all__ = ["DEBOUNCE_MS", "QUIET_MS", "ActivityWatch", "nearest_existing"]
