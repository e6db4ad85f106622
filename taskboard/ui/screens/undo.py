"""``z``: undo the last write, and only that one (the logic is :mod:`taskboard.undo`)."""

from __future__ import annotations

from textual import work

from taskboard.ops import OpResult
from taskboard.textsafe import one_line
from taskboard.undo import Action, Undone

from ..widgets.command_log import CommandLog, LogEntry


class UndoActions:
    """Mixed into the console screen, next to :class:`.operator.OperatorActions`."""

    @property
    def last_write(self) -> OpResult | None:
        """The last write (of the last action), or None once undone."""
        last = self.undo_history.last
        return last.results[-1] if last is not None else None

    def action_undo(self) -> None:
        history = self.undo_history
        why = history.why_not()
        if why is not None:
            self.notify(why, severity="warning", timeout=5)
            return
        action = history.last
        assert action is not None
        previews, refused = history.preview(self._ops(dry_run=True), action)
        note = "\n".join(f"Not undone: {reason}" for reason in refused) or None
        if not previews:
            self.notify(note or "Nothing to undo.", title="Cannot undo", severity="warning",
                        timeout=6)
            return
        if self.app.settings.confirm == "never":
            self._undo_write(action)
            return

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self._undo_write(action)

        from .confirm import ConfirmScreen

        self.app.push_screen(ConfirmScreen(f"Undo: {one_line(action.summary, 60)}?",
                                           previews, note=note), done)

    @work(thread=True, group="write")
    def _undo_write(self, action: Action) -> None:
        undone = self.undo_history.undo(self._ops(), action)
        self.app.call_from_thread(self._undone, undone)

    def _undone(self, undone: Undone) -> None:
        log = self.query_one(CommandLog)
        targets = set()
        for result in undone.results:
            self._written(result)
            targets.add(result.target)
        for original in undone.action.results:
            key = self.log_keys.get(id(original))
            if original.target in targets and key is not None:
                log.mark_undone(key)
        for reason in undone.refused:
            log.add(LogEntry(self.app.clock.time(), "undo", reason.split(":", 1)[0], 0.0,
                             False, reason))
        if undone.refused:
            self.notify("\n".join(undone.refused[:5]), title="Not undone", severity="warning",
                        timeout=8)
