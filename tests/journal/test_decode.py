"""The journal's fast reads: bodies decoded exactly as ``json.loads`` does, a session's team."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from taskboard.journal.events import Event
from taskboard.journal.store import decode

ODD = [
    '{"text": "half an emoji \\ud83d"}',  # a lone surrogate, kept as an escape
    '{"n": NaN, "m": Infinity, "o": -Infinity}',
    '{"big": 123456789012345678901234567890, "neg": -98765432109876543210}',
    '{"edge": 18446744073709551616, "u64": 18446744073709551615, "i64": -9223372036854775809}',
    '{"f": 1e400, "g": 0.1, "h": 5e-324}',
    '{"dup": 1, "dup": 2}',
    '{"s": "\\u00e9\\n\\t\\"", "empty": {}, "list": [1, 2.5, null, true, false]}',
]


def test_odd_bodies_read_as_json_reads_them() -> None:
    for body in ODD:
        want, got = json.loads(body), decode(body)
        assert repr(got) == repr(want), body  # repr: nan != nan, and 1 == 1.0 would pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_stored_body_reads_as_json_reads_it(value: object) -> None:
    body = json.dumps(value, ensure_ascii=False)
    assert repr(decode(body)) == repr(json.loads(body))


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
