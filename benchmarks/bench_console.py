"""Write-to-screen latency and start-up time of the console, at 1,000 and 10,000 tasks.

    python benchmarks/bench_console.py [--sizes 1000 10000] [--samples 60]

For each size: generate a list, open the console headless (Textual's run_test, the
real watcher on), then rewrite task files in place the way Claude Code does
(truncate, then write) at random moments and time how long until the outline row
shows the change and the screen has refreshed. Also: console ready time (start
until the board is drawn), files read per change, and idle CPU over a few seconds.
Prints figures; asserts nothing.
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

from taskboard.sim.sample import generate_large_list
from taskboard.ui.app import TaskboardApp
from taskboard.ui.widgets.outline import DependencyOutline


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(q * (len(ordered) - 1))), len(ordered) - 1)]


async def measure(size: int, samples: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "claude"
        paths = generate_large_list(home, "bench", size, seed=1)
        started = time.perf_counter()
        app = TaskboardApp(home, "bench")
        async with app.run_test(size=(120, 36)) as pilot:
            while not getattr(app.screen, "loaded", False) or app.screen.updates < 1:
                await asyncio.sleep(0.002)
            await pilot.pause()
            ready = time.perf_counter() - started
            screen = app.screen
            outline = screen.query_one(DependencyOutline)
            await asyncio.sleep(0.5)  # let the watcher settle before timing
            rng = random.Random(7)
            latencies: list[float] = []
            reads_before = screen.reader.reads
            ids = list(screen.board.tasks)
            for n in range(samples):
                task_id = rng.choice(ids)
                path = paths.task_path(task_id)
                obj = json.loads(path.read_text())
                obj["subject"] = f"benchmark edit {n}"
                t0 = time.perf_counter()
                with open(path, "w") as handle:  # in place, like Claude Code
                    handle.write(json.dumps(obj, indent=2))
                while f"benchmark edit {n}" not in (outline.row_text(task_id) or ""):
                    await asyncio.sleep(0.001)
                # The row holds the change; wait for the screen refresh that paints it.
                painted = asyncio.get_running_loop().create_future()
                app.call_after_refresh(lambda f=painted: f.done() or f.set_result(None))
                await painted
                latencies.append((time.perf_counter() - t0) * 1000)
                await asyncio.sleep(rng.uniform(0.05, 0.25))
            reads = (screen.reader.reads - reads_before) / samples
            cpu0 = time.process_time()
            await asyncio.sleep(5.0)
            idle_cpu = (time.process_time() - cpu0) / 5.0 * 100
    return {
        "tasks": size,
        "ready_s": ready,
        "p50_ms": statistics.median(latencies),
        "p95_ms": _pct(latencies, 0.95),
        "max_ms": max(latencies),
        "reads_per_change": reads,
        "idle_cpu_pct": idle_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    print(f"{'tasks':>7} {'ready':>8} {'p50':>8} {'p95':>8} {'max':>8} {'reads/chg':>10} "
          f"{'idle CPU':>9}")
    for size in args.sizes:
        r = asyncio.run(measure(size, args.samples))
        print(f"{r['tasks']:>7} {r['ready_s']:>7.2f}s {r['p50_ms']:>6.1f}ms {r['p95_ms']:>6.1f}ms "
              f"{r['max_ms']:>6.1f}ms {r['reads_per_change']:>10.2f} {r['idle_cpu_pct']:>8.1f}%")


if __name__ == "__main__":
    main()
