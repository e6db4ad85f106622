"""The console's alerts, as the rules (:mod:`taskboard.board.rules`) flag them.

Kept for the callers that want the work-and-agent flags without the files' own
problems (those have their own count and screen).
"""

from __future__ import annotations

from taskboard.board.agents import AgentSummary
from taskboard.board.model import Board
from taskboard.board.rules import Flag, Signals, Thresholds, evaluate
from taskboard.board.rules.team import Unclaimed
from taskboard.board.waves import Plan

Alert = Flag
STALL_AFTER = Thresholds().stall


def check(board: Board, now: float, *, stall_after: float | None = None,
          agents: list[AgentSummary] | None = None, thresholds: Thresholds | None = None,
          signals: Signals | None = None, slow: list[Flag] | None = None,
          work_plan: Plan | None = None, memo: Unclaimed | None = None,
          changed: set[str] | None = None) -> list[Flag]:
    """Every flag for the board at ``now`` except the files' problems, most urgent first.
    ``slow``: the whole-list flags when the caller keeps them (see ``slow_flags``);
    ``work_plan``: the plan when the caller has it (its waves and gates are what the
    rules use, and they do not depend on the plan's weights); ``memo``, ``changed``: see
    ``evaluate``."""
    limits = thresholds or Thresholds()
    if stall_after is not None:
        from dataclasses import replace

        limits = replace(limits, stall=stall_after)
    return evaluate(board, now, thresholds=limits, signals=signals, summaries=agents,
                    problems=False, slow=slow, work_plan=work_plan, memo=memo,
                    changed=changed)
