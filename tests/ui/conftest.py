"""Shared set-up for the console tests: a sample Claude home, a frozen clock, a UTC zone."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from taskboard.clock import FrozenClock
from taskboard.sim.sample import SAMPLE_NOW, write_problem_team, write_sample_team
from taskboard.ui.app import TaskboardApp

os.environ["TZ"] = "UTC"
time.tzset()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A Claude home with the sample team and the broken team in it."""
    claude = tmp_path / "claude"
    write_sample_team(claude)
    write_problem_team(claude)
    return claude


def make_app(home: Path, team: str | None = "parser-team", *, watch: bool = False,
             **kwargs) -> TaskboardApp:
    """The console with a frozen clock; the watcher off unless a test needs it."""
    return TaskboardApp(home, team, clock=FrozenClock(SAMPLE_NOW), watch=watch, **kwargs)


async def wait_for(pilot, predicate: Callable[[], bool], timeout: float = 10.0,
                   what: str = "condition") -> None:
    """Let the app run until ``predicate()`` holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def loaded(pilot) -> None:
    """Wait until the console has read the team."""
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "loaded", False), what="load")
    await pilot.pause()
