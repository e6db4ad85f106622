"""Two small programs the real-Claude-Code tests start as separate processes.

``python -m tests.claude_code.lock_helpers hold LIST_DIR ID SECONDS KEY=VALUE``
    taskboard's own write path (``update_task``): lock task ID, print ``held``, keep the lock
    for SECONDS, then write KEY=VALUE into the task and release. Claude Code meets that lock.

``python -m tests.claude_code.lock_helpers stop PID LOCK_DIR``
    Watch for LOCK_DIR (a lock directory made by Claude Code's own lock code) in a tight loop,
    and the moment it appears, SIGSTOP the Claude Code process PID, so that the lock stays held
    for as long as the test wants; print ``stopped`` (or ``gone`` if PID ended first).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from taskboard.claude.tasks import update_task


def hold(list_dir: str, task_id: str, seconds: str, assignment: str) -> int:
    key, _, value = assignment.partition("=")

    def change(obj: dict[str, Any]) -> dict[str, Any]:
        print("held", flush=True)
        time.sleep(float(seconds))
        obj[key] = value
        return obj

    update_task(Path(list_dir), task_id, change, timeout=5)
    print("released", flush=True)
    return 0


def stop(pid: str, lock_dir: str, limit: float = 120.0) -> int:
    target = int(pid)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if os.path.isdir(lock_dir):
            os.kill(target, signal.SIGSTOP)
            if os.path.isdir(lock_dir):  # still held by the now stopped process
                print("stopped", flush=True)
                return 0
            os.kill(target, signal.SIGCONT)  # it let go just before the stop: try again
        try:
            os.kill(target, 0)
        except ProcessLookupError:
            break
    print("gone", flush=True)
    return 1


if __name__ == "__main__":
    what, *rest = sys.argv[1:]
    sys.exit(hold(*rest) if what == "hold" else stop(*rest))
