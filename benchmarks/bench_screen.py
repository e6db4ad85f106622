"""What a user sees: the console under a real pseudo-terminal, at 100, 1,000 and 10,000 tasks.

    python benchmarks/bench_screen.py [--sizes 100 1000 10000] [--changes 100]
                                      [--idle 30] [--storm 20] [--out bench_screen.json]

For each size it generates a home (``homes.make_home``: layered links, 8 running
tasks, a team of 8 plus its lead, inboxes), runs ``taskboard --claude-dir HOME
bench`` on a 160x50 pty, reads everything the program writes to the terminal as
it is written, and measures:

- cold start (after one warm-up start, median of ``--starts``): process start to
  the first frame (the splash, written before Textual is imported), to Textual's first
  frame (the panes' borders), to the first frame that holds tasks, and to the complete
  board (the status counts of the whole list);
- write -> screen: a task file is rewritten in place (truncate + write, as Claude
  Code does) with a unique marker, and the time runs until the marker is in the
  bytes sent to the terminal. Cases: an outline row on screen, a running task in
  its agent panel (the outline row of that task is off-screen), the status counts
  (a task off-screen completed and reopened: the marker is the new count), and a
  task off-screen (nothing of it can show: the bytes and rows painted are
  counted). Changes are 0.3-1.5 s apart (uniform); p50/p95/p99/max and misses
  (not on screen within 2 s);
- CPU per change: the process's utime+stime over a case divided by its changes
  (raw, and net of the idle rate); files opened per change (``strace`` on the
  process during 20 extra row changes; skipped without strace);
- idle CPU over ``--idle`` seconds; peak RSS (VmHWM);
- a storm: 4 writer threads, 200 in-place writes a second in all for ``--storm``
  seconds, while a probe times an on-screen row every ~0.3 s; then the time
  from the last write until the final state is on screen, and RSS before/after.

Prints a table and writes every figure to a JSON file. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from homes import Home, make_home  # noqa: E402
from terminal import Terminal  # noqa: E402

from taskboard.board.model import State  # noqa: E402
from taskboard.board.outline import build_outline, walk  # noqa: E402
from taskboard.claude.paths import TeamPaths  # noqa: E402
from taskboard.claude.reader import load_board  # noqa: E402

COLUMNS, LINES = 160, 50
VISIBLE_ROWS = 26
"""Outline rows certainly on screen at 160x50 (the pane holds ~30)."""
TIMEOUT = 2.0
LOADING = "Loading\u2026".encode()
DONE = "\u2713"


def pct(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def summary(latencies: list[float]) -> dict[str, float]:
    return {"p50_ms": pct(latencies, 0.5), "p95_ms": pct(latencies, 0.95),
            "p99_ms": pct(latencies, 0.99), "max_ms": max(latencies, default=float("nan"))}


ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
"""The console's environment: bytecode cached, as an installed package has it."""


def command(home: Home) -> list[str]:
    """The console on the generated team, its journal next to the home (never ~/.local)."""
    return [sys.executable, "-m", "taskboard", "--claude-dir", str(home.root), "--data-dir",
            str(home.root / "taskboard-data"), home.team]


@dataclass
class Plan:
    """Which tasks each case touches, chosen from the outline the console draws."""

    rows: list[str]
    panels: list[str]
    toggle: str
    offscreen: list[str]
    done: int
    counts_text: list[bytes]


def plan(home: Home) -> Plan:
    board = load_board(TeamPaths(home.root, home.team))
    rows = [node.id for _, node in walk(build_outline(board.tasks, board.analysis, "blockers"))]
    on_screen = rows[:VISIBLE_ROWS]
    cursor = board.tasks[rows[0]]
    near_cursor = {cursor.id, *cursor.blocks, *cursor.blocked_by}
    visible = [t for t in on_screen[3:] if t not in near_cursor]
    shown = set(rows[:40])  # generous: anything that might be on screen
    panels = [t for t in home.running[:6] if t not in shown]
    states = board.analysis.states
    leaves = [t for t in reversed(rows) if t not in shown
              and states[t] in (State.READY, State.BLOCKED) and not board.tasks[t].owner
              and not board.tasks[t].blocks]
    counts = board.visible_counts()
    counts_text = [f"{DONE} {counts.get(State.COMPLETED, 0)} done".encode(),
                   f"{counts.get(State.BLOCKED, 0)} blocked".encode()]
    return Plan(visible, panels, leaves[0], leaves[1:21],
                counts.get(State.COMPLETED, 0), counts_text)


