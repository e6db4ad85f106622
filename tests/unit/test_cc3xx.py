"""What Claude Code 2.1.3xx does differently, read right: delivered messages go, session teams."""

from __future__ import annotations

import json
import os
from pathlib import Path

from taskboard.board.agents import summarize_agents
from taskboard.claude.reader import BoardReader
from tests.conftest import make_task, make_team, message, write_inbox

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
