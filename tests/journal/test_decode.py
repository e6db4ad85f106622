"""The journal's fast reads: events built from their bodies, a session's team."""

from __future__ import annotations

from taskboard.journal.events import Event


def test_event_from_json_equals_the_constructor() -> None:
    obj = {"time": 3, "team": "t", "kind": "task.changed", "session": "1", "task": "4",
           "before": {"status": "pending"}, "after": {"status": "completed"},
           "detail": {"x": 1}}
    made = Event.from_json(obj, key="k")
    assert made == Event(time=3.0, team="t", kind="task.changed", session="1", task="4",
                         before={"status": "pending"}, after={"status": "completed"},
                         detail={"x": 1}, key="k")
    assert made.key == "k" and isinstance(made.time, float)
    assert made.detail is not obj["detail"]
    assert Event.from_json({"time": 1, "team": "t", "kind": "message"}).detail == {}
    assert Event.from_json(made.to_json()) == made


def test_team_of_names_a_sessions_team_without_its_figures(tmp_path) -> None:
    from taskboard.journal.store import Journal

    with Journal.open(tmp_path) as journal:
        sid = journal.session_for("alpha", now=5.0)
        assert journal.team_of(sid) == "alpha" == journal.session(sid).team
        assert journal.team_of("999") is None and journal.session("999") is None
        assert journal.team_of("x") is None
