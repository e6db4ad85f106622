"""What the console keeps from deltas (agent summaries, counts) equals a fresh walk, always.

Random rewrites of real task files, read back through the real reader one change at
a time: after each, :class:`AgentTracker` must give what :func:`summarize_agents`
gives, and the board's kept counts what counting every task gives.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

from taskboard.board.agents import AgentSummary, AgentTracker, summarize_agents
from taskboard.board.model import Board, State
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import BoardReader
from tests.conftest import member_json, task_json

OWNERS = (None, "alpha", "bravo", "stranger")


def comparable(summary: AgentSummary) -> tuple:
    """What a summary holds, down to its tasks (objects, compared by value)."""
    return (summary.name, summary.kind, summary.member, summary.active,
            list(summary.running), sorted(summary.pending, key=lambda t: t.id),
            summary.completed, summary.last_seen, summary.unread, summary.newest,
            summary.idle_since)


def walked_counts(board: Board) -> tuple[Counter[State], int]:
    states = board.analysis.states
    counts = Counter(states[tid] for tid, task in board.tasks.items()
                     if not task.metadata.get("_internal"))
    problems = sum(len(task.problems) for task in board.tasks.values())
    return +counts, problems


def write(paths: TeamPaths, obj: dict) -> Path:
    path = paths.tasks_dir / f"{obj['id']}.json"
    path.write_text(json.dumps(obj, indent=2))
    return path


def random_task(rng: random.Random, task_id: str, ids: list[str]) -> dict:
    others = [i for i in ids if i != task_id]
    blockers = rng.sample(others, min(len(others), rng.randint(0, 2)))
    fields: dict = {"status": rng.choice(("pending", "in_progress", "completed")),
                    "owner": rng.choice(OWNERS), "blockedBy": blockers}
    if rng.random() < 0.1:
        fields["metadata"] = {"_internal": True}
    if rng.random() < 0.1:
        fields["blocks"] = "not a list"  # a problem inside the task
    return task_json(task_id, **fields)


def test_tracker_and_counts_follow_every_change(tmp_path: Path) -> None:
    rng = random.Random(11)
    paths = TeamPaths(tmp_path, "team")
    paths.tasks_dir.mkdir(parents=True)
    paths.team_dir.mkdir(parents=True)
    paths.config_path.write_text(json.dumps({"name": "team", "members": [
        member_json("team", "team-lead"), member_json("team", "alpha"),
        member_json("team", "bravo")]}))
    ids = [str(n) for n in range(1, 31)]
    for task_id in ids:
        write(paths, random_task(rng, task_id, ids))
    reader = BoardReader(paths)
    reader.rescan()
    tracker = AgentTracker()
    board = reader.board
    summaries = tracker.summaries(board)
    assert [comparable(s) for s in summaries] == \
        [comparable(s) for s in summarize_agents(board)]
    next_id = 31
    shown: list[tuple[list[AgentSummary], list[tuple]]] = []
    for _step in range(120):
        roll = rng.random()
        if roll < 0.1 and len(ids) > 5:  # a task deleted
            gone = ids.pop(rng.randrange(len(ids)))
            path = paths.tasks_dir / f"{gone}.json"
            path.unlink()
        elif roll < 0.2:  # a task created
            ids.append(str(next_id))
            path = write(paths, random_task(rng, str(next_id), ids))
            next_id += 1
        else:  # a task rewritten: status and owner, sometimes links
            task_id = rng.choice(ids)
            obj = random_task(rng, task_id, ids)
            if rng.random() < 0.7:  # links unchanged: the incremental path
                old = board.tasks[task_id].raw
                obj["blockedBy"], obj["blocks"] = old["blockedBy"], old["blocks"]
            path = write(paths, obj)
        shown.append((summaries, [comparable(s) for s in summaries]))
        delta = reader.refresh([path])
        changed = None if delta.structure or delta.team else delta.tasks
        summaries = tracker.summaries(board, changed)
        assert [comparable(s) for s in summaries] == \
            [comparable(s) for s in summarize_agents(board)]
        # Every earlier summary (the last is on screen until the next repaint; a dialog
        # may hold an older one) still holds the tasks as they were when it was made.
        for earlier, as_made in shown:
            assert [comparable(s) for s in earlier] == as_made
        counts, problems = walked_counts(board)
        assert +board.visible_counts() == counts
        assert board.problem_count() == problems + len(board.analysis.problems) + sum(
            len(p) for p in board.file_problems.values())
