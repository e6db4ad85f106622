"""The rules on real files: Claude Code 2.1.332's own team run, and the demo's
"team idle behind one silent task"."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

from taskboard.board.rules import AgentActivity, Signals, evaluate
from taskboard.board.waves import plan
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import load_board
from taskboard.claude.tasks import task_files
from taskboard.clock import FrozenClock
from taskboard.sim.simulator import AGENTS, Simulation

FIXTURE = Path(__file__).parent.parent / "fixtures" / "realcc" / "team-run" / "live"
TEAM = "session-00c8f52f"
END = datetime.fromisoformat("2026-12-02T02:24:02+00:00").timestamp()
"""Just after the run's last line; every file is given this mtime."""
MIN = 60.0


def real_home(tmp_path: Path) -> Path:
    home = tmp_path / "claude"
    shutil.copytree(FIXTURE, home)
    for path in home.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.utime(path, (END, END))
    return home


def turn_end(transcript: Path) -> float:
    """The timestamp of the last ``end_turn`` line of a real transcript."""
    last = None
    for line in transcript.read_text(encoding="utf-8").splitlines():
        if '"end_turn"' in line:
            record = json.loads(line)
            if record.get("message", {}).get("stop_reason") == "end_turn":
                last = record["timestamp"]
    assert last is not None
    return datetime.fromisoformat(last.replace("Z", "+00:00")).timestamp()


def test_real_team_files_alone_flag_the_silent_running_task_and_what_gates_the_rest(
        tmp_path) -> None:
    board = load_board(TeamPaths(real_home(tmp_path), TEAM))
    flags = evaluate(board, END + 15 * MIN)
    found = {(f.kind, f.task, f.agent) for f in flags}
    assert ("stalled", "7", "alice") in found
    [idle] = [f for f in flags if f.kind == "team_idle"]
    assert idle.severity == "warning"  # silence only: no transcript says they are idle
    assert "#7 running @alice" in idle.reason and "#8 ready (nobody)" in idle.reason
    assert not [f for f in flags if f.kind in ("owner_gone", "failed", "not_closed")]
    assert evaluate(board, END + 4 * MIN) == []  # nothing has lasted long enough yet


def test_real_transcripts_turn_the_stall_into_idle_holding_and_unclaimed_work(tmp_path) -> None:
    home = real_home(tmp_path)
    board = load_board(TeamPaths(home, TEAM))
    project = home / "projects" / "-home-user-src-parser-app"
    lead = project / "00c8f52f-81e2-4423-a61c-444eec0e747e.jsonl"
    alice = project / "00c8f52f-81e2-4423-a61c-444eec0e747e" / "subagents" / \
        "agent-aalice-0e9c73de4e00c008.jsonl"
    activity = {name: AgentActivity(state="idle", since=turn_end(path), last_seen=turn_end(path),
                                    turn_ended=True, last_words="ok")
                for name, path in (("team-lead", lead), ("alice", alice))}
    flags = evaluate(board, END + 15 * MIN, signals=Signals(activity=activity))
    found = {(f.kind, f.task, f.agent) for f in flags}
    assert ("idle_holding", "7", "alice") in found
    assert ("stalled", "7", "alice") not in found
    assert ("ready_unclaimed", "8", None) in found
    [idle] = [f for f in flags if f.kind == "team_idle"]
    assert idle.severity == "critical"
    assert idle.task == "8"  # #8 gates the release (#6); #7 gates nothing


def test_the_demo_team_idle_behind_one_silent_task_is_flagged_naming_it(tmp_path) -> None:
    """The demo's own team and task graph: one agent claimed the task everything else waits
    on and fell silent; the four others went idle."""
    now = 1_800_000_000.0
    paths = TeamPaths(tmp_path / "claude", "demo-team")
    Simulation(paths, seed=7, clock=FrozenClock(now - 30 * MIN)).setup()
    first = load_board(paths)
    head = plan(first.tasks, first.analysis.states).critical_path[0]
    downstream = {head}
    frontier = [head]
    while frontier:
        for child in first.analysis.dependants[frontier.pop()]:
            if child not in downstream:
                downstream.add(child)
                frontier.append(child)
    silent = AGENTS[0].name
    for tid, path in task_files(paths.tasks_dir).items():
        obj = json.loads(path.read_text(encoding="utf-8"))
        if tid == head:
            obj.update(status="in_progress", owner=silent)
        elif tid not in downstream:
            obj.update(status="completed", owner=AGENTS[1].name)
        path.write_text(json.dumps(obj, indent=2), encoding="utf-8")
        os.utime(path, (now - 12 * MIN, now - 12 * MIN))
    config = json.loads(paths.config_path.read_text(encoding="utf-8"))
    for member in config["members"]:
        member["isActive"] = member["name"] == silent
    paths.config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    os.utime(paths.config_path, (now - 11 * MIN, now - 11 * MIN))

    flags = evaluate(load_board(paths), now)
    [idle] = [f for f in flags if f.kind == "team_idle"]
    assert idle.task == head and f"#{head} running @{silent}" in idle.reason
    assert ("stalled", head, silent) in {(f.kind, f.task, f.agent) for f in flags}
    waiting = {f.task for f in flags if f.kind == "waiting_on_trouble"}
    assert waiting == downstream - {head}


def test_the_transcripts_module_feeds_the_rules_on_the_real_run(tmp_path) -> None:
    """The live activity read from the real transcripts (the lead process taken as alive):
    alice's turn ended holding #7, and #8 is ready while she is idle."""
    from taskboard.claude.live import TeamActivity

    home = real_home(tmp_path)
    live = TeamActivity(home, TEAM, clock=lambda: END + 15 * MIN, alive=lambda *_: True)
    live.refresh()
    assert live.agents["alice"].state == "idle"
    board = load_board(TeamPaths(home, TEAM))
    flags = evaluate(board, END + 15 * MIN, signals=Signals(activity=live.agents))
    found = {(f.kind, f.task, f.agent) for f in flags}
    assert {("idle_holding", "7", "alice"), ("ready_unclaimed", "8", None)} <= found
    assert not [f for f in flags if f.kind in ("stalled", "owner_gone")]
