"""Reader and watcher figures: load, sweep, write-to-delta latency, reads per change, idle CPU.

Run ``python benchmarks/bench_reader.py`` (``--help`` for options). It writes
generated task lists (``taskboard.sim.sample.generate_large_list``) to a temporary
Claude home and measures, for each size:

- ``load``: the first full read of the list (``BoardReader.rescan`` on a fresh reader);
- ``rescan``: a full rescan with nothing changed (stat sweep + nothing to read);
- ``sweep``: ``changed_paths()`` alone, the part the console runs in a worker thread;
- ``write->delta``: from just before a writer thread rewrites one task file in
  place (open ``'w'``, write, close: the way Claude Code writes) to the moment
  the consumer holds the delta with the new content; samples at random
  intervals, through the console's path: the real watcher's batches applied by
  ``BoardReader.refresh`` on the loop, the periodic sweep in a worker thread;
- ``refresh``: time spent in ``reader.refresh`` on the loop per delta;
- ``reads/change``: files read per rewritten file during the latency run;
- ``idle CPU``: process CPU time over a quiet stretch with the feed running
  (the watcher plus the periodic sweeps; "of which watcher": without the sweeps),
  as a share of one core. inotify runs on the loop and costs nothing while
  nothing happens; the watchfiles fallback (``--watchfiles``) has a thread
  waking every ``STEP_MS``.

``--tune`` also measures latency and idle CPU for several inotify ``quiet``
values and watchfiles (the fallback) ``step`` values, and a write storm for
several ``debounce`` values at one size: the figures behind
:data:`taskboard.claude.watch.QUIET_MS`, :data:`taskboard.claude.watch.STEP_MS`
and :data:`taskboard.claude.watch.DEBOUNCE_MS`. ``--watchfiles`` measures the
fallback instead of inotify.
No textual here: what reaches the screen is measured by ``bench_screen.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from taskboard.board.model import dump_json
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import BoardReader
from taskboard.claude.watch import DEBOUNCE_MS, QUIET_MS, STEP_MS, TeamWatcher
from taskboard.sim.sample import generate_large_list


def timed(action: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``action`` in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def task_text(task_id: str, seq: int) -> str:
    return dump_json({"id": task_id, "subject": f"Task {task_id} (edit {seq})",
                      "description": "Rewritten by the benchmark.", "status": "in_progress",
                      "owner": "alpha", "blocks": [], "blockedBy": []})


def write_in_place(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


@dataclass
class LatencyRun:
    """What one write->delta run measured."""

    latencies: list[float] = field(default_factory=list)
    refreshes: list[float] = field(default_factory=list)
    deltas: int = 0
    reads: int = 0
    writes: int = 0
    missing: int = 0

    def ms(self, share: float) -> float:
        return percentile(self.latencies, share) * 1000 if self.latencies else float("nan")


RESCAN_INTERVAL = 3.0
"""The console's ``rescan_seconds``."""
SWEEP_BUDGET = 0.001
"""The console's ``SWEEP_BUDGET``."""


@dataclass(frozen=True)
class Timing:
    """How the watcher is asked to batch: which backend and its knobs."""

    inotify: bool = True
    quiet_ms: float = QUIET_MS
    step_ms: int = STEP_MS
    debounce_ms: int = DEBOUNCE_MS

    def watcher(self, reader: BoardReader) -> TeamWatcher:
        return TeamWatcher(reader.paths, step_ms=self.step_ms, debounce_ms=self.debounce_ms,
                           quiet_ms=self.quiet_ms, use_inotify=self.inotify)


DEFAULT = Timing()


