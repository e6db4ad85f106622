"""Task history rebuilt from the real team-run transcripts, and ``taskboard import``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taskboard.claude.history import extract, session_files, sessions_in_transcripts
from taskboard.cli import main
from taskboard.journal import events as ev
from taskboard.journal.events import Event
from taskboard.journal.importer import disk_tasks, import_session
from taskboard.journal.rebuild import disagreements, normalise, rebuild
from taskboard.journal.replay import tasks_at
from taskboard.journal.store import Journal
from tests.realcc import LEAD_SID, TEAM, TEAM_RUN, copy_home, gunzip_home


@pytest.fixture
def after_exit(tmp_path: Path) -> Path:
    return gunzip_home(tmp_path / "claude")


def test_the_rebuilt_history_reproduces_every_task_file_but_the_one_taskboard_wrote(
        after_exit: Path) -> None:
    found = session_files(after_exit, TEAM)
    assert found.session_id == LEAD_SID
    assert [actor for actor, _ in found.files] == ["team-lead", "alice", "bob"]
    rebuilt = rebuild(TEAM, extract(found))
    on_disk = disk_tasks(after_exit, TEAM)
    assert on_disk is not None and sorted(on_disk) == ["1", "2", "3", "4", "6", "7", "8"]
    assert sorted(rebuilt.tasks) == sorted(on_disk)
    for tid, task in on_disk.items():
        if tid != "4":
            assert normalise(rebuilt.tasks[tid]) == normalise(task), tid
    # The events replay to the same tasks, and every one is marked as imported.
    assert tasks_at(rebuilt.events) == rebuilt.tasks
    assert {e.source for e in rebuilt.events} == {"import"}
    flags = disagreements(TEAM, rebuilt.tasks, on_disk, source="the task files", when=0.0)
    assert [(f.task, f.detail["fields"]) for f in flags] == [
        ("4", {"status": {"transcripts": "in_progress", "other": "completed"}})]
    assert "the transcripts say 'in_progress', the task files say 'completed'" \
        in flags[0].detail["text"]


def test_the_history_has_times_actors_deletes_and_the_owner_cleared_at_shutdown(
        after_exit: Path) -> None:
    rebuilt = rebuild(TEAM, extract(session_files(after_exit, TEAM)))
    by = [(e.kind, e.task, e.agent) for e in rebuilt.events]
    assert (ev.TASK_REMOVED, "5", "team-lead") in by
    assert (ev.TASK_CREATED, "8", "bob") in by
    implied = next(e for e in rebuilt.events if e.task == "7" and e.kind == ev.TASK_CHANGED)
    assert implied.agent == "alice" and implied.after == {"status": "in_progress",
                                                          "owner": "alice"}
    cleared = [e for e in rebuilt.events if e.agent == "system"]
    assert [(c.task, c.after) for c in cleared] == [("6", {"owner": None})]
    assert rebuilt.failures and "#99 update failed: Task not found" in rebuilt.failures[0]
    operator = [e for e in rebuilt.events if e.kind == ev.MESSAGE
                and e.detail["from"] == "operator"]
    assert operator[0].detail["text"] == "Operator here: wrap up #4 today."
    times = [e.time for e in rebuilt.events]
    assert times == sorted(times)


def test_import_records_once_and_reports_the_disagreement(after_exit: Path,
                                                          tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data") as journal:
        first = import_session(journal, after_exit, TEAM, now=2e9)
        assert first.added == first.events + 1 and first.journal_session is not None
        assert [f.task for f in first.disagreements] == ["4"]
        again = import_session(journal, after_exit, TEAM, now=2e9 + 60)
        assert again.added == 0
        stored = journal.events(first.journal_session)
        assert len(stored) == first.added
        assert tasks_at(e for e in stored if e.kind.startswith("task."))["6"]["blockedBy"] \
            == ["3", "4", "8"]


def test_import_keeps_what_the_journal_recorded_and_flags_where_they_differ(
        after_exit: Path, tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data") as journal:
        sid = journal.session_for(TEAM, lead=LEAD_SID, now=1796178170.0)
        # A recorder saw #1 created and, later, #1 completed by hand with a new subject.
        journal.record([
            Event(1796178177.5, TEAM, ev.TASK_CREATED, session=sid, task="1",
                  after={"id": "1", "subject": "Design the schema", "description": "x",
                         "status": "pending", "blocks": [], "blockedBy": []}),
            Event(1796178200.0, TEAM, ev.TASK_CHANGED, session=sid, task="1",
                  before={"subject": "Design the schema"}, after={"subject": "Schema v2"}),
        ])
        report = import_session(journal, after_exit, TEAM, now=2e9)
        assert report.journal_session == sid and report.withheld > 0
        stored = journal.events(sid)
        imported = [e for e in stored if e.source == "import" and e.kind != ev.FLAG_RAISED]
        assert imported and all(not 1796178177.5 <= e.time <= 1796178200.0 for e in imported)
        journal_flags = [f for f in report.disagreements if f.detail["other"] == "the journal"]
        assert any(f.task == "1" and "subject" in f.detail["fields"] for f in journal_flags)


def test_taskboard_import_on_the_command_line(after_exit: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    code = main(["import", TEAM, "--claude-dir", str(after_exit), "--data-dir", str(data),
                 "--json"])
    assert code == 0
    reports = json.loads(capsys.readouterr().out)
    assert reports[0]["transcript_session"] == LEAD_SID and reports[0]["added"] > 50
    assert reports[0]["disagreements"] == [
        "#4: status: the transcripts say 'in_progress', the task files say 'completed'"]
    # Without a team: every team session found in the transcripts (already imported: 0 new).
    assert main(["import", "--claude-dir", str(after_exit), "--data-dir", str(data)]) == 0
    assert "0 new" in capsys.readouterr().out
    assert main(["import", "nosuch", "--claude-dir", str(after_exit),
                 "--data-dir", str(data)]) == 1


def test_sessions_left_in_transcripts_are_listed(after_exit: Path, tmp_path: Path) -> None:
    found = sessions_in_transcripts(after_exit)
    assert [(s["team"], s["session_id"]) for s in found] == [(TEAM, LEAD_SID)]
    live = copy_home(TEAM_RUN / "live", tmp_path / "live")
    # While the team lives, its config's leadSessionId leads to the same files.
    assert session_files(live, TEAM).session_id == LEAD_SID


def test_a_session_never_recorded_is_imported_on_demand_once(after_exit: Path,
                                                              tmp_path: Path) -> None:
    from taskboard.journal.importer import ensure_recorded

    with Journal.open(tmp_path / "data") as journal:
        report = ensure_recorded(journal, after_exit, TEAM, now=2e9)
        assert report is not None and report.added > 50
        assert ensure_recorded(journal, after_exit, TEAM, now=2e9) is None
        assert ensure_recorded(journal, after_exit, "session-deadbeef", now=2e9) is None


def test_sessions_lists_what_only_the_transcripts_know_and_history_imports_it(
        after_exit: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    base = ["--claude-dir", str(after_exit), "--data-dir", str(data)]
    assert main(["sessions", *base, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(s["team"], s["session_id"]) for s in doc["unrecorded"]] == [(TEAM, LEAD_SID)]
    assert main(["sessions", *base]) == 0
    assert "never recorded" in capsys.readouterr().out
    # Asking for the history of a session never recorded imports it first.
    assert main(["history", TEAM, *base, "--json"]) == 0
    captured = capsys.readouterr()
    assert "never recorded" in captured.err
    events = json.loads(captured.out)["events"]
    assert events and {e["source"] for e in events} == {"import"}
    assert main(["sessions", *base, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unrecorded"] == []
