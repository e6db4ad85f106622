"""The console's journal starts in its write thread, after the board is drawn
(``LiveRecorder.begin``): changes observed meanwhile are recorded in order, none lost,
none twice; a journal that cannot be read turns recording off with the reason."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

from taskboard.claude.paths import resolve
from taskboard.claude.reader import BoardReader
from taskboard.journal import events as ev
from taskboard.journal.live import LiveRecorder
from taskboard.journal.location import FILE_NAME
from tests.conftest import make_task


def _reader(home: Path) -> BoardReader:
    for n in range(1, 4):
        make_task(home / "tasks" / "alpha", str(n), subject=f"Task {n}")
    reader = BoardReader(resolve(home, "alpha"))
    reader.rescan()
    return reader


def _recorder(data: Path) -> LiveRecorder:
    recorder, notices = LiveRecorder.open(data, "alpha")
    assert recorder is not None and notices == []
    return recorder


def test_changes_observed_while_the_journal_starts_are_recorded_in_order(
        tmp_path: Path) -> None:
    home, data = tmp_path / "claude", tmp_path / "data"
    reader = _reader(home)
    recorder = _recorder(data)
    hold = threading.Event()
    recorder.writes.submit(hold.wait)  # the write thread busy: begin's work waits behind it
    logs: list[object] = []
    failures: list[str] = []
    recorder.begin(reader.board, loaded=logs.append, failed=failures.append)
    # The board moves on while the start is queued: each change observed as the console
    # does, the board object itself changing under the queued work.
    for status in ("in_progress", "completed"):
        make_task(home / "tasks" / "alpha", "2", subject="Task 2", status=status)
        delta = reader.refresh([home / "tasks" / "alpha" / "2.json"])
        assert delta.tasks == {"2"}
        recorder.observe(reader.board, delta)
    assert recorder._late == 3, "the start and both changes wait for the write thread"
    hold.set()
    recorder.flush()
    assert recorder._late == 0 and failures == [] and logs == [([], None)]
    make_task(home / "tasks" / "alpha", "3", subject="Task 3 renamed")
    recorder.observe(reader.board, reader.refresh([home / "tasks" / "alpha" / "3.json"]))
    recorder.flush()
    events = recorder.all_events()
    recorder.close()
    created = [e.task for e in events if e.kind == ev.TASK_CREATED]
    assert sorted(created) == ["1", "2", "3"]
    assert all(e.detail.get("initial") for e in events if e.kind == ev.TASK_CREATED)
    changes = [(e.task, e.after) for e in events if e.kind == ev.TASK_CHANGED]
    assert changes == [("2", {"status": "in_progress"}), ("2", {"status": "completed"}),
                       ("3", {"subject": "Task 3 renamed"})]


def test_a_second_start_records_only_what_changed_and_returns_the_command_log(
        tmp_path: Path) -> None:
    home, data = tmp_path / "claude", tmp_path / "data"
    reader = _reader(home)
    first = _recorder(data)
    first.begin(reader.board, loaded=lambda log: None, failed=lambda error: None)
    first.operator_refused("complete", "#2", "the task changed on disk")
    first.flush()
    first.close()
    make_task(home / "tasks" / "alpha", "1", subject="Task 1", status="completed")
    reader.refresh([home / "tasks" / "alpha" / "1.json"])
    again = _recorder(data)
    logs: list[tuple] = []
    again.begin(reader.board, loaded=logs.append, failed=lambda error: None)
    again.flush()
    events = again.all_events()
    again.close()
    (entries, last), = logs
    assert [(e.verb, e.target, e.ok) for e in entries] == [("complete", "#2", False)]
    assert last is None  # a refused write is nothing to undo
    assert [e.kind for e in events].count(ev.TASK_CREATED) == 3, "not recorded twice"
    assert [(e.task, e.after) for e in events if e.kind == ev.TASK_CHANGED] == [
        ("1", {"status": "completed"})]


def test_a_journal_that_cannot_be_read_turns_recording_off_with_the_reason(
        tmp_path: Path) -> None:
    home, data = tmp_path / "claude", tmp_path / "data"
    reader = _reader(home)
    recorder = _recorder(data)
    # The events table gone under the recorder (another process, a damaged file).
    with closing(sqlite3.connect(data / FILE_NAME, isolation_level=None)) as db:
        db.execute("DROP TABLE events")
    failures: list[str] = []
    recorder.begin(reader.board, loaded=lambda log: None, failed=failures.append)
    recorder.flush()
    make_task(home / "tasks" / "alpha", "2", subject="Task 2", status="completed")
    recorder.observe(reader.board, reader.refresh([home / "tasks" / "alpha" / "2.json"]))
    recorder.flush()
    recorder.close()
    assert len(failures) == 1 and "events" in failures[0]
    assert recorder.failed == failures[0]