_OUTLINE_ROW = re.compile(r"#(\d+) \S+ .*?Task \1\b")
_DETAIL = re.compile(r"─ Task #(\d+) ─")


def painted_rows(term: Terminal, home: Home) -> list[str]:
    """The tasks whose outline rows are on the screen now (from a VT emulator fed every
    byte so far), away from the detail pane's task and its links, and not running (a
    running task also shows in its agent panel)."""
    lines = term.display()
    near: set[str] = set()
    rows: list[str] = []
    inside = False
    for line in lines:
        left = line[:COLUMNS * 5 // 8]  # the outline's column; the agents are to its right
        if detail := _DETAIL.search(left):
            task = home.tasks.get(detail.group(1))
            if task is not None:
                near = {task["id"], *task["blocks"], *task["blockedBy"]}
        if "─ Dependencies" in left or "─ Waves" in left:
            inside = True
        elif inside and left.lstrip().startswith("╰"):
            inside = False
        elif inside and (match := _OUTLINE_ROW.search(left)):
            rows.append(match.group(1))
    return [t for t in rows if t not in near and home.tasks[t]["status"] != "in_progress"]


class RowPicker:
    """An outline row on screen for each change: the same rows in turn while they stay
    painted, new ones as soon as one left the screen (the layout may move them: the
    "Needs you" pane grows and shrinks with the flags)."""

    def __init__(self, term: Terminal, home: Home) -> None:
        self.term, self.home = term, home
        self.rows: list[str] = []
        self.picks = 0

    def next(self, seq: int) -> str | None:
        visible = painted_rows(self.term, self.home)
        if not self.rows or not set(self.rows) <= set(visible):
            self.rows = visible[3:VISIBLE_ROWS] or visible
            self.picks += 1
        return self.rows[seq % len(self.rows)] if self.rows else None


def cold_start(home: Home, p: Plan) -> dict[str, float]:
    term = Terminal(command(home), columns=COLUMNS, lines=LINES, env=ENV)
    try:
        # The first frame: the splash (drawn before Textual is imported) or, without
        # one, Textual's first (the panes' borders and "Loading…"): whichever came first.
        first = term.wait_any([LOADING, b"Agents"], 0, 30)
        board = term.wait_for(b"Agents", 0, 30)  # a border title: Textual's first frame
        tasks = term.wait_for(b"Task 1:", 0, 30)
        full = None
        if tasks is not None:
            # Every count of the whole list in one frame: the complete board.
            at = term.wait_for(p.counts_text[0], 0, 30)
            full = at and term.wait_for(p.counts_text[1], 0, 30)
            full = max(at, full) if at and full else None
        rss = term.status("VmHWM")
        return {"first_frame_s": (first or float("nan")) - term.started,
                "board_frame_s": (board or float("nan")) - term.started,
                "tasks_frame_s": (tasks or float("nan")) - term.started,
                "complete_s": (full or float("nan")) - term.started,
                "rss_mb": rss / 1024}
    finally:
        term.close()


def gaps(rng: random.Random) -> float:
    return rng.uniform(0.3, 1.5)


def latency_case(term: Terminal, home: Home, changes: int, rng: random.Random,
                 write, expect, before=None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """``write(seq)`` makes change ``seq``; ``expect(seq)`` is the bytes that show it;
    ``before(seq)``, if given, runs first, off the clock."""
    latencies: list[float] = []
    misses = 0
    cpu0, wall0 = term.cpu(), time.perf_counter()
    for seq in range(changes):
        time.sleep(gaps(rng))
        if before is not None:
            before(seq)
        offset = term.offset
        t0 = time.perf_counter()
        write(seq)
        seen = term.wait_for(expect(seq), offset, TIMEOUT)
        if seen is None:
            misses += 1
        else:
            latencies.append((seen - t0) * 1000)
    cpu, wall = term.cpu() - cpu0, time.perf_counter() - wall0
    return {**summary(latencies), "changes": changes, "misses": misses,
            "cpu_s": cpu, "wall_s": wall, "cpu_ms_per_change": cpu / changes * 1000}


_MOVE = re.compile(rb"\x1b\[(\d+);\d+H")


def offscreen_case(term: Terminal, home: Home, ids: list[str], changes: int,
                   rng: random.Random) -> dict[str, Any]:
    """Changes nothing on screen can show: what is painted anyway, and what it costs."""
    painted: list[int] = []
    rows: list[int] = []
    cpu0, wall0 = term.cpu(), time.perf_counter()
    for seq in range(changes):
        time.sleep(gaps(rng))
        offset = term.offset
        task_id = ids[seq % len(ids)]
        home.rewrite(task_id, subject=f"Task {task_id}: unseen edit {seq}")
        time.sleep(0.25)
        chunk = bytes(term.buffer[offset:term.offset])
        painted.append(len(chunk))
        rows.append(len(set(_MOVE.findall(chunk))))
    cpu, wall = term.cpu() - cpu0, time.perf_counter() - wall0
    return {"changes": changes, "bytes_p50": pct(painted, 0.5), "bytes_max": max(painted),
            "rows_p50": pct(rows, 0.5), "rows_max": max(rows),
            "changes_with_no_paint": sum(1 for b in painted if b == 0),
            "cpu_s": cpu, "wall_s": wall, "cpu_ms_per_change": cpu / changes * 1000}


def files_opened(term: Terminal, home: Home, p: Plan, changes: int
                 ) -> dict[str, float] | None:
    """Regular files the process opens per change, counted by strace (None without it):
    the team's files (tasks, config, inboxes: what a change makes it read) and the rest
    (its journal's database files, anything else) apart."""
    if shutil.which("strace") is None:
        return None
    log = home.root / "strace.log"
    tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=openat,open", "-o", str(log),
                               "-p", str(term.pid)], stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    for seq in range(changes):
        task_id = p.rows[seq % len(p.rows)]
        offset = term.offset
        marker = f"fo{seq:04d}x"
        home.rewrite(task_id, subject=f"{marker} Task {task_id}")
        term.wait_for(marker.encode(), offset, 5.0)
        time.sleep(0.2)
    tracer.terminate()
    tracer.wait(5)
    team = (str(home.tasks_dir), str(home.team_dir))
    opened = {"team": 0, "other": 0}
    for line in log.read_text(errors="replace").splitlines():
        # Sweeps open directories only; the files opened belong to the changes.
        if str(home.root) in line and "O_DIRECTORY" not in line and "= -1" not in line:
            opened["team" if any(d in line for d in team) else "other"] += 1
    return {kind: count / changes for kind, count in opened.items()}


def storm(term: Terminal, home: Home, p: Plan, seconds: float, rng: random.Random
          ) -> dict[str, Any]:
    """4 writers, 200 writes/s in all; a probe times on-screen rows meanwhile."""
    writers, rate = 4, 50.0
    probe_rows = p.rows[:4]
    final_rows = p.rows[4:8]
    pool = [t for t in home.tasks if t not in set(p.rows) | set(p.panels)]
    rss_before = term.status("VmRSS")
    stop_at = time.perf_counter() + seconds
    last_write = [0.0] * writers
    written = [0] * writers

    def writer(index: int) -> None:
        local = random.Random(index)
        mine = pool[index::writers]
        next_at = time.perf_counter()
        k = 0
        while next_at < stop_at:
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            task_id = local.choice(mine)
            home.rewrite(task_id, subject=f"Task {task_id}: storm {index}-{k}")
            k += 1
            next_at += 1.0 / rate
        task_id = final_rows[index]
        home.rewrite(task_id, subject=f"fin{index}z Task {task_id}")
        last_write[index] = time.perf_counter()
        written[index] = k + 1

    offset0 = term.offset
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    probes: list[float] = []
    misses = 0
    seq = 0
    while time.perf_counter() < stop_at - 0.3:
        time.sleep(rng.uniform(0.2, 0.4))
        task_id = probe_rows[seq % len(probe_rows)]
        marker = f"pr{seq:04d}q"
        offset = term.offset
        t0 = time.perf_counter()
        home.rewrite(task_id, subject=f"{marker} Task {task_id}")
        seen = term.wait_for(marker.encode(), offset, TIMEOUT)
        if seen is None:
            misses += 1
        else:
            probes.append((seen - t0) * 1000)
        seq += 1
    for thread in threads:
        thread.join()
    last = max(last_write)
    finals = [term.wait_for(f"fin{i}z".encode(), offset0, 10.0) for i in range(writers)]
    settle = (max(finals) - last) * 1000 if all(finals) else float("nan")
    term.quiet(1.0)
    return {**summary(probes), "probes": len(probes), "misses": misses,
            "writes": sum(written), "writes_per_s": sum(written) / seconds,
            "final_state_ms": settle, "rss_before_mb": rss_before / 1024,
            "rss_after_mb": term.status("VmRSS") / 1024}


def run_size(count: int, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(count)
    with tempfile.TemporaryDirectory(prefix="taskboard-bench-") as tmp:
        home = make_home(Path(tmp), count)
        p = plan(home)
        result: dict[str, Any] = {"tasks": count}
        cold_start(home, p)  # warm-up: bytecode written, files in the page cache
        starts = [cold_start(home, p) for _ in range(args.starts)]
        result["cold_start"] = {key: statistics.median(s[key] for s in starts)
                                for key in starts[0]}
        if args.start_only:
            return result
        term = Terminal(command(home), columns=COLUMNS, lines=LINES, env=ENV)
        try:
            if term.wait_for(p.counts_text[0], 0, 60) is None:
                raise RuntimeError("the console never showed the board")
            term.quiet(1.5)
            time.sleep(1.0)
            picker = RowPicker(term, home)
            if picker.next(0) is None:
                raise RuntimeError("no outline row on screen")
            p.rows = list(picker.rows)
            rss_loaded = term.status("VmRSS")

            row_for: dict[int, str] = {}

            def row_pick(seq: int) -> None:
                term.quiet(0.05)  # the last change's paint is on screen
                task_id = picker.next(seq)
                row_for[seq] = task_id if task_id is not None else p.rows[0]

            def row_write(seq: int) -> None:
                task_id = row_for[seq]
                home.rewrite(task_id, subject=f"mkR{seq:05d}x Task {task_id}")

            def panel_write(seq: int) -> None:
                task_id = p.panels[seq % len(p.panels)]
                home.rewrite(task_id, activeForm=f"mkP{seq:05d}x working on task {task_id}")

            done = p.done

            def counts_write(seq: int) -> None:
                home.rewrite(p.toggle, status="completed" if seq % 2 == 0 else "pending")

            def counts_expect(seq: int) -> bytes:
                return f"{DONE} {done + (1 if seq % 2 == 0 else 0)} done".encode()

            cases = {
                "row": latency_case(term, home, args.changes, rng, row_write,
                                    lambda s: f"mkR{s:05d}x".encode(), before=row_pick),
                "panel": latency_case(term, home, args.changes, rng, panel_write,
                                      lambda s: f"mkP{s:05d}x".encode()),
                "counts": latency_case(term, home, args.changes, rng, counts_write,
                                       counts_expect),
            }
            if args.changes % 2:
                home.rewrite(p.toggle, status="pending")
            cases["offscreen"] = offscreen_case(term, home, p.offscreen, args.changes, rng)
            cases["row"]["row_picks"] = picker.picks
            result["cases"] = cases
            result["files_opened_per_change"] = files_opened(term, home, p, 20)
            term.quiet(1.0)
            cpu0, wall0 = term.cpu(), time.perf_counter()
            time.sleep(args.idle)
            idle = (term.cpu() - cpu0) / (time.perf_counter() - wall0)
            result["idle_cpu_pct"] = idle * 100
            result["idle_seconds"] = args.idle
            for case in cases.values():
                case["net_cpu_ms_per_change"] = (case["cpu_s"] - idle * case["wall_s"]) \
                    / case["changes"] * 1000
            result["rss_loaded_mb"] = rss_loaded / 1024
            if args.storm:
                result["storm"] = storm(term, home, p, args.storm, rng)
            result["peak_rss_mb"] = term.status("VmHWM") / 1024
        finally:
            term.close()
    return result


def table(results: list[dict[str, Any]]) -> str:
    def cell(value: Any, fmt: str) -> str:
        return "-" if value is None or value != value else format(value, fmt)

    lines = []
    sizes = [r["tasks"] for r in results]
    head = f"{'':<44}" + "".join(f"{n:>14,}" for n in sizes)
    lines.append(head)

    def add(label: str, values: list[Any]) -> None:
        lines.append(f"{label:<44}" + "".join(f"{v:>14}" for v in values))

    for name, label in (("row", "outline row"), ("panel", "agent panel"),
                        ("counts", "status counts")):
        add(f"write->screen {label} p50/p95 ms",
            [f"{cell(r['cases'][name]['p50_ms'], '.0f')}/"
             f"{cell(r['cases'][name]['p95_ms'], '.0f')}" for r in results])
        add("    p99/max ms",
            [f"{cell(r['cases'][name]['p99_ms'], '.0f')}/"
             f"{cell(r['cases'][name]['max_ms'], '.0f')}" for r in results])
        add("    misses / changes",
            [f"{r['cases'][name]['misses']}/{r['cases'][name]['changes']}" for r in results])
        add("    CPU per change ms (net of idle)",
            [f"{cell(r['cases'][name]['cpu_ms_per_change'], '.1f')} "
             f"({cell(r['cases'][name]['net_cpu_ms_per_change'], '.1f')})" for r in results])
    add("off-screen change: bytes painted p50/max",
        [f"{cell(r['cases']['offscreen']['bytes_p50'], '.0f')}/"
         f"{r['cases']['offscreen']['bytes_max']}" for r in results])
    add("    rows painted p50/max",
        [f"{cell(r['cases']['offscreen']['rows_p50'], '.0f')}/"
         f"{r['cases']['offscreen']['rows_max']}" for r in results])
    add("    CPU per change ms (net of idle)",
        [f"{cell(r['cases']['offscreen']['cpu_ms_per_change'], '.1f')} "
         f"({cell(r['cases']['offscreen']['net_cpu_ms_per_change'], '.1f')})" for r in results])
    add("team files read per change (others opened)",
        [f"{cell(r['files_opened_per_change']['team'], '.2f')} "
         f"({cell(r['files_opened_per_change']['other'], '.2f')})"
         if r.get("files_opened_per_change") else "n/a" for r in results])
    add("cold start: first frame s", [cell(r["cold_start"]["first_frame_s"], ".2f")
                                      for r in results])
    add("    Textual's first frame s", [cell(r["cold_start"]["board_frame_s"], ".2f")
                                        for r in results])
    add("    first frame with tasks s", [cell(r["cold_start"]["tasks_frame_s"], ".2f")
                                         for r in results])
    add("    complete board s", [cell(r["cold_start"]["complete_s"], ".2f") for r in results])
    add("idle CPU % of a core", [f"{cell(r['idle_cpu_pct'], '.2f')}" for r in results])
    add("RSS loaded / peak MB", [f"{r['rss_loaded_mb']:.0f}/{r['peak_rss_mb']:.0f}"
                                 for r in results])
    if all("storm" in r for r in results):
        add("storm: writes/s", [f"{r['storm']['writes_per_s']:.0f}" for r in results])
        add("    probe p50/p95 ms", [f"{cell(r['storm']['p50_ms'], '.0f')}/"
                                     f"{cell(r['storm']['p95_ms'], '.0f')}" for r in results])
        add("    probe misses", [f"{r['storm']['misses']}/{r['storm']['probes']}"
                                 for r in results])
        add("    last write -> final state ms", [cell(r["storm"]["final_state_ms"], ".0f")
                                                 for r in results])
        add("    RSS before/after MB", [f"{r['storm']['rss_before_mb']:.0f}/"
                                        f"{r['storm']['rss_after_mb']:.0f}" for r in results])
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "load_before": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--changes", type=int, default=100, help="changes per case")
    parser.add_argument("--starts", type=int, default=3, help="cold starts per size (median)")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of idle measurement")
    parser.add_argument("--storm", type=float, default=20.0, help="storm seconds (0: none)")
    parser.add_argument("--out", default="bench_screen.json", help="JSON file to write")
    parser.add_argument("--start-only", action="store_true", help="measure cold starts only")
    args = parser.parse_args(argv)
    info = machine()
    started = time.time()
    results = []
    for count in args.sizes:
        results.append(run_size(count, args))
        print(f"[{count} tasks done after {time.time() - started:.0f} s; "
              f"load {os.getloadavg()[0]:.2f}]", file=sys.stderr)
    info["load_after"] = os.getloadavg()
    print(f"{info['cpu']}, {info['cores']} cores, Python {info['python']}; "
          f"load {info['load_before'][0]:.2f} before, {info['load_after'][0]:.2f} after")
    if args.start_only:
        for r in results:
            print(f"{r['tasks']:>7,} tasks: " + ", ".join(f"{k} {v:.2f}" for k, v in
                                                          r["cold_start"].items()))
    else:
        print(table(results))
    Path(args.out).write_text(json.dumps({"machine": info, "args": vars(args),
                                          "results": results}, indent=2))
    print(f"figures written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
