"""The soak (issue 14): Node ``proper-lockfile`` writers (Claude Code's lock, writing in
place as Claude Code does) and taskboard writers update shared tasks for a fixed time while
a console (headless Pilot, watching) and a recorder (BoardReader + journal) watch.

Afterwards: every increment is present, every file is valid, the console's board equals the
disk, the journal's replay equals the disk with no change recorded twice, and nothing was
logged at warning level or above. Short in CI; ``TASKBOARD_SOAK_SECONDS=60 pytest
tests/interop/test_soak.py -s`` runs the long version and prints the figures.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from taskboard.board.model import dump_json
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import BoardReader, load_board
from taskboard.clock import Clock
from taskboard.journal import events as ev
from taskboard.journal.recorder import TeamRecorder
from taskboard.journal.replay import tasks_at
from taskboard.journal.store import Journal
from taskboard.ui.app import TaskboardApp

if TYPE_CHECKING:
    from conftest import NodeEnv

HERE = Path(__file__).resolve().parent
SECONDS = float(os.environ.get("TASKBOARD_SOAK_SECONDS", "4"))
IDS = [str(i) for i in range(1, 7)]
NODE_WRITERS = 3
TASKBOARD_WRITERS = 3


def _team(home: Path) -> TeamPaths:
    paths = TeamPaths(home, "soak")
    paths.tasks_dir.mkdir(parents=True)
    paths.inboxes_dir.mkdir(parents=True)
    (paths.tasks_dir / ".lock").touch()
    paths.config_path.write_text(dump_json({
        "name": "soak", "leadAgentId": "team-lead@soak",
        "members": [{"agentId": "team-lead@soak", "name": "team-lead", "agentType": "team-lead",
                     "joinedAt": 1763700000000, "tmuxPaneId": "", "cwd": "/", "subscriptions": []},
                    {"agentId": "tester@soak", "name": "tester", "agentType": "general-purpose",
                     "joinedAt": 1763700000000, "tmuxPaneId": "", "cwd": "/",
                     "subscriptions": []}]}))
    for task_id in IDS:
        paths.task_path(task_id).write_text(dump_json({
            "id": task_id, "subject": f"Task {task_id}", "description": "soaked",
            "activeForm": f"Doing {task_id}", "status": "in_progress", "owner": "tester",
            "blocks": [], "blockedBy": [], "metadata": {"priority": "P1"}}))
    return paths


def _record(paths: TeamPaths, journal: Journal, stop: threading.Event,
            stats: dict[str, Any]) -> None:
    recorder = TeamRecorder(journal, "soak", clock=Clock())
    reader = BoardReader(paths)
    while True:
        done = stop.is_set()
        delta = reader.rescan()
        if done:
            reader.settle()
            delta = reader.refresh(list(reader.paths.tasks_dir.glob("*.json")), sweep=False)
        stats["recorded"] += recorder.observe(reader.board, delta)
        stats["stale_seen"] += sum(t.stale for t in reader.board.tasks.values())
        if done:
            stats["session"] = recorder.session
            return
        time.sleep(0.01)


async def test_the_soak_loses_nothing(node_env: NodeEnv, tmp_path: Path,
                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="taskboard")
    home = tmp_path / "claude"
    paths = _team(home)
    journal = Journal.open(tmp_path / "data")
    tail = [*IDS, "--seconds", str(SECONDS)]
    node = [node_env.node, str(node_env.helpers / "incrementer.js"), str(paths.tasks_dir)]
    python = [node_env.python, str(HERE / "py_incrementer.py"), str(paths.tasks_dir)]
    commands = {**{f"node-{i}": [*node, *tail, "--name", f"node-{i}"]
                   for i in range(NODE_WRITERS)},
                **{f"taskboard-{i}": [*python, *tail, "--name", f"taskboard-{i}"]
                   for i in range(TASKBOARD_WRITERS)}}
    stop = threading.Event()
    stats: dict[str, Any] = {"recorded": 0, "stale_seen": 0}
    recorder = threading.Thread(target=_record, args=(paths, journal, stop, stats), daemon=True)
    app = TaskboardApp(home, "soak", watch=True, rescan_seconds=0.5)
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            recorder.start()
            for name, command in commands.items():
                procs[name] = subprocess.Popen(command, env=node_env.env, text=True,
                                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.monotonic() + SECONDS + 60
            while any(p.poll() is None for p in procs.values()):
                assert time.monotonic() < deadline, "writers did not finish"
                await pilot.pause(0.1)
            reports = {}
            for name, proc in procs.items():
                out, err = proc.communicate(timeout=10)
                assert proc.returncode == 0, (name, err)
                reports[name] = json.loads(out.strip().splitlines()[-1])
            stop.set()
            recorder.join(30)
            assert not recorder.is_alive()

            disk = load_board(paths)
            # The console catches up with the disk (the watcher, then the periodic rescan).
            screen = app.screen
            deadline = time.monotonic() + 30
            while {t: screen.board.tasks[t].raw for t in screen.board.tasks} != \
                    {t: disk.tasks[t].raw for t in disk.tasks}:
                assert time.monotonic() < deadline, "the console never showed the disk"
                await pilot.pause(0.1)
            assert not any(t.stale for t in screen.board.tasks.values())
    finally:
        stop.set()
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()

    # Every increment present, every file valid and whole.
    increments = 0
    for task_id in IDS:
        task = json.loads(paths.task_path(task_id).read_text())
        assert task["subject"] == f"Task {task_id}" and task["metadata"]["priority"] == "P1"
        expected = {name: r["increments"][task_id] for name, r in reports.items()
                    if r["increments"][task_id]}
        assert task["metadata"].get("counters", {}) == expected, f"#{task_id}: lost updates"
        increments += sum(expected.values())
    for name, report in reports.items():
        assert sum(report["increments"].values()) > 0, f"{name} never wrote: {report}"
    leftovers = sorted(p.name for p in paths.tasks_dir.iterdir()
                       if p.name not in {f"{i}.json" for i in IDS} | {".lock"})
    assert leftovers == [], "lock directories or temp files were left behind"

    # The journal: its replay is the disk, and no change is in it twice.
    events = journal.events(stats["session"])
    assert tasks_at(events) == {t: disk.tasks[t].raw for t in disk.tasks}
    changes = [e for e in events if e.kind == ev.TASK_CHANGED]
    totals: dict[str, int] = {}
    for event in changes:
        counters = (event.after or {}).get("metadata", {}).get("counters", {})
        total = sum(counters.values())
        assert total > totals.get(event.task or "", -1), "a change was recorded twice"
        totals[event.task or ""] = total
    journal.close()

    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == [], [r.getMessage() for r in logged]
    print(f"\nsoak {SECONDS:.0f} s: {NODE_WRITERS} proper-lockfile + {TASKBOARD_WRITERS} "
          f"taskboard writers, {increments} increments, 0 lost; "
          f"{sum(r['failures'] for r in reports.values())} lock timeouts (nothing written); "
          f"journal {len(changes)} task changes recorded once; "
          f"{stats['stale_seen']} torn reads kept the last good version")

