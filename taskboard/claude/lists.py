"""Every task list and team under a Claude home, summarised: for ``taskboard ls`` and the picker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskboard.board.model import Board, State
from taskboard.claude.paths import TeamPaths, known_names
from taskboard.claude.reader import load_board


def state_counts(board: Board) -> dict[str, int]:
    """Visible tasks by derived state, every state named (zero when none)."""
    counts = board.visible_counts()
    return {str(state): counts.get(state, 0) for state in State}


@dataclass(frozen=True)
class ListSummary:
    """One list or team: how many tasks in which state, members, problems, last change."""

    name: str
    tasks: int
    counts: dict[str, int]
    members: int
    problems: int
    last_change: float
    has_list: bool
    has_team: bool

    @property
    def open(self) -> int:
        return self.tasks - self.counts[str(State.COMPLETED)]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "tasks": self.tasks, "counts": self.counts,
            "members": self.members, "problems": self.problems,
            "lastChange": self.last_change or None,
            "hasList": self.has_list, "hasTeam": self.has_team,
        }


def summarize_lists(home: Path) -> list[ListSummary]:
    """Every list and team under ``home``, most recently changed first."""
    out = []
    for name in known_names(home):
        board = load_board(TeamPaths(home, name))
        counts = state_counts(board)
        out.append(ListSummary(
            name=name, tasks=sum(counts.values()), counts=counts,
            members=len(board.members), problems=board.problem_count(),
            last_change=board.last_change, has_list=board.list_exists,
            has_team=board.team_exists,
        ))
    out.sort(key=lambda s: (-s.last_change, s.name))
    return out
