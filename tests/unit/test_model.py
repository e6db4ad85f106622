"""Lenient parsing of whatever is on disk, strict serialising in Claude Code's style."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskboard.board import model
from taskboard.board.model import (
    Board,
    Problem,
    State,
    Task,
    decode_protocol,
    dump_json,
    parse_config,
    parse_inbox,
    parse_task,
    parse_timestamp,
)
from tests.conftest import member_json, message, task_json

CLAUDE_TASK = """{
  "id": "4",
  "subject": "Write the parser tests",
  "description": "Cover every branch of parse_header, including the error paths.",
  "activeForm": "Writing the parser tests",
  "status": "in_progress",
  "owner": "tester",
  "blocks": [
    "6"
  ],
  "blockedBy": [
    "2",
    "3"
  ],
  "metadata": {
    "priority": "P1"
  }
}"""


def kinds(problems: list[Problem]) -> list[str]:
    return [p.kind for p in problems]


def parse(obj: object, file_id: str = "4") -> tuple[Task | None, list[Problem]]:
    return parse_task(json.dumps(obj), file_id)


# -- dump_json ---------------------------------------------------------------------------------


def test_dump_json_writes_exactly_what_claude_code_writes() -> None:
    assert dump_json(json.loads(CLAUDE_TASK)) == CLAUDE_TASK


def test_dump_json_has_no_trailing_newline_and_two_space_indent() -> None:
    text = dump_json({"a": [1, {"b": None}], "c": {}, "d": []})
    assert text == ('{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ],\n'
                    '  "c": {},\n  "d": []\n}')


def test_dump_json_keeps_non_ascii_characters_as_they_are() -> None:
    text = dump_json({"subject": "Réécrire l’analyseur ☃ 解析"})
    assert "Réécrire l’analyseur ☃ 解析" in text
    assert "\\u" not in text


def test_dump_json_escapes_control_characters_like_json_stringify() -> None:
    assert dump_json({"t": "a\nb\t\x01"}) == '{\n  "t": "a\\nb\\t\\u0001"\n}'


def test_dump_json_escapes_a_lone_surrogate_like_json_stringify() -> None:
    # JSON.stringify({s: "cut \ud83d", ok: "\ud83d\ude00", c: "\u2028\x7f"}, null, 2)
    obj = json.loads('{"s": "cut \\ud83d", "ok": "\\ud83d\\ude00", "c": "\\u2028\\u007f"}')
    text = dump_json(obj)
    assert text == '{\n  "s": "cut \\ud83d",\n  "ok": "😀",\n  "c": "\u2028\x7f"\n}'
    assert json.loads(text.encode("utf-8")) == obj


# -- parse_task: a good file -------------------------------------------------------------------


def test_a_claude_code_task_parses_without_problems(tmp_path: Path) -> None:
    path = tmp_path / "4.json"
    task, problems = parse_task(CLAUDE_TASK, "4", path, 123.5)
    assert problems == []
    assert task is not None
    assert (task.id, task.subject, task.status, task.owner) == (
        "4", "Write the parser tests", "in_progress", "tester")
    assert task.description.startswith("Cover every branch")
    assert task.active_form == "Writing the parser tests"
    assert task.blocks == ("6",)
    assert task.blocked_by == ("2", "3")
    assert task.metadata == {"priority": "P1"}
    assert task.raw == json.loads(CLAUDE_TASK)
    assert (task.path, task.mtime, task.problems, task.stale) == (path, 123.5, (), False)


def test_a_parsed_task_is_the_task_its_constructor_makes(tmp_path: Path) -> None:
    """Parsing builds tasks without the dataclass constructor: every field is still set,
    to the same values, and the task is still frozen."""
    path = tmp_path / "4.json"
    task, problems = parse_task(CLAUDE_TASK.replace('"tester"', '7'), "4", path, 123.5)
    assert task is not None and problems
    made = Task(id=task.id, subject=task.subject, description=task.description,
                status=task.status, blocks=task.blocks, blocked_by=task.blocked_by,
                owner=task.owner, active_form=task.active_form, metadata=task.metadata,
                raw=task.raw, path=task.path, mtime=task.mtime, problems=task.problems)
    assert vars(task) == vars(made)
    assert set(vars(task)) == {f.name for f in dataclasses.fields(Task)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.subject = "changed"  # type: ignore[misc]


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2, 12), st.text(max_size=4),
                    st.sampled_from(["4", "pending", "in_progress", "completed"]),
                    st.lists(st.one_of(st.sampled_from(["1", "2"]), st.integers(1, 2),
                                       st.booleans()), max_size=3),
                    st.dictionaries(st.sampled_from(["_internal", "x"]), st.booleans(),
                                    max_size=2))
_KEYS = ("id", "subject", "description", "status", "blocks", "blockedBy", "owner",
         "activeForm", "metadata")


_WELL_FORMED = {"id": "4", "subject": "s", "description": "d", "status": "pending",
                "blocks": ["1"], "blockedBy": [], "owner": None, "activeForm": None,
                "metadata": {}}


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=2),
       st.sets(st.sampled_from(_KEYS), max_size=1))
def test_the_usual_task_is_read_as_the_checks_read_it(changed: dict, dropped: set) -> None:
    """The shortcut for well-formed task files gives exactly the task the key-by-key checks
    give, or leaves the object to them (a well-formed file with a key or two changed)."""
    obj = {k: v for k, v in {**_WELL_FORMED, **changed}.items() if k not in dropped}
    path = Path("/t/4.json")
    fast = model._usual_task(obj, "4", path, 5.0)
    checked, problems = model._checked_task(obj, "4", path, 5.0)
    if fast is not None:
        assert problems == [] and vars(fast) == vars(checked)
    assert model.task_from_object(obj, "4", path, 5.0)[1] == problems


def test_a_well_formed_task_takes_the_shortcut() -> None:
    obj = json.loads(CLAUDE_TASK)
    fast = model._usual_task(obj, "4", None, 0.0)
    assert fast is not None and fast.blocked_by == ("2", "3") and fast.owner == "tester"


def test_optional_keys_may_be_absent() -> None:
    task, problems = parse(task_json("4"))
    assert problems == []
    assert task is not None
    assert (task.owner, task.active_form, task.metadata) == (None, None, {})


def test_an_empty_owner_means_nobody() -> None:
    task, problems = parse(task_json("4", owner=""))
    assert problems == []
    assert task is not None and task.owner is None


def test_unknown_keys_stay_in_raw() -> None:
    task, _ = parse(task_json("4", extra={"kept": True}))
    assert task is not None and task.raw["extra"] == {"kept": True}


def test_internal_tasks_are_recognised_from_metadata() -> None:
    internal, _ = parse(task_json("4", metadata={"_internal": True}))
    visible, _ = parse(task_json("5", metadata={"_internal": False}), "5")
    assert internal is not None and internal.internal
    assert visible is not None and not visible.internal


# -- parse_task: every kind of problem ---------------------------------------------------------


def test_invalid_json_is_a_problem_not_an_exception() -> None:
    task, problems = parse_task('{"id": "4",, "subject": "x"}', "4")
    assert task is None
    assert kinds(problems) == ["invalid_json"]
    assert problems[0].task == "4" and problems[0].path == "4.json"


def test_trailing_garbage_after_a_whole_document_is_invalid_not_torn() -> None:
    _, problems = parse_task(CLAUDE_TASK + "}", "4")
    assert kinds(problems) == ["invalid_json"]


@pytest.mark.parametrize("text", ["", "   \n", "\n"])
def test_an_empty_file_is_torn(text: str) -> None:
    task, problems = parse_task(text, "4")
    assert task is None
    assert kinds(problems) == ["torn"]


def test_a_file_cut_off_anywhere_is_torn_never_invalid() -> None:
    # Claude Code writes in place, so a reader can catch any prefix of the file.
    text = dump_json(task_json("4", subject='Fix "quotes" \\ and é ☃', description="a\\u0041b",
                               metadata={"t": True, "f": False, "n": None, "x": -12.5e-3}))
    json.loads(text)
    for end in range(1, len(text)):
        task, problems = parse_task(text[:end], "4")
        assert task is None, text[:end]
        assert kinds(problems) == ["torn"], text[:end]


def test_a_file_cut_off_inside_a_unicode_escape_is_torn() -> None:
    _, problems = parse_task('{"id": "4", "subject": "caf\\u00', "4")
    assert kinds(problems) == ["torn"]


@pytest.mark.parametrize("obj", [[], "4", 4, None])
def test_a_file_that_is_not_an_object_is_a_problem(obj: object) -> None:
    task, problems = parse(obj)
    assert task is None
    assert kinds(problems) == ["not_an_object"]


@pytest.mark.parametrize("key", ["id", "subject", "description", "status", "blocks",
                                 "blockedBy"])
def test_each_missing_required_key_is_reported(key: str) -> None:
    obj = task_json("4")
    del obj[key]
    task, problems = parse(obj)
    assert task is not None, "a defective task is kept, never dropped"
    assert kinds(problems) == ["missing_key"]
    assert key in problems[0].detail
    assert task.problems == tuple(problems)


@pytest.mark.parametrize(("key", "value"), [
    ("subject", 7),
    ("description", ["x"]),
    ("blocks", "6"),
    ("blockedBy", {"2": True}),
    ("owner", 3),
    ("metadata", "P1"),
    ("id", True),
])
def test_a_value_of_the_wrong_type_is_reported(key: str, value: object) -> None:
    obj = task_json("4")
    obj[key] = value
    task, problems = parse(obj)
    assert task is not None
    assert "wrong_type" in kinds(problems)


def test_numbers_in_a_dependency_list_are_reported_and_read_as_ids() -> None:
    task, problems = parse(task_json("4", blockedBy=[2, "3", None]))
    assert task is not None
    assert task.blocked_by == ("2", "3")
    assert kinds(problems) == ["wrong_type", "wrong_type"]


def test_a_numeric_id_is_reported_because_claude_code_ignores_it() -> None:
    task, problems = parse(task_json("4", id=4))
    assert task is not None and task.id == "4"
    assert kinds(problems) == ["numeric_id"]


def test_an_id_that_differs_from_the_file_name_is_reported() -> None:
    task, problems = parse(task_json("5"), "4")
    assert task is not None and task.id == "4"
    assert kinds(problems) == ["id_mismatch"]
    assert "5" in problems[0].detail and "4.json" in problems[0].detail


def test_an_unknown_status_is_reported_and_kept() -> None:
    task, problems = parse(task_json("4", status="deleted"))
    assert task is not None and task.status == "deleted"
    assert kinds(problems) == ["unknown_status"]


def test_problems_carry_the_path_when_one_is_given(tmp_path: Path) -> None:
    path = tmp_path / "4.json"
    _, problems = parse_task("{", "4", path)
    assert problems[0].path == str(path)
    assert problems[0].to_json() == {"kind": "torn", "detail": problems[0].detail,
                                     "task": "4", "path": str(path)}


def test_problem_json_leaves_out_what_is_unknown() -> None:
    assert Problem("cycle", "d").to_json() == {"kind": "cycle", "detail": "d"}


def test_task_json_has_every_field_and_the_state() -> None:
    task, _ = parse_task(CLAUDE_TASK, "4")
    assert task is not None
    out = task.to_json(State.IN_PROGRESS)
    assert out["state"] == "in_progress"
    assert out["blockedBy"] == ["2", "3"]
    assert out["activeForm"] == "Writing the parser tests"
    unowned, _ = parse(task_json("5"), "5")
    assert unowned is not None and unowned.to_json()["owner"] is None
    assert "state" not in unowned.to_json()


def test_same_content_compares_the_raw_json_and_staleness() -> None:
    a, _ = parse_task(CLAUDE_TASK, "4", mtime=1.0)
    b, _ = parse_task(CLAUDE_TASK, "4", mtime=2.0)
    c, _ = parse(task_json("4"))
    assert a is not None and b is not None and c is not None
    assert a.same_content(b)
    assert not a.same_content(c)
    assert not a.same_content(None)


# -- timestamps --------------------------------------------------------------------------------


def test_timestamps_parse_from_iso_with_z_and_from_epoch_milliseconds() -> None:
    expected = datetime(2026, 11, 20, 10, 15, 2, 114000, tzinfo=UTC)
    assert parse_timestamp("2026-11-20T10:15:02.114Z") == expected
    assert parse_timestamp(expected.timestamp() * 1000) == expected
    assert parse_timestamp("2026-11-20T10:15:02") == expected.replace(microsecond=0)


@pytest.mark.parametrize("value", [None, "", "yesterday", True, [1]])
def test_unreadable_timestamps_are_none(value: object) -> None:
    assert parse_timestamp(value) is None


# -- team config -------------------------------------------------------------------------------


def test_a_team_config_parses_members_in_order() -> None:
    config_obj = {
        "name": "parser-team", "description": "Rewrite the header parser",
        "createdAt": 1763700000000, "leadAgentId": "team-lead@parser-team",
        "members": [
            member_json("parser-team", "team-lead"),
            member_json("parser-team", "tester", color="green", isActive=False,
                        tmuxPaneId="%12", backendType="tmux"),
        ],
    }
    config, problems = parse_config(dump_json(config_obj))
    assert problems == []
    assert config is not None
    assert (config.name, config.description, config.created_at, config.lead_agent_id) == (
        "parser-team", "Rewrite the header parser", 1763700000000, "team-lead@parser-team")
    assert [m.name for m in config.members] == ["team-lead", "tester"]
    lead, tester = config.members
    assert (lead.is_active, lead.color, lead.agent_id) == (None, None, "team-lead@parser-team")
    assert (tester.is_active, tester.color, tester.tmux_pane_id) == (False, "green", "%12")
    assert config.member("tester") is tester
    assert config.member("nobody") is None


def test_a_member_without_a_name_is_a_problem_and_the_rest_are_kept() -> None:
    text = json.dumps({"name": "t", "members": [{"agentId": "x"}, {"name": "ok"}, "junk"]})
    config, problems = parse_config(text)
    assert config is not None and [m.name for m in config.members] == ["ok"]
    assert kinds(problems) == ["invalid_member", "invalid_member"]


def test_a_config_without_members_is_reported() -> None:
    config, problems = parse_config('{"name": "t"}')
    assert config is not None and config.members == ()
    assert kinds(problems) == ["wrong_type"]


@pytest.mark.parametrize(("text", "kind"), [("", "torn"), ('{"name": "t", "mem', "torn"),
                                            ("[]", "not_an_object"), ("{]", "invalid_json")])
def test_an_unreadable_config_is_no_config_and_a_problem(text: str, kind: str) -> None:
    config, problems = parse_config(text)
    assert config is None
    assert kinds(problems) == [kind]


# -- inboxes -----------------------------------------------------------------------------------


IDLE = {"type": "idle_notification", "from": "tester",
        "timestamp": "2026-11-20T10:41:09.530Z", "idleReason": "available"}


def test_an_inbox_parses_messages_oldest_first_and_counts_the_unread() -> None:
    text = dump_json([
        message("team-lead", "Start with the header tests.", read=True,
                summary="Start with header tests", color="blue"),
        message("tester", IDLE, timestamp="2026-11-20T10:41:09.530Z", color="green"),
        message("team-lead", "Also the footer."),
    ])
    inbox, problems = parse_inbox("tester", text, mtime=5.0)
    assert problems == []
    assert inbox is not None
    assert inbox.agent == "tester" and inbox.mtime == 5.0
    assert [m.sender for m in inbox.messages] == ["team-lead", "tester", "team-lead"]
    assert inbox.unread == 2
    assert inbox.newest is inbox.messages[-1]
    first = inbox.messages[0]
    assert (first.read, first.color, first.summary) == (True, "blue", "Start with header tests")
    assert first.when == datetime(2026, 11, 20, 10, 15, 2, 114000, tzinfo=UTC)


def test_protocol_messages_are_decoded_from_the_text() -> None:
    text = dump_json([message("tester", IDLE), message("team-lead", "plain words")])
    inbox, _ = parse_inbox("tester", text)
    assert inbox is not None
    idle, plain = inbox.messages
    assert idle.protocol == IDLE
    assert idle.kind == "idle_notification"
    assert plain.protocol is None
    assert plain.kind == "text"


@pytest.mark.parametrize("text", ['{"no": "type"}', "{not json", "[1, 2]", '{"type": 3}',
                                  "  hello {"])
def test_text_that_is_not_a_protocol_object_stays_text(text: str) -> None:
    assert decode_protocol(text) is None


def test_only_a_message_marked_read_true_counts_as_read() -> None:
    messages = [message("a", "x"), {"from": "a", "text": "y"}, message("a", "z", read=True)]
    messages[0]["read"] = "yes"
    inbox, _ = parse_inbox("b", dump_json(messages))
    assert inbox is not None and inbox.unread == 2


def test_messages_without_text_are_problems_and_the_rest_are_kept() -> None:
    inbox, problems = parse_inbox("b", json.dumps([{"from": "a"}, 7, {"from": "a", "text": "k"}]))
    assert inbox is not None and [m.text for m in inbox.messages] == ["k"]
    assert kinds(problems) == ["invalid_message", "invalid_message"]


@pytest.mark.parametrize(("text", "kind"), [("", "torn"), ('[{"from": "a", "te', "torn"),
                                            ("{}", "not_a_list"), ("[}", "invalid_json")])
def test_an_unreadable_inbox_is_no_inbox_and_a_problem(text: str, kind: str) -> None:
    inbox, problems = parse_inbox("b", text)
    assert inbox is None
    assert kinds(problems) == [kind]


def test_an_empty_inbox_has_no_newest_message() -> None:
    inbox, _ = parse_inbox("b", "[]")
    assert inbox is not None and inbox.newest is None and inbox.unread == 0


@pytest.mark.parametrize(("msg", "headline"), [
    (message("a", "first line\nsecond line"), "first line"),
    (message("a", "long text", summary="the summary"), "the summary"),
    (message("a", IDLE), "idle (available)"),
    (message("a", {**IDLE, "completedTaskId": "4"}), "idle (available), finished #4"),
    (message("a", {"type": "task_assignment", "taskId": "4", "subject": "Parse"}),
     "assigned #4: Parse"),
    (message("a", {"type": "shutdown_request"}), "shutdown request"),
    (message("a", ""), ""),
])
def test_headline_says_what_a_message_is_in_one_line(msg: dict, headline: str) -> None:
    inbox, _ = parse_inbox("b", dump_json([msg]))
    assert inbox is not None and inbox.messages[0].headline == headline


# -- board -------------------------------------------------------------------------------------


def test_board_problems_gather_files_tasks_and_links() -> None:
    broken, _ = parse(task_json("4", blockedBy=["9"], status="odd"))
    assert broken is not None
    board = Board("t", tasks={"4": broken},
                  file_problems={"x/5.json": (Problem("torn", "empty", "5", "x/5.json"),)})
    assert sorted(kinds(board.problems())) == ["dangling_ref", "torn", "unknown_status"]
    assert board.state("4") == State.UNKNOWN
    assert board.state("404") == State.UNKNOWN


def test_board_analysis_is_recomputed_only_after_invalidate() -> None:
    task, _ = parse(task_json("1"), "1")
    assert task is not None
    board = Board("t", tasks={"1": task})
    first = board.analysis
    assert board.analysis is first
    board.tasks["2"] = Task(id="2", blocked_by=("1",))
    assert "2" not in board.analysis.states
    board.invalidate()
    assert board.state("2") == State.BLOCKED
