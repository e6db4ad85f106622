"""The first frame, drawn before Textual is imported.

Importing Textual and the console's screens takes most of a cold start (0.4-0.6 s on a
small 2-core machine) and Textual draws nothing until then. The splash is written to the
terminal straight away, in the alternate screen Textual will use: the team's name and how
many task files there are to read. Textual's first frame then paints over it.

This module imports nothing of Textual's. :func:`handed_over` is called by the console's
driver when Textual takes the terminal; if the console ends before that (an error, an
interrupt), the splash gives the terminal back as it found it.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from taskboard.textsafe import one_line

ENTER = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J"
"""Alternate screen, cursor hidden, cleared: what Textual's driver does first."""
LEAVE = "\x1b[2J\x1b[?25h\x1b[?1049l"
"""Cleared, cursor shown, main screen back: what Textual's driver does last."""

_state = {"handed": False}


def handed_over() -> None:
    """Textual has the terminal now: its exit restores it, not the splash."""
    _state["handed"] = True


def task_files(tasks_dir: Path) -> int | None:
    """How many task files the list holds (None: no such folder yet)."""
    try:
        with os.scandir(tasks_dir) as entries:
            return sum(1 for entry in entries if entry.name.endswith(".json"))
    except OSError:
        return None


def frame(columns: int, lines: int, team: str | None, files: int | None) -> str:
    """The splash's bytes for a terminal of ``columns`` x ``lines``."""
    if team is None:
        words = "Loading… the task lists"
    elif files is None:
        words = f"Loading… {team}"
    else:
        words = f"Loading… {team}: {files:,} task file{'s' if files != 1 else ''}"
    words = one_line(words)[: max(1, columns - 2)]
    row = max(1, lines // 2)
    column = max(1, (columns - len(words)) // 2 + 1)
    title = "taskboard"[:columns]
    return f"{ENTER}\x1b[1;1H\x1b[1m{title}\x1b[0m\x1b[{row};{column}H\x1b[2m{words}\x1b[0m"


@contextmanager
def splash(team: str | None, tasks_dir: Path | None,
           out: TextIO | None = None) -> Iterator[None]:
    """Show the splash on ``out`` (standard output) while the body imports and starts
    Textual; give the terminal back if the body ends before Textual took it."""
    out = out or sys.stdout
    try:
        terminal = out.isatty()
    except ValueError:  # closed
        terminal = False
    if not terminal or os.name != "posix" or os.environ.get("TEXTUAL_DRIVER"):
        # Only the console's own driver (Linux and macOS terminals) says when it took over.
        yield  # nothing drawn, nothing to give back
        return
    columns, lines = shutil.get_terminal_size()  # as Textual's driver asks: $COLUMNS first
    files = task_files(tasks_dir) if tasks_dir is not None else None
    _state["handed"] = False
    out.write(frame(columns, lines, team, files))
    out.flush()
    try:
        yield
    finally:
        if not _state["handed"]:
            out.write(LEAVE)
            out.flush()
        _state["handed"] = False
