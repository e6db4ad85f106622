"""Every task list and team under a Claude home, summarised: for ``taskboard ls`` and the picker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskboard.board.model import Board, State
from taskboard.claude.paths import TeamPaths, known_names

NO_TASKS_HINT = ("Claude Code 2.1.3xx keeps no task list for the newest models (for example "
                 "claude-opus-4-8) unless the agents run with CLAUDE_CODE_ENABLE_TODO_TOOLS=1")
"""Why a team may have no tasks at all, and the setting that changes it."""


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
    lead_cwd: str = ""
    """The lead's working directory (from ``config.json``): tells session teams apart."""
    started: float | None = None
    """When the team was made (``createdAt``, epoch seconds)."""
    ever_had_tasks: bool = False
    """Task files now, or a ``.highwatermark`` (Claude Code cleared or deleted some)."""

    @property
    def open(self) -> int:
        return self.tasks - self.counts[str(State.COMPLETED)]

    @property
    def note(self) -> str:
        """A team with no task file at all: say why that may be."""
        if self.has_team and not self.ever_had_tasks:
            return f"a team with no tasks: {NO_TASKS_HINT}"
        return ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "tasks": self.tasks, "counts": self.counts,
            "members": self.members, "problems": self.problems,
            "lastChange": self.last_change or None,
            "hasList": self.has_list, "hasTeam": self.has_team,
            "leadCwd": self.lead_cwd or None, "started": self.started,
            "note": self.note or None,
        }


def board_dir(home: Path, name: str) -> Path:
    return TeamPaths(home, name).tasks_dir


def summarize_lists(home: Path) -> list[ListSummary]:
    """Every list and team under ``home``, most recently changed first."""
    from taskboard.claude.reader import load_board
    from taskboard.claude.tasks import read_highwatermark

    out = []
    for name in known_names(home):
        board = load_board(TeamPaths(home, name))
        counts = state_counts(board)
        team = board.team
        lead = team.lead if team is not None else None
        out.append(ListSummary(
            name=name, tasks=sum(counts.values()), counts=counts,
            members=len(board.members), problems=board.problem_count(),
            last_change=board.last_change, has_list=board.list_exists,
            has_team=board.team_exists,
            lead_cwd=lead.cwd if lead is not None else "",
            started=team.created_at / 1000 if team is not None and team.created_at else None,
            ever_had_tasks=bool(board.tasks) or read_highwatermark(board_dir(home, name)) > 0,
        ))
    out.sort(key=lambda s: (-s.last_change, s.name))
    return out
