"""What needs a look at every task, kept from one change to the next.

Three things the console shows read the whole list: the waves and critical path
(:class:`~taskboard.board.gating.Gating`), the flags of completed tasks whose
blockers are open (:func:`~taskboard.board.rules.slow_flags`), and the files' own
problems. A change that leaves every link as it was (a task claimed, started,
completed, renamed) updates them from the ids it touched: the waves of what follows
those tasks, the flags of those tasks and of the tasks that wait on them. A change
of links, a task added or removed, or a change of the team walks every task again,
at most as often as keeps that walk under ``budget`` of a core (10,000 tasks: ~70
ms, so every second or two while links keep moving); until then the last answers
stand.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from taskboard.board.gating import Gating
from taskboard.board.model import Board
from taskboard.board.rules import Flag, slow_flags
from taskboard.board.rules.team import problem_rule


class WholeList:
    """The waves, the slow flags and the problems' flags of one board, kept up to date."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.work: Gating | None = None
        self.slow: list[Flag] = []
        """Completed tasks with open blockers."""
        self.problems: list[Flag] = []
        """The files' problems, as flags."""
        self._slow_by: dict[str, list[Flag]] = {}
        self._changed: set[str] | None = None
        """Tasks changed since the last update; None: something that needs a full walk."""
        self._for: object = None
        self._problem_count = -1
        self._due = 0.0

    def touched(self, tasks: Iterable[str] | None) -> None:
        """These tasks changed (None: links, the team or anything else may have)."""
        if tasks is None:
            self._changed = None
        elif self._changed is not None:
            self._changed.update(tasks)

    def update(self, board: Board) -> bool:
        """Bring everything up to date with ``board`` if it changed and the budget allows
        a full walk when one is needed; whether anything was redone."""
        analysis = board.analysis
        if analysis is self._for:
            return False
        changed, before = self._changed, self._for
        if self.work is not None and changed is not None \
                and analysis.dependants is getattr(before, "dependants", None):
            self._update(board, changed)
        elif self.work is None or time.monotonic() >= self._due:
            started = time.perf_counter()
            self._walk(board)
            self._due = time.monotonic() + (time.perf_counter() - started) / self.budget
        else:
            return False
        self._for = analysis
        self._changed = set()
        if analysis.problems is not getattr(before, "problems", None) \
                or board.problem_count() != self._problem_count:
            self.problems = list(problem_rule(board))
            self._problem_count = board.problem_count()
        return True

    def due_in(self, board: Board) -> float | None:
        """None when everything is up to date with ``board``; else the seconds until the
        walk the budget put off may run (0: now)."""
        if board.analysis is self._for:
            return None
        return max(0.0, self._due - time.monotonic())

    def _walk(self, board: Board) -> None:
        if self.work is None:
            self.work = Gating(board.tasks, board.analysis.states)
        else:
            self.work.update(board.tasks, board.analysis.states, None)
        self._slow_by = {}
        for flag in slow_flags(board, problems=False):
            self._slow_by.setdefault(flag.task or "", []).append(flag)
        self.slow = [flag for flags in self._slow_by.values() for flag in flags]

    def _update(self, board: Board, changed: set[str]) -> None:
        assert self.work is not None
        self.work.update(board.tasks, board.analysis.states, changed)
        dependants = board.analysis.dependants
        ids = set(changed)
        for tid in changed:  # a blocker's state is part of its dependants' flags
            ids.update(dependants.get(tid, ()))
        moved = False
        for tid in ids:
            moved |= self._slow_by.pop(tid, None) is not None
        for flag in slow_flags(board, problems=False, only=ids):
            self._slow_by.setdefault(flag.task or "", []).append(flag)
            moved = True
        if moved:
            self.slow = [flag for flags in self._slow_by.values() for flag in flags]
