"""Writes that are surely wrong, said in the preview before the operator confirms."""

from __future__ import annotations

from taskboard.board.model import Board, State, Task


def surely_wrong(board: Board, verb: str, task: Task, now: float | None = None) -> list[str]:
    """Why writing ``verb`` on ``task`` is probably a mistake (empty when it looks fine):
    completing a task with open blockers, assigning blocked work, releasing a task that is
    running with an active owner."""
    if task.id not in board.tasks:
        return []
    warnings: list[str] = []
    if verb == "complete":
        unmet = board.analysis.unmet_blockers(task, board.tasks)
        if unmet:
            warnings.append(f"⚠ #{task.id} still waits on "
                            + ", ".join(f"#{b}" for b in unmet)
                            + ", which " + ("is" if len(unmet) == 1 else "are")
                            + " not done.")
    elif verb == "assign" and board.state(task.id) == State.BLOCKED:
        unmet = board.analysis.unmet_blockers(task, board.tasks)
        warnings.append(f"⚠ #{task.id} is blocked (by "
                        + ", ".join(f"#{b}" for b in unmet)
                        + "): the agent cannot start it yet.")
    elif verb == "release" and task.status == "in_progress" and task.owner:
        member = board.team.member(task.owner) if board.team else None
        if member is not None and member.is_active:
            warnings.append(f"⚠ #{task.id} is running and {task.owner} is active: "
                            "the agent may still be working on it.")
    return warnings
