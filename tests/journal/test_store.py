"""The SQLite journal on real files: sessions, dedup, filters, migration, files moved aside."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from taskboard.journal import events as ev
from taskboard.journal import store as store_module
from taskboard.journal.events import Event
from taskboard.journal.store import FILE_NAME, Journal, data_dir


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    with Journal.open(tmp_path / "data") as opened:
        yield opened


def created(sid: str, task: str, t: float, **after: object) -> Event:
    body = {"id": task, "status": "pending", **after}
    return Event(time=t, team="alpha", kind=ev.TASK_CREATED, session=sid, task=task,
                 after=body, key=f"{task}-{t}")


def test_data_dir_follows_xdg_and_the_option(tmp_path: Path) -> None:
    assert data_dir(None, {"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "taskboard"
    assert data_dir(str(tmp_path / "x"), {"XDG_DATA_HOME": "/elsewhere"}) == tmp_path / "x"
    assert data_dir(None, {}).parts[-3:] == (".local", "share", "taskboard")


def test_a_new_journal_is_wal_and_at_the_current_schema(journal: Journal) -> None:
    assert journal.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal.conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA
    assert journal.notices == []


def test_recording_the_same_event_twice_keeps_one(journal: Journal) -> None:
    sid = journal.session_for("alpha", now=1.0)
    assert journal.record([created(sid, "1", 1.0), created(sid, "2", 2.0)]) == 2
    assert journal.record([created(sid, "1", 1.0)]) == 0
    assert [e.task for e in journal.events(sid)] == ["1", "2"]


def test_two_journals_on_one_file_share_sessions_and_dedup(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as one, Journal.open(tmp_path) as two:
        a = one.session_for("alpha", lead="L1", now=1.0)
        b = two.session_for("alpha", lead="L1", now=1.5)
        assert a == b
        one.record([created(a, "1", 1.0)])
        assert two.record([created(b, "1", 1.0)]) == 0
        assert two.count(a) == 1


def test_sessions_by_lead_and_by_refill(journal: Journal) -> None:
    first = journal.session_for("alpha", now=1.0)
    assert journal.session_for("alpha", lead="L1", now=2.0) == first  # adopted
    second = journal.session_for("alpha", lead="L2", now=3.0)
    assert second != first
    assert journal.session_for("alpha", lead="L1", now=4.0) == first
    assert journal.session_for("alpha", now=5.0) == second  # no lead: the latest
    # A refill seen by two recorders after the same session: one new session.
    third = journal.session_for("solo", now=1.0)
    fourth = journal.session_for("solo", now=2.0, new_after=third)
    assert fourth != third
    assert journal.session_for("solo", now=2.1, new_after=third) == fourth


def test_session_figures_and_filters(journal: Journal) -> None:
    sid = journal.session_for("alpha", now=10.0)
    journal.record([
        created(sid, "1", 10.0, owner="alice"),
        Event(time=12.0, team="alpha", kind=ev.TASK_CHANGED, session=sid, task="1",
              agent="alice", before={"status": "pending"}, after={"status": "completed"}),
        Event(time=13.0, team="alpha", kind=ev.MEMBER_JOINED, session=sid, agent="bob"),
        Event(time=14.0, team="alpha", kind=ev.MESSAGE, session=sid, agent="bob",
              detail={"from": "alice", "to": "bob", "text": "hi"}),
    ])
    info = journal.session(sid)
    assert info is not None
    assert (info.started, info.ended, info.events) == (10.0, 14.0, 4)
    assert (info.tasks_created, info.tasks_completed) == (1, 1)
    assert info.agents == ("alice", "bob")
    assert info.to_json()["duration"] == 4.0
    assert [e.kind for e in journal.events(sid, task="1")] == [ev.TASK_CREATED,
                                                                ev.TASK_CHANGED]
    assert [e.kind for e in journal.events(sid, agent="alice")] == [ev.TASK_CHANGED,
                                                                     ev.MESSAGE]
    assert [e.time for e in journal.events(sid, since=12.5)] == [13.0, 14.0]
    assert [e.kind for e in journal.events(sid, kinds=[ev.MESSAGE])] == [ev.MESSAGE]
    assert journal.latest_session("alpha") == info
    assert [s.id for s in journal.sessions()] == [sid]
    assert journal.sessions("beta") == [] and journal.latest_session("beta") is None


def test_directory_events_from_two_recorders_are_merged(journal: Journal) -> None:
    sid = journal.session_for("alpha", now=1.0)
    gone = Event(time=100.0, team="alpha", kind=ev.TEAM_VANISHED, session=sid)
    assert journal.record([gone]) == 1
    assert journal.record([Event(time=101.5, team="alpha", kind=ev.TEAM_VANISHED,
                                 session=sid)]) == 0
    back = Event(time=102.0, team="alpha", kind=ev.TEAM_APPEARED, session=sid)
    again = Event(time=103.0, team="alpha", kind=ev.TEAM_VANISHED, session=sid)
    assert journal.record([back, again]) == 2


def test_a_corrupt_journal_is_moved_aside_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(b"this is not a database at all" * 100)
    with Journal.open(tmp_path) as journal:
        (notice,) = journal.notices
        moved = [p for p in tmp_path.iterdir() if p.name.startswith(f"{FILE_NAME}.corrupt-")]
        assert len(moved) == 1 and str(path) in notice and str(moved[0]) in notice
        assert moved[0].read_bytes().startswith(b"this is not a database")
        assert journal.session_for("alpha", now=1.0) == "1"


def test_a_journal_from_a_newer_taskboard_is_moved_aside(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        journal.conn.execute(f"PRAGMA user_version = {store_module.SCHEMA + 1}")
    with Journal.open(tmp_path) as journal:
        (notice,) = journal.notices
        assert "newer taskboard" in notice and str(tmp_path / FILE_NAME) in notice
        assert journal.conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA
    newer = [p for p in tmp_path.iterdir() if ".newer-" in p.name and p.name.endswith(
        tuple("0123456789"))]
    assert len(newer) == 1
    assert sqlite3.connect(newer[0]).execute("PRAGMA user_version").fetchone()[0] == \
        store_module.SCHEMA + 1


def test_an_older_journal_is_migrated_keeping_its_events(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Journal.open(tmp_path) as journal:
        sid = journal.session_for("alpha", now=1.0)
        journal.record([created(sid, "1", 1.0)])
    step = ["ALTER TABLE sessions ADD COLUMN note TEXT"]
    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, step])
    with Journal.open(tmp_path) as journal:
        assert journal.notices == []
        assert journal.conn.execute("PRAGMA user_version").fetchone()[0] == \
            store_module.SCHEMA + 1
        assert journal.conn.execute("SELECT note FROM sessions").fetchone() == (None,)
        assert [e.task for e in journal.events(sid)] == ["1"]


def test_a_version_1_journal_gains_the_task_and_agent_indexes(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / FILE_NAME)
    for statement in store_module.MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Journal.open(tmp_path) as journal:
        plan = journal.conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM events WHERE session = 1 AND task = '5' "
            "ORDER BY time, id").fetchall()
        assert "events_task" in str(plan)
        assert journal.conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA


def test_an_event_without_a_session_is_refused(journal: Journal) -> None:
    with pytest.raises(ValueError):
        journal.record([Event(time=1.0, team="alpha", kind=ev.MESSAGE)])


def test_a_recorder_started_again_continues_its_session_without_doubling(
        tmp_path: Path, home: Path) -> None:
    from taskboard.claude.reader import BoardReader
    from taskboard.journal.recorder import TeamRecorder
    from tests.conftest import make_task, make_team

    paths = make_team(home, "alpha", ["team-lead"])
    make_task(paths.tasks_dir, "1")
    with Journal.open(tmp_path / "data") as journal:
        first = TeamRecorder(journal, "alpha")
        first.start()
        reader = BoardReader(paths)
        assert first.observe(reader.board, reader.rescan()) > 0
        make_task(paths.tasks_dir, "1", status="in_progress", owner="team-lead")
        second = TeamRecorder(journal, "alpha")
        second.start()
        again = BoardReader(paths)
        assert second.observe(again.board, again.rescan()) == 1
        assert second.session == first.session
        sid = first.session
        assert sid is not None
        assert [e.kind for e in journal.events(sid, task="1")] == [ev.TASK_CREATED,
                                                                    ev.TASK_CHANGED]
