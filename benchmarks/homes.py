"""Generated Claude homes for the benchmarks: N tasks with realistic links, a team, inboxes.

``make_home(root, count)`` writes, the way Claude Code lays them out (FORMAT.md):

- ``count`` tasks in layers, each blocked by 0-3 tasks of the two layers above it
  (both sides of every link kept); the first 40 % completed, exactly
  :data:`RUNNING` in progress (one per agent), a few pending tasks already
  claimed, the rest pending and unowned;
- a team config with a lead and :data:`RUNNING` agents, all active;
- an inbox per agent and one for the lead, a dozen messages each (assignments,
  plain messages, idle notifications; some unread).

Mtimes step back one second per task from now, so relative times look real.
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RUNNING = 8
AGENTS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
COLORS = ("blue", "green", "orange", "cyan", "purple", "pink", "yellow", "red")


def dump(obj: Any) -> str:
    """Claude Code's style: 2-space indent, no trailing newline."""
    return json.dumps(obj, indent=2, ensure_ascii=False)


def write_in_place(path: Path, text: str) -> None:
    """Truncate and write, as Claude Code does (no rename)."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{int(at * 1000) % 1000:03d}Z"


@dataclass
class Home:
    """A generated home and what the benchmarks need to know about it."""

    root: Path
    team: str
    count: int
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    running: list[str] = field(default_factory=list)

    @property
    def tasks_dir(self) -> Path:
        return self.root / "tasks" / self.team

    @property
    def team_dir(self) -> Path:
        return self.root / "teams" / self.team

    def task_path(self, task_id: str) -> Path:
        return self.tasks_dir / f"{task_id}.json"

    def rewrite(self, task_id: str, **changes: Any) -> None:
        """Change fields of a task and write its file in place (key order kept)."""
        task = self.tasks[task_id]
        task.update(changes)
        write_in_place(self.task_path(task_id), dump(task))


def _tasks(count: int, rng: random.Random) -> list[dict[str, Any]]:
    width = max(10, count // 20)
    done_below = int(count * 0.4)
    out: list[dict[str, Any]] = []
    status: dict[int, str] = {}
    running = 0
    for n in range(1, count + 1):
        layer = (n - 1) // width
        blockers: list[int] = []
        if layer > 0:
            low = max(1, (layer - 2) * width + 1)
            blockers = sorted(rng.sample(range(low, layer * width + 1), rng.randint(0, 3)))
        owner: str | None = None
        if n <= done_below:
            state = "completed"
            owner = AGENTS[n % RUNNING]
        elif running < RUNNING and all(status[b] == "completed" for b in blockers) \
                and rng.random() < 0.5:
            state = "in_progress"
            owner = AGENTS[running]
            running += 1
        else:
            state = "pending"
            if rng.random() < 0.02:
                owner = AGENTS[n % RUNNING]
        status[n] = state
        task: dict[str, Any] = {"id": str(n), "subject": f"Task {n}: step {n % 97} of layer "
                                f"{layer}", "description": f"Generated task {n} in layer "
                                f"{layer}. " + "Details of the work to do. " * 4}
        if state == "in_progress":
            task["activeForm"] = f"Working on task {n}"
        if owner is not None:
            task["owner"] = owner
        task["status"] = state
        task["blocks"] = []
        task["blockedBy"] = [str(b) for b in blockers]
        out.append(task)
    by_id = {t["id"]: t for t in out}
    for task in out:
        for blocker in task["blockedBy"]:
            by_id[blocker]["blocks"].append(task["id"])
    return out


def _member(team: str, name: str, color: str | None, joined: float) -> dict[str, Any]:
    member: dict[str, Any] = {"agentId": f"{name}@{team}", "name": name,
                              "agentType": "team-lead" if color is None else "general-purpose",
                              "model": "claude-opus-4-6" if color is None else "claude-sonnet-4-5"}
    if color is not None:
        member["color"] = color
        member["planModeRequired"] = False
    member["joinedAt"] = int(joined * 1000)
    member["tmuxPaneId"] = "in-process"
    member["cwd"] = "/src/app"
    member["subscriptions"] = []
    if color is not None:
        member["backendType"] = "in-process"
        member["isActive"] = True
    return member


def _inbox(sender_pool: list[str], rng: random.Random, now: float) -> list[dict[str, Any]]:
    messages = []
    for k in range(12):
        at = now - (12 - k) * 97.0
        sender = rng.choice(sender_pool)
        if k % 4 == 3:
            text = json.dumps({"type": "idle_notification", "from": sender,
                               "timestamp": _stamp(at), "idleReason": "available"},
                              separators=(",", ":"))
        else:
            text = f"Message {k} from {sender}: progress on the current step, details follow."
        messages.append({"from": sender, "text": text, "summary": f"update {k}",
                         "timestamp": _stamp(at), "read": k < 10})
    return messages


def make_home(root: Path, count: int, *, team: str = "bench", seed: int = 1) -> Home:
    """Write a home with ``count`` tasks under ``root`` (see the module docstring)."""
    rng = random.Random(seed)
    now = time.time()
    home = Home(root, team, count)
    home.tasks_dir.mkdir(parents=True, exist_ok=True)
    (home.team_dir / "inboxes").mkdir(parents=True, exist_ok=True)
    (home.tasks_dir / ".lock").touch()
    created = now - 3600.0
    members = [_member(team, "team-lead", None, created)]
    members += [_member(team, a, c, created) for a, c in zip(AGENTS, COLORS, strict=True)]
    config = {"name": team, "description": f"{count} generated tasks",
              "createdAt": int(created * 1000), "leadAgentId": f"team-lead@{team}",
              "leadSessionId": "0b7c3e0e-6a7f-4f55-9d0a-3d2f5a1c9e11", "members": members}
    (home.team_dir / "config.json").write_text(dump(config), encoding="utf-8")
    for agent in (*AGENTS, "team-lead"):
        pool = ["team-lead"] if agent != "team-lead" else list(AGENTS)
        (home.team_dir / "inboxes" / f"{agent}.json").write_text(
            dump(_inbox(pool, rng, now)), encoding="utf-8")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    for task in _tasks(count, rng):
        home.tasks[task["id"]] = task
        if task["status"] == "in_progress":
            home.running.append(task["id"])
        path = str(home.task_path(task["id"]))
        fd = os.open(path, flags, 0o644)
        try:
            os.write(fd, dump(task).encode("utf-8"))
        finally:
            os.close(fd)
        stamp = now - (count - int(task["id"]))
        os.utime(path, (stamp, stamp))
    if len(home.running) != RUNNING:
        raise RuntimeError(f"generated {len(home.running)} running tasks, not {RUNNING}")
    return home
