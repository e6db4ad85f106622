"""``taskboard hooks`` and ``taskboard hook``: the fragment, a safe merge into a real settings
file, and hook payloads journalled (through the real CLI, stdin and SQLite)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from taskboard.cli import main
from taskboard.cli.hooks import EVENTS, merge, team_of
from taskboard.journal.store import Journal


def test_the_fragment_has_one_command_hook_per_event(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hooks"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert sorted(printed["hooks"]) == sorted(EVENTS)
    for entries in printed["hooks"].values():
        (entry,) = entries
        (hook,) = entry["hooks"]
        assert hook["type"] == "command" and hook["command"].endswith(" hook")


def test_merge_keeps_every_existing_hook_and_is_idempotent() -> None:
    mine = {"type": "command", "command": "notify-send done"}
    settings = {"model": "opus", "hooks": {
        "TaskCompleted": [{"hooks": [mine]}],
        "PreToolUse": [{"matcher": "Bash", "hooks": [mine]}]}}
    merged = merge(settings, "/bin/taskboard hook")
    assert merged["model"] == "opus"
    assert merged["hooks"]["PreToolUse"] == settings["hooks"]["PreToolUse"]
    assert merged["hooks"]["TaskCompleted"][0] == {"hooks": [mine]}
    assert len(merged["hooks"]["TaskCompleted"]) == 2
    assert merge(merged, "/bin/taskboard hook") == merged
    assert settings["hooks"]["TaskCompleted"] == [{"hooks": [mine]}], "input left alone"


def test_install_shows_the_diff_backs_up_and_writes_once(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = home / "settings.json"
    path.write_text(json.dumps({"hooks": {"Stop": [{"hooks": [
        {"type": "command", "command": "say stopped"}]}]}}))
    assert main(["hooks", "--install", "--user", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "+++" in out and "+    \"SessionStart\"" in out and "Backed up" in out
    written = json.loads(path.read_text())
    assert written["hooks"]["Stop"][0]["hooks"][0]["command"] == "say stopped"
    assert set(EVENTS) <= set(written["hooks"])
    backups = list(home.glob("settings.json.bak-*"))
    assert len(backups) == 1 and "say stopped" in backups[0].read_text()

    assert main(["hooks", "--install", "--user", "--yes"]) == 0
    assert "already" in capsys.readouterr().out
    assert json.loads(path.read_text()) == written
    assert len(list(home.glob("settings.json.bak-*"))) == 1


def test_install_without_a_terminal_or_yes_writes_nothing(home: Path, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    done = subprocess.run([sys.executable, "-m", "taskboard", "hooks", "--install",
                           "--project", str(project)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60,
                          env=dict(os.environ, CLAUDE_CONFIG_DIR=str(home)))
    assert done.returncode == 1
    assert "--yes" in done.stderr and "SessionStart" in done.stdout
    assert not (project / ".claude").exists()


def test_a_broken_settings_file_is_refused_untouched(home: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = home / "settings.json"
    path.write_text("{not json")
    assert main(["hooks", "--install", "--user", "--yes"]) == 1
    assert "not valid JSON" in capsys.readouterr().err
    assert path.read_text() == "{not json"


def test_the_team_of_a_payload() -> None:
    assert team_of({"team_name": "alpha"}) == "alpha"
    assert team_of({"session_id": "00c8f52f-81e2-4423"}) == "session-00c8f52f"
    assert team_of({}) is None


def run_hook(payload: object, home: Path, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "taskboard", "--data-dir", str(data), "hook"],
        input=json.dumps(payload), capture_output=True, text=True, timeout=60,
        env=dict(os.environ, CLAUDE_CONFIG_DIR=str(home)))


def test_a_hook_payload_is_journalled_and_the_hook_is_silent(home: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    payload = {"hook_event_name": "TaskCompleted", "session_id": "00c8f52f-aaaa",
               "task_id": "3", "task_subject": "Write <b>it</b>", "teammate_name": "alice",
               "team_name": "session-00c8f52f"}
    done = run_hook(payload, home, data)
    assert done.returncode == 0 and done.stdout == ""
    idle = run_hook({"hook_event_name": "TeammateIdle", "team_name": "session-00c8f52f",
                     "teammate_name": "bob", "session_id": "00c8f52f-aaaa"}, home, data)
    assert idle.returncode == 0
    with Journal.open(data) as journal:
        session = journal.latest_session("session-00c8f52f")
        assert session is not None
        events = journal.events(session.id, kinds=["hook"])
    assert [(e.detail["event"], e.task, e.agent) for e in events] == [
        ("TaskCompleted", "3", "alice"), ("TeammateIdle", None, "bob")]
    assert events[0].source == "hook" and events[0].detail["payload"] == payload


@pytest.mark.parametrize("stdin", ["", "[1, 2]", "{broken", json.dumps({"x": 1})])
def test_a_bad_payload_never_fails_the_hook(stdin: str, home: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "taskboard", "--data-dir",
                           str(tmp_path / "d"), "hook"], input=stdin, capture_output=True,
                          text=True, timeout=60, env=dict(os.environ, CLAUDE_CONFIG_DIR=str(home)))
    assert done.returncode == 0 and done.stdout == ""


def recorders_of(home: Path) -> set[int]:
    """Pids of the ``taskboard record`` processes started for ``home`` (by a hook: the
    home is on their command line)."""
    found = set()
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"record" in argv and str(home).encode() in argv:
            found.add(int(entry.name))
    return found


def test_session_start_starts_one_recorder_for_the_home(home: Path, tmp_path: Path) -> None:
    import signal
    import time

    from taskboard.journal.recording import RecorderLock

    data = tmp_path / "data"
    start = {"hook_event_name": "SessionStart", "source": "startup",
             "session_id": "00c8f52f-81e2-4423-a61c-444eec0e747e"}
    assert run_hook(start, home, data).returncode == 0
    lock = RecorderLock(data, home)
    deadline = time.monotonic() + 30
    while not lock.holder():
        assert time.monotonic() < deadline, "no recorder took the home's lock"
        time.sleep(0.05)
    holder = int(lock.holder())
    try:
        assert not lock.acquire(), "the recorder holds the lock"
        assert run_hook(start, home, data).returncode == 0
        # What the second hook started: a recorder that finds the first and leaves.
        again = subprocess.run([sys.executable, "-m", "taskboard", "--data-dir", str(data),
                                "record"], capture_output=True, text=True, timeout=60,
                               env=dict(os.environ, CLAUDE_CONFIG_DIR=str(home)))
        assert again.returncode == 0 and str(holder) in again.stdout + again.stderr
        assert int(lock.holder()) == holder
        os.kill(holder, 0)  # still alive
        # The second hook's recorder must have found the first and left before the first
        # stops (else it takes over the lock): wait until the holder is the only one.
        deadline = time.monotonic() + 30
        while recorders_of(home) - {holder}:
            assert time.monotonic() < deadline, "the second hook's recorder did not leave"
            time.sleep(0.05)
    finally:
        os.kill(holder, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while not lock.acquire():
        assert time.monotonic() < deadline, "the recorder did not stop on SIGTERM"
        time.sleep(0.05)
    lock.release()
