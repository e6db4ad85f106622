"""Agent states and health flags as journal events: from the real Claude Code sample's
transcripts through the home recorder, once each, and flags raised then cleared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskboard.claude.activity import AgentActivity
from taskboard.journal import events as ev
from taskboard.journal.observers import AgentStates, FlagChanges
from taskboard.journal.recording import HomeRecorder
from taskboard.journal.store import Journal
from tests.realcc import TEAM, TEAM_RUN, copy_home


def test_agent_state_changes_become_events_once() -> None:
    states = AgentStates("t")
    alice = AgentActivity("alice", state="tool", since=100.0, tool="Bash", model="m")
    first = states.observe({"alice": alice}, now=105.0)
    assert [(e.kind, e.agent, e.after["state"], e.after["tool"], e.time) for e in first] == [
        (ev.AGENT_STATE, "alice", "tool", "Bash", 100.0)]
    assert first[0].before is None and first[0].source == "transcript"
    assert states.observe({"alice": alice}, now=106.0) == []
    alice.state, alice.since, alice.tool = "idle", 120.0, None
    (idle,) = states.observe({"alice": alice}, now=121.0)
    assert idle.before == {"state": "tool", "tool": "Bash"}
    assert idle.after["state"] == "idle" and idle.time == 120.0
    assert states.observe({"x": AgentActivity("x")}, now=1.0) == [], "unknown is no state"


@dataclass
class Flag:
    kind: str
    task: str | None = None
    since: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "task": self.task, "since": self.since}


def test_flags_are_raised_and_cleared() -> None:
    flags = FlagChanges("t")
    raised = flags.observe([Flag("stalled", "3", 50.0)], now=60.0)
    assert [(e.kind, e.task) for e in raised] == [(ev.FLAG_RAISED, "3")]
    assert flags.observe([Flag("stalled", "3", 50.0)], now=61.0) == []
    cleared = flags.observe([], now=70.0)
    assert [(e.kind, e.task, e.before["kind"]) for e in cleared] == [
        (ev.FLAG_CLEARED, "3", "stalled")]


def test_the_home_recorder_records_the_sample_teams_agent_states_once(tmp_path: Path) -> None:
    home = copy_home(TEAM_RUN / "live", tmp_path / "home")
    with Journal.open(tmp_path / "data") as journal:
        first = HomeRecorder(home, journal)
        first.discover()
        assert TEAM in first.live
        assert first.follow_agents() > 0
        assert first.follow_agents() == 0, "nothing changed since"
        second = HomeRecorder(home, journal)
        second.discover()
        assert second.follow_agents() == 0, "the same states are not recorded twice"
        session = journal.latest_session(TEAM)
        assert session is not None
        states = journal.events(session.id, kinds=[ev.AGENT_STATE])
    agents = {e.agent for e in states}
    assert {"team-lead", "alice", "bob"} <= agents
    assert all(e.source == "transcript" and e.after and "state" in e.after for e in states)


def test_the_home_recorder_records_flags_raised_and_cleared(home: Path, tmp_path: Path) -> None:
    from taskboard.board.model import dump_json
    from tests.conftest import make_task, make_team, task_json

    team = make_team(home, "alpha", ["team-lead", "alice"])
    path = make_task(team.tasks_dir, "1", subject="Port the lexer", status="in_progress",
                     owner="mallory")
    with Journal.open(tmp_path / "data") as journal:
        recorder = HomeRecorder(home, journal)
        recorder.discover()
        recorder.follow_agents()
        session = journal.latest_session("alpha")
        assert session is not None
        raised = journal.events(session.id, kinds=[ev.FLAG_RAISED])
        assert raised and all(e.task == "1" for e in raised)
        kinds = {e.after["kind"] for e in raised}
        recorder.follow_agents()
        assert len(journal.events(session.id, kinds=[ev.FLAG_RAISED])) == len(raised)

        path.write_text(dump_json(task_json("1", subject="Port the lexer", status="completed",
                                            owner="mallory")), encoding="utf-8")
        recorder.apply([path])
        recorder.follow_agents()
        cleared = journal.events(session.id, kinds=[ev.FLAG_CLEARED])
    assert {e.before["kind"] for e in cleared} == kinds


def test_tasks_kept_on_screen_after_their_list_vanished_are_not_created_again(
        home: Path) -> None:
    """Older Claude Code removed the list directory right after auto-clear; the reader keeps
    the last board on screen, and the journal must not take it for new tasks."""
    import shutil

    from taskboard.claude.paths import TeamPaths
    from taskboard.claude.reader import BoardReader
    from taskboard.journal.derive import EventDeriver
    from tests.conftest import make_task

    paths = TeamPaths(home, "alpha")
    for tid in ("1", "2"):
        make_task(paths.tasks_dir, tid, status="completed")
    reader = BoardReader(paths)
    deriver = EventDeriver("alpha")
    events = deriver.observe(reader.board, reader.rescan(), 1.0).events
    assert sorted(e.task for e in events if e.kind == ev.TASK_CREATED) == ["1", "2"]
    (paths.tasks_dir / "1.json").unlink()  # auto-clear, one file at a time
    events = deriver.observe(reader.board, reader.refresh([paths.tasks_dir / "1.json"]),
                             2.0).events
    assert [(e.kind, e.task) for e in events] == [(ev.TASK_REMOVED, "1")]
    shutil.rmtree(paths.tasks_dir)  # ... and the directory, within the restore window
    delta = reader.refresh([paths.tasks_dir])
    assert set(reader.board.tasks) >= {"2"}, "the reader keeps the last board on screen"
    events = deriver.observe(reader.board, delta, 3.0).events
    assert [e.kind for e in events] == [ev.LIST_VANISHED], "nothing created again"


def test_a_quiet_team_is_not_evaluated_every_second_but_a_change_is_at_once(
        home: Path, tmp_path: Path) -> None:
    from taskboard.board.model import dump_json
    from taskboard.journal import recording
    from tests.conftest import make_task, make_team, task_json

    team = make_team(home, "alpha", ["team-lead", "alice"])
    path = make_task(team.tasks_dir, "1", subject="Port the lexer", status="in_progress",
                     owner="mallory")
    with Journal.open(tmp_path / "data") as journal:
        recorder = HomeRecorder(home, journal)
        recorder.discover()
        recorder.follow_agents()
        first = recorder._flags_at["alpha"]
        recorder._flags_cost["alpha"] = 1.0  # as if the rules took a second: ~8 min apart
        recorder.follow_agents()
        assert recorder._flags_at["alpha"] == first, "quiet: not evaluated again"
        assert 1.0 / recording.FLAG_BUDGET > 60
        path.write_text(dump_json(task_json("1", subject="Port the lexer", status="completed",
                                            owner="mallory")), encoding="utf-8")
        recorder.apply([path])
        recorder.follow_agents()
        assert recorder._flags_at["alpha"] > first, "a change is evaluated at once"
        session = journal.latest_session("alpha")
        assert session is not None and journal.events(session.id, kinds=[ev.FLAG_CLEARED])
