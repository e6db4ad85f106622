"""The console shows text from files as inert text (issue 14): markup in owners,
statuses, subjects and the filter box never crashes it or binds an action, and the raw
bytes it writes to a real pty hold no escape sequence, bidi or zero-width character
taken from a file."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from taskboard.clock import FrozenClock
from taskboard.ui.app import TaskboardApp
from taskboard.ui.screens.console import ConsoleScreen
from tests.conftest import make_task, make_team, message, write_inbox
from tests.hostile.helpers import PAYLOADS

ROOT = Path(__file__).resolve().parents[2]


def hostile_home(tmp_path: Path) -> Path:
    home = tmp_path / "claude"
    home.mkdir()
    team = make_team(home, "evil", [
        "team-lead",
        {"name": "[/x]", "agentType": PAYLOADS["osc52"], "model": PAYLOADS["bidi"],
         "tmuxPaneId": "", "color": "[@click=app.quit]"},
    ])
    make_task(team.tasks_dir, "1", subject=PAYLOADS["osc_title"] + " " + PAYLOADS["bidi"],
              description=PAYLOADS["osc52"] + PAYLOADS["dcs"] + PAYLOADS["zero_width"],
              owner="[/x]", status="in_progress", activeForm=PAYLOADS["csi"],
              blockedBy=[PAYLOADS["osc8"]], metadata={PAYLOADS["markup_click"]: PAYLOADS["c1"]})
    make_task(team.tasks_dir, "2", subject="[/x] palette [bold]subject", status="[/x]")
    make_task(team.tasks_dir, "3", subject=PAYLOADS["markup_link"], owner="[@click=app.quit]q")
    write_inbox(team, "[/x]", [message(PAYLOADS["osc_title"], PAYLOADS["osc52"],
                                       summary=PAYLOADS["markup_click"])])
    return home


async def _loaded(pilot) -> None:
    deadline = time.monotonic() + 10
    while not getattr(pilot.app.screen, "loaded", False):
        assert time.monotonic() < deadline, "console did not load"
        await pilot.pause(0.02)
    await pilot.pause()


async def test_markup_in_owners_statuses_and_the_filter_never_crashes(tmp_path: Path) -> None:
    app = TaskboardApp(hostile_home(tmp_path), "evil", clock=FrozenClock(1_763_700_000.0),
                       watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        screen.go_to_task("1")
        await pilot.pause()
        await pilot.press("t")  # "[/x] has no tmux pane": a notification naming the owner
        screen.go_to_task("2")
        await pilot.pause()
        await pilot.press("o")  # the reopen refusal names the status "[/x]"
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("[/x]" in m for m in messages), messages
        assert all(not n.markup for n in app._notifications)
        await pilot.press("slash")
        await pilot.press("left_square_bracket", "slash")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ConsoleScreen)
        await pilot.press("escape")


async def test_the_palette_finds_tasks_whose_subjects_hold_markup(tmp_path: Path) -> None:
    from taskboard.ui.commands import ConsoleCommands

    app = TaskboardApp(hostile_home(tmp_path), "evil", clock=FrozenClock(1_763_700_000.0),
                       watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _loaded(pilot)
        provider = ConsoleCommands(app.screen)
        hits = [hit async for hit in provider.search("palette")]
        assert hits, "the palette found nothing"
        assert "[/x] palette [bold]subject" in hits[0].text
        assert str(hits[0].match_display).count("[/x]") == 1


def _read_until(fd: int, wanted: bytes, deadline: float, out: bytearray) -> bool:
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return wanted in out
            if not chunk:
                return wanted in out
            out.extend(chunk)
            if wanted in out:
                return True
    return wanted in out


FORBIDDEN = {
    "osc52": b"\x1b]52",
    "osc title from a file": b"pwned\x07",
    "osc8 link from a file": b"\x1b]8;;https://evil",
    "dcs": b"\x1bPq",
    "bidi override": "\u202e".encode(),
    "bidi isolate": "\u2066".encode(),
    "zero-width space": "\u200b".encode(),
    "zero-width joiner": "\u200d".encode(),
    "bom": "\ufeff".encode(),
    "8-bit csi": "\x9b".encode(),
}


@pytest.mark.skipif(sys.platform != "linux", reason="pty check written for Linux")
def test_the_console_writes_no_file_borne_escape_to_a_real_terminal(tmp_path: Path) -> None:
    home = hostile_home(tmp_path)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(home), "TERM": "xterm-256color",
           "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "taskboard", "evil", "--read-only"],
                            stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env,
                            start_new_session=True)
    os.close(slave)
    out = bytearray()
    try:
        assert _read_until(master, b"palette", time.monotonic() + 30, out), out[-2000:]
        os.write(master, b"t")  # a notification naming the owner "[/x]"
        _read_until(master, b"tmux", time.monotonic() + 5, out)
        os.write(master, b"\x1b[B")  # down: the detail of the next tasks
        os.write(master, b"\x1b[B")
        _read_until(master, b"evil.example]", time.monotonic() + 5, out)
        os.write(master, b"q")
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            _read_until(master, b"\x00never", time.monotonic() + 0.2, out)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        os.close(master)
    found = {name: seq for name, seq in FORBIDDEN.items() if seq in out}
    assert found == {}
    assert b"[/x]" in out  # the owner was shown, literally
