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

from collections.abc import Iterable
from operator import attrgetter

from taskboard.board.agents import AgentSummary, summarize_agents
from taskboard.board.model import Board, Message, State, Task
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
    Unclaimed,
    problem_rule,
    request_rule,
    team_idle_rule,
    trouble_rule,
    unclaimed_rule,
)
from taskboard.board.rules.work import link_rules, owner_rule, report_rules, running_rules
from taskboard.board.waves import Plan, plan

__all__ = ["RANK", "SEVERITIES", "AgentActivity", "Flag", "Life", "Signals", "Thresholds",
           "at_least", "by_task", "duration", "evaluate", "iso", "slow_flags", "urgency"]


def evaluate(board: Board, now: float, *, thresholds: Thresholds | None = None,
             signals: Signals | None = None, summaries: list[AgentSummary] | None = None,
             work_plan: Plan | None = None, problems: bool = True,
             slow: list[Flag] | None = None, memo: Unclaimed | None = None,
             changed: set[str] | None = None) -> list[Flag]:
    """Every flag for ``board`` at ``now`` (epoch seconds), most urgent first, each once.

    The live rules cost what the agents run, hold and said, not the size of the list:
    they start from the agent ``summaries`` (pass them when kept incrementally). The
    rules that must look at every task (completed work with open blockers, the files'
    problems: :func:`slow_flags`) can be passed in as ``slow``, computed when the
    caller's budget allows. The plan is only computed when the team is idle. ``memo``
    and ``changed``: the ready-but-unclaimed flags of the last run, kept by the caller,
    and the tasks changed since (see :func:`.team.unclaimed_rule`).
    """
    limits = thresholds or Thresholds()
    signals = signals or Signals()
    summaries = summaries if summaries is not None else summarize_agents(board)
    lives = agent_lives(board, summaries, signals)
    states = board.analysis.states
    running: dict[str, list[Task]] = {}
    flags: list[Flag] = []
    for summary in summaries:
        life = lives.get(summary.name)
        if summary.kind != "unowned":
            running[summary.name] = summary.running
        for task in summary.running:
            flags.extend(running_rules(board, task, life, now, limits, signals))
            if task.blocked_by:
                flags.extend(link_rules(board, task, State.IN_PROGRESS, signals))
        if summary.kind == "stranger":
            for task in [*summary.running, *summary.pending]:
                state = states.get(task.id)
                if state is not None:
                    flags.extend(owner_rule(board, task, state, life))
    messages: list[tuple[str, Message]] = [
        (agent, m) for agent, inbox in board.inboxes.items() for m in inbox.messages]
    messages.extend(signals.messages)
    flags.extend(report_rules(board, messages, lives, running, now, signals))
    unowned = next((s for s in summaries if s.kind == "unowned"), None)
    # One flag per ready task at most, made by this rule alone: thousands on a big list,
    # kept out of the de-duplication below.
    unclaimed = [] if unowned is None else unclaimed_rule(
        board, unowned.pending, lives, now, limits, signals, memo, changed)
    cached: list[Plan] = []

    def get_plan() -> Plan:
        if not cached:
            cached.append(work_plan or plan(board.tasks, states))
        return cached[0]

    remaining = sum(len(s.running) + len(s.pending) for s in summaries)
    flags.extend(team_idle_rule(board, lives, remaining, now, limits, get_plan))
    flags.extend(request_rule(board, messages, running, now))
    flags.extend(slow if slow is not None else slow_flags(board, signals, problems=problems))
    flags.extend(trouble_rule(board, list(flags)))
    unique: dict[tuple[str, str | None, str | None], Flag] = {}
    for flag in flags:
        key = (flag.kind, flag.task, flag.agent)
        kept = unique.get(key)
        if kept is None or (flag.since or 0.0) < (kept.since or 0.0):
            unique[key] = flag
    return sorted([*unique.values(), *unclaimed], key=attrgetter("order"))  # urgency()


def slow_flags(board: Board, signals: Signals | None = None, *,
               problems: bool = True, only: Iterable[str] | None = None) -> list[Flag]:
    """The rules that look at every task (or at the tasks ``only`` names): completed work
    whose blockers are open, and (``problems``) the files' own problems. Linear in the
    list."""
    signals = signals or Signals()
    states = board.analysis.states
    flags: list[Flag] = []
    tasks, done = board.tasks, State.COMPLETED
    pairs = tasks.items() if only is None else \
        ((tid, tasks[tid]) for tid in only if tid in tasks)
    for tid, task in pairs:
        if task.blocked_by and states.get(tid) is done and not task.internal:
            # Only a blocker still open can flag it (Analysis.unmet_blockers): the rule
            # is run for those alone, not for every completed task.
            for blocker in task.blocked_by:
                other = tasks.get(blocker)
                if other is None or other.status != "completed":
                    flags.extend(link_rules(board, task, done, signals))
                    break
    if problems:
        flags.extend(problem_rule(board))
    return flags


def by_task(flags: list[Flag]) -> dict[str, list[Flag]]:
    """Flags grouped by the task they name, most urgent first within each."""
    out: dict[str, list[Flag]] = {}
    for flag in flags:
        if flag.task is not None:
            out.setdefault(flag.task, []).append(flag)
    return out
