"""The splash: the console's first frame, written to the terminal before Textual is
imported; Textual paints over it, and if the console ends before Textual took the
terminal, the splash gives it back."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from taskboard.ui.splash import ENTER, LEAVE, frame
from tests.conftest import children_of

from .test_quit_clean import DEADLINE, output, read_until, spawn_console

SPLASH_WORDS = "Loading… alpha: 1 task file".encode()


def test_the_splash_is_the_first_frame_and_the_console_paints_over_it(tmp_path: Path) -> None:
    proc, main = spawn_console(tmp_path)
    out = output(proc, main, until=b"Write the parser", then=b"q")
    assert proc.returncode == 0
    assert out.startswith(ENTER.encode()), out[:80]
    assert 0 < out.index(SPLASH_WORDS) < out.index(b"Write the parser")
    # Leaving the alternate screen once, on quitting: Textual's, the splash left it alone.
    assert out.count(b"\x1b[?1049l") == 1
    assert LEAVE.encode() not in out


def test_the_child_that_read_the_list_early_is_gone_once_the_board_shows(
        tmp_path: Path) -> None:
    """The task files are read by a child while Textual is imported
    (``taskboard.claude.early``): by the time the board shows them, it has ended and been
    waited for (no zombie left under the console)."""
    proc, main = spawn_console(tmp_path)
    try:
        read_until(main, b"Write the parser", bytearray())
        assert children_of(proc.pid) == []
    finally:
        os.write(main, b"q")
        output(proc, main)
    assert proc.returncode == 0


def test_the_splash_gives_the_terminal_back_when_the_console_ends_before_textual(
        tmp_path: Path) -> None:
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    for name in ("1.json", "2.json", ".lock", "notes.txt"):
        (tasks / name).write_text("{}")
    script = ("import sys\n"
              "from pathlib import Path\n"
              "from taskboard.ui.splash import splash\n"
              "with splash('alpha', Path(sys.argv[1])):\n"
              "    raise SystemExit('stopped before Textual')\n")
    main, child = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="60", LINES="20")
    env.pop("TEXTUAL_DRIVER", None)
    proc = subprocess.Popen([sys.executable, "-c", script, str(tasks)], stdin=child,
                            stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    out = output(proc, main)
    assert proc.returncode == 1
    drawn = frame(60, 20, "alpha", 2).encode()  # the two .json files, nothing else
    assert out.startswith(drawn), out[:120]
    # The terminal given back (main screen, cursor shown), then the error on it.
    assert out.index(drawn) < out.index(LEAVE.encode()) < out.index(b"stopped before Textual")


def test_nothing_of_textual_is_imported_before_the_splash() -> None:
    """The command line and the splash import no Textual module: the splash is drawn
    while Textual's 0.4-0.6 s import is still to come."""
    code = ("import sys, taskboard.cli, taskboard.cli.console, taskboard.ui.splash\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=DEADLINE)
    assert done.stdout.strip() == "[]"


def test_the_frame_centres_the_words_and_keeps_to_the_terminal() -> None:
    text = frame(40, 10, "alpha", 12345)
    assert text.startswith(ENTER)
    words = "Loading… alpha: 12,345 task files"
    assert f"\x1b[5;{(40 - len(words)) // 2 + 1}H\x1b[2m{words}\x1b[0m" in text
    narrow = frame(20, 6, "a" * 50 + "\x1b[31m", None)
    shown = narrow.split("\x1b[2m", 1)[1].split("\x1b[0m", 1)[0]
    assert shown == ("Loading… " + "a" * 50)[:18]
    assert "\x1b[31m" not in narrow
    assert "Loading… the task lists" in frame(80, 24, None, None)
