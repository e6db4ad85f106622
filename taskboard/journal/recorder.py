"""Recording one team: board observations in, journal rows out. No UI, no watching.

:class:`TeamRecorder` is what both the console and ``taskboard record`` hold per team::

    recorder = TeamRecorder(journal, "my-team", clock=clock)
    recorder.start()                        # picks up the team's latest session (DB read)
    recorder.observe(board, delta)          # after each BoardReader refresh
    recorder.operator(event)                # an operator write (derive.operator_event)

``observe`` is :meth:`derive` (pure and cheap: only what the delta names is compared)
then :meth:`write` (one SQLite transaction). The console derives on its loop, where the
board lives, and hands the writes to a :class:`WriteQueue` thread, so the screen never
waits on the disk.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from taskboard.board.model import Board
from taskboard.claude.reader import BoardDelta
from taskboard.clock import Clock
from taskboard.journal.derive import Derived, EventDeriver
from taskboard.journal.events import Event
from taskboard.journal.replay import fold
from taskboard.journal.store import Journal

log = logging.getLogger(__name__)


class TeamRecorder:
    """Derives one team's events and writes them to its current session."""

    def __init__(self, journal: Journal, team: str, *, clock: Clock | None = None,
                 watching_before: bool = False) -> None:
        self.journal = journal
        self.team = team
        self.clock = clock or Clock()
        self.deriver = EventDeriver(team, watching_before=watching_before)
        self.session: str | None = None
        """The session written to (None until the first event, or :meth:`start`)."""
        self._lead: str | None = None
        self._write_lock = threading.Lock()
        self._resync = False
        self.recorded = 0
        """Events written that were new to the journal."""

    def start(self) -> None:
        """Continue from the team's latest recorded session: its events rebuild the
        baseline, so only what changed since is recorded (and nothing twice)."""
        latest = self.journal.latest_session(self.team)
        if latest is None:
            return
        self.session, self._lead = latest.id, latest.lead
        self.deriver.seen = fold(self.journal.events(latest.id), lead=latest.lead)
        self.deriver.watching_before = False

    def derive(self, board: Board, delta: BoardDelta | None) -> Derived:
        """The events of this observation (pure; call where the board is updated).

        After a write failed (a full disk), the baseline is first rebuilt from what the
        journal really holds and the whole board is compared, so what could not be
        recorded then is recorded now: nothing is lost silently."""
        if self._resync:
            self._resync = False
            try:
                self._rebuild()
            except Exception:  # the journal is still unreadable: try again next time
                self._resync = True
                raise
            delta = None
        return self.deriver.observe(board, delta, self.clock.time())

    def _rebuild(self) -> None:
        if self.session is None:
            self.deriver = EventDeriver(self.team)
            return
        self.deriver.seen = fold(self.journal.events(self.session), lead=self._lead)
        self.deriver.watching_before = False

    def write(self, derived: Derived) -> int:
        """Store a derivation's events in the right session; returns how many were new."""
        if not derived.events:
            return 0
        with self._write_lock:
            try:
                return self._write(derived)
            except Exception:
                self._resync = True  # see derive(): the next observation catches up
                raise

    def _write(self, derived: Derived) -> int:
        now = derived.events[0].time
        if derived.new_session:
            self.session = self.journal.session_for(
                self.team, lead=derived.lead, created_at=derived.created_at, now=now,
                new_after=self.session)
            self._lead = derived.lead
        elif self.session is None or (derived.lead is not None
                                      and derived.lead != self._lead):
            self.session = self.journal.session_for(
                self.team, lead=derived.lead, created_at=derived.created_at, now=now)
            self._lead = derived.lead or self._lead
        session = self.session
        added = self.journal.record(e.with_session(session) for e in derived.events)
        self.recorded += added
        return added

    def observe(self, board: Board, delta: BoardDelta | None) -> int:
        """Derive and write at once (the headless recorder)."""
        return self.write(self.derive(board, delta))

    def operator(self, event: Event) -> None:
        """Record an operator write in the current session (starting one if needed)."""
        self.record_events([event])

    def record_events(self, events: list[Event]) -> int:
        """Record events that did not come from the board (an operator write, an agent's
        state, a health flag) in the current session (starting one if needed)."""
        if not events:
            return 0
        with self._write_lock:
            if self.session is None:
                self.session = self.journal.session_for(self.team, now=events[0].time)
            added = self.journal.record(e.with_session(self.session) for e in events)
            self.recorded += added
            return added


class WriteQueue:
    """One thread that runs journal writes in order, so the caller's loop never waits on
    SQLite. :meth:`flush` waits until everything queued is written; :meth:`close` flushes
    and stops the thread."""

    def __init__(self, name: str = "journal-writer") -> None:
        self._queue: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = \
            queue.Queue()
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        self._queue.put((fn, args))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                fn, args = item
                try:
                    fn(*args)
                except Exception as err:  # a full disk must not stop the console
                    log.warning("journal write failed: %s", err)
                    self.errors.append(str(err))
            finally:
                self._queue.task_done()

    def flush(self) -> None:
        self._queue.join()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


__all__ = ["TeamRecorder", "WriteQueue"]
