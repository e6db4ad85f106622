"""Run inside a private mount namespace on a tiny tmpfs (see test_journal_faults.py): fill
the disk under a recording journal, free it, record again, and print a JSON report.

Usage: python -m tests.hostile.journal_child DIR TEAMDIR   (TEAMDIR off the small disk)
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from pathlib import Path

from taskboard.claude.reader import BoardReader
from taskboard.clock import Clock
from taskboard.journal import events as ev
from taskboard.journal.events import Event
from taskboard.journal.recorder import TeamRecorder
from taskboard.journal.replay import tasks_at
from taskboard.journal.store import Journal
from tests.conftest import make_task, make_team


def event(index: int, session: str) -> Event:
    return Event(time=1_763_700_000.0 + index, team="full", kind=ev.TASK_CHANGED,
                 session=session, task=str(index % 7 + 1), before={"subject": "a"},
                 after={"subject": f"change {index} " + "x" * 2000})


def recorder_phase(directory: Path, home: Path) -> dict[str, object]:
    """A recorder watching a team while the disk is full: what it could not write then is
    written once space returns, so the journal's replay is the board."""
    team = make_team(home, "full", ["team-lead", "alice"])
    for task_id in ("1", "2"):
        make_task(team.tasks_dir, task_id, subject=f"task {task_id}")
    journal = Journal.open(directory / "data2")
    recorder = TeamRecorder(journal, "full", clock=Clock())
    reader = BoardReader(team)
    recorder.observe(reader.board, reader.rescan())
    filler = directory / "filler2"
    with open(filler, "wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"f" * 65536)
            handle.flush()
    failures = 0
    for round_ in range(3):
        make_task(team.tasks_dir, "1", subject=f"changed while full {round_}" + "x" * 5000,
                  status="in_progress", owner="alice")
        make_task(team.tasks_dir, str(3 + round_), subject=f"created while full {round_}")
        try:
            recorder.observe(reader.board, reader.rescan())
        except (sqlite3.Error, OSError):
            failures += 1
    filler.unlink()
    recorder.observe(reader.board, reader.rescan())  # nothing changed since: catches up
    replay = tasks_at(journal.events(recorder.session or ""))
    board = {tid: task.raw for tid, task in reader.board.tasks.items()}
    journal.close()
    return {"failures": failures, "replay_is_board": replay == board,
            "replay_ids": sorted(replay), "board_ids": sorted(board)}


def main(directory: Path) -> dict[str, object]:
    data = directory / "data"
    journal = Journal.open(data)
    session = journal.session_for("full", now=1_763_700_000.0)
    recorded, errors, index = 0, [], 0
    filler = directory / "filler"
    with open(filler, "wb") as handle, contextlib.suppress(OSError):
        handle.write(b"f" * (3400 * 1024))  # most of the 4 MB, leaving some for the journal
    while index < 2000:
        try:
            recorded += journal.record([event(index, session)])
        except (sqlite3.Error, OSError) as err:
            errors.append(type(err).__name__ + ": " + str(err))
            if len(errors) >= 5:
                break
        index += 1
    full_count = journal.count(session)
    filler.unlink()
    after, after_errors = 0, []
    for extra in range(index, index + 20):
        try:
            after += journal.record([event(extra, session)])
        except (sqlite3.Error, OSError) as err:
            after_errors.append(type(err).__name__ + ": " + str(err))
    total = journal.count(session)
    check = journal.conn.execute("PRAGMA integrity_check").fetchone()[0]
    journal.close()
    reopened = Journal.open(data)
    report = {"recorded_before_full": recorded, "count_when_full": full_count,
              "errors": errors, "recorded_after": after, "after_errors": after_errors,
              "total": total,
              "integrity": check, "reopened_count": reopened.count(session),
              "notices": reopened.notices}
    reopened.close()
    return report


if __name__ == "__main__":
    out = main(Path(sys.argv[1]))
    out["recorder"] = recorder_phase(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps(out))
