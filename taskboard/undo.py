"""What ``z`` undoes: the last write, and only that one.

The console records each action it carried out (one verb, on one task or on every marked
task) here. Undo looks at that last action alone: a delete or a message cannot be undone,
and it says so rather than reaching back to an earlier write; a bulk action is undone task
by task, each conditional on the file still being as the action left it, and the tasks that
could not be undone are reported. No UI here, so the journal can take this over.
"""

from __future__ import annotations

from dataclasses import dataclass

from taskboard.claude.errors import StoreError
from taskboard.ops import OpResult, Ops
from taskboard.textsafe import one_line

NOT_UNDOABLE = {"delete": "a delete cannot be undone", "send": "a sent message cannot be undone",
                "undo": "an undo is not undone in turn"}


@dataclass(frozen=True)
class Action:
    """One operator action as written: its verb and the result for each task it touched."""

    verb: str
    results: tuple[OpResult, ...]

    @property
    def summary(self) -> str:
        if len(self.results) == 1:
            return self.results[0].summary
        targets = ", ".join(r.target for r in self.results)
        return f"{self.verb} {one_line(targets, 60)}"

    @property
    def undoable(self) -> list[OpResult]:
        return [r for r in self.results if r.undoable]


@dataclass
class Undone:
    """What an undo did: the inverse writes, and why each other task was left alone."""

    action: Action
    results: list[OpResult]
    refused: list[str]


class UndoHistory:
    """The last action written, and how to undo it."""

    def __init__(self) -> None:
        self.last: Action | None = None

    def record(self, verb: str, results: list[OpResult]) -> None:
        """An action was written (``results`` holds what each task's write did)."""
        if results:
            self.last = Action(verb, tuple(results))

    def why_not(self) -> str | None:
        """Why ``z`` cannot undo now (shown as is), or None when it can."""
        last = self.last
        if last is None:
            return "Nothing to undo."
        if last.verb in NOT_UNDOABLE:
            return (f"The last write ({one_line(last.summary, 60)}) cannot be undone: "
                    f"{NOT_UNDOABLE[last.verb]}.")
        if not last.undoable:
            return f"The last write ({one_line(last.summary, 60)}) changed nothing to undo."
        return None

    def preview(self, ops: Ops, action: Action | None = None) -> tuple[list[OpResult], list[str]]:
        """Dry-run (with a dry-run ``ops``) or write the undo of every task of ``action``
        (the last one by default): the inverse writes, and why each other task was not."""
        action = action or self.last
        if action is None:
            return [], []
        done: list[OpResult] = []
        refused: list[str] = []
        for result in reversed(action.undoable):
            try:
                done.append(ops.undo(result))
            except StoreError as err:
                refused.append(f"{result.target}: {err}")
        return done, refused

    def undo(self, ops: Ops, action: Action) -> Undone:
        """Write the undo of ``action`` (the one the operator confirmed); it is then
        forgotten, since an undo is not undone in turn."""
        results, refused = self.preview(ops, action)
        if self.last is action:
            self.last = None
        return Undone(action, results, refused)
