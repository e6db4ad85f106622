"""The console's link to the journal: records what it observes and the operator's writes,
and reads back history, the command log and the last undoable write. No UI code here.

The console calls :meth:`LiveRecorder.begin` once its board is drawn (the journal's
thread reads the session back and records the board as first read, while the console is
live), :meth:`observe` after every refresh on its loop (deriving is
cheap: only what the delta names; the SQLite write goes to a :class:`WriteQueue` thread),
and :meth:`operator_result`/:meth:`operator_refused` after each write. Reads
(:meth:`task_history`, :meth:`agent_events`, :meth:`operator_log`) are indexed queries
of one session, quick enough for the loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskboard.board.model import Board
from taskboard.claude.reader import BoardDelta
from taskboard.claude.tasks import TaskChange
from taskboard.clock import Clock
from taskboard.journal import events as ev
from taskboard.journal.derive import operator_event
from taskboard.journal.events import Event
from taskboard.journal.recorder import TeamRecorder, WriteQueue
from taskboard.journal.store import Journal, JournalError
from taskboard.ops import OpResult


@dataclass
class LoggedWrite:
    """One operator write as the command log shows it again after a restart."""

    time: float
    verb: str
    target: str
    waited: float
    ok: bool
    detail: str
    undone: bool = False


class LiveRecorder:
    """Records one team for the console and answers its questions about the past."""

    def __init__(self, journal: Journal, team: str, *, clock: Clock | None = None) -> None:
        self.journal = journal
        self.team = team
        self.recorder = TeamRecorder(journal, team, clock=clock)
        self.writes = WriteQueue(f"journal-{team}")
        self.clock = self.recorder.clock
        self.failed: str | None = None
        """Why recording stopped (set by :meth:`begin`'s work), else None."""
        self._late = 0
        """Observations (and the start) queued for the write thread, not yet compared."""
        self._late_lock = threading.Lock()

    @classmethod
    def open(cls, data: Path | None, team: str, *, clock: Clock | None = None
             ) -> tuple[LiveRecorder | None, list[str]]:
        """A recorder on the journal in ``data`` (None: recording off), and the notices to
        show (a journal moved aside, or why nothing is recorded)."""
        if data is None:
            return None, []
        try:
            journal = Journal.open(data)
        except JournalError as err:
            return None, [f"not recording: {err}"]
        return cls(journal, team, clock=clock), list(journal.notices)

    @property
    def session(self) -> str | None:
        return self.recorder.session

    # -- recording -------------------------------------------------------------------

    def begin(self, board: Board, *, loaded: Callable[[OperatorLog], None],
              failed: Callable[[str], None]) -> None:
        """Start recording, in the write thread, while the console draws.

        There the team's latest session is read back (its events rebuild what was seen:
        ~0.5 s at 10,000 tasks, more as the session grows), the board as it is now (a
        snapshot) is compared with it, and what differs is written (the first time a team
        of 10,000 tasks is seen, 10,000 events). ``loaded`` then gets the session's
        command log; ``failed`` says why nothing can be recorded. Both are called in the
        write thread: they must not wait on the caller's loop.

        Observations made before that is done are compared in the write thread too, in
        order, each on a snapshot of the board; then :meth:`observe` compares on the
        caller's thread again."""
        with self._late_lock:
            self._late += 1
        self.writes.submit(self._begin, board.snapshot(), loaded, failed)

    def _begin(self, board: Board, loaded: Callable[[OperatorLog], None],
               failed: Callable[[str], None]) -> None:
        try:
            self.recorder.start()
            derived = self.recorder.derive(board, None)
            session = None if derived.new_session else self.recorder.session
            self.recorder.write(derived)
            log = operator_log(self.journal.events(session, kinds=[ev.OPERATOR_WRITE])
                               if session is not None else [])
        except Exception as err:  # an unreadable journal, a full disk: recording is off
            self.failed = str(err) or type(err).__name__
            failed(self.failed)
            return
        finally:
            with self._late_lock:
                self._late -= 1
        loaded(log)

    def observe(self, board: Board, delta: BoardDelta | None) -> None:
        """After a refresh: derive now (the board changes under us), write in the thread;
        while :meth:`begin`'s work is queued, both in the thread, on a snapshot."""
        if self._late:
            with self._late_lock:
                self._late += 1
            copied = None if delta is None else BoardDelta(
                set(delta.tasks), set(delta.inboxes), delta.team, delta.structure)
            self.writes.submit(self._observe_late, board.snapshot(), copied)
            return
        derived = self.recorder.derive(board, delta)
        if derived.events:
            self.writes.submit(self.recorder.write, derived)

    def _observe_late(self, board: Board, delta: BoardDelta | None) -> None:
        try:
            if self.failed is None:
                self.recorder.write(self.recorder.derive(board, delta))
        finally:
            with self._late_lock:
                self._late -= 1

    def operator_result(self, result: OpResult, by: str | None = None) -> None:
        changes = [{"task": c.task_id, "path": str(c.path), "before": c.before,
                    "after": c.after} for c in result.changes if c.changed]
        messages = [{"agent": m.agent, "message": m.message} for m in result.messages]
        self._operator(operator_event(
            self.team, result.verb, result.target, ok=True, summary=result.summary,
            now=self.clock.time(), changes=changes, messages=messages,
            waited=result.waited, sender=by))

    def operator_refused(self, verb: str, target: str, reason: str, waited: float = 0.0,
                         by: str | None = None) -> None:
        self._operator(operator_event(self.team, verb, target, ok=False, summary=reason,
                                      now=self.clock.time(), waited=waited, sender=by))

    def _operator(self, event: Event) -> None:
        self.writes.submit(self.recorder.operator, event)

    def flush(self) -> None:
        """Wait until every queued write is committed (tests, and before closing)."""
        self.writes.flush()

    def close(self) -> None:
        self.writes.close()
        self.journal.close()

    # -- reading back ------------------------------------------------------------------

    def _events(self, **filters: Any) -> list[Event]:
        self.writes.flush()  # what was just observed is in the answer (a write is ~1 ms)
        session = self.recorder.session
        if session is None:
            return []
        return self.journal.events(session, **filters)

    def task_history(self, task_id: str) -> list[Event]:
        """Every recorded event of one task in this session, oldest first."""
        return self._events(task=task_id)

    def agent_events(self, name: str) -> list[Event]:
        """Every recorded event about one agent (and messages it sent), oldest first."""
        return self._events(agent=name)

    def all_events(self) -> list[Event]:
        return self._events()

    def operator_log(self) -> OperatorLog:
        """The command log of this session, and the last write (see :func:`operator_log`)."""
        return operator_log(self._events(kinds=[ev.OPERATOR_WRITE]))


OperatorLog = tuple[list[LoggedWrite], tuple[int, OpResult] | None]


def operator_log(events: list[Event]) -> OperatorLog:
    """The command log of a session's operator events, and the last write (with its index
    in the log; None once undone), which is all ``undo`` may reverse."""
    entries: list[LoggedWrite] = []
    last: tuple[int, OpResult] | None = None
    for event in events:
        d = event.detail
        ok = d.get("result") == "ok"
        entry = LoggedWrite(event.time, str(d.get("verb", "?")), str(d.get("target", "")),
                            float(d.get("waited") or 0.0), ok, str(d.get("summary", "")))
        entries.append(entry)
        if not ok:
            continue
        if entry.verb == "undo":
            if last is not None and last[1].undoable:
                entries[last[0]].undone = True
            last = None
            continue
        # The last write, undoable or not: undo never reaches back past a delete.
        last = (len(entries) - 1, result_from_event(event))
    return entries, last


def result_from_event(event: Event) -> OpResult:
    """The :class:`OpResult` an operator event recorded (enough to undo it)."""
    d = event.detail
    changes = [TaskChange(Path(c.get("path") or f"{c['task']}.json"), str(c["task"]),
                          c.get("before"), c.get("after"))
               for c in d.get("changes") or []]
    return OpResult(str(d.get("verb", "?")), event.team, str(d.get("target", "")),
                    str(d.get("summary", "")), changes)


def record_write(data: Path, team: str, *, result: OpResult | None = None,
                 verb: str = "", target: str = "", error: str | None = None,
                 by: str | None = None, clock: Clock | None = None) -> str | None:
    """Record one headless operator write (``taskboard complete ...``): its result, or why
    it was refused. Returns a warning to show if the journal could not be written (the
    write itself stands either way)."""
    clock = clock or Clock()
    try:
        with Journal.open(data) as journal:
            recorder = TeamRecorder(journal, team, clock=clock)
            recorder.start()
            if result is not None:
                changes = [{"task": c.task_id, "path": str(c.path), "before": c.before,
                            "after": c.after} for c in result.changes if c.changed]
                messages = [{"agent": m.agent, "message": m.message} for m in result.messages]
                event = operator_event(team, result.verb, result.target, ok=True,
                                       summary=result.summary, now=clock.time(),
                                       changes=changes, messages=messages,
                                       waited=result.waited, sender=by)
            else:
                event = operator_event(team, verb, target, ok=False, summary=error or "",
                                       now=clock.time(), sender=by)
            recorder.operator(event)
    except Exception as err:  # a journal problem must never fail the write itself
        return f"the write was not journalled: {err}"
    return None

__all__ = ["LiveRecorder", "LoggedWrite", "record_write", "result_from_event"]
