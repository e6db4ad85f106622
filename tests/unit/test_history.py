"""The journal's history read for the rules: since when, and typical durations."""

from __future__ import annotations

from taskboard.board.model import Task
from taskboard.board.rules.history import read_history
from taskboard.journal.events import TASK_CHANGED, TASK_CREATED, Event


def changed(time: float, task: str, **after) -> Event:
    return Event(time=time, team="t", kind=TASK_CHANGED, task=task, after=after)


def test_history_gives_since_when_and_typical_durations_by_owner() -> None:
    events = [
        Event(time=0, team="t", kind=TASK_CREATED, task="1", after={"status": "pending"}),
        changed(10, "1", status="in_progress", owner="alice"),
        changed(70, "1", status="completed"),
        changed(80, "2", status="in_progress", owner="bob"),
        changed(380, "2", status="completed"),
        changed(400, "3", status="in_progress", owner="bob"),
        changed(450, "3", metadata={"progress": "50%"}),
    ]
    history = read_history(events)
    assert history.task_since == {"1": 70, "2": 380, "3": 400}
    assert history.durations == {"alice": 60, "bob": 300, None: 180}
    tasks = {"3": Task(id="3", status="in_progress", owner="bob"),
             "4": Task(id="4", owner="carol"), "1": Task(id="1", status="completed")}
    assert history.weights(tasks) == {"3": 300, "4": 180}


def test_without_a_finished_task_there_are_no_weights() -> None:
    history = read_history([changed(10, "1", status="in_progress")])
    assert history.weights({"1": Task(id="1")}) is None
