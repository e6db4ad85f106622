"""Team files: listing inboxes and appending a message to one under its lock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from taskboard.claude.errors import LockTimeout, Unreadable
from taskboard.claude.paths import TeamPaths
from taskboard.claude.team import inbox_files, iso_now, send_message
from tests.conftest import make_team, message, read_json, snapshot, write_inbox

NOW = datetime(2026, 11, 20, 10, 15, 2, 114999, tzinfo=UTC)


def test_iso_now_is_claude_codes_timestamp_style() -> None:
    assert iso_now(NOW) == "2026-11-20T10:15:02.114Z"
    east = NOW.astimezone(timezone(timedelta(hours=5)))
    assert iso_now(east) == "2026-11-20T10:15:02.114Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", iso_now())


def test_inbox_files_are_the_json_files_by_agent_name(home: Path) -> None:
    team = make_team(home, "alpha")
    write_inbox(team, "alice", [])
    write_inbox(team, "bob", [])
    (team.inboxes_dir / ".alice.json.1.ab.tmp").write_text("")
    (team.inboxes_dir / "notes.txt").write_text("")
    assert inbox_files(team) == {"alice": team.inbox_path("alice"), "bob": team.inbox_path("bob")}


def test_inbox_files_of_a_team_without_inboxes_is_empty(home: Path) -> None:
    team = make_team(home, "alpha")
    team.inboxes_dir.rmdir()
    assert inbox_files(team) == {}


def test_send_appends_an_unread_message_with_a_timestamp(home: Path) -> None:
    team = make_team(home, "alpha", ["team-lead", "alice"])
    earlier = message("bob", "hi", read=True, color="blue", summary="greeting")
    path = write_inbox(team, "alice", [earlier])
    change = send_message(team, "alice", "Start with the header tests.", sender="team-lead",
                          summary="Start", now=NOW)
    sent = {"from": "team-lead", "text": "Start with the header tests.", "summary": "Start",
            "timestamp": "2026-11-20T10:15:02.114Z", "msgV": 1, "msg_id": change.message["msg_id"],
            "type": "message", "read": False}
    assert read_json(path) == [earlier, sent]
    assert list(read_json(path)[1]) == ["from", "text", "summary", "timestamp", "msgV", "msg_id",
                                        "type", "read"]
    assert (change.path, change.agent, change.message) == (path, "alice", sent)
    assert not (team.inboxes_dir / "alice.json.lock").exists()


def test_send_without_summary_or_colour_leaves_those_keys_out(home: Path) -> None:
    team = make_team(home, "alpha")
    write_inbox(team, "alice", [])
    send_message(team, "alice", "x", sender="team-lead", now=NOW)
    assert list(read_json(team.inbox_path("alice"))[0]) == ["from", "text", "timestamp", "msgV",
                                                            "msg_id", "type", "read"]


def test_send_with_a_colour_records_it(home: Path) -> None:
    team = make_team(home, "alpha")
    send_message(team, "alice", "x", sender="team-lead", color="blue", now=NOW)
    assert read_json(team.inbox_path("alice"))[0]["color"] == "blue"


def test_send_creates_a_missing_inbox_and_inbox_directory(home: Path) -> None:
    team = make_team(home, "alpha")
    team.inboxes_dir.rmdir()
    send_message(team, "alice", "hello", sender="team-lead", now=NOW)
    messages = read_json(team.inbox_path("alice"))
    assert [(m["from"], m["text"], m["read"]) for m in messages] == [("team-lead", "hello", False)]
    assert sorted(p.name for p in team.inboxes_dir.iterdir()) == ["alice.json"]


def test_send_to_a_list_with_no_team_directory_creates_its_inbox(home: Path) -> None:
    """Print mode (CLAUDE_CODE_TASK_LIST_ID) keeps inboxes in a team directory with no config."""
    paths = TeamPaths(home, "beta")
    send_message(paths, "alice", "x", sender="taskboard", now=NOW)
    assert [m["text"] for m in read_json(paths.inbox_path("alice"))] == ["x"]
    assert sorted(p.name for p in paths.team_dir.iterdir()) == ["inboxes"]


@pytest.mark.parametrize("text", ["{}", "[", "nope"])
def test_send_refuses_an_inbox_that_is_not_a_list_and_leaves_it(home: Path, text: str) -> None:
    team = make_team(home, "alpha")
    team.inbox_path("alice").write_text(text)
    before = snapshot(home)
    with pytest.raises(Unreadable):
        send_message(team, "alice", "x", sender="team-lead")
    assert snapshot(home) == before


def test_send_times_out_while_the_inbox_is_locked(home: Path) -> None:
    team = make_team(home, "alpha")
    write_inbox(team, "alice", [])
    (team.inboxes_dir / "alice.json.lock").mkdir()
    before = snapshot(home)
    with pytest.raises(LockTimeout):
        send_message(team, "alice", "x", sender="team-lead", timeout=0.2)
    assert snapshot(home) == before