class ConsolePath:
    """What the console runs without its screen: the watcher's batches applied with
    ``reader.refresh`` on the loop (each one timed), and the periodic stat sweep in a
    worker thread, stretched to its budget. ``async for delta in feed`` until ``stop``."""

    def __init__(self, reader: BoardReader, *, rescan_interval: float | None = RESCAN_INTERVAL,
                 timing: Timing = DEFAULT) -> None:
        self.reader = reader
        self.rescan_interval = rescan_interval
        self.watcher = timing.watcher(reader)
        self.refresh_times: list[float] = []
        self._queue: asyncio.Queue[set] = asyncio.Queue()

    def stop(self) -> None:
        self.watcher.stop()

    async def _pump(self) -> None:
        async for batch in self.watcher:
            self._queue.put_nowait(batch)
        self._queue.put_nowait(set())

    async def _sweeps(self) -> None:
        cost = 0.0
        while self.rescan_interval is not None and not self.watcher.stop_event.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.watcher.stop_event.wait(),
                                       max(self.rescan_interval, cost / SWEEP_BUDGET))
                return
            start = time.perf_counter()
            paths = await asyncio.to_thread(self.reader.changed_paths)
            cost = time.perf_counter() - start
            if paths:
                self._queue.put_nowait(paths)

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        tasks = [asyncio.create_task(self._pump()), asyncio.create_task(self._sweeps())]
        try:
            while True:
                batch = await self._queue.get()
                if not batch:
                    return
                start = time.perf_counter()
                delta = self.reader.refresh(batch)
                self.refresh_times.append(time.perf_counter() - start)
                if delta:
                    yield delta
        finally:
            self.stop()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def latency_run(paths: TeamPaths, *, samples: int, gap: tuple[float, float],
                      timing: Timing = DEFAULT, seed: int = 1) -> LatencyRun:
    """Rewrite ``samples`` random tasks from a thread at random gaps; time each to its delta."""
    reader = BoardReader(paths)
    reader.rescan()
    ids = sorted(reader.board.tasks, key=int)
    feed = ConsolePath(reader, timing=timing)
    written: dict[int, float] = {}
    seen: set[int] = set()
    run = LatencyRun()
    all_seen = asyncio.Event()

    async def consume() -> None:
        async for delta in feed:
            now = time.perf_counter()
            run.deltas += 1
            for task_id in delta.tasks:
                task = reader.board.tasks.get(task_id)
                if task is None or "(edit " not in task.subject:
                    continue
                seq = int(task.subject.rsplit("(edit ", 1)[1].rstrip(")"))
                # A later edit of the same task can land first; count each edit once.
                if seq in written and seq not in seen:
                    seen.add(seq)
                    run.latencies.append(now - written[seq])
            if len(seen) >= samples:
                all_seen.set()

    consumer = asyncio.create_task(consume())
    while not feed.watcher.ready.is_set():
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    reads_before = reader.reads
    rng = random.Random(seed)
    chosen = rng.sample(ids, min(samples, len(ids)))  # distinct tasks: one edit each

    def writer() -> None:
        for seq, task_id in enumerate(chosen):
            time.sleep(rng.uniform(*gap))
            text = task_text(task_id, seq)
            written[seq] = time.perf_counter()
            write_in_place(paths.task_path(task_id), text)

    thread = threading.Thread(target=writer)
    thread.start()
    await asyncio.to_thread(thread.join)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_seen.wait(), 10.0)
    run.writes = len(chosen)
    run.missing = len(chosen) - len(seen)
    run.reads = reader.reads - reads_before
    run.refreshes = list(feed.refresh_times)
    feed.stop()
    await consumer
    return run


async def idle_cpu(paths: TeamPaths, seconds: float, timing: Timing = DEFAULT,
                   rescan_interval: float | None = RESCAN_INTERVAL) -> float:
    """Share of one core used by the process while the feed watches a quiet team."""
    reader = BoardReader(paths)
    reader.rescan()
    feed = ConsolePath(reader, rescan_interval=rescan_interval, timing=timing)

    async def consume() -> None:
        async for _delta in feed:
            pass

    consumer = asyncio.create_task(consume())
    await asyncio.sleep(0.5)
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    share = (time.process_time() - cpu) / (time.perf_counter() - wall)
    feed.stop()
    await consumer
    return share


async def storm(paths: TeamPaths, *, timing: Timing, seconds: float = 2.0,
                every: float = 0.002) -> LatencyRun:
    """Writes every ``every`` seconds for ``seconds``: the debounce caps the latency."""
    count = int(seconds / every)
    return await latency_run(paths, samples=count, gap=(every, every), timing=timing)


async def burst(paths: TeamPaths, *, count: int, timing: Timing) -> tuple[int, float]:
    """``count`` back-to-back rewrites: how many deltas they became and when the last landed."""
    reader = BoardReader(paths)
    reader.rescan()
    ids = sorted(reader.board.tasks, key=int)[:count]
    feed = ConsolePath(reader, rescan_interval=None, timing=timing)
    pending = set(ids)
    deltas = 0
    done = asyncio.Event()

    async def consume() -> None:
        nonlocal deltas
        async for delta in feed:
            if delta.tasks & pending:
                deltas += 1
                pending.difference_update(delta.tasks)
                if not pending:
                    done.set()

    consumer = asyncio.create_task(consume())
    while not feed.watcher.ready.is_set():
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    start = time.perf_counter()
    for seq, task_id in enumerate(ids):
        write_in_place(paths.task_path(task_id), task_text(task_id, 10_000 + seq))
    await asyncio.wait_for(done.wait(), 10.0)
    last = time.perf_counter() - start
    feed.stop()
    await consumer
    return deltas, last


def row(*cells: object) -> str:
    return "  ".join(f"{c:>12}" if i else f"{c:<22}" for i, c in enumerate(cells))


