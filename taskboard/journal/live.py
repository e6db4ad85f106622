"""The console's link to the journal: records what it observes and the operator's writes,
and reads back history, the command log and the last undoable write. No UI code here.

The console calls :meth:`LiveRecorder.start` once in its loading thread (a journal read
and the first observation), :meth:`observe` after every refresh on its loop (deriving is
cheap: only what the delta names; the SQLite write goes to a :class:`WriteQueue` thread),
and :meth:`operator_result`/:meth:`operator_refused` after each write. Reads
(:meth:`task_history`, :meth:`agent_events`, :meth:`operator_log`) are indexed queries
of one session, quick enough for the loop.
"""

from __future__ import annotations

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

    def start(self, board: Board) -> None:
        """Continue the team's latest session and record the board as it is now
        (synchronous: call it from the loading thread)."""
        self.recorder.start()
        self.recorder.observe(board, None)

    def observe(self, board: Board, delta: BoardDelta | None) -> None:
        """After a refresh: derive now (the board changes under us), write in the thread."""
        derived = self.recorder.derive(board, delta)
        if derived.events:
            self.writes.submit(self.recorder.write, derived)

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

    def operator_log(self) -> tuple[list[LoggedWrite], tuple[int, OpResult] | None]:
        """The command log of this session, and the last write (with its index in the log;
        None once undone), which is all ``undo`` may reverse, rebuilt from the journal."""
        entries: list[LoggedWrite] = []
        last: tuple[int, OpResult] | None = None
        for event in self._events(kinds=[ev.OPERATOR_WRITE]):
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
