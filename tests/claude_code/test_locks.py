"""Locks both ways between taskboard and the real Claude Code (print mode).

Claude Code meets a lock taskboard holds (its retries add up to about 2.7 s): it waits for a short
hold and keeps taskboard's change, and fails cleanly, writing nothing, on a long one. taskboard
meets a lock held by Claude Code's own lock code (the Claude Code process is stopped with SIGSTOP
the moment its lock directory appears): it refuses after its timeout, leaving the lock alone, and
waits when the lock goes in time.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from taskboard.claude import lock as lock_module
from taskboard.claude.errors import LockTimeout
from taskboard.claude.paths import TeamPaths
from taskboard.ops import Ops
from tests.claude_code.conftest import SEARCH, ClaudeCode
from tests.conftest import make_task, read_json

HELPERS = Path(__file__).resolve().parent / "lock_helpers.py"


def hold(list_dir: Path, task_id: str, seconds: float, assignment: str) -> dict[str, Any]:
    """A fake-model ``pre``: before Claude Code gets the tool call, taskboard's write path takes
    task ``task_id``'s lock, holds it ``seconds``, then writes ``assignment``."""
    return {"cmd": [sys.executable, str(HELPERS), "hold", str(list_dir), task_id, str(seconds),
                    assignment], "wait_for": "held", "timeout": 30}


def test_claude_code_waits_for_a_short_taskboard_lock_and_fails_cleanly_on_a_long_one(
        claude_code: ClaudeCode) -> None:
    env = claude_code.env()
    tasks = env.home / "tasks" / "locks"
    make_task(tasks, "1", subject="Short hold")
    make_task(tasks, "2", subject="Long hold")
    res = claude_code.print(env, [
        SEARCH,
        {"tool": "TaskUpdate", "input": {"taskId": "1", "status": "in_progress"},
         "pre": hold(tasks, "1", 1.0, "description=kept from taskboard")},
        {"tool": "TaskUpdate", "input": {"taskId": "2", "status": "in_progress"},
         "pre": hold(tasks, "2", 6.0, "description=taskboard's, after 6 s")},
        # Claude Code itself waits (a Bash loop) until taskboard's 6 s hold is over.
        {"tool": "Bash", "input": {"command": f"while [ -d '{tasks}/2.json.lock' ]; "
                                              "do sleep 0.1; done; echo free",
                                   "description": "wait for the lock", "timeout": 30000}},
        {"tool": "TaskGet", "input": {"taskId": "2"}},
        {"text": "Done."},
    ], task_list="locks")
    first, second = (c for c in res.tool_calls if c["name"] == "TaskUpdate")
    assert first["result"] == "Updated task #1 status" and not first["is_error"]
    one = read_json(tasks / "1.json")
    assert (one["status"], one["description"]) == ("in_progress", "kept from taskboard"), \
        "Claude Code waited for the lock and re-read the file: taskboard's change is kept"

    assert "Lock file is already being held" in second["result"], second
    assert read_json(tasks / "2.json")["status"] == "pending", "Claude Code wrote nothing"
    two = read_json(tasks / "2.json")
    assert (two["status"], two["description"]) == ("pending", "taskboard's, after 6 s"), \
        "taskboard's write landed when its hold ended, Claude Code's never"
    assert not any(p.name.endswith(".lock") and p.is_dir() for p in tasks.iterdir())


def test_taskboard_refuses_then_waits_for_a_lock_held_by_claude_codes_own_lock_code(
        claude_code: ClaudeCode) -> None:
    env = claude_code.env()
    tasks = env.home / "tasks" / "cc-holds"
    lock_dir = tasks / ".lock.lock"
    creates = [{"tool": "TaskCreate", "input": {"subject": f"Task {n}", "description": "x"}}
               for n in range(1, 21)]
    stopper: dict[str, subprocess.Popen[str]] = {}

    def started(pid: int) -> None:
        stopper["proc"] = subprocess.Popen(
            [sys.executable, str(HELPERS), "stop", str(pid), str(lock_dir)],
            stdout=subprocess.PIPE, text=True)
        stopper["pid"] = pid  # type: ignore[assignment]

    done: dict[str, Any] = {}
    runner = threading.Thread(target=lambda: done.update(res=claude_code.print(
        env, [SEARCH, *creates, {"text": "Done."}], task_list="cc-holds", started=started)))
    runner.start()
    try:
        while "proc" not in stopper:
            runner.join(0.05)
        said = stopper["proc"].stdout.readline().strip()  # type: ignore[union-attr]
        if said != "stopped":
            pytest.fail(f"Claude Code never held its list lock long enough to be caught: {said}")
        pid = int(stopper["pid"])  # type: ignore[arg-type]
        assert lock_dir.is_dir()
        paths = TeamPaths(env.home, "cc-holds")

        # Refuses: Claude Code holds the list lock (a fresh one: its mtime is even set ahead).
        with pytest.raises(LockTimeout):
            Ops(paths, timeout=0.5).create("From taskboard")
        assert lock_dir.is_dir(), "taskboard did not take Claude Code's lock away"
        # Nothing of taskboard's was written. (Not a listing compared before and after: a
        # write Claude Code had in flight when it was stopped may still land.)
        assert not [p.name for p in tasks.glob("*.json")
                    if "From taskboard" in p.read_text(encoding="utf-8", errors="replace")]

        # Waits: Claude Code goes on (SIGCONT) once taskboard is seen retrying.
        tries = threading.Event()
        real_try = lock_module._try_acquire
        count = [0]

        def counting(path: Path, stale: float) -> Any:
            held = real_try(path, stale)
            if held is None:
                count[0] += 1
                if count[0] >= 3:
                    tries.set()
            return held

        lock_module._try_acquire = counting  # a spy: every try still hits the real directory
        try:
            waiter: dict[str, Any] = {}
            thread = threading.Thread(target=lambda: waiter.update(
                result=Ops(paths, timeout=20).create("From taskboard")))
            thread.start()
            assert tries.wait(20), "taskboard never met Claude Code's lock"
            os.kill(pid, signal.SIGCONT)
            thread.join(30)
        finally:
            lock_module._try_acquire = real_try
        result = waiter["result"]
        assert result.changes[0].waited > 0
    finally:
        if "pid" in stopper:
            with_suppressed_kill(int(stopper["pid"]))  # type: ignore[arg-type]
        runner.join(120)
    assert "res" in done, "Claude Code did not finish"
    created = [c["result"] for c in done["res"].tool_calls if c["name"] == "TaskCreate"]
    assert all(r.startswith("Task #") for r in created), created
    ids = sorted(int(p.stem) for p in tasks.glob("*.json"))
    assert ids == list(range(1, 22)), "20 by Claude Code and 1 by taskboard, no id twice"
    mine = json.loads((tasks / f"{result.target.lstrip('#')}.json").read_text())
    assert mine["subject"] == "From taskboard"


def with_suppressed_kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGCONT)
