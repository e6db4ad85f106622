"""The console quits cleanly in a real terminal: nothing after the screen is restored (an
asyncio "Task exception was never retrieved" from the watcher used to be printed there)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import make_task

DEADLINE = 60.0


def read_until(fd: int, needle: bytes, seen: bytearray) -> None:
    deadline = time.monotonic() + DEADLINE
    while needle not in seen:
        assert time.monotonic() < deadline, f"{needle!r} never appeared"
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen.extend(os.read(fd, 65536))
            except OSError:
                return


def spawn_console(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``taskboard alpha`` (one task, "Write the parser") on a 100x30 pty: the process and
    the pty's main side."""
    home = tmp_path / "claude"
    make_task(home / "tasks" / "alpha", "1", subject="Write the parser")
    main, child = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30",
               XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("TEXTUAL_DRIVER", None)
    proc = subprocess.Popen([sys.executable, "-m", "taskboard", "--claude-dir", str(home),
                             "alpha"], stdin=child, stdout=child, stderr=child, env=env,
                            close_fds=True)
    os.close(child)
    return proc, main


def output(proc: subprocess.Popen[bytes], main: int, *, until: bytes | None = None,
           then: bytes = b"") -> bytes:
    """Everything ``proc`` writes to the pty until it ends (after ``until`` appeared,
    ``then`` is typed); the process is killed at the deadline, the pty closed."""
    seen = bytearray()
    try:
        if until is not None:
            read_until(main, until, seen)
            os.write(main, then)
        deadline = time.monotonic() + DEADLINE
        while proc.poll() is None:
            assert time.monotonic() < deadline, "the process did not end"
            read_until(main, b"\x00never", seen)  # reads until EOF or the deadline
        read_until(main, b"\x00never", seen)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(main)
    return bytes(seen)


def test_quitting_prints_nothing_after_the_screen(tmp_path: Path) -> None:
    proc, main = spawn_console(tmp_path)
    seen = output(proc, main, until=b"Write the parser", then=b"q")
    assert proc.returncode == 0
    after = bytes(seen).rsplit(b"\x1b[?1049l", 1)[-1]  # what follows leaving the alt screen
    assert b"never retrieved" not in seen and b"Traceback" not in seen, after[-500:]
