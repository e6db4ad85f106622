"""Replay: the board at any moment of a recorded session, whichever way the cursor moves."""

from __future__ import annotations

import random
from typing import Any

from taskboard.board.model import State
from taskboard.journal import events as ev
from taskboard.journal.events import Event
from taskboard.journal.timetravel import Replay
from taskboard.sim.session import synthetic_session

T0 = 1_780_000_000.0


def reference_tasks(events: list[Event], cursor: int) -> dict[str, dict[str, Any]]:
    """The tasks after ``cursor`` events, computed the plain way: from the start."""
    tasks: dict[str, dict[str, Any]] = {}
    for event in sorted(events, key=lambda e: e.time)[:cursor]:
        if event.kind == ev.TASK_CREATED:
            tasks[event.task] = {"id": event.task, **event.after}
        elif event.kind == ev.TASK_CHANGED:
            current = dict(tasks.get(event.task, {"id": event.task}))
            for key in event.before or {}:
                if key not in (event.after or {}):
                    current.pop(key)
            current.update(event.after or {})
            current = {k: v for k, v in current.items() if v is not None}
            tasks[event.task] = current
        elif event.kind == ev.TASK_REMOVED:
            tasks.pop(event.task, None)
    return tasks


def test_every_move_shows_the_board_as_it_was_then_both_ways_and_by_jumps() -> None:
    events = synthetic_session(30, 300, seed=3)
    replay = Replay(events, name="t", checkpoint_every=16)
    rng = random.Random(5)
    moves = [*range(len(events) + 1), *reversed(range(len(events) + 1)),
             *(rng.randrange(len(events) + 1) for _ in range(60))]
    for cursor in moves:
        replay.seek(cursor)
        expected = reference_tasks(events, cursor)
        assert {tid: task.raw for tid, task in replay.board.tasks.items()} == expected, cursor
    assert replay.cursor == moves[-1]


def test_states_follow_the_cursor_and_stepping_back_undoes_a_claim() -> None:
    events = [
        Event(T0, "t", ev.TASK_CREATED, task="1",
              after={"subject": "Parse", "status": "pending", "blocks": ["2"], "blockedBy": []}),
        Event(T0 + 1, "t", ev.TASK_CREATED, task="2",
              after={"subject": "Test", "status": "pending", "blocks": [], "blockedBy": ["1"]}),
        Event(T0 + 2, "t", ev.TASK_CHANGED, task="1", before={"status": "pending", "owner": None},
              after={"status": "in_progress", "owner": "ann"}),
        Event(T0 + 3, "t", ev.TASK_CHANGED, task="1", before={"status": "in_progress"},
              after={"status": "completed"}),
    ]
    replay = Replay(events, name="t")
    replay.seek(4)
    assert replay.board.state("1") == State.COMPLETED
    assert replay.board.state("2") == State.READY
    moved = replay.seek(3)
    assert moved.tasks == {"1"}
    assert replay.board.state("1") == State.IN_PROGRESS
    assert replay.board.tasks["1"].owner == "ann"
    assert replay.board.state("2") == State.BLOCKED
    replay.seek(2)
    assert replay.board.tasks["1"].owner is None
    assert replay.board.last_change == T0 + 1
    assert replay.board.tasks["1"].mtime == T0


def test_members_messages_and_the_directories_are_replayed() -> None:
    events = [
        Event(T0, "t", ev.TEAM_APPEARED, after={"name": "t", "description": "d", "members": []}),
        Event(T0 + 1, "t", ev.MEMBER_JOINED, agent="ann", after={"color": "blue",
                                                                 "isActive": False}),
        Event(T0 + 2, "t", ev.MEMBER_ACTIVE, agent="ann"),
        Event(T0 + 3, "t", ev.MESSAGE, agent="ann",
              detail={"from": "team-lead", "text": "hello [bold]x[/]", "summary": "hi"}),
        Event(T0 + 4, "t", ev.MEMBER_LEFT, agent="ann"),
        Event(T0 + 5, "t", ev.TEAM_VANISHED),
    ]
    replay = Replay(events, name="t")
    replay.seek(3)
    assert replay.board.team is not None
    assert [(m.name, m.color, m.is_active) for m in replay.board.members] == [
        ("ann", "blue", True)]
    assert "ann" not in replay.board.inboxes
    replay.seek(4)
    message = replay.board.inboxes["ann"].messages[-1]
    assert (message.sender, message.text, message.headline) == (
        "team-lead", "hello [bold]x[/]", "hi")
    assert replay.board.team_exists
    replay.seek(6)
    assert replay.board.members == ()
    assert not replay.board.team_exists
    replay.seek(1)
    assert replay.board.team_exists and replay.board.members == ()
    assert replay.board.team.description == "d"


def test_review_opens_before_the_clear_up_that_ends_a_session() -> None:
    events = synthetic_session(10, 80, seed=2)
    replay = Replay(events, name="t")
    cursor = replay.default_cursor()
    assert events[cursor - 1].kind not in (ev.TASK_REMOVED, ev.LIST_VANISHED)
    assert all(e.kind in (ev.TASK_REMOVED, ev.LIST_VANISHED, ev.TEAM_VANISHED)
               for e in replay.events[cursor:])
    replay.seek(cursor)
    assert len(replay.board.tasks) == 10
    assert replay.board.visible_counts()[State.COMPLETED] == 10
    replay.seek(len(replay))
    assert replay.board.tasks == {} and not replay.board.list_exists


def test_the_next_and_previous_event_of_a_task_or_agent() -> None:
    events = synthetic_session(8, 60, seed=4)
    replay = Replay(events, name="t")
    indexes = replay.by_task["3"]
    assert replay.next_of(indexes, 0) == indexes[0] + 1
    assert replay.next_of(indexes, indexes[0] + 1) == indexes[1] + 1
    assert replay.previous_of(indexes, indexes[1] + 1) == indexes[0] + 1
    assert replay.previous_of(indexes, indexes[0] + 1) is None
    assert replay.next_of(indexes, len(replay)) is None
    agent = replay.by_agent["agent-1"]
    assert agent and all("agent-1" in (replay.events[i].agent,
                                       (replay.events[i].after or {}).get("owner"),
                                       (replay.events[i].before or {}).get("owner"),
                                       replay.events[i].detail.get("from")) for i in agent)


def test_times_and_activity() -> None:
    events = synthetic_session(10, 100, seed=1)
    replay = Replay(events, name="t")
    assert replay.time_at(0) == replay.start
    assert replay.time_at(len(replay)) == replay.end
    middle = replay.times[40]
    assert replay.time_at(replay.cursor_at(middle)) == middle
    bars = replay.activity(12)
    assert len(bars) == 12 and sum(bars) == len(events)
    assert Replay([], name="empty").activity(5) == [0] * 5
