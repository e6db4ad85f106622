"""The operator's verbs on real files: what each writes, and that each refusal writes nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from taskboard.board.model import parse_task
from taskboard.claude.errors import (
    CycleRefused,
    InvalidSender,
    LockTimeout,
    NotAMember,
    NotFound,
    PreconditionFailed,
    ReadOnly,
    StoreError,
)
from taskboard.claude.paths import TeamPaths
from taskboard.clock import FrozenClock
from taskboard.ops import OpResult, Ops, check_expect, expect_from
from tests.conftest import make_task, make_team, read_json, snapshot, task_json, write_inbox

NOW = datetime(2026, 11, 20, 10, 15, 2, 114000, tzinfo=UTC)
STAMP = "2026-11-20T10:15:02.114Z"


@pytest.fixture
def team(home: Path) -> TeamPaths:
    """A team mid-way: #1 done, #2 ready, #3 running (after #1), #4 waiting on #2 and #3.

    ``#1 -> #3 -> #4`` and ``#2 -> #4``; every link is kept on both sides.
    """
    paths = make_team(home, "alpha", ["team-lead", "alice", "bob"])
    tasks = paths.tasks_dir
    make_task(tasks, "1", subject="Lex", status="completed", owner="alice", blocks=["3"])
    make_task(tasks, "2", subject="Parse headers", description="All of them", blocks=["4"])
    make_task(tasks, "3", subject="Parse body", activeForm="Parsing the body",
              status="in_progress", owner="alice", blocks=["4"], blockedBy=["1"])
    make_task(tasks, "4", subject="Ship", blockedBy=["2", "3"], metadata={"priority": "P1"})
    return paths


@pytest.fixture
def ops(team: TeamPaths) -> Ops:
    return Ops(team, clock=FrozenClock(NOW.timestamp()), timeout=0.2)


def task(team: TeamPaths, task_id: str) -> dict[str, Any]:
    return read_json(team.task_path(task_id))


def inbox(team: TeamPaths, agent: str) -> list[dict[str, Any]]:
    return read_json(team.inbox_path(agent))


# -- status verbs ------------------------------------------------------------------------------


def test_complete_marks_the_task_completed_and_keeps_its_owner(team: TeamPaths,
                                                               ops: Ops) -> None:
    result = ops.complete("3")
    assert task(team, "3") == task_json("3", subject="Parse body",
                                        activeForm="Parsing the body", status="completed",
                                        owner="alice", blocks=["4"], blockedBy=["1"])
    assert (result.verb, result.team, result.target) == ("complete", "alpha", "#3")
    assert result.summary == "completed #3"
    assert [c.fields() for c in result.changes] == [{"status": ("in_progress", "completed")}]
    assert result.undoable


def test_complete_refuses_a_task_that_is_already_completed(team: TeamPaths, ops: Ops,
                                                           home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(PreconditionFailed, match="already completed"):
        ops.complete("1")
    assert snapshot(home) == before


def test_reopen_sets_a_completed_task_back_to_pending(team: TeamPaths, ops: Ops) -> None:
    ops.reopen("1")
    assert task(team, "1")["status"] == "pending"
    assert task(team, "1")["owner"] == "alice"


def test_reopen_refuses_a_task_that_is_not_completed(team: TeamPaths, ops: Ops,
                                                     home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(PreconditionFailed, match="not completed"):
        ops.reopen("3")
    assert snapshot(home) == before


def test_release_drops_the_owner_key_and_sets_the_task_pending(team: TeamPaths,
                                                               ops: Ops) -> None:
    ops.release("3")
    after = task(team, "3")
    assert "owner" not in after
    assert after["status"] == "pending"
    assert after["activeForm"] == "Parsing the body"


@pytest.mark.parametrize(("task_id", "why"), [("1", "completed"), ("2", "already unowned")])
def test_release_refuses_completed_or_already_free_tasks(team: TeamPaths, ops: Ops, home: Path,
                                                         task_id: str, why: str) -> None:
    before = snapshot(home)
    with pytest.raises(PreconditionFailed, match=why):
        ops.release(task_id)
    assert snapshot(home) == before


# -- assign ------------------------------------------------------------------------------------


def test_assign_sets_the_owner_and_sends_a_task_assignment(team: TeamPaths, ops: Ops) -> None:
    result = ops.assign("2", "bob")
    assert task(team, "2")["owner"] == "bob"
    assert list(task(team, "2")) == ["id", "subject", "description", "owner", "status",
                                     "blocks", "blockedBy"]
    [sent] = inbox(team, "bob")
    # Claude Code 2.1.3xx's shape; a task_assignment carries no summary.
    assert list(sent) == ["from", "text", "timestamp", "msgV", "msg_id", "type", "read"]
    assert sent["from"] == "taskboard"
    assert (sent["msgV"], sent["type"], sent["read"]) == (1, "message", False)
    assert str(uuid.UUID(sent["msg_id"])) == sent["msg_id"]
    assert sent["timestamp"] == STAMP
    assert json.loads(sent["text"]) == {
        "type": "task_assignment", "taskId": "2", "subject": "Parse headers",
        "description": "All of them", "assignedBy": "taskboard", "timestamp": STAMP}
    assert " " not in sent["text"].replace("Parse headers", "").replace("All of them", ""), \
        "compact JSON, as Claude Code writes it"
    assert result.summary == "assigned #2 to bob (notified)"
    assert [m.agent for m in result.messages] == ["bob"]


def test_assign_appends_to_an_existing_inbox(team: TeamPaths, ops: Ops) -> None:
    write_inbox(team, "bob", [{"from": "alice", "text": "hi", "timestamp": STAMP, "read": True}])
    ops.assign("2", "bob")
    assert [m["from"] for m in inbox(team, "bob")] == ["alice", "taskboard"]


def test_assign_uses_the_configured_sender(team: TeamPaths) -> None:
    Ops(team, sender="operator").assign("2", "bob")
    [sent] = inbox(team, "bob")
    assert sent["from"] == "operator"
    assert json.loads(sent["text"])["assignedBy"] == "operator"


def test_assign_without_notify_writes_no_message(team: TeamPaths, ops: Ops) -> None:
    result = ops.assign("2", "bob", notify=False)
    assert task(team, "2")["owner"] == "bob"
    assert not team.inbox_path("bob").exists()
    assert result.messages == []
    assert result.summary == "assigned #2 to bob"


@pytest.mark.parametrize("name", ["team-lead", "user", "system", "Team-Lead", " "])
def test_a_lead_name_or_an_empty_sender_is_refused_before_anything(team: TeamPaths, home: Path,
                                                                   name: str) -> None:
    before = snapshot(home)
    with pytest.raises(InvalidSender) as err:
        Ops(team, sender=name)
    if name.strip():
        assert "lead name" in str(err.value) and "forged" in str(err.value)
    assert snapshot(home) == before


def test_assign_to_a_list_without_a_team_notifies_as_claude_code_does(home: Path) -> None:
    make_task(home / "tasks" / "solo", "1")
    paths = TeamPaths(home, "solo")
    result = Ops(paths, clock=FrozenClock(NOW.timestamp())).assign("1", "bob")
    assert task(paths, "1")["owner"] == "bob"
    assert result.summary == "assigned #1 to bob (notified)"
    [sent] = inbox(paths, "bob")
    assert json.loads(sent["text"])["taskId"] == "1"
    assert sorted(p.name for p in paths.team_dir.iterdir()) == ["inboxes"], "no config.json"
    assert sorted(p.name for p in paths.inboxes_dir.iterdir()) == ["bob.json"], "no lock left"


def test_assign_to_a_stranger_is_refused_unless_forced(team: TeamPaths, ops: Ops,
                                                      home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(NotAMember) as err:
        ops.assign("2", "dave")
    assert "alice, bob" in str(err.value)
    assert snapshot(home) == before, "no owner change and no stray dave.json"
    ops.assign("2", "dave", force=True)
    assert task(team, "2")["owner"] == "dave"
    assert len(inbox(team, "dave")) == 1


def test_assign_reports_a_message_it_could_not_send_instead_of_refusing(team: TeamPaths,
                                                                        ops: Ops) -> None:
    write_inbox(team, "bob", [])
    (team.inboxes_dir / "bob.json.lock").mkdir()
    result = ops.assign("2", "bob")
    assert task(team, "2")["owner"] == "bob"
    assert inbox(team, "bob") == []
    assert "not notified" in result.summary.lower() and "locked" in result.summary
    assert result.warnings and "bob was not notified" in result.warnings[0]
    assert result.undoable


@pytest.mark.parametrize(("task_id", "agent", "why"), [("1", "bob", "completed"),
                                                       ("3", "alice", "already owned")])
def test_assign_refuses_completed_or_already_owned_tasks(team: TeamPaths, ops: Ops, home: Path,
                                                         task_id: str, agent: str,
                                                         why: str) -> None:
    before = snapshot(home)
    with pytest.raises(PreconditionFailed, match=why):
        ops.assign(task_id, agent)
    assert snapshot(home) == before


# -- edit --------------------------------------------------------------------------------------


def test_edit_changes_subject_and_description_only(team: TeamPaths, ops: Ops) -> None:
    ops.edit("4", subject="Ship it", description="Tag and publish")
    after = task(team, "4")
    assert (after["subject"], after["description"]) == ("Ship it", "Tag and publish")
    assert after["metadata"] == {"priority": "P1"}
    ops.edit("4", description="")
    assert task(team, "4")["subject"] == "Ship it" and task(team, "4")["description"] == ""


def test_edit_refuses_an_empty_subject(team: TeamPaths, ops: Ops, home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(PreconditionFailed, match="subject"):
        ops.edit("4", subject="  ")
    assert snapshot(home) == before


# -- dependencies ------------------------------------------------------------------------------


def test_unblock_named_cuts_the_link_on_both_sides(team: TeamPaths, ops: Ops) -> None:
    result = ops.unblock("4", ["2"])
    assert task(team, "4")["blockedBy"] == ["3"]
    assert task(team, "2")["blocks"] == []
    assert task(team, "3")["blocks"] == ["4"]
    assert result.summary == "cut #2 from #4"
    assert [c.task_id for c in result.changes] == ["4", "2"]


def test_unblock_without_names_cuts_every_unmet_blocker_on_both_sides(team: TeamPaths,
                                                                      ops: Ops) -> None:
    make_task(team.tasks_dir, "5", blockedBy=["1", "2"])
    make_task(team.tasks_dir, "1", subject="Lex", status="completed", owner="alice",
              blocks=["3", "5"])
    make_task(team.tasks_dir, "2", subject="Parse headers", description="All of them",
              blocks=["4", "5"])
    ops.unblock("4")
    assert task(team, "4")["blockedBy"] == []
    assert task(team, "2")["blocks"] == ["5"]
    assert task(team, "3")["blocks"] == []
    ops.unblock("5")
    assert task(team, "5")["blockedBy"] == ["1"]  # #1 is completed: that link stays
    assert task(team, "1")["blocks"] == ["3", "5"]
    assert task(team, "2")["blocks"] == []


def test_unblock_cuts_a_dangling_blocker_from_the_task(team: TeamPaths, ops: Ops) -> None:
    make_task(team.tasks_dir, "5", blockedBy=["9"])
    ops.unblock("5")
    assert task(team, "5")["blockedBy"] == []


def test_unblock_refuses_a_blocker_the_task_does_not_have(team: TeamPaths, ops: Ops,
                                                          home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(NotFound, match="#1"):
        ops.unblock("4", ["2", "1"])
    assert snapshot(home) == before


def test_unblock_refuses_a_task_without_unmet_blockers(team: TeamPaths, ops: Ops,
                                                       home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(PreconditionFailed, match="no unmet blockers"):
        ops.unblock("3")
    assert snapshot(home) == before


def test_block_links_both_sides(team: TeamPaths, ops: Ops) -> None:
    result = ops.block("2", "1")
    assert task(team, "2")["blockedBy"] == ["1"]
    assert task(team, "1")["blocks"] == ["3", "2"]
    assert result.summary == "#2 now waits on #1"


@pytest.mark.parametrize(("task_id", "by"), [("1", "4"), ("3", "4"), ("2", "2"), ("1", "3")])
def test_block_refuses_a_link_that_closes_a_cycle(team: TeamPaths, ops: Ops, home: Path,
                                                  task_id: str, by: str) -> None:
    before = snapshot(home)
    with pytest.raises(CycleRefused):
        ops.block(task_id, by)
    assert snapshot(home) == before


def test_block_refuses_an_existing_link(team: TeamPaths, ops: Ops, home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(PreconditionFailed, match="already blocked"):
        ops.block("4", "2")
    assert snapshot(home) == before


# -- create / delete ---------------------------------------------------------------------------


def test_create_writes_a_new_task_and_links_its_blockers(team: TeamPaths, ops: Ops) -> None:
    result = ops.create("Document", "The README", blocked_by=["2", "3"], owner="bob")
    assert result.target == "#5"
    assert task(team, "5") == task_json("5", subject="Document", description="The README",
                                        owner="bob", blockedBy=["2", "3"])
    assert task(team, "2")["blocks"] == ["4", "5"]
    assert task(team, "3")["blocks"] == ["4", "5"]
    assert result.summary == "created #5: Document"


def test_create_refuses_a_blocker_that_does_not_exist(team: TeamPaths, ops: Ops,
                                                      home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(NotFound, match="#9"):
        ops.create("x", blocked_by=["2", "9"])
    assert snapshot(home) == before


def test_create_refuses_an_empty_subject(team: TeamPaths, ops: Ops, home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(PreconditionFailed):
        ops.create(" ")
    assert snapshot(home) == before


def test_delete_removes_the_task_and_strips_its_id_everywhere(team: TeamPaths,
                                                              ops: Ops) -> None:
    untouched = team.task_path("2").read_bytes()
    result = ops.delete("3")
    assert not team.task_path("3").exists()
    assert (team.tasks_dir / ".highwatermark").read_bytes() == b"3"
    assert task(team, "1")["blocks"] == []
    assert task(team, "4")["blockedBy"] == ["2"]
    assert team.task_path("2").read_bytes() == untouched
    assert sorted(c.task_id for c in result.changes) == ["1", "3", "4"]
    assert not result.undoable
    assert ops.create("Next").target == "#5"


def test_delete_keeps_a_higher_high_water_mark(team: TeamPaths, ops: Ops) -> None:
    (team.tasks_dir / ".highwatermark").write_text("12")
    ops.delete("2")
    assert (team.tasks_dir / ".highwatermark").read_text() == "12"


# -- messages ----------------------------------------------------------------------------------


def test_send_appends_a_message_to_the_inbox(team: TeamPaths, ops: Ops) -> None:
    result = ops.send("alice", "Please close #3", summary="close #3")
    [sent] = inbox(team, "alice")
    assert sent == {"from": "taskboard", "text": "Please close #3", "summary": "close #3",
                    "timestamp": STAMP, "msgV": 1, "msg_id": sent["msg_id"], "type": "message",
                    "read": False}
    assert list(sent) == ["from", "text", "summary", "timestamp", "msgV", "msg_id", "type",
                          "read"]
    assert result.to_json()["messages"][0]["message"] == sent
    assert result.target == "alice"
    assert not result.undoable


def test_send_refuses_an_empty_message(team: TeamPaths, ops: Ops, home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(PreconditionFailed):
        ops.send("alice", " \n")
    assert snapshot(home) == before


def test_send_to_a_list_without_a_team_creates_the_inbox(home: Path) -> None:
    make_task(home / "tasks" / "solo", "1")
    paths = TeamPaths(home, "solo")
    Ops(paths).send("bob", "hi")
    Ops(paths).send("bob", "again")
    assert [m["text"] for m in inbox(paths, "bob")] == ["hi", "again"]


def test_send_where_there_is_neither_list_nor_team_is_not_found(home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(NotFound):
        Ops(TeamPaths(home, "nothing")).send("bob", "hi")
    assert snapshot(home) == before


def test_send_to_a_stranger_is_refused_unless_forced(team: TeamPaths, ops: Ops,
                                                    home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(NotAMember):
        ops.send("dave", "hi")
    assert snapshot(home) == before
    ops.send("dave", "hi", force=True)
    assert [m["text"] for m in inbox(team, "dave")] == ["hi"]


# -- undo --------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", [
    lambda ops: ops.complete("3"),
    lambda ops: ops.reopen("1"),
    lambda ops: ops.release("3"),
    lambda ops: ops.assign("2", "bob", notify=False),
    lambda ops: ops.edit("4", subject="Ship it"),
    lambda ops: ops.unblock("4"),
    lambda ops: ops.block("2", "1"),
], ids=["complete", "reopen", "release", "assign", "edit", "unblock", "block"])
def test_undo_restores_every_file_byte_for_byte(team: TeamPaths, ops: Ops, home: Path,
                                                action: Callable[[Ops], OpResult]) -> None:
    before = snapshot(home)
    result = action(ops)
    assert snapshot(home) != before
    undone = ops.undo(result)
    assert snapshot(home) == before
    assert undone.verb == "undo" and undone.summary == f"undid: {result.summary}"
    assert not undone.undoable


def test_undo_of_create_deletes_the_new_task_and_unlinks_its_blockers(team: TeamPaths,
                                                                      ops: Ops) -> None:
    originals = {tid: team.task_path(tid).read_bytes() for tid in "1234"}
    result = ops.create("Document", blocked_by=["2"])
    ops.undo(result)
    assert not team.task_path("5").exists()
    assert {tid: team.task_path(tid).read_bytes() for tid in "1234"} == originals
    assert ops.create("Again").target == "#6"  # the undone id is never reused


def test_undo_refuses_when_the_file_changed_since(team: TeamPaths, ops: Ops,
                                                  home: Path) -> None:
    result = ops.assign("2", "bob", notify=False)
    make_task(team.tasks_dir, "2", subject="Parse headers", description="All of them",
              status="in_progress", owner="bob", blocks=["4"])  # bob started on it
    before = snapshot(home)
    with pytest.raises(PreconditionFailed, match="status"):
        ops.undo(result)
    assert snapshot(home) == before


def test_undo_of_create_refuses_when_someone_claimed_the_task(team: TeamPaths,
                                                              ops: Ops, home: Path) -> None:
    result = ops.create("Document")
    make_task(team.tasks_dir, "5", subject="Document", owner="bob")
    before = snapshot(home)
    with pytest.raises(PreconditionFailed, match="owner"):
        ops.undo(result)
    assert snapshot(home) == before


@pytest.mark.parametrize("action", [
    lambda ops: ops.delete("2"),
    lambda ops: ops.send("bob", "hi"),
    lambda ops: ops.undo(ops.complete("3")),
], ids=["delete", "send", "undo"])
def test_undo_refuses_what_cannot_be_undone(team: TeamPaths, ops: Ops, home: Path,
                                            action: Callable[[Ops], OpResult]) -> None:
    result = action(ops)
    before = snapshot(home)
    with pytest.raises(PreconditionFailed, match="cannot be undone"):
        ops.undo(result)
    assert snapshot(home) == before


# -- preconditions -----------------------------------------------------------------------------


@pytest.mark.parametrize(("expect", "field"), [
    ({"status": "pending"}, "status"),
    ({"owner": "bob"}, "owner"),
    ({"owner": None}, "owner"),
    ({"owner": ""}, "owner"),
    ({"status": "in_progress", "owner": "alice", "subject": "Other"}, "subject"),
])
def test_a_write_whose_expectation_no_longer_holds_writes_nothing(
        team: TeamPaths, ops: Ops, home: Path, expect: dict[str, Any], field: str) -> None:
    before = snapshot(home)
    with pytest.raises(PreconditionFailed) as refused:
        ops.complete("3", expect)
    assert set(refused.value.differences) == {field}
    assert "nothing was written" in str(refused.value)
    assert snapshot(home) == before


def test_an_expectation_that_holds_lets_the_write_through(team: TeamPaths, ops: Ops) -> None:
    ops.complete("3", {"status": "in_progress", "owner": "alice"})
    ops.assign("2", "bob", expect={"owner": ""}, notify=False)
    ops.release("2", {"owner": "bob"})
    assert task(team, "3")["status"] == "completed"
    assert "owner" not in task(team, "2")


def test_expect_from_a_task_describes_what_the_operator_saw(team: TeamPaths) -> None:
    parsed, _ = parse_task(team.task_path("4").read_text(), "4")
    assert parsed is not None
    expect = expect_from(parsed)
    assert expect == {"status": "pending", "owner": None, "subject": "Ship", "description": "",
                      "blocks": [], "blockedBy": ["2", "3"]}
    check_expect("4", task(team, "4"), expect)
    with pytest.raises(PreconditionFailed, match="blockedBy"):
        check_expect("4", {**task(team, "4"), "blockedBy": ["2"]}, expect)


@pytest.mark.parametrize("action", [
    lambda ops: ops.delete("3", {"owner": "bob"}),
    lambda ops: ops.unblock("4", ["2"], {"status": "completed"}),
    lambda ops: ops.block("2", "1", {"owner": "alice"}),
    lambda ops: ops.assign("2", "bob", expect={"status": "in_progress"}),
    lambda ops: ops.edit("4", subject="x", expect={"owner": "alice"}),
    lambda ops: ops.reopen("1", {"owner": None}),
], ids=["delete", "unblock", "block", "assign", "edit", "reopen"])
def test_every_conditional_verb_checks_its_expectation(team: TeamPaths, ops: Ops, home: Path,
                                                       action: Callable[[Ops], Any]) -> None:
    before = snapshot(home)
    with pytest.raises(PreconditionFailed):
        action(ops)
    assert snapshot(home) == before


# -- other refusals ----------------------------------------------------------------------------

EVERY_VERB = {
    "complete": lambda ops: ops.complete("3"),
    "reopen": lambda ops: ops.reopen("1"),
    "release": lambda ops: ops.release("3"),
    "assign": lambda ops: ops.assign("2", "bob"),
    "edit": lambda ops: ops.edit("2", subject="x"),
    "unblock": lambda ops: ops.unblock("4"),
    "block": lambda ops: ops.block("2", "1"),
    "create": lambda ops: ops.create("x"),
    "delete": lambda ops: ops.delete("2"),
    "send": lambda ops: ops.send("bob", "hi"),
}


@pytest.mark.parametrize("verb", list(EVERY_VERB))
def test_read_only_refuses_every_verb_and_writes_nothing(team: TeamPaths, home: Path,
                                                         verb: str) -> None:
    before = snapshot(home)
    with pytest.raises(ReadOnly, match=verb):
        EVERY_VERB[verb](Ops(team, read_only=True))
    assert snapshot(home) == before


def test_read_only_refuses_undo(team: TeamPaths, ops: Ops) -> None:
    result = ops.complete("3")
    with pytest.raises(ReadOnly):
        Ops(team, read_only=True).undo(result)


@pytest.mark.parametrize("action", [
    lambda ops: ops.complete("9"),
    lambda ops: ops.reopen("x"),
    lambda ops: ops.release("../1"),
    lambda ops: ops.assign("9", "bob"),
    lambda ops: ops.edit("9", subject="x"),
    lambda ops: ops.unblock("9"),
    lambda ops: ops.block("9", "1"),
    lambda ops: ops.block("1", "9"),
    lambda ops: ops.delete("9"),
    lambda ops: ops.assign("2", ""),
], ids=["complete", "reopen", "release", "assign", "edit", "unblock", "block-task",
        "block-by", "delete", "assign-nobody"])
def test_a_missing_task_is_not_found_and_nothing_is_written(team: TeamPaths, ops: Ops,
                                                            home: Path,
                                                            action: Callable[[Ops], Any]) -> None:
    before = snapshot(home)
    with pytest.raises(NotFound):
        action(ops)
    assert snapshot(home) == before


@pytest.mark.parametrize("verb", [v for v in EVERY_VERB if v != "send"])
def test_a_missing_list_is_not_found(home: Path, verb: str) -> None:
    make_team(home, "alpha", with_list=False)
    before = snapshot(home)
    with pytest.raises(NotFound):
        EVERY_VERB[verb](Ops(TeamPaths(home, "alpha")))
    assert snapshot(home) == before


@pytest.mark.parametrize("verb", ["complete", "release", "assign", "edit", "unblock", "block",
                                  "delete"])
def test_a_held_task_lock_times_out_and_writes_nothing(team: TeamPaths, home: Path,
                                                       verb: str) -> None:
    for tid in ("2", "3", "4"):
        (team.tasks_dir / f"{tid}.json.lock").mkdir()
    before = snapshot(home)
    with pytest.raises(LockTimeout, match="locked by another writer"):
        EVERY_VERB[verb](Ops(team, timeout=0.2))
    assert snapshot(home) == before


def test_a_held_list_lock_stops_create(team: TeamPaths, home: Path) -> None:
    (team.tasks_dir / ".lock.lock").mkdir()
    before = snapshot(home)
    with pytest.raises(LockTimeout):
        Ops(team, timeout=0.2).create("x")
    assert snapshot(home) == before


def test_every_refusal_is_a_store_error() -> None:
    for error in (NotFound, PreconditionFailed, CycleRefused, ReadOnly, LockTimeout):
        assert issubclass(error, StoreError)


def test_a_refused_second_side_is_reported_not_raised(team: TeamPaths, ops: Ops) -> None:
    (team.tasks_dir / "1.json.lock").mkdir()  # #1 is busy; #2's side is written anyway
    result = ops.block("2", "1")
    assert task(team, "2")["blockedBy"] == ["1"]
    assert task(team, "1")["blocks"] == ["3"]
    assert "#1 was not updated" in result.summary


# -- the record --------------------------------------------------------------------------------


def test_op_result_json_lists_only_real_changes_and_messages(team: TeamPaths, ops: Ops) -> None:
    result = ops.assign("2", "bob")
    out = result.to_json()
    assert (out["verb"], out["team"], out["target"]) == ("assign", "alpha", "#2")
    [change] = out["changes"]
    assert change["task"] == "2" and change["path"] == str(team.task_path("2"))
    assert change["before"].get("owner") is None and change["after"]["owner"] == "bob"
    [sent] = out["messages"]
    assert sent["agent"] == "bob" and json.loads(sent["message"]["text"])["taskId"] == "2"
    assert out["waited"] >= 0
    json.dumps(out)
