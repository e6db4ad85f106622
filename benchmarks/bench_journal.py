"""The journal: recording cost per event, journal size per 1,000 events, and the events per
second ``taskboard record`` sustains.

    python benchmarks/bench_journal.py [--steps 400] [--storm 10] [--idle 20]

- Cost per event, in process: the demo simulation (the real store, the real reader) runs
  ``--steps`` steps; after each, ``BoardReader.rescan`` + ``TeamRecorder.observe`` (derive
  + one SQLite transaction). Times the derive and the write separately, per event.
- ``Journal.record`` alone: 5,000 events one transaction each, then in batches of 100.
- Size per 1,000 events: the simulation's journal (a realistic mix of task changes,
  messages, members) after a WAL checkpoint.
- ``taskboard record`` as a child process: idle CPU over ``--idle`` s on a home with 20
  teams, then a storm of distinct task changes for ``--storm`` s (writers as fast as
  they go): events recorded per second, and whether it kept up (lag at the end).

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from terminal import cpu_seconds  # noqa: E402

from taskboard.claude.paths import TeamPaths  # noqa: E402
from taskboard.claude.reader import BoardReader  # noqa: E402
from taskboard.clock import FrozenClock  # noqa: E402
from taskboard.journal import events as ev  # noqa: E402
from taskboard.journal.events import Event  # noqa: E402
from taskboard.journal.recorder import TeamRecorder  # noqa: E402
from taskboard.journal.store import Journal  # noqa: E402
from taskboard.sim.simulator import Simulation  # noqa: E402


def simulated(tmp: Path, steps: int) -> dict[str, float]:
    home, data = tmp / "claude", tmp / "data"
    clock = FrozenClock(1_763_719_200.0)
    paths = TeamPaths(home, "bench")
    sim = Simulation(paths, speed=4.0, seed=7, clock=clock)
    sim.setup()
    derive_s = write_s = 0.0
    events = 0
    with Journal.open(data) as journal:
        recorder = TeamRecorder(journal, "bench", clock=clock)
        reader = BoardReader(paths)
        for _ in range(steps):
            delta = reader.rescan()
            t0 = time.perf_counter()
            derived = recorder.derive(reader.board, delta)
            t1 = time.perf_counter()
            events += recorder.write(derived)
            t2 = time.perf_counter()
            derive_s += t1 - t0
            write_s += t2 - t1
            sim.step()
            clock.advance(1.0)
        journal.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = (data / "journal.db").stat().st_size
    return {"events": events, "derive_us": derive_s / events * 1e6,
            "write_us": write_s / events * 1e6, "kb_per_1000": size / 1024 / events * 1000}


def raw_record(tmp: Path, count: int = 5000) -> dict[str, float]:
    body = {"id": "1", "subject": "Implement the header parser", "description": "x" * 200,
            "status": "in_progress", "owner": "parser", "blocks": ["4", "5"],
            "blockedBy": ["1"]}
    out = {}
    for batch in (1, 100):
        with Journal.open(tmp / f"raw{batch}") as journal:
            sid = journal.session_for("bench", now=0.0)
            made = [Event(time=float(i), team="bench", kind=ev.TASK_CHANGED, session=sid,
                          task=str(i % 500), before={"status": "pending"}, after=body,
                          key=str(i)) for i in range(count)]
            t0 = time.perf_counter()
            for start in range(0, count, batch):
                journal.record(made[start:start + batch])
            out[f"batch{batch}_us"] = (time.perf_counter() - t0) / count * 1e6
            journal.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            out["kb_per_1000"] = (tmp / f"raw{batch}" / "journal.db").stat().st_size / 1024 \
                / count * 1000
    return out


def recorder_process(tmp: Path, idle: float, storm: float) -> dict[str, float]:
    home, data = tmp / "rec-claude", tmp / "rec-data"
    for n in range(20):
        list_dir = home / "tasks" / f"team-{n}"
        list_dir.mkdir(parents=True)
        for tid in range(1, 51):
            (list_dir / f"{tid}.json").write_text(json.dumps(
                {"id": str(tid), "subject": f"Task {tid}", "description": "",
                 "status": "pending", "blocks": [], "blockedBy": []}, indent=2))
    env = dict(os.environ, CLAUDE_CONFIG_DIR=str(home))
    proc = subprocess.Popen([sys.executable, "-m", "taskboard", "record", "--data-dir",
                             str(data)], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("ready:"):
            break
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    result: dict[str, float] = {}
    c0, w0 = cpu_seconds(proc.pid), time.perf_counter()
    time.sleep(idle)
    result["idle_cpu_pct"] = (cpu_seconds(proc.pid) - c0) / (time.perf_counter() - w0) * 100

    def count() -> int:
        with Journal.open(data) as journal:
            return int(journal.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    before = count()
    written = [0, 0]
    stop_at = time.perf_counter() + storm

    def writer(index: int) -> None:
        n = 0
        while time.perf_counter() < stop_at:
            n += 1
            path = home / "tasks" / f"team-{index}" / f"{n % 50 + 1}.json"
            path.write_text(json.dumps({"id": str(n % 50 + 1), "subject": f"v{n}",
                                        "description": "", "status": "pending",
                                        "blocks": [], "blockedBy": []}, indent=2))
            written[index] += 1
            time.sleep(0.001)
    c0, w0 = cpu_seconds(proc.pid), time.perf_counter()
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - w0
    cpu = cpu_seconds(proc.pid) - c0
    at_end = count() - before
    time.sleep(2.0)  # let it finish what is queued
    settled = count() - before
    proc.terminate()
    proc.wait(timeout=30)
    result.update({"writes": sum(written), "writes_per_s": sum(written) / wall,
                   "events_per_s": at_end / wall, "events_after_settle": settled,
                   "storm_cpu_pct": cpu / wall * 100})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--storm", type=float, default=10.0)
    parser.add_argument("--idle", type=float, default=20.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        sim = simulated(Path(tmp), args.steps)
        print(f"simulated team, {args.steps} steps: {sim['events']} events; per event "
              f"derive {sim['derive_us']:.0f} us + write {sim['write_us']:.0f} us; "
              f"journal {sim['kb_per_1000']:.0f} KB per 1,000 events")
        raw = raw_record(Path(tmp))
        print(f"Journal.record alone: {raw['batch1_us']:.0f} us/event one commit each, "
              f"{raw['batch100_us']:.0f} us/event in batches of 100; "
              f"{raw['kb_per_1000']:.0f} KB per 1,000 task changes (full task JSON each)")
        rec = recorder_process(Path(tmp), args.idle, args.storm)
        print(f"taskboard record, 20 lists x 50 tasks: idle CPU {rec['idle_cpu_pct']:.2f} % "
              f"of a core; storm {rec['writes_per_s']:.0f} writes/s -> "
              f"{rec['events_per_s']:.0f} events/s recorded during it "
              f"({rec['events_after_settle']} after 2 s settle of {rec['writes']} writes), "
              f"CPU {rec['storm_cpu_pct']:.0f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
