"""Rules that flag work that looks stuck, each with the reason a person would give.

Pure code over a Board and a time; nothing here decides what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from taskboard.board.agents import AgentSummary, summarize_agents
from taskboard.board.graph import id_key
from taskboard.board.model import Board, State

STALL_AFTER = 10 * 60.0


@dataclass(frozen=True)
class Alert:
    """One thing that looks stuck, and why."""

    kind: str
    detail: str
    task: str | None = None
    agent: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"kind": self.kind, "detail": self.detail}
        if self.task is not None:
            out["task"] = self.task
        if self.agent is not None:
            out["agent"] = self.agent
        return out


def _minutes(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"


def check(board: Board, now: float, *, stall_after: float = STALL_AFTER,
          agents: list[AgentSummary] | None = None) -> list[Alert]:
    """Every alert for the board at time ``now`` (epoch seconds)."""
    alerts: list[Alert] = []
    agents = agents if agents is not None else summarize_agents(board)
    for agent in agents:
        if agent.kind == "unowned":
            for task in agent.running:
                alerts.append(Alert("unowned_running", f"#{task.id} is in progress but nobody "
                                    "owns it", task.id))
            continue
        for task in agent.running:
            if agent.active is False:
                alerts.append(Alert("idle_holding", f"{agent.name} is idle but holds "
                                    f"#{task.id} in progress", task.id, agent.name))
            elif agent.last_seen is not None and now - agent.last_seen > stall_after:
                alerts.append(Alert("stalled", f"#{task.id} is in progress, but {agent.name} has "
                                    f"shown no sign of life for {_minutes(now - agent.last_seen)}",
                                    task.id, agent.name))
        if agent.kind == "stranger" and board.team is not None:
            for task in [*agent.running, *agent.pending]:
                alerts.append(Alert("orphaned", f"#{task.id} is owned by {agent.name}, who is "
                                    "not on the team", task.id, agent.name))
    # An agent said it finished a task that is still open.
    for inbox in board.inboxes.values():
        for message in inbox.messages:
            proto = message.protocol
            if message.kind != "idle_notification" or not proto:
                continue
            done = proto.get("completedTaskId")
            status = proto.get("completedStatus", "completed")
            task = board.tasks.get(str(done)) if done is not None else None
            if task is not None and status == "completed" and \
                    board.state(task.id) != State.COMPLETED and task.owner == message.sender:
                alerts.append(Alert("not_closed", f"{message.sender} reported #{task.id} "
                                    "finished, but it is not marked completed",
                                    task.id, message.sender))
    unique = {(a.kind, a.task, a.agent): a for a in alerts}
    return sorted(unique.values(), key=lambda a: (id_key(a.task or ""), a.kind))
