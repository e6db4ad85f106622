"""``taskboard events``: JSON lines from the real CLI, following a real journal as task files
change on disk; ``--once``, ``--since``, ``--kinds``, two followers, a closed pipe."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from taskboard.board.model import dump_json
from taskboard.cli.events import parse_since
from taskboard.journal.events import SCHEMA_VERSION
from tests.conftest import make_task, make_team, task_json

DEADLINE = 30.0


class Follower:
    """A running ``taskboard events`` and the JSON lines it printed."""

    def __init__(self, home: Path, data: Path, *args: str) -> None:
        env = dict(os.environ, CLAUDE_CONFIG_DIR=str(home), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "taskboard", "--data-dir", str(data), "events", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[dict] = queue.Queue()
        self.seen: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def wait_for(self, predicate, what: str) -> dict:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                event = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(event)
            if predicate(event):
                return event
        raise AssertionError(f"never printed {what}; printed {self.seen}")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(DEADLINE)
        time.sleep(0)  # let the reader thread drain
        return code


def rewrite(path: Path, **fields) -> None:
    """Rewrite a task file in place, as Claude Code does."""
    with path.open("r+", encoding="utf-8") as handle:
        handle.write(dump_json(task_json(path.stem, **fields)))
        handle.truncate()


@pytest.fixture
def team(home: Path):
    paths = make_team(home, "alpha", ["team-lead", "alice"])
    make_task(paths.tasks_dir, "1", subject="Write the parser")
    make_task(paths.tasks_dir, "2", subject="Review the parser", blockedBy=["1"])
    return paths


def test_once_prints_the_state_now_as_versioned_json_lines(home: Path, team) -> None:
    done = subprocess.run([sys.executable, "-m", "taskboard", "events", "--once", "alpha"],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, CLAUDE_CONFIG_DIR=str(home)))
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(e["v"] == SCHEMA_VERSION and e["team"] == "alpha" for e in events)
    created = {e["task"]: e["after"]["subject"] for e in events if e["kind"] == "task.created"}
    assert created == {"1": "Write the parser", "2": "Review the parser"}
    assert {e["agent"] for e in events if e["kind"] == "member.joined"} == {"team-lead",
                                                                             "alice"}


def test_following_prints_a_change_on_disk_once_and_stops_on_sigterm(
        home: Path, team, tmp_path: Path) -> None:
    data = tmp_path / "data"
    follower = Follower(home, data, "alpha", "--kinds", "task")
    follower.wait_for(lambda e: e["kind"] == "task.created" and e["task"] == "2",
                      "the initial task.created")
    rewrite(team.tasks_dir / "1.json", subject="Write the parser", status="in_progress",
            owner="alice")
    changed = follower.wait_for(lambda e: e["kind"] == "task.changed", "the change")
    assert changed["task"] == "1" and changed["source"] == "disk"
    assert changed["before"]["status"] == "pending"
    assert changed["after"] == {"status": "in_progress", "owner": "alice"} or \
        changed["after"]["status"] == "in_progress"
    assert all(e["kind"].startswith("task.") for e in follower.seen)
    assert follower.stop() == 0


def test_a_second_follower_reads_the_first_ones_journal_without_doubling(
        home: Path, team, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Follower(home, data, "--kinds", "task")
    first.wait_for(lambda e: e["kind"] == "task.created" and e["task"] == "2", "initial")
    second = Follower(home, data, "--kinds", "task")
    deadline = time.monotonic() + DEADLINE
    assert second.proc.stderr is not None
    while "following the journal" not in second.proc.stderr.readline():
        assert time.monotonic() < deadline
    rewrite(team.tasks_dir / "2.json", subject="Review the lexer", blockedBy=["1"])
    for follower in (first, second):
        event = follower.wait_for(lambda e: e["kind"] == "task.changed", "the change")
        assert event["after"]["subject"] == "Review the lexer"
    assert first.stop() == 0 and second.stop() == 0
    changes = [e for e in second.seen if e["kind"] == "task.changed"]
    assert len(changes) == 1


def test_since_replays_the_journal_first(home: Path, team, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Follower(home, data)
    first.wait_for(lambda e: e["kind"] == "task.created" and e["task"] == "2", "initial")
    assert first.stop() == 0
    replay = Follower(home, data, "--since", "1h", "--kinds", "task.created")
    event = replay.wait_for(lambda e: e["task"] == "2", "the replayed creation")
    assert event["session"] is not None
    assert replay.stop() == 0


def test_a_closed_pipe_ends_quietly(home: Path, team) -> None:
    env = dict(os.environ, CLAUDE_CONFIG_DIR=str(home))
    done = subprocess.run(f"{sys.executable} -m taskboard events --once | head -1",
                          shell=True, capture_output=True, text=True, timeout=60, env=env)
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_since_and_kinds_are_checked_as_usage() -> None:
    assert parse_since("10m", 1000.0) == 400.0
    assert parse_since("2h", 10_000.0) == 2800.0
    assert parse_since("1700000000", 0) == 1_700_000_000
    for bad in (["events", "--kinds", "tsk"], ["events", "--since", "yesterday-ish"]):
        done = subprocess.run([sys.executable, "-m", "taskboard", *bad], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 2 and "error" in done.stderr
