"""Regenerate the SVG screenshots the README shows, from the fixture team.

    python scripts/screenshots.py

Deterministic: a frozen clock, the watcher off, UTC, fixed terminal sizes.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from taskboard.clock import FrozenClock
from taskboard.sim.sample import SAMPLE_NOW, write_problem_team, write_sample_team
from taskboard.ui.app import TaskboardApp
from taskboard.ui.widgets.outline import DependencyOutline

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SHOTS = [
    # (file name, team, size, keys to press, task to select)
    ("console.svg", "parser-team", (120, 36), (), "5"),
    ("console-narrow.svg", "parser-team", (80, 24), (), "3"),
    ("problems.svg", "broken-team", (120, 36), ("exclamation_mark",), None),
]


async def shoot(home: Path, name: str, team: str, size: tuple[int, int],
                keys: tuple[str, ...], task: str | None) -> None:
    app = TaskboardApp(home, team, clock=FrozenClock(SAMPLE_NOW), watch=False)
    async with app.run_test(size=size) as pilot:
        deadline = time.monotonic() + 10
        while not getattr(app.screen, "loaded", False):
            if time.monotonic() > deadline:
                raise SystemExit(f"{name}: the console did not load")
            await pilot.pause(0.02)
        if task is not None:
            app.screen.query_one(DependencyOutline).select_task(task)
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.2)
        app.save_screenshot(filename=name, path=str(OUT))
    print(f"wrote {OUT / name}")


def main() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "claude"
        write_sample_team(home)
        write_problem_team(home)
        for shot in SHOTS:
            asyncio.run(shoot(home, *shot))


if __name__ == "__main__":
    main()
