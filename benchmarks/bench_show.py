"""``taskboard show --json`` against a plain-Python read-and-parse floor, in the same run.

    python benchmarks/bench_show.py [--sizes 100 1000 10000] [--runs 5] [--out bench_show.json]

For each size: a generated home (``homes.make_home``), then, interleaved, ``--runs``
runs of ``taskboard --claude-dir HOME show bench --json`` and of the floor: a
``python -c`` that lists the task directory, reads and ``json.loads`` every task
file, and prints them as one JSON list. Both are whole processes (interpreter start
included) writing to a pipe that is read to the end. Prints the medians, the
ratio, peak RSS of each, and writes a JSON file. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from homes import make_home  # noqa: E402

FLOOR = """
import json, os, sys
d = sys.argv[1]
tasks = []
with os.scandir(d) as entries:
    for e in entries:
        if e.name.endswith(".json") and e.name[:-5].isdigit():
            with open(e.path, "rb") as f:
                tasks.append(json.loads(f.read()))
sys.stdout.write(json.dumps(tasks))
"""

ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str]) -> tuple[float, int, float]:
    """Wall seconds, bytes written to stdout, and the child's peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV,
                          check=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, len(done.stdout), max(peak, before) / 1024


def run_size(count: int, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="taskboard-bench-") as tmp:
        home = make_home(Path(tmp), count)
        show = [sys.executable, "-m", "taskboard", "--claude-dir", str(home.root), "--data-dir",
                str(Path(tmp) / "data"), "show", home.team, "--json"]
        floor = [sys.executable, "-c", FLOOR, str(home.tasks_dir)]
        timed(show)  # warm-up: bytecode, page cache
        timed(floor)
        ours: list[float] = []
        base: list[float] = []
        out_bytes = floor_bytes = 0
        for _ in range(runs):
            wall, out_bytes, _ = timed(show)
            ours.append(wall)
            wall, floor_bytes, _ = timed(floor)
            base.append(wall)
        show_s, floor_s = statistics.median(ours), statistics.median(base)
        return {"tasks": count, "show_json_s": show_s, "floor_s": floor_s,
                "ratio": show_s / floor_s, "show_bytes": out_bytes,
                "floor_bytes": floor_bytes, "runs": runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default="bench_show.json")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    results = [run_size(count, args.runs) for count in args.sizes]
    print(f"load {load:.2f} before, {os.getloadavg()[0]:.2f} after; medians of {args.runs}")
    print(f"{'tasks':>8} {'show --json':>12} {'floor':>8} {'ratio':>6}")
    for r in results:
        print(f"{r['tasks']:>8,} {r['show_json_s']:>11.2f}s {r['floor_s']:>7.2f}s "
              f"{r['ratio']:>5.1f}x")
    Path(args.out).write_text(json.dumps({"load": load, "results": results}, indent=2))
    print(f"figures written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
