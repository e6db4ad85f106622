"""``taskboard record``: CPU per event, idle CPU, a storm and RSS, at 100, 1,000 and 10,000 tasks.

    python benchmarks/bench_record.py [--sizes 100 1000 10000] [--changes 100]
                                      [--idle 30] [--storm 20] [--out bench_record.json]

For each size: a generated home (``homes.make_home``), then ``taskboard --claude-dir
HOME --data-dir DATA record bench`` as a child process, and:

- start: process start until it prints ``ready``; RSS then;
- CPU per event: ``--changes`` in-place rewrites of task files (status and owner
  changes, 0.3-1.5 s apart), the process's utime+stime over them divided by their
  count (raw, and net of the idle rate), and the events the journal gained per
  change (``taskboard history bench --json``, read while the recorder runs);
- idle CPU over ``--idle`` seconds;
- a storm: 4 writer threads, 200 in-place writes a second in all for ``--storm``
  seconds: CPU share during it, RSS before and after;
- peak RSS (VmHWM).

Prints a table and writes a JSON file. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from homes import AGENTS, Home, make_home  # noqa: E402
from terminal import cpu_seconds  # noqa: E402

ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def status_kb(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def start(home: Home, data: Path) -> tuple[subprocess.Popen[str], float]:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "taskboard", "--claude-dir", str(home.root),
                             "--data-dir", str(data), "record", home.team],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("ready"):
            return proc, time.perf_counter() - started
    raise RuntimeError("the recorder stopped before it was ready")


def events_recorded(home: Home, data: Path) -> int | None:
    done = subprocess.run([sys.executable, "-m", "taskboard", "--claude-dir", str(home.root),
                           "--data-dir", str(data), "history", home.team, "--json"],
                          capture_output=True, text=True, env=ENV)
    try:
        doc = json.loads(done.stdout)
    except json.JSONDecodeError:
        return None
    events = doc.get("events") if isinstance(doc, dict) else doc
    return len(events) if isinstance(events, list) else None


def run_size(count: int, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(count)
    with tempfile.TemporaryDirectory(prefix="taskboard-bench-") as tmp:
        home = make_home(Path(tmp) / "claude", count)
        data = Path(tmp) / "data"
        proc, ready_s = start(home, data)
        pid = proc.pid
        try:
            time.sleep(2.0)
            result: dict[str, Any] = {"tasks": count, "ready_s": ready_s,
                                      "rss_ready_mb": status_kb(pid, "VmRSS") / 1024}
            before_events = events_recorded(home, data) or 0
            ids = [t for t in home.tasks if home.tasks[t]["status"] == "pending"]
            cpu0, wall0 = cpu_seconds(pid), time.perf_counter()
            for seq in range(args.changes):
                time.sleep(rng.uniform(0.3, 1.5))
                task_id = ids[seq % len(ids)]
                if seq // len(ids) % 2 == 0:
                    home.rewrite(task_id, status="in_progress", owner=AGENTS[seq % len(AGENTS)])
                else:
                    home.rewrite(task_id, status="pending")
            time.sleep(1.0)
            cpu, wall = cpu_seconds(pid) - cpu0, time.perf_counter() - wall0
            after_changes = events_recorded(home, data)
            result["events_per_change"] = None if after_changes is None else \
                (after_changes - before_events) / args.changes
            cpu1, wall1 = cpu_seconds(pid), time.perf_counter()
            time.sleep(args.idle)
            idle = (cpu_seconds(pid) - cpu1) / (time.perf_counter() - wall1)
            result.update({
                "changes": args.changes, "cpu_ms_per_change": cpu / args.changes * 1000,
                "net_cpu_ms_per_change": (cpu - idle * wall) / args.changes * 1000,
                "idle_cpu_pct": idle * 100, "idle_seconds": args.idle})
            if args.storm:
                rss_before = status_kb(pid, "VmRSS")
                stop_at = time.perf_counter() + args.storm
                written = [0] * 4

                def writer(index: int) -> None:
                    local = random.Random(index)
                    mine = list(home.tasks)[index::4]
                    next_at = time.perf_counter()
                    while next_at < stop_at:
                        delay = next_at - time.perf_counter()
                        if delay > 0:
                            time.sleep(delay)
                        task_id = local.choice(mine)
                        home.rewrite(task_id, subject=f"Task {task_id}: storm {written[index]}")
                        written[index] += 1
                        next_at += 1 / 50

                threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
                cpu0, wall0 = cpu_seconds(pid), time.perf_counter()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                storm_cpu = (cpu_seconds(pid) - cpu0) / (time.perf_counter() - wall0)
                time.sleep(2.0)
                result["storm"] = {"writes": sum(written), "cpu_pct": storm_cpu * 100,
                                   "rss_before_mb": rss_before / 1024,
                                   "rss_after_mb": status_kb(pid, "VmRSS") / 1024}
            result["peak_rss_mb"] = status_kb(pid, "VmHWM") / 1024
        finally:
            proc.terminate()
            proc.wait(30)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--idle", type=float, default=30.0)
    parser.add_argument("--storm", type=float, default=20.0)
    parser.add_argument("--out", default="bench_record.json")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    results = [run_size(count, args) for count in args.sizes]
    print(f"load {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"{'tasks':>8} {'ready':>7} {'CPU/change (net)':>18} {'ev/chg':>7} {'idle CPU':>9} "
          f"{'storm CPU':>10} {'RSS ready/storm/peak':>22}")
    for r in results:
        storm = r.get("storm", {})
        print(f"{r['tasks']:>8,} {r['ready_s']:>6.2f}s "
              f"{r['cpu_ms_per_change']:>8.1f} ({r['net_cpu_ms_per_change']:>5.1f}) ms "
              f"{r['events_per_change'] if r['events_per_change'] is not None else '-':>7} "
              f"{r['idle_cpu_pct']:>8.2f}% {storm.get('cpu_pct', float('nan')):>9.1f}% "
              f"{r['rss_ready_mb']:>7.0f}/{storm.get('rss_after_mb', float('nan')):.0f}/"
              f"{r['peak_rss_mb']:.0f} MB")
    Path(args.out).write_text(json.dumps({"load": load, "args": vars(args),
                                          "results": results}, indent=2))
    print(f"figures written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
