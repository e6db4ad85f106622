"""The console starts without importing its dialogs: each is imported when it opens (the
dialogs' modules and the Textual widgets they use cost ~35 ms of a cold start). Checked in a
fresh interpreter, through a real console run headless on the sample team until loaded and
drawn, then with each dialog opened."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DIALOGS = ("assign", "blockers", "confirm", "conflict", "history", "message", "messages",
           "picker", "problems", "task_form")

SCENARIO = """
import asyncio, json, sys
from pathlib import Path
from taskboard.clock import FrozenClock
from taskboard.sim.sample import SAMPLE_NOW, write_sample_team
from taskboard.ui.app import TaskboardApp

home = Path(sys.argv[1])
write_sample_team(home)
PREFIX = "taskboard.ui.screens."


def dialogs():
    return sorted(m[len(PREFIX):] for m in sys.modules if m.startswith(PREFIX))


async def main():
    app = TaskboardApp(home, "parser-team", clock=FrozenClock(SAMPLE_NOW), watch=False)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(500):
            if getattr(app.screen, "loaded", False):
                break
            await pilot.pause(0.02)
        await pilot.pause()
        report = {"loaded": app.screen.loaded, "started": dialogs()}
        await pilot.press("!")  # the problems dialog
        for _ in range(500):
            if type(app.screen).__name__ == "ProblemsScreen":
                break
            await pilot.pause(0.02)
        report["opened"] = type(app.screen).__name__
        report["after"] = dialogs()
    print(json.dumps(report))

asyncio.run(main())
"""


def test_the_console_starts_without_its_dialogs_and_imports_one_when_it_opens(
        tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCENARIO, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, check=False,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"]
    assert "console" in report["started"]
    assert not set(DIALOGS) & set(report["started"]), report["started"]
    assert report["opened"] == "ProblemsScreen"
    assert "problems" in report["after"]
