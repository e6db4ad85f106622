"""The console's terminal driver in a real terminal: its input thread sleeps until a key
comes (no 0.1 s wake-ups while idle), and keys still work: a lone escape (which waits on
the parser's timeout), a key after the idle, and quitting."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import pytest

from .test_quit_clean import DEADLINE, read_until, spawn_console

SELECT_CALLS = {"x86_64": {23: 4, 270: 4}, "aarch64": {72: 4}}
"""select-like system calls by machine: their number, and which argument is the timeout."""


def blocked_without_timeout(pid: int) -> list[str]:
    """The threads of ``pid`` blocked in select/pselect6 with no timeout (a NULL pointer)."""
    calls = SELECT_CALLS[platform.machine()]
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "syscall").read_text().split()
        except OSError:
            continue
        if fields and fields[0].isdigit() and int(fields[0]) in calls \
                and int(fields[1 + calls[int(fields[0])]], 16) == 0:
            found.append(task.name)
    return found


@pytest.mark.skipif(platform.system() != "Linux" or platform.machine() not in SELECT_CALLS,
                    reason="reads Linux's /proc/PID/task/*/syscall")
def test_the_input_thread_sleeps_until_a_key_and_keys_still_work(tmp_path: Path) -> None:
    proc, main = spawn_console(tmp_path)
    seen = bytearray()
    try:
        read_until(main, b"Write the parser", seen)
        deadline = time.monotonic() + DEADLINE
        while not blocked_without_timeout(proc.pid):
            assert time.monotonic() < deadline, "no thread ever waited on input without a " \
                "timeout (Textual's own driver wakes every 0.1 s)"
            time.sleep(0.05)
        os.write(main, b"?")
        read_until(main, b"taskboard: keys", seen)
        after = bytearray()
        os.write(main, b"\x1b")  # a lone escape: a key only once the parser's timeout passed
        read_until(main, b"Write the parser", after)  # the help closed: the outline again
        seen += after
        os.write(main, b"q")
        while proc.poll() is None:
            assert time.monotonic() < deadline, "the console did not quit"
            read_until(main, b"\x00never", seen)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(main)
    assert proc.returncode == 0
    assert b"Traceback" not in seen


@pytest.mark.skipif(platform.system() != "Linux", reason="the Linux driver")
def test_the_console_quits_when_its_terminal_goes_away(tmp_path: Path) -> None:
    """A closed terminal reads as end-of-file (or EIO) at once, for ever: the input loop
    must not spin on it (Textual's did, a core busy until killed), the console quits."""
    proc, main = spawn_console(tmp_path)  # not its controlling terminal: no hang-up signal
    seen = bytearray()
    try:
        read_until(main, b"Write the parser", seen)
        os.close(main)
        main = -1
        proc.wait(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if main >= 0:
            os.close(main)
    assert proc.returncode == 0, "it quit by itself, not by the grace period's signal"
