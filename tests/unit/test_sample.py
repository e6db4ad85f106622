"""The fixture teams: realistic, deterministic, and with exactly the problems they promise."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from taskboard.board.health import check
from taskboard.board.model import State, dump_json
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import load_board
from taskboard.sim.sample import (
    MARKUP_SUBJECT,
    PROBLEM_KINDS,
    SAMPLE_NOW,
    generate_large_list,
    write_problem_team,
    write_sample_team,
)


def _files(paths: TeamPaths) -> dict[str, tuple[bytes, float]]:
    out: dict[str, tuple[bytes, float]] = {}
    for root in (paths.tasks_dir, paths.team_dir):
        for path in sorted(root.rglob("*")):
            if path.is_file():
                out[str(path.relative_to(paths.home))] = (path.read_bytes(),
                                                          path.stat().st_mtime)
    return out


@pytest.fixture
def sample(tmp_path: Path) -> TeamPaths:
    return write_sample_team(tmp_path)


def test_sample_team_has_a_lead_and_four_members(sample: TeamPaths) -> None:
    board = load_board(sample)
    assert board.team is not None
    assert [m.name for m in board.members] == ["team-lead", "parser", "tester", "docs",
                                               "reviewer"]
    lead, *members = board.members
    assert lead.agent_type == "team-lead" and lead.tmux_pane_id == "" and lead.color is None
    assert len({m.color for m in members}) == 4
    assert all(m.tmux_pane_id.startswith("%") for m in members)
    assert {m.name: m.is_active for m in members} == {
        "parser": True, "tester": False, "docs": False, "reviewer": True}


def test_sample_team_states(sample: TeamPaths) -> None:
    board = load_board(sample)
    states = {tid: board.state(tid) for tid in board.tasks}
    assert states == {
        "1": State.COMPLETED, "2": State.COMPLETED, "3": State.IN_PROGRESS,
        "4": State.COMPLETED, "5": State.BLOCKED, "6": State.BLOCKED, "7": State.BLOCKED,
        "8": State.IN_PROGRESS, "9": State.IN_PROGRESS, "10": State.READY,
        "11": State.BLOCKED, "12": State.BLOCKED, "13": State.IN_PROGRESS,
        "14": State.BLOCKED,
    }


def test_sample_team_has_no_problems(sample: TeamPaths) -> None:
    assert load_board(sample).problems() == []


def test_sample_team_shows_each_dependency_shape(sample: TeamPaths) -> None:
    tasks = load_board(sample).tasks
    assert tasks["5"].blocked_by == ("3", "4")  # diamond bottom, two blockers
    assert tasks["3"].blocked_by == tasks["4"].blocked_by == ("2",)  # diamond top
    assert tasks["6"].blocked_by == ("5",) and tasks["7"].blocked_by == ("6",)  # chain
    assert tasks["2"].blocked_by == ("1",) and tasks["1"].status == "completed"
    assert tasks["3"].active_form == "Implementing the tokenizer"
    assert tasks["11"].owner == "migrator"  # not on the team
    assert tasks["13"].internal
    assert tasks["2"].blocks == ("3", "4", "9")


def test_sample_team_raises_the_intended_alerts(sample: TeamPaths) -> None:
    alerts = {(a.kind, a.task) for a in check(load_board(sample), SAMPLE_NOW)}
    assert {("idle_holding", "8"), ("not_closed", "8"), ("stalled", "9"),
            ("owner_gone", "11")} <= alerts


def test_sample_inboxes_hold_plain_and_protocol_messages(sample: TeamPaths) -> None:
    board = load_board(sample)
    lead = board.inboxes["team-lead"]
    kinds = [m.kind for m in lead.messages]
    assert kinds.count("idle_notification") == 2 and "text" in kinds
    reported = [m for m in lead.messages if m.kind == "idle_notification"
                and m.protocol and m.protocol.get("completedTaskId") == "8"]
    assert reported and board.tasks["8"].status == "in_progress"
    assigned = board.inboxes["parser"].messages[0]
    assert assigned.kind == "task_assignment" and assigned.protocol is not None
    assert assigned.protocol["taskId"] == "3"
    assert lead.unread == 2


def test_sample_times_are_set_relative_to_now(tmp_path: Path) -> None:
    paths = write_sample_team(tmp_path, now=1_000_000.0)
    board = load_board(paths)
    assert board.tasks["3"].mtime == 1_000_000.0 - 4 * 60
    assert board.last_change <= 1_000_000.0
    assert board.team is not None and board.team.created_at == (1_000_000 - 7200) * 1000
    newest = board.inboxes["team-lead"].newest
    assert newest is not None and newest.timestamp == "1970-01-12T13:42:40.000Z"


def test_sample_team_is_deterministic(tmp_path: Path) -> None:
    first = write_sample_team(tmp_path / "a")
    second = write_sample_team(tmp_path / "b")
    assert _files(first) == _files(second)


def test_sample_files_are_in_claude_codes_json_style(sample: TeamPaths) -> None:
    for path in sample.tasks_dir.glob("*.json"):
        text = path.read_text()
        assert text == dump_json(json.loads(text))
        assert not text.endswith("\n")


def test_sample_team_name_is_sanitised(tmp_path: Path) -> None:
    assert write_sample_team(tmp_path, "My_Team").name == "my-team"


@pytest.mark.parametrize("kind", PROBLEM_KINDS)
def test_problem_team_shows_each_problem_kind(tmp_path: Path, kind: str) -> None:
    board = load_board(write_problem_team(tmp_path))
    assert kind in {p.kind for p in board.problems()}


def test_problem_team_has_no_unintended_problems(tmp_path: Path) -> None:
    board = load_board(write_problem_team(tmp_path))
    assert {p.kind for p in board.problems()} == set(PROBLEM_KINDS)
    assert board.tasks["14"].problems == () and board.tasks["13"].problems == ()


def test_problem_team_keeps_markup_and_escapes_as_data(tmp_path: Path) -> None:
    board = load_board(write_problem_team(tmp_path))
    assert board.tasks["13"].subject == MARKUP_SUBJECT
    assert "\x1b[31m" in board.tasks["13"].subject
    message = board.inboxes["lead"].messages[0]
    assert message.text.startswith("[red]") and message.summary == "[b]literal[/b]"


def test_problem_team_ignores_files_that_are_not_tasks(tmp_path: Path) -> None:
    paths = write_problem_team(tmp_path)
    assert (paths.tasks_dir / "notes.txt").exists()
    assert "notes" not in load_board(paths).tasks


def test_large_list_has_count_tasks_and_no_problems(tmp_path: Path) -> None:
    paths = generate_large_list(tmp_path, "big", 1000)
    board = load_board(paths)
    assert len(board.tasks) == 1000
    assert board.problems() == []
    counts = board.analysis.counts()
    assert counts[State.COMPLETED] == 400
    assert counts[State.IN_PROGRESS] > 0 and counts[State.READY] > 0
    assert counts[State.BLOCKED] > 0


def test_large_list_dependencies_are_layered(tmp_path: Path) -> None:
    board = load_board(generate_large_list(tmp_path, "big", 1000))
    for task in board.tasks.values():
        assert len(task.blocked_by) <= 3
        assert all(int(b) < int(task.id) for b in task.blocked_by)
    assert 1 < max(board.analysis.depth.values()) < 40
    assert any(len(t.blocked_by) == 3 for t in board.tasks.values())


def test_large_list_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    one = generate_large_list(tmp_path / "a", "big", 200, seed=3, now=SAMPLE_NOW)
    two = generate_large_list(tmp_path / "b", "big", 200, seed=3, now=SAMPLE_NOW)
    other = generate_large_list(tmp_path / "c", "big", 200, seed=4, now=SAMPLE_NOW)
    assert _files(one) == _files(two)
    assert _files(one) != _files(other)
    assert os.stat(one.task_path("200")).st_mtime == SAMPLE_NOW
