"""What reading the agents' transcripts costs: one appended line, a cold parse of a full
550 KB lead transcript, and the console's idle CPU with 10 agents' transcripts tailed.

    python benchmarks/bench_transcripts.py [--lines 300] [--idle-seconds 10]

Uses the real Claude Code 2.1.332 transcripts in ``tests/fixtures/realcc/``. Prints figures;
asserts nothing. Targets (issue 8): under 1 ms of CPU per appended line, under 50 ms for the
cold parse, and no more idle CPU with 10 tailed transcripts than without them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from taskboard.claude.activity import AgentActivity  # noqa: E402
from taskboard.claude.live import TeamActivity  # noqa: E402
from taskboard.claude.transcripts import Tail  # noqa: E402
from tests.realcc import (  # noqa: E402
    ALICE_FILE,
    LEAD_FILE,
    LEAD_SID,
    TEAM,
    TEAM_RUN,
    copy_home,
    full_lines,
    gunzip_home,
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(q * (len(ordered) - 1))), len(ordered) - 1)]


def appended_line(lines: int) -> dict[str, float]:
    """CPU to notice and interpret one line appended to a teammate's transcript."""
    with tempfile.TemporaryDirectory() as tmp:
        home = copy_home(TEAM_RUN / "live", Path(tmp) / "claude")
        for session in (home / "sessions").glob("*.json"):
            session.unlink()
        live = TeamActivity(home, TEAM)
        live.refresh()
        source = [ln for ln in full_lines(ALICE_FILE) if not ln.startswith(
            (b'{"type":"api-request-shape"', b'{"type":"api-request-blob"'))]
        target = home / ALICE_FILE
        targeted: list[float] = []
        swept: list[float] = []
        idle: list[float] = []
        for n in range(lines):
            line = source[n % len(source)]
            with open(target, "ab") as handle:
                handle.write(line)
            t0 = time.process_time_ns()
            live.refresh([target])  # a watcher named the file
            targeted.append((time.process_time_ns() - t0) / 1e6)
            with open(target, "ab") as handle:
                handle.write(line)
            t0 = time.process_time_ns()
            live.refresh()  # a poll: every file stat'ed
            swept.append((time.process_time_ns() - t0) / 1e6)
            t0 = time.process_time_ns()
            live.refresh()  # nothing changed
            idle.append((time.process_time_ns() - t0) / 1e6)
    return {"named_p50": statistics.median(targeted), "named_p95": _pct(targeted, 0.95),
            "poll_p50": statistics.median(swept), "poll_p95": _pct(swept, 0.95),
            "nochange_p50": statistics.median(idle)}


def cold_parse(repeat: int) -> dict[str, float]:
    """CPU to read and interpret the whole 550 KB lead transcript (bulky lines included)."""
    with tempfile.TemporaryDirectory() as tmp:
        home = gunzip_home(Path(tmp) / "claude")
        path = home / LEAD_FILE
        size = path.stat().st_size
        times: list[float] = []
        for _ in range(repeat):
            t0 = time.process_time_ns()
            activity = AgentActivity("team-lead")
            for line in Tail(path).read().lines:
                activity.feed(line)
            times.append((time.process_time_ns() - t0) / 1e6)
        assert activity.context == 46129
    return {"kb": size / 1024, "p50": statistics.median(times), "max": max(times)}


def ten_agent_home(root: Path, with_transcripts: bool) -> Path:
    """A team of a lead and 9 in-process teammates, each with a full transcript."""
    home = root / "claude"
    shutil.copytree(TEAM_RUN / "live" / "tasks", home / "tasks")
    names = ["team-lead", *[f"agent{n}" for n in range(1, 10)]]
    members = [{"agentId": f"{n}@{TEAM}", "name": n, "agentType": "general-purpose",
                "model": "claude-sonnet-4-5", "tmuxPaneId": "in-process",
                "backendType": "in-process", "joinedAt": 1796178175206} for n in names]
    members[0].update(agentType="team-lead", tmuxPaneId="leader")
    team = home / "teams" / TEAM
    (team / "inboxes").mkdir(parents=True)
    (team / "config.json").write_text(json.dumps({
        "name": TEAM, "createdAt": 1796178175206, "leadAgentId": f"team-lead@{TEAM}",
        "leadSessionId": LEAD_SID, "members": members}))
    if with_transcripts:
        full = gunzip_home(root / "full")
        project = home / LEAD_FILE
        project.parent.mkdir(parents=True)
        shutil.copy(full / LEAD_FILE, project)
        sub = project.with_suffix("") / "subagents"
        sub.mkdir(parents=True)
        for n in names[1:]:
            stem = f"agent-a{n}-{'0' * 16}"
            shutil.copy(full / ALICE_FILE, sub / f"{stem}.jsonl")
            (sub / f"{stem}.meta.json").write_text(json.dumps(
                {"name": n, "taskKind": "in_process_teammate", "teamName": TEAM}))
    return home


async def idle_cpu(home: Path, seconds: float) -> tuple[float, float, int, int]:
    """The console's whole CPU while idle, the share of it spent looking at the transcripts
    (every look, timed one by one: the watch's batches, the clock tick's look, the elapsed
    times' second hand, or the poll where inotify cannot be had), in % of a core, and how
    many looks there were."""
    from taskboard.ui.app import TaskboardApp

    spent = [0.0]
    looks = [0]
    refresh = TeamActivity.refresh

    def timed(activity: TeamActivity, *args, **kwargs) -> set[str]:  # noqa: ANN002, ANN003
        t0 = time.process_time()
        try:
            return refresh(activity, *args, **kwargs)
        finally:
            spent[0] += time.process_time() - t0
            looks[0] += 1

    TeamActivity.refresh = timed  # type: ignore[method-assign]
    try:
        app = TaskboardApp(home, TEAM)
        async with app.run_test(size=(160, 50)):
            while not getattr(app.screen, "loaded", False):
                await asyncio.sleep(0.01)
            screen = app.screen
            await asyncio.sleep(2.0)
            agents = len(screen.activity.agents)
            spent[0], looks[0] = 0.0, 0
            cpu0 = time.process_time()
            await asyncio.sleep(seconds)
            total = (time.process_time() - cpu0) / seconds * 100
            counted = looks[0]
    finally:
        TeamActivity.refresh = refresh  # type: ignore[method-assign]
    return total, spent[0] / seconds * 100, agents, counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    line = appended_line(args.lines)
    print(f"one appended line, CPU: named by the watcher p50 {line['named_p50']:.3f} ms, "
          f"p95 {line['named_p95']:.3f} ms; found by a poll of all files p50 "
          f"{line['poll_p50']:.3f} ms, p95 {line['poll_p95']:.3f} ms; a poll with nothing new "
          f"{line['nochange_p50']:.3f} ms")
    cold = cold_parse(20)
    print(f"cold parse of the {cold['kb']:.0f} KB lead transcript, CPU: p50 {cold['p50']:.1f} ms,"
          f" max {cold['max']:.1f} ms")
    for round_ in range(args.rounds):
        for tailed in (False, True):
            with tempfile.TemporaryDirectory() as tmp:
                home = ten_agent_home(Path(tmp), tailed)
                cpu, share, agents, looks = asyncio.run(idle_cpu(home, args.idle_seconds))
            print(f"round {round_ + 1}: console idle CPU, 10 members, "
                  f"{'10 transcripts tailed' if tailed else 'no transcripts      '}: "
                  f"{cpu:.2f} % of a core, of which looking at transcripts {share:.3f} % "
                  f"in {looks} looks ({agents} agents with activity)")


if __name__ == "__main__":
    main()
