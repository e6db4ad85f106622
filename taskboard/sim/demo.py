"""``taskboard demo``: the console on a simulated team in a throw-away Claude home.

The simulation runs in a daemon thread and writes through the real store, so the
console watches (and may act on) files that change under it exactly as they do
with Claude Code. The temporary home is removed on the way out, whatever happens.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from taskboard.claude.paths import TeamPaths
from taskboard.sim.simulator import Simulation

DEMO_TEAM = "demo-team"
JOIN_TIMEOUT = 5.0


def start_simulation(home: Path, speed: float = 1.0, seed: int | None = None, *,
                     team: str = DEMO_TEAM) -> tuple[Simulation, threading.Event, threading.Thread]:
    """Set up a simulated team under ``home`` and start it in a daemon thread.

    Returns the simulation, the event that stops it, and the thread to join;
    used by the demo and by the benchmarks (headless).
    """
    sim = Simulation(TeamPaths(Path(home), team), speed=speed, seed=seed)
    sim.setup()
    stop = threading.Event()
    thread = threading.Thread(target=sim.run, args=(stop,), name="taskboard-sim", daemon=True)
    thread.start()
    return sim, stop, thread


def stop_simulation(stop: threading.Event, thread: threading.Thread,
                    timeout: float = JOIN_TIMEOUT) -> None:
    """Ask the simulation to stop and wait for its current step to end."""
    stop.set()
    thread.join(timeout)


def run_demo(args: argparse.Namespace) -> int:
    """Open the console on a simulated team; ``args`` has speed, seed, read_only, config."""
    speed = getattr(args, "speed", None)
    speed = 1.0 if speed is None else speed
    if not speed > 0:
        print("taskboard: --speed must be positive", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="taskboard-demo-"))
    running: tuple[threading.Event, threading.Thread] | None = None
    try:
        _, stop, thread = start_simulation(home, speed, getattr(args, "seed", None))
        running = (stop, thread)
        from taskboard.claude.paths import resolve
        from taskboard.journal.store import data_dir
        from taskboard.ui.splash import splash

        with splash(DEMO_TEAM, resolve(home, DEMO_TEAM).tasks_dir):
            from taskboard.ui.app import run_app

            return run_app(home=home, team=DEMO_TEAM,
                           read_only=bool(getattr(args, "read_only", False)),
                           config_path=getattr(args, "config", None),
                           state_dir=data_dir(getattr(args, "data_dir", None)),
                           journal_dir=data_dir(getattr(args, "data_dir", None)))
    except KeyboardInterrupt:
        return 130
    finally:
        if running is not None:
            stop_simulation(*running)
        shutil.rmtree(home, ignore_errors=True)
        print(f"taskboard demo: removed the demo home {home}", file=sys.stderr)


__all__ = ["DEMO_TEAM", "run_demo", "start_simulation", "stop_simulation"]
