"""taskboard's hooks in the real Claude Code: installed with ``taskboard hooks --install``, a
session that Claude Code starts gets recorded (SessionStart starts ``taskboard record``) and
its task hooks are journalled with their payloads."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from taskboard.journal import events as ev
from taskboard.journal.recording import RecorderLock
from taskboard.journal.store import Journal
from tests.claude_code.conftest import SEARCH, ClaudeCode

DEADLINE = 60.0


def test_installed_hooks_record_a_session_that_claude_code_starts(
        claude_code: ClaudeCode, tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    env = claude_code.env(extra_env={"XDG_DATA_HOME": str(xdg)})
    before = json.loads((env.home / "settings.json").read_text())
    claude_code.taskboard(env, "hooks", "--install", "--user", "--yes")
    settings = json.loads((env.home / "settings.json").read_text())
    assert {k: v for k, v in settings.items() if k != "hooks"} == \
        {k: v for k, v in before.items() if k != "hooks"}, "the other settings are kept"
    assert {"SessionStart", "TaskCreated", "TaskCompleted"} <= set(settings["hooks"])

    data = xdg / "taskboard"
    lock = RecorderLock(data, env.home)
    try:
        claude_code.print(env, [
            SEARCH,
            {"tool": "TaskCreate", "input": {"subject": "Write the parser",
                                             "description": "Parse the header"}},
            {"tool": "TaskUpdate", "input": {"taskId": "1", "status": "in_progress"}},
            {"tool": "TaskUpdate", "input": {"taskId": "1", "status": "completed"}},
            {"text": "Done."},
        ], task_list="hooked")
        deadline = time.monotonic() + DEADLINE
        while not lock.holder():
            assert time.monotonic() < deadline, "SessionStart started no recorder"
            time.sleep(0.1)

        def recorded() -> tuple[list[ev.Event], list[ev.Event]]:
            with Journal.open(data) as journal:
                session = journal.latest_session("hooked")
                tasks = journal.events(session.id) if session else []
                hooks = [e for s in journal.sessions() for e in journal.events(
                    s.id, kinds=[ev.HOOK])]
            return tasks, hooks

        while True:
            tasks, hooks = recorded()
            done = [e for e in tasks if e.kind in (ev.TASK_CREATED, ev.TASK_CHANGED)
                    and (e.after or {}).get("status") == "completed"]
            names = {e.detail["event"] for e in hooks}
            if done and {"TaskCreated", "TaskCompleted"} <= names:
                break
            assert time.monotonic() < deadline, f"recorded {tasks} and hooks {names}"
            time.sleep(0.2)
        assert any(e.task == "1" for e in tasks)
        completed = next(e for e in hooks if e.detail["event"] == "TaskCompleted")
        assert completed.task == "1" and completed.source == "hook"
        assert completed.detail["payload"]["task_subject"] == "Write the parser"
    finally:
        holder = lock.holder()
        if holder:
            os.kill(int(holder), signal.SIGTERM)
