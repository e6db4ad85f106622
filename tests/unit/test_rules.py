"""Each attention rule fires when it should and stays quiet when it must, over real files
read by the real reader, at a frozen moment."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from taskboard.board.rules import AgentActivity, Flag, Signals, Thresholds, at_least, evaluate
from taskboard.board.rules.flags import duration, urgency
from taskboard.board.rules.team import Unclaimed
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import load_board
from taskboard.clock import FrozenClock
from tests.conftest import make_task, make_team, message, write_inbox
from tests.unit.test_agents import T0, iso

MIN = 60.0


class Team:
    """A team on disk whose files carry chosen mtimes (the only clock a task file has)."""

    def __init__(self, home: Path, members: Iterable[str | Mapping[str, Any]] = (
            "team-lead", "alice", "bob")) -> None:
        self.paths: TeamPaths = make_team(home, "alpha", members)
        os.utime(self.paths.config_path, (T0 - 60 * MIN, T0 - 60 * MIN))

    def task(self, tid: str, at: float, **fields: Any) -> None:
        path = make_task(self.paths.tasks_dir, tid, **fields)
        os.utime(path, (at, at))

    def inbox(self, agent: str, messages: list[dict[str, Any]], at: float = T0 - 60 * MIN
              ) -> None:
        """An inbox last written at ``at`` (a message stamped later than its file, by
        minutes, is taken as clock skew and capped)."""
        path = write_inbox(self.paths, agent, messages)
        os.utime(path, (at, at))

    def flags(self, now: float, *, kind: str | None = None, **kwargs: Any) -> list[Flag]:
        flags = evaluate(load_board(self.paths), now, **kwargs)
        return [f for f in flags if kind is None or f.kind == kind]


def kinds(flags: list[Flag]) -> list[tuple[str, str | None, str | None]]:
    return [(f.kind, f.task, f.agent) for f in flags]


def activity(**states: AgentActivity) -> Signals:
    return Signals(activity=states)


def idle_at(at: float, words: str | None = None) -> AgentActivity:
    return AgentActivity(state="idle", since=at, last_seen=at, turn_ended=True, last_words=words)


def proto(sender: str, kind: str, at: float, **fields: Any) -> dict[str, Any]:
    return message(sender, {"type": kind, "from": sender, "timestamp": iso(at), **fields},
                   timestamp=iso(at))


# -- stalled -----------------------------------------------------------------------------------


def test_running_work_silent_past_the_threshold_is_stalled_naming_its_evidence(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    clock = FrozenClock(T0 + 10 * MIN)
    assert team.flags(clock.time(), kind="stalled") == []  # not yet past the threshold
    clock.advance(1)
    [flag] = team.flags(clock.time(), kind="stalled")
    assert (flag.severity, flag.task, flag.agent, flag.since) == ("critical", "4", "bob", T0)
    assert "bob" in flag.reason and "10 min" in flag.reason and "task file" in flag.reason


def test_an_owner_that_sent_a_message_recently_is_not_stalled(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    team.inbox("team-lead", [message("bob", "Halfway through #4.", timestamp=iso(T0 + 15 * MIN))],
               at=T0 + 15 * MIN)
    assert team.flags(T0 + 20 * MIN, kind="stalled") == []


def test_an_owner_whose_transcript_shows_a_tool_running_is_not_stalled(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    busy = activity(bob=AgentActivity(state="tool", tool="Bash", since=T0 + 1, last_seen=T0 + 1))
    assert team.flags(T0 + 40 * MIN, signals=busy) == []


def test_a_long_model_response_is_not_a_stall_until_the_thinking_limit(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    thinking = activity(bob=AgentActivity(state="thinking", since=T0 + 5 * MIN,
                                          last_seen=T0 + 5 * MIN))
    assert team.flags(T0 + 25 * MIN, signals=thinking) == []
    assert kinds(team.flags(T0 + 36 * MIN, signals=thinking, kind="stalled")) == [
        ("stalled", "4", "bob")]


def test_the_stall_threshold_comes_from_the_thresholds(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    assert team.flags(T0 + 2 * MIN, kind="stalled", thresholds=Thresholds(stall=60)) != []


# -- idle while holding --------------------------------------------------------------------------


def test_an_owner_whose_turn_ended_after_the_task_started_is_idle_holding(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    signals = activity(bob=idle_at(T0 + 5 * MIN))
    assert team.flags(T0 + 6 * MIN, signals=signals, kind="idle_holding") == []
    [flag] = team.flags(T0 + 8 * MIN, signals=signals, kind="idle_holding")
    assert flag.since == T0 + 5 * MIN and "turn ended" in flag.reason and "#4" in flag.reason
    assert team.flags(T0 + 8 * MIN, signals=signals, kind="stalled") == []


def test_an_owner_idle_before_the_task_was_given_gets_the_threshold_from_the_assignment(
        home) -> None:
    team = Team(home)
    team.task("4", T0 + 10 * MIN, owner="bob", status="in_progress")
    signals = activity(bob=idle_at(T0))  # idle long before; the assignment wakes it
    assert team.flags(T0 + 11 * MIN, signals=signals, kind="idle_holding") == []
    assert team.flags(T0 + 13 * MIN, signals=signals, kind="idle_holding") != []


def test_an_idle_notification_counts_as_idle_when_nothing_came_after_it(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    team.inbox("team-lead", [proto("bob", "idle_notification", T0 + MIN, idleReason="available")],
               at=T0 + MIN)
    [flag] = team.flags(T0 + 4 * MIN, kind="idle_holding")
    assert "reported idle" in flag.reason


# -- failed ------------------------------------------------------------------------------------


def test_a_failure_reported_in_an_idle_notification_is_critical(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    team.inbox("team-lead", [proto("bob", "idle_notification", T0 + MIN, completedTaskId="4",
                                   completedStatus="failed", failureReason="tests do not build")])
    [flag] = team.flags(T0 + 2 * MIN, kind="failed")
    assert (flag.severity, flag.task, flag.since) == ("critical", "4", T0 + MIN)
    assert "tests do not build" in flag.reason


def test_a_failure_without_a_task_id_names_the_one_task_the_agent_runs(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    team.inbox("team-lead", [proto("bob", "idle_notification", T0, completedStatus="blocked")])
    assert kinds(team.flags(T0 + MIN, kind="failed")) == [("failed", "4", "bob")]


def test_a_failed_task_completed_since_is_not_flagged(home) -> None:
    team = Team(home)
    team.task("4", T0 + 5 * MIN, owner="bob", status="completed")
    team.inbox("team-lead", [proto("bob", "idle_notification", T0, completedTaskId="4",
                                   failureReason="flaky")])
    assert team.flags(T0 + 6 * MIN, kind="failed") == []


def test_last_words_that_say_it_failed_are_flagged_quoting_them(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    signals = activity(bob=idle_at(T0 + MIN, "I could not finish the migration: the DB is down"))
    [flag] = team.flags(T0 + 2 * MIN, signals=signals, kind="failed")
    assert flag.severity == "warning" and "the DB is down" in flag.reason


def test_ordinary_last_words_are_not_a_failure(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    signals = activity(bob=idle_at(T0 + MIN, "Waiting for the review of the failure-mode docs"))
    assert team.flags(T0 + 2 * MIN, signals=signals, kind="failed") == []


# -- reported done, not closed ---------------------------------------------------------------


def test_a_message_saying_the_task_is_finished_while_it_is_open_is_flagged(home) -> None:
    team = Team(home)
    team.task("5", T0, owner="bob", status="in_progress")
    team.inbox("team-lead", [message("bob", "Finished #5, the parser handles folded headers.",
                                     timestamp=iso(T0 + MIN))])
    [flag] = team.flags(T0 + 2 * MIN, kind="not_closed")
    assert flag.task == "5" and "Finished #5" in flag.reason


def test_a_done_report_from_someone_else_or_for_a_reopened_task_is_not_flagged(home) -> None:
    team = Team(home)
    team.task("5", T0, owner="alice", status="in_progress")
    team.task("6", T0 + 5 * MIN, owner="bob", status="pending")
    team.inbox("team-lead", [message("bob", "done with #5", timestamp=iso(T0 + MIN)),
                             proto("bob", "idle_notification", T0 + MIN, completedTaskId="6")])
    reopened = Signals(task_since={"6": T0 + 5 * MIN})  # the journal: reopened after the report
    assert team.flags(T0 + 6 * MIN, kind="not_closed", signals=reopened) == []


# -- ready but unclaimed -------------------------------------------------------------------------


def test_ready_work_nobody_owns_while_an_agent_is_idle_is_flagged(home) -> None:
    team = Team(home)
    team.task("1", T0, status="completed", blocks=["2"])
    team.task("2", T0, blockedBy=["1"], blocks=[])
    signals = activity(alice=idle_at(T0))
    assert team.flags(T0 + MIN, signals=signals, kind="ready_unclaimed") == []
    [flag] = team.flags(T0 + 3 * MIN, signals=signals, kind="ready_unclaimed")
    assert flag.task == "2" and "alice" in flag.reason and "idle" in flag.reason


def test_a_memo_reuses_unclaimed_flags_while_their_text_stands(home) -> None:
    team = Team(home)
    for tid in ("1", "2", "3"):
        team.task(tid, T0)
    signals = activity(alice=idle_at(T0))
    memo = Unclaimed()
    first = team.flags(T0 + 3 * MIN, signals=signals, kind="ready_unclaimed", memo=memo)
    assert sorted(memo.flags) == ["1", "2", "3"]
    again = team.flags(T0 + 3 * MIN + 20, signals=signals, kind="ready_unclaimed", memo=memo)
    assert again == first and all(a is b for a, b in zip(again, first, strict=True))
    later = team.flags(T0 + 4 * MIN, signals=signals, kind="ready_unclaimed", memo=memo)
    assert all("for 4 min" in f.reason for f in later) and later[0] is not first[0]
    team.task("2", T0, owner="bob")  # claimed: its flag goes, the others stand
    claimed = team.flags(T0 + 4 * MIN, signals=signals, kind="ready_unclaimed", memo=memo)
    assert [f.task for f in claimed] == ["1", "3"] and claimed[0] is later[0]
    assert sorted(memo.flags) == ["1", "3"]
    assert team.flags(T0 + 4 * MIN, kind="ready_unclaimed", memo=memo) == []  # nobody idle
    assert not memo.flags


def test_after_a_change_only_the_changed_tasks_and_their_dependants_are_looked_at(home) -> None:
    team = Team(home)
    team.task("1", T0)
    team.task("2", T0, blocks=["4"])
    team.task("3", T0)
    team.task("4", T0, blockedBy=["2"])
    signals = activity(alice=idle_at(T0))
    memo = Unclaimed()
    full = team.flags(T0 + 3 * MIN, signals=signals, kind="ready_unclaimed", memo=memo)
    assert [f.task for f in full] == ["1", "2", "3"]
    team.task("2", T0 + 3 * MIN, status="completed", blocks=["4"])  # #4 becomes ready
    team.task("3", T0 + 3 * MIN, owner="bob")
    at = T0 + 6 * MIN
    delta = team.flags(at, signals=signals, kind="ready_unclaimed", memo=memo,
                       changed={"2", "3"})
    # #1 was not looked at: its flag stands as the last run made it ("for 3 min"); #4,
    # which waits on #2, was: ready since #2 was completed, 3 min ago.
    assert [(f.task, f.reason.split(", ")[1]) for f in delta] == [
        ("1", "for 3 min"), ("4", "for 3 min")]
    assert delta[0] is full[0]
    fresh = team.flags(at, signals=signals, kind="ready_unclaimed", memo=memo)
    assert [(f.task, "for 6 min" in f.reason) for f in fresh] == [("1", True), ("4", False)]


def test_the_memo_keeps_its_flags_most_urgent_first_through_random_changes(home) -> None:
    """After each change, run with ``changed`` as the console does (and without it when the
    clock moves): the memo's list is its flags sorted by urgency (kept, not sorted again),
    the rule returns it, and the tasks it flags are the ones a fresh run flags."""
    import random

    rng = random.Random(5)
    team = Team(home)
    ids = [str(n) for n in range(1, 41)]

    def write(tid: str) -> None:
        others = [i for i in ids if i != tid]
        fields: dict[str, Any] = {
            "status": rng.choice(("pending", "pending", "in_progress", "completed")),
            "owner": rng.choice((None, None, None, "bob")),
            "blockedBy": rng.sample(others, rng.choice((0, 0, 1)))}
        team.task(tid, T0 - rng.randint(0, 40) * MIN, **fields)

    for tid in ids:
        write(tid)
    signals = activity(alice=idle_at(T0 - 60 * MIN))
    memo = Unclaimed()
    now = T0
    team.flags(now, signals=signals, memo=memo)
    for _step in range(80):
        if rng.random() < 0.2:  # the clock moved: a full run (the console's tick)
            now += rng.choice((20.0, MIN))
            changed = None
        else:  # files changed: only they (and what waits on them) are looked at
            changed = set(rng.sample(ids, rng.choice((1, 1, 2, 3))))
            for tid in changed:
                write(tid)
        got = team.flags(now, signals=signals, kind="ready_unclaimed", memo=memo,
                         changed=changed)
        kept = [flag for _, flag in memo.flags.values()]
        assert memo.ordered == sorted(kept, key=urgency)
        assert all(a is b for a, b in zip(memo.ordered, sorted(kept, key=urgency),
                                          strict=True))
        assert got == memo.ordered
        fresh = team.flags(now, signals=signals, kind="ready_unclaimed", memo=Unclaimed())
        assert sorted(f.task for f in got) == sorted(f.task for f in fresh)
    assert memo.ordered, "the changes left some work ready and unclaimed"


def test_ready_work_is_not_flagged_when_no_agent_is_idle_or_its_blocker_reopened(home) -> None:
    team = Team(home)
    team.task("1", T0 + 2 * MIN, status="pending", blocks=["2"])  # reopened
    team.task("2", T0, blockedBy=["1"])
    team.task("3", T0)
    assert team.flags(T0 + 10 * MIN, kind="ready_unclaimed") == []  # nobody known idle
    signals = activity(alice=idle_at(T0))
    assert kinds(team.flags(T0 + 10 * MIN, signals=signals, kind="ready_unclaimed")) == [
        ("ready_unclaimed", "3", None), ("ready_unclaimed", "1", None)]  # oldest first


def test_an_idle_lead_does_not_make_work_unclaimed(home) -> None:
    team = Team(home)
    team.task("3", T0)
    signals = activity(**{"team-lead": idle_at(T0)})
    assert team.flags(T0 + 10 * MIN, signals=signals, kind="ready_unclaimed") == []


# -- team idle -------------------------------------------------------------------------------


def test_a_team_idle_behind_one_task_is_flagged_naming_that_task(home) -> None:
    team = Team(home)
    team.task("1", T0, owner="bob", status="in_progress", blocks=["2", "3"])
    team.task("2", T0, blockedBy=["1"])
    team.task("3", T0, blockedBy=["1"])
    everyone_idle = activity(**{n: idle_at(T0) for n in ("team-lead", "alice", "bob")})
    assert team.flags(T0 + 4 * MIN, signals=everyone_idle, kind="team_idle") == []
    [flag] = team.flags(T0 + 6 * MIN, signals=everyone_idle, kind="team_idle")
    assert (flag.severity, flag.task) == ("critical", "1")
    assert "gated by #1 running @bob" in flag.reason and "3 tasks remain" in flag.reason


def test_a_team_with_one_agent_working_is_not_idle(home) -> None:
    team = Team(home)
    team.task("1", T0, owner="bob", status="in_progress")
    signals = activity(alice=idle_at(T0), bob=AgentActivity(state="thinking", since=T0 + MIN,
                                                            last_seen=T0 + MIN))
    assert team.flags(T0 + 20 * MIN, signals=signals, kind="team_idle") == []


def test_a_team_only_silent_is_a_warning_not_a_certainty(home) -> None:
    team = Team(home)
    team.task("1", T0, owner="bob", status="in_progress")
    [flag] = team.flags(T0 + 6 * MIN, kind="team_idle")
    assert flag.severity == "warning"


def test_a_finished_list_is_not_an_idle_team(home) -> None:
    team = Team(home)
    team.task("1", T0, owner="bob", status="completed")
    everyone_idle = activity(**{n: idle_at(T0) for n in ("team-lead", "alice", "bob")})
    assert team.flags(T0 + 60 * MIN, signals=everyone_idle) == []


# -- waiting for a person or the lead ------------------------------------------------------------


def test_a_plan_approval_request_without_an_answer_waits_for_the_lead(home) -> None:
    team = Team(home)
    team.task("4", T0, owner="bob", status="in_progress")
    team.inbox("team-lead", [proto("bob", "plan_approval_request", T0 + MIN, requestId="r1")])
    [flag] = team.flags(T0 + 3 * MIN, kind="waiting_for_person")
    assert (flag.severity, flag.task, flag.agent) == ("critical", "4", "bob")
    assert "plan approval" in flag.reason and "team-lead" in flag.reason


def test_an_answered_request_is_not_flagged(home) -> None:
    team = Team(home)
    team.inbox("team-lead", [proto("bob", "permission_request", T0, request_id="p1",
                                   tool_name="Bash")])
    team.inbox("bob", [proto("team-lead", "permission_response", T0 + 5, request_id="p1")])
    assert team.flags(T0 + 3 * MIN, kind="waiting_for_person") == []


# -- owner gone, links, trouble, problems -----------------------------------------------------


def test_open_work_of_an_owner_who_left_the_team_is_flagged(home) -> None:
    team = Team(home)
    team.task("6", T0, owner="carol", status="in_progress")
    team.task("7", T0, owner="carol", status="completed")
    assert kinds(team.flags(T0, kind="owner_gone")) == [("owner_gone", "6", "carol")]
    assert team.flags(T0, kind="owner_gone")[0].severity == "critical"


def test_a_member_whose_session_ended_is_not_said_to_have_left(home) -> None:
    team = Team(home)
    team.task("6", T0, owner="bob")
    gone = activity(bob=AgentActivity(state="gone", since=T0))
    assert team.flags(T0, kind="owner_gone", signals=gone) == []


def test_work_started_while_blocked_is_flagged(home) -> None:
    team = Team(home)
    team.task("1", T0, status="pending", blocks=["2"])
    team.task("2", T0, owner="bob", status="in_progress", blockedBy=["1"])
    [flag] = team.flags(T0, kind="started_while_blocked")
    assert flag.task == "2" and "#1" in flag.reason


def test_completed_with_an_open_blocker_unless_the_blocker_was_reopened_afterwards(home) -> None:
    team = Team(home)
    team.task("1", T0, status="pending", blocks=["2"])
    team.task("2", T0 + MIN, status="completed", blockedBy=["1"])
    assert kinds(team.flags(T0 + 2 * MIN, kind="completed_with_open_blockers")) == [
        ("completed_with_open_blockers", "2", None)]
    team.task("1", T0 + 3 * MIN, status="pending", blocks=["2"])  # reopened after #2 was done
    assert team.flags(T0 + 4 * MIN, kind="completed_with_open_blockers") == []


def test_work_waiting_on_a_stalled_task_waits_on_trouble(home) -> None:
    team = Team(home)
    team.task("1", T0, owner="bob", status="in_progress", blocks=["2"])
    team.task("2", T0, blockedBy=["1"], blocks=["3"])
    team.task("3", T0, blockedBy=["2"])
    trouble = team.flags(T0 + 11 * MIN, kind="waiting_on_trouble")
    assert kinds(trouble) == [("waiting_on_trouble", "2", None), ("waiting_on_trouble", "3", None)]
    assert "#1, which is stalled" in trouble[1].reason


def test_the_files_problems_are_flags_too(home) -> None:
    team = Team(home)
    team.task("1", T0, blockedBy=["2"], blocks=["2"])
    team.task("2", T0, blockedBy=["1"], blocks=["1"])
    team.task("3", T0, blockedBy=["9"])
    flags = team.flags(T0)
    assert {("cycle", "1"), ("cycle", "2"), ("dangling_ref", "3")} <= {
        (f.kind, f.task) for f in flags}


def test_a_healthy_team_needs_nobody(home) -> None:
    team = Team(home)
    team.task("1", T0, owner="bob", status="in_progress", blocks=["2"])
    team.task("2", T0, owner="alice", blockedBy=["1"])
    assert team.flags(T0 + MIN) == []


# -- order, severity, wording ---------------------------------------------------------------------


def test_flags_come_most_severe_then_oldest_first() -> None:
    flags = [Flag("a", "warning", "r", T0), Flag("b", "critical", "r", T0 + 5),
             Flag("c", "critical", "r", T0), Flag("d", "info", "r", None)]
    assert [f.kind for f in sorted(flags, key=urgency)] == ["c", "b", "a", "d"]
    assert [f.kind for f in at_least(flags, "warning")] == ["a", "b", "c"]


def test_durations_read_the_way_a_person_says_them() -> None:
    assert [duration(s) for s in (5, 600, 3 * 3600, 5 * 86400)] == ["5 s", "10 min", "3 h", "5 d"]


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 4)), max_size=60,
                unique_by=lambda entry: entry[0]), st.integers(1, 4))
def test_the_most_gating_tasks_are_what_a_full_sort_gives(entries, count) -> None:
    from taskboard.board.graph import id_key
    from taskboard.board.rules.team import most_gating

    front = [str(tid) for tid, _ in entries]
    gates = {str(tid): gate for tid, gate in entries if gate}
    expected = sorted(front, key=lambda t: (-gates.get(t, 0), id_key(t)))[:count]
    assert most_gating(front, gates, count) == expected
