"""A recorded session made up in memory: the events a journal would hold for a team.

For review's tests and benchmarks (10,000 tasks and 100,000 events in a blink): tasks
created in waves that wait on earlier ones, agents claiming, working (``activeForm``
changes), completing and sending ``idle_notification`` messages, an operator write now and
then, and the clear-up Claude Code does at the end (every task removed, then the list and
the team directory). Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
from typing import Any

from taskboard.journal import events as ev
from taskboard.journal.events import Event

COLORS = ("blue", "green", "yellow", "purple", "orange", "pink", "cyan", "red")


def _task(tid: str, subject: str, blocked_by: list[str]) -> dict[str, Any]:
    return {"id": tid, "subject": subject, "description": f"Do {subject.lower()}.",
            "activeForm": f"Working on {subject.lower()}", "status": "pending",
            "blocks": [], "blockedBy": blocked_by}


def synthetic_session(tasks: int = 40, events: int = 400, *, agents: int = 4, seed: int = 1,
                      team: str = "bench", session: str = "s1", start: float = 1_780_000_000.0,
                      step: float = 0.5, teardown: bool = True) -> list[Event]:
    """About ``events`` events over ``tasks`` tasks (at least what the tasks need)."""
    rng = random.Random(seed)
    out: list[Event] = []
    clock = [start]

    def emit(kind: str, **kwargs: Any) -> None:
        clock[0] += rng.uniform(0.2, 1.8) * step
        out.append(Event(time=round(clock[0], 3), team=team, session=session, kind=kind,
                         **kwargs))

    names = [f"agent-{n + 1}" for n in range(agents)]
    emit(ev.TEAM_APPEARED, after={"name": team, "description": "A synthetic session",
                                  "createdAt": int(start * 1000), "leadAgentId": "lead",
                                  "members": []})
    emit(ev.LIST_APPEARED)
    for index, name in enumerate(["team-lead", *names]):
        emit(ev.MEMBER_JOINED, agent=name,
             after={"name": name, "agentId": f"{name}@{team}", "model": "claude-sonnet-4-6",
                    "agentType": "general-purpose", "isActive": index == 0,
                    "color": COLORS[index % len(COLORS)] if index else None})
    # Per-task work, interleaved: each task is created, claimed, worked and completed.
    budget = max(events - 4 * tasks - 2 * agents - 4 - (tasks + 2 if teardown else 0), 0)
    extra_per_task = budget / max(tasks, 1)
    records: dict[str, dict[str, Any]] = {}
    open_ids: list[str] = []
    created = 0
    carry = 0.0
    while created < tasks or open_ids:
        if created < tasks and (len(open_ids) < agents * 3 or rng.random() < 0.3):
            created += 1
            tid = str(created)
            blockers = sorted({str(rng.randint(max(1, created - 30), created - 1))
                               for _ in range(rng.randint(0, 2))} if created > 1 else set(),
                              key=int)
            record = _task(tid, f"Task {tid}: step {rng.randint(1, 999)}", blockers)
            records[tid] = record
            emit(ev.TASK_CREATED, task=tid, after=dict(record))
            for blocker in blockers:
                if blocker in records:
                    old = list(records[blocker]["blocks"])
                    records[blocker]["blocks"] = [*old, tid]
                    emit(ev.TASK_CHANGED, task=blocker, before={"blocks": old},
                         after={"blocks": records[blocker]["blocks"]})
            open_ids.append(tid)
            continue
        tid = open_ids[0] if rng.random() < 0.7 else rng.choice(open_ids)
        record = records[tid]
        if record["status"] == "pending":
            owner = rng.choice(names)
            emit(ev.TASK_CHANGED, task=tid, agent=owner,
                 before={"status": "pending", "owner": record.get("owner")},
                 after={"status": "in_progress", "owner": owner})
            record.update(status="in_progress", owner=owner)
            emit(ev.MEMBER_ACTIVE, agent=owner)
            carry += extra_per_task
            while carry >= 1:
                carry -= 1
                if rng.random() < 0.5:
                    old = record["activeForm"]
                    record["activeForm"] = f"Working on task {tid}, part {rng.randint(1, 99)}"
                    emit(ev.TASK_CHANGED, task=tid, agent=owner, before={"activeForm": old},
                         after={"activeForm": record["activeForm"]})
                else:
                    text = json.dumps({"type": "idle_notification", "from": owner,
                                       "idleReason": "available"})
                    emit(ev.MESSAGE, agent="team-lead",
                         detail={"from": owner, "text": text, "summary": None})
        else:
            owner = record["owner"]
            emit(ev.TASK_CHANGED, task=tid, agent=owner, before={"status": "in_progress"},
                 after={"status": "completed"})
            record["status"] = "completed"
            emit(ev.MEMBER_IDLE, agent=owner)
            open_ids.remove(tid)
            if rng.random() < 0.02:
                emit(ev.OPERATOR_WRITE, source="operator", task=tid,
                     detail={"verb": "complete", "result": "ok"})
    if teardown:
        for tid in records:
            emit(ev.TASK_REMOVED, task=tid, before=records[tid], detail={"auto_clear": True})
        emit(ev.LIST_VANISHED)
        emit(ev.TEAM_VANISHED)
    return out
