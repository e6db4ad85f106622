"""Review figures: opening a recorded session and stepping through it.

    python benchmarks/bench_review.py [--tasks 10000] [--events 100000] [--steps 200]
                                      [--json FILE]

A synthetic session (:func:`taskboard.sim.session.synthetic_session`: tasks created in
waves with links, claimed, worked, completed, messages, operator writes, Claude Code's
clear-up at the end) is recorded into a real journal (SQLite, in a temporary data dir).
Then, measured:

- ``open``: from nothing to the review screen drawn (Textual's ``run_test``, headless):
  the events read from the journal, indexed, the board replayed to where review opens,
  analysed, and the console's widgets drawn; with its parts (``load``, ``index``,
  ``seek``, ``analysis``) measured again outside the UI;
- ``step``: one event back or forward (``,`` / ``.``) at random places, from the key to
  the widgets updated (``ReviewScreen.go``: replay, analysis, outline, agents, detail,
  timeline), then until the screen has refreshed; split by whether the event moved a
  link (a task created or removed, or its blockers changed: the whole analysis and
  outline are rebuilt) or not (a status, owner or text change: incremental);
- ``replay step``: the same single steps without the UI (``Replay.seek`` and the
  board's analysis);
- ``jump``: to a random moment (checkpoint, then at most 1,000 events, then the diff).

Prints figures (and writes them as JSON with ``--json``); asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from taskboard.clock import FrozenClock
from taskboard.journal import events as ev
from taskboard.journal.store import Journal
from taskboard.journal.timetravel import Replay, no_gc
from taskboard.sim.session import synthetic_session

STRUCTURAL = (ev.TASK_CREATED, ev.TASK_REMOVED)


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))] \
        if ordered else 0.0


def figures(values: list[float]) -> dict[str, float]:
    """Milliseconds: median, 95th percentile, worst, count."""
    return {"median_ms": round(statistics.median(values) * 1000, 2) if values else 0.0,
            "p95_ms": round(pct(values, 0.95) * 1000, 2),
            "max_ms": round(max(values, default=0.0) * 1000, 2), "n": len(values)}


def structural(replay: Replay, index: int) -> bool:
    event = replay.events[index]
    return event.kind in STRUCTURAL or (event.kind == ev.TASK_CHANGED and any(
        key in (event.after or {}) or key in (event.before or {})
        for key in ("blocks", "blockedBy")))


def record(data: Path, tasks: int, events: int) -> tuple[str, int, float, float]:
    started = time.perf_counter()
    made = synthetic_session(tasks, events, team="bench")
    generated = time.perf_counter() - started
    started = time.perf_counter()
    with Journal.open(data) as journal:
        sid = journal.session_for("bench", now=made[0].time)
        journal.record(e.with_session(sid) for e in made)
    return sid, len(made), generated, time.perf_counter() - started


def parts(data: Path, sid: str) -> dict[str, float]:
    """The open path outside the UI, part by part: wall and CPU seconds (the CPU time of
    this process, which a busy machine inflates less than the wall time)."""
    out: dict[str, float] = {}

    def timed(name: str, action):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        out[f"{name}_s"] = time.perf_counter() - wall
        out[f"{name}_cpu_s"] = time.process_time() - cpu
        return result

    with Journal.open(data) as journal:
        def load():
            with no_gc():
                return journal.events(sid)

        events = timed("load", load)
    replay = timed("index", lambda: Replay(events, name="bench"))
    timed("seek", lambda: replay.seek(replay.default_cursor()))

    def analysis():
        with no_gc():  # as the review screen does
            return replay.board.analysis

    timed("analysis", analysis)
    return {k: round(v, 3) for k, v in out.items()}


def replay_steps(data: Path, sid: str, steps: int) -> dict[str, dict[str, float]]:
    with Journal.open(data) as journal:
        replay = Replay(journal.events(sid), name="bench")
    rng = random.Random(3)
    plain: list[float] = []
    links: list[float] = []
    jumps: list[float] = []
    for _ in range(steps):
        at = rng.randrange(1, len(replay))
        replay.seek(at)
        _ = replay.board.analysis
        target = at + rng.choice((-1, 1))
        index = min(at, target)
        started = time.perf_counter()
        replay.seek(target)
        _ = replay.board.analysis
        (links if structural(replay, index) else plain).append(time.perf_counter() - started)
    for _ in range(max(steps // 4, 10)):
        target = rng.randrange(len(replay) + 1)
        started = time.perf_counter()
        replay.seek(target)
        _ = replay.board.analysis
        jumps.append(time.perf_counter() - started)
    return {"step_plain": figures(plain), "step_links": figures(links),
            "jump": figures(jumps)}


async def ui(home: Path, data: Path, sid: str, steps: int) -> dict[str, object]:
    from taskboard.ui.review_app import ReviewApp
    from taskboard.ui.screens.review import ReviewScreen

    journal = Journal.open(data)
    started, cpu = time.perf_counter(), time.process_time()
    app = ReviewApp(home, journal, sid, clock=FrozenClock(2e9))
    out: dict[str, object] = {}
    async with app.run_test(size=(160, 48)) as pilot:
        while not (isinstance(app.screen, ReviewScreen) and app.screen.loaded):
            await asyncio.sleep(0.005)
        await pilot.pause()
        out["open_s"] = round(time.perf_counter() - started, 3)
        out["open_cpu_s"] = round(time.process_time() - cpu, 3)
        screen = app.screen
        replay = screen.replay
        rng = random.Random(5)
        plain: list[float] = []
        links: list[float] = []
        drawn: list[float] = []
        for _ in range(steps):
            # Somewhere in the session, then one step from there.
            screen.go(rng.randrange(1, len(replay)))
            await pilot.pause()
            key = rng.choice(("comma", "full_stop"))
            index = replay.cursor - 1 if key == "comma" else replay.cursor
            started = time.perf_counter()
            screen.go(replay.cursor + (-1 if key == "comma" else 1))
            applied = time.perf_counter() - started
            await pilot.pause()
            drawn.append(time.perf_counter() - started)
            (links if structural(replay, index) else plain).append(applied)
        out["step_plain"] = figures(plain)
        out["step_links"] = figures(links)
        out["step_to_screen"] = figures(drawn)
    journal.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        sid, count, generated, recorded = record(base / "data", args.tasks, args.events)
        result: dict[str, object] = {"tasks": args.tasks, "events": count,
                                     "generate_s": round(generated, 3),
                                     "record_s": round(recorded, 3)}
        result["open_parts"] = parts(base / "data", sid)
        result["replay"] = replay_steps(base / "data", sid, args.steps)
        result["ui"] = asyncio.run(ui(base / "claude", base / "data", sid, args.steps // 2))
    print(f"session: {args.tasks:,} tasks, {count:,} events "
          f"(recorded into SQLite in {result['record_s']} s)")
    ui_figures = result["ui"]
    assert isinstance(ui_figures, dict)
    print(f"open review (journal -> screen drawn): {ui_figures['open_s']} s wall, "
          f"{ui_figures['open_cpu_s']} s CPU")
    print(f"  parts outside the UI: {result['open_parts']}")
    for name, values in (("replay", result["replay"]), ("ui", ui_figures)):
        assert isinstance(values, dict)
        for key, value in values.items():
            if isinstance(value, dict):
                print(f"{name} {key}: median {value['median_ms']} ms, p95 {value['p95_ms']} ms, "
                      f"max {value['max_ms']} ms (n={value['n']})")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
