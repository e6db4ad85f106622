"""A real ``taskboard record`` process, and waiting on the journal with a deadline."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from taskboard.claude.paths import TeamPaths
from taskboard.claude.tasks import task_files
from taskboard.journal.replay import tasks_at
from taskboard.journal.store import Journal

DEADLINE = 20.0


def wait_for(condition: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``deadline`` s."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class RecordProcess:
    """``python -m taskboard record`` on a tmp Claude home and data dir; stdout collected."""

    def __init__(self, home: Path, data: Path, *teams: str) -> None:
        env = dict(os.environ, CLAUDE_CONFIG_DIR=str(home),
                   XDG_DATA_HOME=str(data.parent / "xdg"))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "taskboard", "record", "--data-dir", str(data), *teams],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, start: str, deadline: float = DEADLINE) -> str:
        def found() -> str | None:
            if self.proc.poll() is not None and not any(
                    line.startswith(start) for line in self.lines):
                time.sleep(0.1)  # let the reader thread drain the pipe
                if not any(line.startswith(start) for line in self.lines):
                    raise AssertionError(f"recorder exited: {self.lines}")
            return next((line for line in self.lines if line.startswith(start)), None)
        return wait_for(found, f"a line starting {start!r} in {self.lines}", deadline)

    def ready(self) -> RecordProcess:
        self.wait_line("ready:")
        return self

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=DEADLINE)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=DEADLINE)


def disk_tasks(paths: TeamPaths) -> dict[str, dict[str, Any]]:
    import json

    out = {}
    for tid, path in task_files(paths.tasks_dir).items():
        try:
            out[tid] = json.loads(path.read_text())
        except (OSError, ValueError):
            return {"torn": {}}  # caught mid-write: look again
    return out


def journal_tasks(data: Path, team: str) -> dict[str, dict[str, Any]]:
    with Journal.open(data) as journal:
        latest = journal.latest_session(team)
        return tasks_at(journal.events(latest.id)) if latest else {}


def caught_up(data: Path, paths: TeamPaths) -> bool:
    """The journal's replayed tasks are exactly the files on disk."""
    return journal_tasks(data, paths.name) == disk_tasks(paths)
