"""Per-agent summaries and the health rules built on them, over boards made from real JSON."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from taskboard.board.agents import UNOWNED, summarize_agents
from taskboard.board.health import STALL_AFTER, Alert, check
from taskboard.board.model import Board, Inbox, dump_json, parse_config, parse_inbox, parse_task
from taskboard.clock import Clock, FrozenClock
from tests.conftest import member_json, message, task_json

T0 = datetime(2026, 11, 20, 10, 0, 0, tzinfo=UTC).timestamp()


def iso(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def idle(sender: str, at: float, **fields: Any) -> dict[str, Any]:
    proto = {"type": "idle_notification", "from": sender, "timestamp": iso(at),
             "idleReason": "available", **fields}
    return message(sender, proto, timestamp=iso(at))


def make_board(tasks: Iterable[tuple[dict[str, Any], float]] = (),
               members: Iterable[str | Mapping[str, Any]] | None = None,
               inboxes: Mapping[str, list[dict[str, Any]]] | None = None) -> Board:
    """A board from task objects with their mtimes, member names or dicts, and inboxes."""
    board = Board("alpha")
    for obj, mtime in tasks:
        task, _ = parse_task(dump_json(obj), obj["id"], mtime=mtime)
        assert task is not None
        board.tasks[task.id] = task
    if members is not None:
        entries = [member_json("alpha", **({"name": m} if isinstance(m, str) else dict(m)))
                   for m in members]
        board.team, _ = parse_config(dump_json({"name": "alpha", "members": entries}))
    for agent, messages in (inboxes or {}).items():
        inbox, _ = parse_inbox(agent, dump_json(messages), mtime=T0)
        assert isinstance(inbox, Inbox)
        board.inboxes[agent] = inbox
    return board


def by_name(board: Board) -> dict[str, Any]:
    return {a.name: a for a in summarize_agents(board)}


# -- summaries ---------------------------------------------------------------------------------


def test_members_come_first_in_config_order_then_strangers_then_the_unowned_pool() -> None:
    board = make_board(
        tasks=[(task_json("1", owner="zed"), T0), (task_json("2", owner="amy"), T0),
               (task_json("3"), T0), (task_json("4", owner="lead"), T0)],
        members=["lead", "bob"])
    agents = summarize_agents(board)
    assert [(a.name, a.kind) for a in agents] == [
        ("lead", "member"), ("bob", "member"), ("amy", "stranger"), ("zed", "stranger"),
        (UNOWNED, "unowned")]


def test_the_unowned_pool_is_left_out_when_it_has_no_open_work() -> None:
    board = make_board(tasks=[(task_json("1", status="completed"), T0)], members=["lead"])
    assert [a.name for a in summarize_agents(board)] == ["lead"]


def test_work_is_split_into_running_pending_and_a_count_of_completed() -> None:
    board = make_board(tasks=[
        (task_json("1", owner="bob", status="completed"), T0),
        (task_json("2", owner="bob", status="in_progress"), T0),
        (task_json("3", owner="bob"), T0),
        (task_json("4", owner="bob", blockedBy=["3"]), T0),
        (task_json("5", owner="bob", status="in_progress", metadata={"_internal": True}), T0),
    ], members=["bob"])
    bob = by_name(board)["bob"]
    assert [t.id for t in bob.running] == ["2"]
    assert [t.id for t in bob.pending] == ["3", "4"]
    assert bob.completed == 1
    assert bob.color is None


def test_a_members_colour_comes_from_the_config() -> None:
    board = make_board(members=[{"name": "bob", "color": "green"}])
    assert by_name(board)["bob"].color == "green"


def test_is_active_in_the_config_decides_whether_a_member_is_active() -> None:
    board = make_board(
        tasks=[(task_json("1", owner="bob", status="in_progress"), T0)],
        members=[{"name": "bob", "isActive": False}, {"name": "amy", "isActive": True}],
        inboxes={"lead": [idle("amy", T0)]})
    agents = by_name(board)
    assert agents["bob"].active is False
    assert agents["amy"].active is True


def test_an_idle_notification_marks_an_agent_idle_when_the_config_does_not_say() -> None:
    board = make_board(
        tasks=[(task_json("1", owner="bob", status="in_progress"), T0)],
        members=["bob"], inboxes={"team-lead": [idle("bob", T0 + 60)]})
    bob = by_name(board)["bob"]
    assert bob.active is False
    assert bob.idle_since == T0 + 60


def test_an_agent_that_spoke_after_going_idle_is_not_idle() -> None:
    board = make_board(members=["bob"], inboxes={"team-lead": [
        idle("bob", T0), message("bob", "back at it", timestamp=iso(T0 + 5))]})
    bob = by_name(board)["bob"]
    assert bob.idle_since is None
    assert bob.active is None


def test_running_work_means_active_when_nothing_else_is_known() -> None:
    board = make_board(tasks=[(task_json("1", owner="bob", status="in_progress"), T0),
                              (task_json("2", owner="amy"), T0)], members=["bob", "amy"])
    agents = by_name(board)
    assert agents["bob"].active is True
    assert agents["amy"].active is None


def test_last_seen_is_the_newest_owned_task_file_or_sent_message() -> None:
    board = make_board(
        tasks=[(task_json("1", owner="bob"), T0 + 10), (task_json("2", owner="bob"), T0 + 30),
               (task_json("3", owner="amy", metadata={"_internal": True}), T0 + 50)],
        members=["bob", "amy", "cy"],
        inboxes={"team-lead": [message("bob", "hi", timestamp=iso(T0 + 20)),
                               message("amy", "hi", timestamp=iso(T0 + 5))]})
    agents = by_name(board)
    assert agents["bob"].last_seen == T0 + 30
    assert agents["amy"].last_seen == T0 + 50  # an internal task is a sign of life too
    assert agents["cy"].last_seen is None


def test_a_message_without_a_timestamp_counts_from_the_inbox_mtime() -> None:
    msg = message("bob", "hi")
    del msg["timestamp"]
    board = make_board(members=["bob"], inboxes={"team-lead": [msg]})
    assert by_name(board)["bob"].last_seen == T0


def test_unread_count_and_newest_message_come_from_the_agents_own_inbox() -> None:
    board = make_board(members=["bob"], inboxes={"bob": [
        message("lead", "one", read=True), message("lead", "two"), message("lead", "three")]})
    bob = by_name(board)["bob"]
    assert bob.unread == 2
    assert bob.newest is not None and bob.newest.text == "three"


def test_without_a_team_every_owner_is_a_stranger() -> None:
    board = make_board(tasks=[(task_json("1", owner="bob"), T0)])
    assert [(a.name, a.kind) for a in summarize_agents(board)] == [("bob", "stranger")]


# -- health ------------------------------------------------------------------------------------


def kinds(alerts: list[Alert]) -> list[tuple[str, str | None, str | None]]:
    return [(a.kind, a.task, a.agent) for a in alerts]


def test_an_idle_agent_holding_running_work_is_flagged() -> None:
    board = make_board(tasks=[(task_json("4", owner="bob", status="in_progress"), T0)],
                       members=[{"name": "bob", "isActive": False}])
    assert check(board, T0 + 60) == []  # not idle long enough yet
    alerts = check(board, T0 + 121)
    assert kinds(alerts) == [("idle_holding", "4", "bob")]
    assert "idle" in alerts[0].detail and "#4" in alerts[0].detail


def test_running_work_without_a_sign_of_life_for_too_long_is_stalled() -> None:
    board = make_board(tasks=[(task_json("4", owner="bob", status="in_progress"), T0)],
                       members=["bob"])
    clock = FrozenClock(T0 + STALL_AFTER)
    assert [a for a in check(board, clock.time()) if a.kind == "stalled"] == []
    clock.advance(1)
    alerts = [a for a in check(board, clock.time()) if a.kind == "stalled"]
    assert kinds(alerts) == [("stalled", "4", "bob")]
    assert "10 min" in alerts[0].detail


def test_a_long_stall_is_told_in_hours() -> None:
    board = make_board(tasks=[(task_json("4", owner="bob", status="in_progress"), T0)],
                       members=["bob"])
    stalled = [a for a in check(board, T0 + 3 * 3600 + 5) if a.kind == "stalled"]
    assert "3 h" in stalled[0].detail


def test_a_custom_stall_threshold_is_honoured() -> None:
    board = make_board(tasks=[(task_json("4", owner="bob", status="in_progress"), T0)],
                       members=["bob"])
    assert kinds(check(board, T0 + 61, stall_after=60)) == [("stalled", "4", "bob")]


def test_work_owned_by_someone_off_the_team_has_its_owner_gone() -> None:
    board = make_board(tasks=[(task_json("2", owner="ghost"), T0),
                              (task_json("3", owner="ghost", status="completed"), T0)],
                       members=["bob"])
    assert kinds(check(board, T0)) == [("owner_gone", "2", "ghost")]


def test_without_a_team_nobody_is_orphaned() -> None:
    board = make_board(tasks=[(task_json("2", owner="ghost"), T0)])
    assert check(board, T0) == []


def test_running_work_nobody_owns_is_flagged() -> None:
    board = make_board(tasks=[(task_json("2", status="in_progress"), T0)], members=["bob"])
    assert kinds(check(board, T0)) == [("unowned_running", "2", None)]


def test_a_task_its_owner_reported_finished_but_still_open_is_not_closed() -> None:
    board = make_board(tasks=[(task_json("5", owner="bob", status="in_progress"), T0)],
                       members=[{"name": "bob", "isActive": True}],
                       inboxes={"team-lead": [idle("bob", T0, completedTaskId="5",
                                                   completedStatus="completed")]})
    assert kinds(check(board, T0)) == [("not_closed", "5", "bob")]


@pytest.mark.parametrize(("status", "owner", "reported"), [
    ("completed", "bob", "completed"),
    ("in_progress", "amy", "completed"),
    ("in_progress", "bob", "failed"),
])
def test_a_finished_report_is_fine_when_closed_or_not_the_owners_or_a_failure(
        status: str, owner: str, reported: str) -> None:
    board = make_board(tasks=[(task_json("5", owner=owner, status=status), T0)],
                       members=[{"name": "bob", "isActive": True},
                                {"name": "amy", "isActive": True}],
                       inboxes={"team-lead": [idle("bob", T0, completedTaskId="5",
                                                   completedStatus=reported)]})
    assert [a for a in check(board, T0) if a.kind == "not_closed"] == []


def test_a_healthy_team_has_no_alerts() -> None:
    board = make_board(tasks=[(task_json("1", owner="bob", status="in_progress"), T0),
                              (task_json("2", owner="amy"), T0),
                              (task_json("3", status="completed"), T0)],
                       members=["bob", "amy"])
    assert check(board, T0 + 60) == []


def test_alerts_are_sorted_most_urgent_then_oldest_first_and_not_repeated() -> None:
    board = make_board(
        tasks=[(task_json("10", owner="bob", status="in_progress"), T0),
               (task_json("2", owner="bob", status="in_progress"), T0)],
        members=[{"name": "bob", "isActive": False}],
        inboxes={"team-lead": [idle("bob", T0 - 5, completedTaskId="2"),
                               idle("bob", T0 - 4, completedTaskId="2")]})
    alerts = check(board, T0 + 200)
    assert kinds(alerts) == [("not_closed", "2", "bob"), ("idle_holding", "2", "bob"),
                             ("idle_holding", "10", "bob")]
    assert alerts[0].since == T0 - 5  # the first report, not the repeat


def test_alert_json_leaves_out_what_is_unknown() -> None:
    assert Alert("unowned_running", "warning", "d", None, "2").to_json() == {
        "kind": "unowned_running", "severity": "warning", "reason": "d", "since": None,
        "task": "2"}


# -- clock -------------------------------------------------------------------------------------


def test_a_frozen_clock_stands_still_until_moved() -> None:
    clock = FrozenClock(T0)
    assert clock.time() == T0 and clock.time() == T0
    clock.advance(90)
    assert clock.time() == T0 + 90
    assert clock.now() == datetime(2026, 11, 20, 10, 1, 30, tzinfo=UTC)


def test_the_wall_clock_is_aware_and_in_utc() -> None:
    now = Clock().now()
    assert now.tzinfo is UTC
    assert now.year >= 2025
