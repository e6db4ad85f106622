"""What Claude Code 2.1.3xx does differently, read right: delivered messages go, session teams."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from taskboard.board.agents import summarize_agents
from taskboard.claude.lists import summarize_lists
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import BoardReader, load_board
from taskboard.cli import main
from taskboard.timefmt import day_time
from tests.conftest import make_task, make_team, message, write_inbox
from tests.realcc import LEAD_SID, PANE_RUN, TEAM, TEAM_RUN, copy_home

T0 = 1_796_178_000.0


def iso(at: float) -> str:
    from datetime import UTC, datetime
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def idle(sender: str, at: float) -> dict:
    return message(sender, {"type": "idle_notification", "from": sender, "timestamp": iso(at),
                            "idleReason": "available"}, timestamp=iso(at))


def alice(reader: BoardReader):
    reader.rescan()
    return next(a for a in summarize_agents(reader.board) if a.name == "alice")


def test_an_idle_notification_seen_once_keeps_the_agent_idle_after_its_deletion(
        home: Path) -> None:
    """2.1.3xx deletes a delivered message about a second later: the idle stays known."""
    paths = make_team(home, "session-00c8f52f", ["team-lead", "alice"])
    reader = BoardReader(paths)
    write_inbox(paths, "team-lead", [idle("alice", T0)])
    assert alice(reader).active is False
    write_inbox(paths, "team-lead", [])
    os.utime(paths.inbox_path("team-lead"), (T0 + 2, T0 + 2))
    seen = alice(reader)
    assert (seen.active, seen.idle_since) == (False, T0)


def test_work_after_the_idle_notification_means_working_again(home: Path) -> None:
    paths = make_team(home, "session-00c8f52f", ["team-lead", "alice"])
    reader = BoardReader(paths)
    write_inbox(paths, "team-lead", [idle("alice", T0)])
    assert alice(reader).active is False
    path = make_task(paths.tasks_dir, "1", status="in_progress", owner="alice")
    os.utime(path, (T0 + 5, T0 + 5))
    assert alice(reader).active is True
    write_inbox(paths, "team-lead", [idle("alice", T0 + 9)])
    assert alice(reader).active is False, "idle again, holding a running task"
    assert json.loads(path.read_text())["owner"] == "alice"


# -- 2.1.3xx session teams (real files from tests/fixtures/realcc) --------------------------------


def live_home(tmp_path: Path) -> Path:
    return copy_home(TEAM_RUN / "live", tmp_path / "live")


def test_a_session_team_is_read_with_its_lead_process_and_lead_member(tmp_path: Path) -> None:
    board = load_board(TeamPaths(live_home(tmp_path), TEAM))
    team = board.team
    assert team is not None and team.description == ""
    assert (team.lead_session_id, team.lead_pid) == (LEAD_SID, 8369)
    lead = team.lead
    assert lead is not None and lead.name == "team-lead"
    assert (lead.tmux_pane_id, lead.model, lead.color, lead.is_active) == ("leader", "", None,
                                                                          None)
    assert [m.name for m in team.members] == ["team-lead", "alice"], "bob left at shutdown"
    assert board.problems() == []


def test_ls_shows_a_session_teams_lead_folder_and_start(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    home = live_home(tmp_path)
    [row] = summarize_lists(home)
    assert (row.name, row.lead_cwd) == (TEAM, "/home/user/src/parser-app")
    assert row.started == 1796178175.206 and row.note == ""
    assert main(["ls", "--claude-dir", str(home)]) == 0
    out = capsys.readouterr().out
    assert f"{TEAM}: lead in /home/user/src/parser-app, started {day_time(row.started)}" in out


def test_the_list_stays_when_the_team_directory_goes(tmp_path: Path) -> None:
    home = live_home(tmp_path)
    shutil.rmtree(home / "teams" / TEAM)
    [row] = summarize_lists(home)
    assert (row.name, row.has_team, row.has_list, row.tasks) == (TEAM, False, True, 7)


def test_a_team_with_no_tasks_names_the_setting(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    home = live_home(tmp_path)
    shutil.rmtree(home / "tasks")
    [row] = summarize_lists(home)
    assert "CLAUDE_CODE_ENABLE_TODO_TOOLS=1" in row.note
    assert main(["ls", "--claude-dir", str(home), "--json"]) == 0
    [doc] = json.loads(capsys.readouterr().out)["lists"]
    assert "CLAUDE_CODE_ENABLE_TODO_TOOLS=1" in doc["note"]
    assert main(["ls", "--claude-dir", str(home)]) == 0
    assert "CLAUDE_CODE_ENABLE_TODO_TOOLS=1" in capsys.readouterr().out.replace("\n", " ")


def test_a_list_cleared_by_claude_code_is_not_a_list_that_never_was(tmp_path: Path) -> None:
    """All tasks completed: 2.1.3xx deletes the files and keeps .highwatermark."""
    home = copy_home(PANE_RUN / "home", tmp_path / "pane")
    [row] = summarize_lists(home)
    assert (row.tasks, row.note) == (0, "")


def test_a_torn_config_keeps_the_last_good_one(tmp_path: Path) -> None:
    """2.1.3xx rewrites config.json in place (r+, write, truncate): a reader can catch it torn."""
    paths = TeamPaths(live_home(tmp_path), TEAM)
    reader = BoardReader(paths)
    reader.rescan()
    good = reader.board.team
    assert good is not None
    text = paths.config_path.read_text()
    with open(paths.config_path, "r+") as handle:  # as Claude Code writes: in place
        handle.write(text[: len(text) // 2])
        handle.truncate()
    reader.rescan()
    assert reader.board.team == good
    assert str(paths.config_path) in reader.board.file_problems
    paths.config_path.write_text(text.replace('"alice"', '"alicia"'))
    reader.rescan()
    assert reader.board.team is not None and reader.board.team.member("alicia") is not None
    assert str(paths.config_path) not in reader.board.file_problems


async def test_the_console_names_the_setting_when_a_team_has_no_tasks(tmp_path: Path) -> None:
    from textual.widgets import Static

    from taskboard.ui.app import TaskboardApp
    from tests.ui.conftest import loaded

    home = live_home(tmp_path)
    shutil.rmtree(home / "tasks")
    app = TaskboardApp(home, TEAM, watch=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        empty = app.screen.query_one("#outline-empty", Static)
        text = str(empty.render())
        assert "No tasks yet" in text and "CLAUDE_CODE_ENABLE_TODO_TOOLS=1" in text, text
