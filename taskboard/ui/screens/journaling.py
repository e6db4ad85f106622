"""Mixed into the console: the journal records what the console observes and the operator's
writes; the command log, undo, the detail pane and the history dialog read it back.

All journal work goes through :class:`taskboard.journal.live.LiveRecorder` (no SQLite
here). Recording is off when the app has no ``journal_dir`` (tests, unless they ask).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from textual import work
from textual.message import Message

from taskboard.claude.errors import LockTimeout, StoreError
from taskboard.claude.reader import BoardDelta, BoardReader
from taskboard.journal.agent_history import agent_history
from taskboard.journal.events import Event
from taskboard.journal.live import LiveRecorder, OperatorLog
from taskboard.journal.store import JournalError
from taskboard.ops import OpResult

from ..widgets.agents import AgentPanel
from ..widgets.command_log import CommandLog, LogEntry
from ..widgets.outline import DependencyOutline

log = logging.getLogger(__name__)


class JournalOpened(Message):
    """The journal is open (``recorder`` None: recording is off), with its notices."""

    def __init__(self, recorder: LiveRecorder | None, notices: list[str]) -> None:
        super().__init__()
        self.recorder = recorder
        self.notices = notices


class JournalStarted(Message):
    """The journal's thread has read the session back and recorded the board."""

    def __init__(self, log: OperatorLog) -> None:
        super().__init__()
        self.log = log


class JournalFailed(Message):
    """The journal could not be read or written: the console records nothing."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class JournalActions:
    """The console's recording and history (see the module docstring)."""

    recorder: LiveRecorder | None = None
    _shadow: BoardReader | None = None
    """While paused: a reader of its own, so recording goes on while the screen is frozen
    (a message lives a second on disk; it must not wait for the operator)."""
    _shadow_ready = False
    journal_ready = False
    """Whether the journal has been read back (or there is none to read): the command log
    and undo are then as the last session left them."""

    def open_journal(self) -> None:
        """Open the journal once the board is drawn, off the loop (opening checks a small
        journal page by page, ~30 ms at 8 MB, and may migrate it). The journal's thread
        then reads the session back and records the board as first read, while the
        console is already live (:meth:`LiveRecorder.begin`)."""
        if self._stop.is_set():
            return  # closed before its first frame: nothing to record into
        data = getattr(self.app, "journal_dir", None)
        if data is None:
            self.journal_ready = True
            return
        self._open_journal(data)

    @work(thread=True, exclusive=True, group="journal", exit_on_error=False)
    def _open_journal(self, data: Path) -> None:
        recorder, notices = LiveRecorder.open(data, self.paths.name, clock=self.app.clock)
        if not self.post_message(JournalOpened(recorder, notices)) and recorder is not None:
            recorder.close()  # the console closed meanwhile

    def on_journal_opened(self, message: JournalOpened) -> None:
        for notice in message.notices:
            self.notify(notice, title="Journal", severity="warning", timeout=10)
        recorder = message.recorder
        if recorder is None or self._stop.is_set():
            if recorder is not None:
                recorder.close()
            self.journal_ready = True
            return
        self.recorder = recorder
        recorder.begin(self.board,
                       loaded=lambda log: self.post_message(JournalStarted(log)),
                       failed=lambda error: self.post_message(JournalFailed(error)))

    def on_journal_started(self, message: JournalStarted) -> None:
        """The session's command log and last write, back in the log pane and undo (after
        any write the operator made meanwhile: the undo stays on that one)."""
        entries, last = message.log
        command_log = self.query_one(CommandLog)
        offset = len(command_log.entries)
        for entry in entries:
            command_log.add(LogEntry(entry.time, entry.verb, entry.target, entry.waited,
                                     entry.ok, entry.detail, entry.undone))
        if last is not None and offset == 0:
            self.undo_history.record(last[1].verb, [last[1]])
            self.log_keys[id(last[1])] = str(offset + last[0])
        self.journal_ready = True

    def on_journal_failed(self, message: JournalFailed) -> None:
        self.notify(f"not recording: {message.error}", title="Journal", severity="warning",
                    timeout=10)
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None
        self.journal_ready = True

    def close_journal(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None

    # -- recording ---------------------------------------------------------------------

    def record_delta(self, delta: BoardDelta | None) -> None:
        """After the console's own refresh."""
        self._observe(self.reader, delta)

    def record_write(self, result: OpResult) -> None:
        if self.recorder is not None:
            self.recorder.operator_result(result, by=self.app.settings.sender)

    def record_refusal(self, verb: str, target: str, err: StoreError) -> None:
        if self.recorder is not None:
            waited = err.waited if isinstance(err, LockTimeout) else 0.0
            self.recorder.operator_refused(verb, target, str(err), waited,
                                           by=self.app.settings.sender)

    def shadow_recording(self, paused: bool) -> None:
        """Pausing starts a reader of the recorder's own (read once, off the loop);
        resuming drops it: the console's reader takes over where it left off."""
        self._shadow, self._shadow_ready = None, False
        if paused and self.recorder is not None:
            self._shadow = BoardReader(self.paths)
            self._prime_shadow(self._shadow)

    @work(thread=True, group="shadow", exit_on_error=False)
    def _prime_shadow(self, shadow: BoardReader) -> None:
        shadow.rescan()
        self.app.call_from_thread(self._shadow_primed, shadow)

    def _shadow_primed(self, shadow: BoardReader) -> None:
        if shadow is self._shadow:
            self._shadow_ready = True
            self._observe(shadow, None)  # what changed since the pause

    def record_paused(self, paths: set[Path]) -> None:
        """While paused: the batch goes through the shadow reader into the journal."""
        shadow = self._shadow
        if shadow is not None and self._shadow_ready:
            delta = shadow.refresh(paths)
            if delta:
                self._observe(shadow, delta)

    def _observe(self, reader: BoardReader, delta: BoardDelta | None) -> None:
        if self.recorder is None:
            return
        try:
            self.recorder.observe(reader.board, delta)
        except Exception:  # recording must never break watching
            log.exception("recording failed")

    # -- reading back ------------------------------------------------------------------

    def task_history(self, task_id: str | None) -> list[Event] | None:
        """The task's recorded events (None when nothing is recorded)."""
        if self.recorder is None or not task_id:
            return None
        try:
            return self.recorder.task_history(task_id)
        except (JournalError, sqlite3.Error):
            return None

    def action_history(self) -> None:
        """The focused agent's history (tasks done, time running, idle while holding,
        messages), else the selected task's."""
        if self.recorder is None:
            self.notify("Nothing is recorded: the journal is off.", severity="warning")
            return
        from .history import HistoryScreen, agent_summary  # a dialog: imported when opened

        focused = self.focused
        if isinstance(focused, AgentPanel) and focused.summary is not None \
                and focused.summary.kind != "unowned":
            name = focused.agent_name
            history = agent_history(self.recorder.all_events(), name, self.app.clock.time())
            self.app.push_screen(HistoryScreen(f"History of {name}", history.events,
                                               agent_summary(history)))
            return
        task_id = self.query_one(DependencyOutline).task_id
        if not task_id:
            self.notify("Select a task or an agent first.", severity="warning")
            return
        self.app.push_screen(HistoryScreen(f"History of #{task_id}",
                                           self.recorder.task_history(task_id)))
