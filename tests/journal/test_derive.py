"""Events derived from real files read by the real BoardReader: tasks, members, messages,
directories, auto-clear, and session boundaries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from taskboard.board.model import dump_json
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import BoardReader
from taskboard.journal import events as ev
from taskboard.journal.derive import EventDeriver, operator_event
from tests.conftest import make_task, make_team, message, task_json, write_inbox


def kinds(events: list[ev.Event]) -> list[tuple[str, str | None]]:
    return [(e.kind, e.task or e.agent) for e in events]


def step(reader: BoardReader, deriver: EventDeriver, now: float = 100.0) -> list[ev.Event]:
    delta = reader.rescan()
    return deriver.observe(reader.board, delta, now).events


def set_config(paths: TeamPaths, **changes: object) -> None:
    config = json.loads(paths.config_path.read_text())
    config.update(changes)
    paths.config_path.write_text(dump_json(config))


def test_first_look_records_every_task_member_and_message_as_initial(home: Path) -> None:
    paths = make_team(home, "alpha", ["team-lead", "alice"])
    make_task(paths.tasks_dir, "1", owner="alice", status="in_progress")
    write_inbox(paths, "alice", [message("team-lead", "Start with the header tests.",
                                         summary="Start")])
    reader, deriver = BoardReader(paths), EventDeriver("alpha")
    reader.rescan()
    out = deriver.observe(reader.board, None, 10.0).events
    assert kinds(out) == [(ev.LIST_APPEARED, None), (ev.TEAM_APPEARED, None),
                          (ev.TASK_CREATED, "1"), (ev.MEMBER_JOINED, "team-lead"),
                          (ev.MEMBER_JOINED, "alice"), (ev.MESSAGE, "alice")]
    created = out[2]
    assert created.after == task_json("1", owner="alice", status="in_progress")
    assert created.detail["initial"] is True and created.agent == "alice"
    msg = out[-1]
    assert msg.detail["from"] == "team-lead" and msg.detail["to"] == "alice"
    assert msg.detail["text"] == "Start with the header tests." and msg.detail["summary"] == "Start"
    assert deriver.observe(reader.board, None, 11.0).events == []


def test_a_change_records_only_the_changed_fields_before_and_after(home: Path) -> None:
    paths = make_team(home, "alpha", ["team-lead", "alice"])
    make_task(paths.tasks_dir, "1")
    reader, deriver = BoardReader(paths), EventDeriver("alpha")
    step(reader, deriver)
    make_task(paths.tasks_dir, "1", owner="alice", status="in_progress", activeForm="Parsing")
    (changed,) = step(reader, deriver)
    assert changed.kind == ev.TASK_CHANGED and changed.task == "1"
    assert changed.before == {"status": "pending", "owner": None, "activeForm": None}
    assert changed.after == {"status": "in_progress", "owner": "alice", "activeForm": "Parsing"}
    assert changed.agent == "alice"


def test_the_same_file_version_gives_the_same_identity_to_two_recorders(home: Path) -> None:
    paths = make_team(home, "alpha")
    make_task(paths.tasks_dir, "1")
    firsts = []
    for _ in range(2):
        reader, deriver = BoardReader(paths), EventDeriver("alpha")
        firsts.append([e.with_session("1").identity() for e in step(reader, deriver)
                       if e.kind == ev.TASK_CREATED])
    assert firsts[0] == firsts[1] and len(firsts[0]) == 1


def test_auto_clear_marks_removals_and_a_refill_opens_a_new_session(home: Path) -> None:
    paths = TeamPaths(home, "solo")
    for tid in ("1", "2"):
        make_task(paths.tasks_dir, tid, status="completed")
    reader, deriver = BoardReader(paths), EventDeriver("solo")
    step(reader, deriver)
    for tid in ("1", "2"):
        (paths.tasks_dir / f"{tid}.json").unlink()
    removed = step(reader, deriver)
    assert kinds(removed) == [(ev.TASK_REMOVED, "1"), (ev.TASK_REMOVED, "2")]
    assert all(e.detail["auto_clear"] for e in removed)
    assert removed[0].before == task_json("1", status="completed")
    make_task(paths.tasks_dir, "3")
    reader.rescan()
    derived = deriver.observe(reader.board, None, 200.0)
    assert derived.new_session and kinds(derived.events) == [(ev.TASK_CREATED, "3")]


def test_removing_an_open_task_is_not_an_auto_clear(home: Path) -> None:
    paths = TeamPaths(home, "solo")
    make_task(paths.tasks_dir, "1", status="completed")
    make_task(paths.tasks_dir, "2")
    reader, deriver = BoardReader(paths), EventDeriver("solo")
    step(reader, deriver)
    (paths.tasks_dir / "2.json").unlink()
    (removed,) = step(reader, deriver)
    assert removed.kind == ev.TASK_REMOVED and removed.detail["auto_clear"] is False


def test_members_join_go_idle_come_back_and_leave(home: Path) -> None:
    paths = make_team(home, "alpha", ["team-lead"])
    reader, deriver = BoardReader(paths), EventDeriver("alpha")
    step(reader, deriver)
    config = json.loads(paths.config_path.read_text())
    bob = dict(config["members"][0], name="bob", agentId="bob@alpha", isActive=True)
    set_config(paths, members=[*config["members"], bob])
    assert kinds(step(reader, deriver)) == [(ev.MEMBER_JOINED, "bob")]
    set_config(paths, members=[config["members"][0], dict(bob, isActive=False)])
    assert kinds(step(reader, deriver)) == [(ev.MEMBER_IDLE, "bob")]
    set_config(paths, members=[config["members"][0], dict(bob, isActive=True)])
    assert kinds(step(reader, deriver)) == [(ev.MEMBER_ACTIVE, "bob")]
    set_config(paths, members=[config["members"][0]])
    assert kinds(step(reader, deriver)) == [(ev.MEMBER_LEFT, "bob")]


def test_every_message_is_recorded_once_and_a_protocol_message_names_its_task(
        home: Path) -> None:
    paths = make_team(home, "alpha", ["team-lead", "alice"])
    reader, deriver = BoardReader(paths), EventDeriver("alpha")
    step(reader, deriver)
    assign = message("team-lead", {"type": "task_assignment", "taskId": "4",
                                   "subject": "Parser"})
    write_inbox(paths, "alice", [assign])
    (first,) = step(reader, deriver)
    assert first.detail["type"] == "task_assignment" and first.task == "4"
    # Read, then a second message: only the new one is recorded.
    later = message("bob", "done", timestamp="2026-11-20T10:20:00.000Z")
    write_inbox(paths, "alice", [dict(assign, read=True), later])
    (second,) = step(reader, deriver)
    assert second.detail["text"] == "done" and second.detail["from"] == "bob"
    # Delivered messages pruned (2.1.3xx): nothing to record.
    write_inbox(paths, "alice", [])
    assert step(reader, deriver) == []


def test_directories_vanishing_and_coming_back(home: Path) -> None:
    paths = make_team(home, "alpha")
    make_task(paths.tasks_dir, "1", status="completed")
    reader, deriver = BoardReader(paths), EventDeriver("alpha")
    step(reader, deriver)
    shutil.rmtree(paths.team_dir)
    shutil.rmtree(paths.tasks_dir)
    out = step(reader, deriver)
    assert kinds(out) == [(ev.LIST_VANISHED, None), (ev.TEAM_VANISHED, None)]
    make_team(home, "alpha")
    out = step(reader, deriver)
    assert (ev.LIST_APPEARED, None) in kinds(out) and (ev.TEAM_APPEARED, None) in kinds(out)
    assert (ev.TASK_REMOVED, "1") in kinds(out)


def test_a_new_lead_session_starts_over(home: Path) -> None:
    paths = make_team(home, "alpha")
    set_config(paths, leadSessionId="one")
    make_task(paths.tasks_dir, "1")
    reader, deriver = BoardReader(paths), EventDeriver("alpha")
    first = deriver.observe(reader.board, reader.rescan(), 1.0)
    assert not first.new_session and first.lead == "one"
    set_config(paths, leadSessionId="two")
    second = deriver.observe(reader.board, reader.rescan(), 2.0)
    assert second.new_session and second.lead == "two"
    assert (ev.TASK_CREATED, "1") in kinds(second.events)


def test_operator_event_names_task_or_agent() -> None:
    write = operator_event("alpha", "assign", "#3", ok=True, summary="assigned", now=5.0,
                           changes=[{"task": "3", "before": {}, "after": {"owner": "a"}}])
    assert write.task == "3" and write.source == "operator"
    assert write.detail["verb"] == "assign" and write.detail["result"] == "ok"
    send = operator_event("alpha", "send", "alice", ok=False, summary="no team", now=5.0)
    assert send.agent == "alice" and send.detail["result"] == "refused"
