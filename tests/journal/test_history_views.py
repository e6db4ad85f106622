"""What the journal's readers compute: task times for ``show --json``, an agent's history,
one line per event."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from taskboard.claude.reader import BoardReader
from taskboard.cli import main
from taskboard.journal import events as ev
from taskboard.journal.agent_history import agent_history
from taskboard.journal.describe import describe
from taskboard.journal.events import Event
from taskboard.journal.recorder import TeamRecorder
from taskboard.journal.store import Journal
from tests.conftest import make_task, make_team


def task_event(kind: str, tid: str, t: float, before=None, after=None, **detail) -> Event:
    return Event(time=t, team="alpha", kind=kind, task=tid, agent=(after or {}).get("owner"),
                 before=before, after=after, detail=detail)


def test_agent_history_counts_done_running_idle_holding_and_messages() -> None:
    events = [
        task_event(ev.TASK_CREATED, "1", 0.0, after={"id": "1", "status": "pending"}),
        task_event(ev.TASK_CHANGED, "1", 10.0, before={"status": "pending", "owner": None},
                   after={"status": "in_progress", "owner": "alice"}),
        Event(time=20.0, team="alpha", kind=ev.MEMBER_IDLE, agent="alice"),
        Event(time=50.0, team="alpha", kind=ev.MEMBER_ACTIVE, agent="alice"),
        Event(time=55.0, team="alpha", kind=ev.MESSAGE, agent="team-lead",
              detail={"from": "alice", "to": "team-lead", "text": "done soon"}),
        Event(time=56.0, team="alpha", kind=ev.MESSAGE, agent="alice",
              detail={"from": "team-lead", "to": "alice", "text": "thanks"}),
        task_event(ev.TASK_CHANGED, "1", 70.0, before={"status": "in_progress"},
                   after={"status": "completed"}),
    ]
    history = agent_history(events, "alice", until=100.0)
    assert history.done == ["1"]
    assert history.running == 60.0 and history.idle_holding == 30.0
    assert (history.sent, history.received) == (1, 1)
    assert history.to_json()["idleHolding"] == 30.0
    assert agent_history(events, "bob").done == []


def test_describe_says_what_happened_in_one_line() -> None:
    changed = task_event(ev.TASK_CHANGED, "3", 1.0, before={"status": "pending", "owner": None},
                         after={"status": "in_progress", "owner": "alice"})
    assert describe(changed) == "#3 status pending -> in_progress, owner - -> alice"
    removed = Event(time=1.0, team="a", kind=ev.TASK_REMOVED, task="3",
                    detail={"auto_clear": True})
    assert "auto-clear" in describe(removed)
    message = Event(time=1.0, team="a", kind=ev.MESSAGE, agent="bob",
                    detail={"from": "al", "to": "bob", "type": "text",
                            "summary": "[bold]hi[/bold]\nthere"})
    assert describe(message) == "al -> bob: [bold]hi[/bold] there"


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "xdg"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    return data / "taskboard"


def test_show_json_gives_times_from_the_journal_else_the_file(
        home: Path, isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_team(home, "alpha", ["team-lead"])
    path = make_task(paths.tasks_dir, "1")
    os.utime(path, (1_000.0, 1_000.0))
    assert main(["show", "alpha", "--json"]) == 0
    (task,) = json.loads(capsys.readouterr().out)["tasks"]
    assert task["created"] == 1_000.0 and task["timesFrom"]["created"] == "mtime"
    assert not (isolated / "journal.db").exists()  # show does not create a journal

    from taskboard.clock import FrozenClock

    clock = FrozenClock(5_000.0)
    with Journal.open(isolated) as journal:
        recorder = TeamRecorder(journal, "alpha", clock=clock, watching_before=True)
        reader = BoardReader(paths)
        reader.rescan()
        recorder.observe(reader.board, None)
        clock.advance(60.0)
        make_task(paths.tasks_dir, "1", status="in_progress", owner="team-lead")
        os.utime(path, (5_060.0, 5_060.0))
        recorder.observe(reader.board, reader.rescan())
    assert main(["show", "alpha", "--json"]) == 0
    (task,) = json.loads(capsys.readouterr().out)["tasks"]
    assert (task["created"], task["lastChange"], task["runningSince"]) == (
        5_000.0, 5_060.0, 5_060.0)
    assert task["timesFrom"] == {"created": "journal", "lastChange": "journal",
                                 "runningSince": "journal"}


def test_headless_writes_are_journalled_with_their_result(
        home: Path, isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_team(home, "alpha", ["team-lead"])
    make_task(paths.tasks_dir, "1")
    assert main(["complete", "alpha", "1"]) == 0
    assert main(["reopen", "alpha", "1", "--if-status", "pending"]) == 1
    capsys.readouterr()
    with Journal.open(isolated) as journal:
        session = journal.latest_session("alpha")
        assert session is not None
        writes = journal.events(session.id, kinds=[ev.OPERATOR_WRITE])
    assert [(w.detail["verb"], w.detail["result"], w.task) for w in writes] == [
        ("complete", "ok", "1"), ("reopen", "refused", "1")]
    assert writes[0].detail["changes"][0]["after"]["status"] == "completed"
    assert "nothing was written" in writes[1].detail["summary"]
