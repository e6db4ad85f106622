"""What needs the operator, now: every rule over a board, with its evidence.

``evaluate`` runs every rule and returns the flags most urgent first (most severe,
then oldest). Rules are pure: a board, a time, thresholds, and optional signals
(transcript activity, messages seen elsewhere, the journal's "since when").

- :mod:`.work`: one task and its owner (stalled, idle holding, failed, not closed,
  owner gone, started while blocked, completed with open blockers).
- :mod:`.team`: the team (ready but unclaimed, team idle, waiting for a person,
  waiting on trouble, the files' own problems).
"""

from __future__ import annotations

from taskboard.board.agents import AgentSummary, summarize_agents
from taskboard.board.model import Board, Message
from taskboard.board.rules.flags import (
    RANK,
    SEVERITIES,
    Flag,
    Thresholds,
    at_least,
    duration,
    iso,
    urgency,
)
from taskboard.board.rules.signals import AgentActivity, Life, Signals, agent_lives
from taskboard.board.rules.team import (
    problem_rule,
    request_rule,
    team_idle_rule,
    trouble_rule,
    unclaimed_rule,
)
from taskboard.board.rules.work import link_rules, owner_rule, report_rules, running_rules
from taskboard.board.waves import Plan, plan

__all__ = ["RANK", "SEVERITIES", "AgentActivity", "Flag", "Life", "Signals", "Thresholds",
           "at_least", "by_task", "duration", "evaluate", "iso", "urgency"]


def evaluate(board: Board, now: float, *, thresholds: Thresholds | None = None,
             signals: Signals | None = None, summaries: list[AgentSummary] | None = None,
             work_plan: Plan | None = None, problems: bool = True) -> list[Flag]:
    """Every flag for ``board`` at ``now`` (epoch seconds), most urgent first, each once.

    ``summaries`` and ``work_plan`` may be passed when the caller has them already;
    the plan is only computed when the team is idle (to name what gates it).
    """
    limits = thresholds or Thresholds()
    signals = signals or Signals()
    summaries = summaries if summaries is not None else summarize_agents(board)
    lives = agent_lives(board, summaries, signals)
    flags: list[Flag] = []
    states = board.analysis.states
    for tid, task in board.tasks.items():
        if task.internal:
            continue
        state = states.get(tid)
        life = lives.get(task.owner) if task.owner else None
        if task.status == "in_progress":
            flags.extend(running_rules(board, task, life, now, limits, signals))
        if task.blocked_by and state is not None:
            flags.extend(link_rules(board, task, state, signals))
        if task.owner and state is not None:
            flags.extend(owner_rule(board, task, state, life))
    messages: list[tuple[str, Message]] = [
        (agent, m) for agent, inbox in board.inboxes.items() for m in inbox.messages]
    messages.extend(signals.messages)
    flags.extend(report_rules(board, messages, lives, now, signals))
    flags.extend(unclaimed_rule(board, lives, now, limits, signals))
    cached: list[Plan] = []

    def get_plan() -> Plan:
        if not cached:
            cached.append(work_plan or plan(board.tasks, states))
        return cached[0]

    flags.extend(team_idle_rule(board, lives, now, limits, get_plan))
    flags.extend(request_rule(board, messages, now))
    flags.extend(trouble_rule(board, list(flags)))
    if problems:
        flags.extend(problem_rule(board))
    unique: dict[tuple[str, str | None, str | None], Flag] = {}
    for flag in flags:
        key = (flag.kind, flag.task, flag.agent)
        kept = unique.get(key)
        if kept is None or (flag.since or 0.0) < (kept.since or 0.0):
            unique[key] = flag
    return sorted(unique.values(), key=urgency)


def by_task(flags: list[Flag]) -> dict[str, list[Flag]]:
    """Flags grouped by the task they name, most urgent first within each."""
    out: dict[str, list[Flag]] = {}
    for flag in flags:
        if flag.task is not None:
            out.setdefault(flag.task, []).append(flag)
    return out