def measure_size(home: Path, count: int, samples: int, idle_seconds: float,
                 timing: Timing = DEFAULT) -> list[str]:
    paths = generate_large_list(home, f"bench-{count}", count)
    fresh = BoardReader(paths)
    start = time.perf_counter()
    fresh.rescan()
    load = time.perf_counter() - start
    load_reads = fresh.reads
    rescan = timed(fresh.rescan, 10)
    sweep = timed(fresh.changed_paths, 10)
    before = fresh.reads
    write_in_place(paths.task_path("1"), task_text("1", 0))
    one = timed(lambda: fresh.refresh([paths.task_path("1")]), 1)
    refresh_reads = fresh.reads - before

    run = asyncio.run(latency_run(paths, samples=samples, gap=(0.02, 0.2), timing=timing))
    cpu = asyncio.run(idle_cpu(paths, idle_seconds, timing))
    watcher_cpu = asyncio.run(idle_cpu(paths, idle_seconds, timing, rescan_interval=None))
    sweep_every = max(RESCAN_INTERVAL, sweep / SWEEP_BUDGET)
    refresh_ms = statistics.median(run.refreshes) * 1000 if run.refreshes else float("nan")
    return [
        f"{count} tasks",
        row("load", f"{load * 1000:.0f} ms", f"{load_reads} reads"),
        row("rescan (no change)", f"{rescan * 1000:.1f} ms"),
        row("sweep (stat only)", f"{sweep * 1000:.1f} ms"),
        row("refresh 1 path", f"{one * 1000:.2f} ms", f"{refresh_reads} read"),
        row("write->delta", f"p50 {run.ms(0.5):.1f}", f"p95 {run.ms(0.95):.1f}",
            f"max {run.ms(1.0):.1f} ms", f"n={len(run.latencies)}/{run.writes}"),
        row("refresh per delta", f"{refresh_ms:.2f} ms", f"{run.deltas} deltas"),
        row("reads/change", f"{run.reads / max(1, run.writes):.2f}"),
        row("idle CPU", f"{cpu * 100:.2f} %", f"over {idle_seconds:.0f} s"),
        row("  of which watcher", f"{watcher_cpu * 100:.2f} %", "(no sweeps)"),
        row("  sweeps (steady)", f"{sweep / sweep_every * 100:.2f} %",
            f"every {sweep_every:.1f} s"),
    ]


def lone_writes(paths: TeamPaths, samples: int, idle_seconds: float, label: str,
                timing: Timing) -> str:
    run = asyncio.run(latency_run(paths, samples=samples, gap=(0.02, 0.2), timing=timing))
    cpu = asyncio.run(idle_cpu(paths, idle_seconds, timing, rescan_interval=None))
    return row(label, f"p50 {run.ms(0.5):.1f}", f"p95 {run.ms(0.95):.1f}",
               f"max {run.ms(1.0):.1f} ms", f"reads/change {run.reads / max(1, run.writes):.2f}",
               f"idle {cpu * 100:.2f} %")


def tune(home: Path, count: int, samples: int, idle_seconds: float) -> list[str]:
    paths = generate_large_list(home, f"tune-{count}", count)
    lines = [f"lone writes, {count} tasks (idle: the watcher alone, no sweeps)"]
    for quiet in (1.0, 3.0, 5.0, 10.0):
        lines.append(lone_writes(paths, samples, idle_seconds, f"inotify quiet {quiet:g} ms",
                                 Timing(quiet_ms=quiet)))
    for step in (5, 10, 20, 50):
        lines.append(lone_writes(paths, samples, idle_seconds, f"watchfiles step {step} ms",
                                 Timing(inotify=False, step_ms=step)))
    lines.append(f"debounce (storm: a write every 2 ms for 2 s; burst: 200 back-to-back "
                 f"writes; {count} tasks)")
    for inotify in (True, False):
        for debounce in (25, 50, 100, 200):
            timing = Timing(inotify=inotify, debounce_ms=debounce)
            run = asyncio.run(storm(paths, timing=timing))
            deltas, last = asyncio.run(burst(paths, count=200, timing=timing))
            name = "inotify" if inotify else "watchfiles"
            lines.append(row(f"{name} debounce {debounce}", f"p50 {run.ms(0.5):.1f}",
                             f"p95 {run.ms(0.95):.1f}", f"max {run.ms(1.0):.1f} ms",
                             f"{run.deltas} deltas", f"burst: {deltas} in {last * 1000:.0f} ms"))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--samples", type=int, default=100, help="writes per latency run")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle measurement")
    parser.add_argument("--watchfiles", action="store_true",
                        help="measure the watchfiles fallback instead of inotify")
    parser.add_argument("--tune", action="store_true",
                        help="also compare quiet, step and debounce values (at the first size)")
    args = parser.parse_args(argv)
    timing = Timing(inotify=not args.watchfiles)
    backend = timing.watcher(BoardReader(TeamPaths(Path("/nonexistent"), "x"))).backend
    print(f"{backend}: quiet {QUIET_MS:g} ms (inotify) / step {STEP_MS} ms (watchfiles), "
          f"debounce {DEBOUNCE_MS} ms, rescan every {RESCAN_INTERVAL} s")
    with tempfile.TemporaryDirectory(prefix="taskboard-bench-") as tmp:
        home = Path(tmp)
        for count in args.sizes:
            print("\n".join(measure_size(home, count, args.samples, args.idle, timing)))
        if args.tune:
            print("\n".join(tune(home, args.sizes[0], args.samples, min(args.idle, 3.0))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
