"""The operator's actions on the console: every write previewed, confirmed, conditional.

Each action runs a dry run of the same :class:`~taskboard.ops.Ops` verb to show
exactly what would be written, asks for confirmation, then runs the real verb
off the UI thread with ``expect`` set to what the operator saw. A task that
changed since is refused by the store and shown as a conflict; a lock held by an
agent makes the write wait briefly, then report the task busy. Every attempt goes
into the command log; the last write can be undone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding
from textual.timer import Timer

from taskboard.board.agents import summarize_agents
from taskboard.board.graph import id_key, would_cycle
from taskboard.board.model import State, Task
from taskboard.board.outline import LABELS, SYMBOLS
from taskboard.board.warnings import surely_wrong
from taskboard.claude.errors import LockTimeout, PreconditionFailed, StoreError, WriteFailed
from taskboard.ops import OpResult, Ops, expect_from
from taskboard.textsafe import clean, one_line
from taskboard.undo import UndoHistory

from ..widgets.agents import AgentPanel
from ..widgets.command_log import CommandLog, LogEntry
from ..widgets.outline import DependencyOutline

if TYPE_CHECKING:  # the dialogs are imported when opened: a faster start
    from .task_form import TaskForm

Verb = Callable[[Ops, Task], OpResult]
LOCK_NOTICE_SECONDS = 0.3
LOCK_NOTICE_TIMEOUT = 4.0
HARMLESS = frozenset({"complete", "reopen", "release", "assign", "send", "block", "edit"})
"""Verbs a ``confirm = "destructive"`` setting lets through without a dialog."""
WRITE_ACTIONS = frozenset({
    "complete", "reopen", "release", "assign", "unblock", "add_blocker", "create", "edit",
    "delete", "message", "undo", "mark",
})

OPERATOR_BINDINGS = [
    Binding("space", "mark", "Mark", show=False, id="operator.mark"),
    Binding("c", "complete", "Complete", id="operator.complete"),
    Binding("o", "reopen", "Reopen", show=False, id="operator.reopen"),
    Binding("r", "release", "Release", show=False, id="operator.release"),
    Binding("a", "assign", "Assign", id="operator.assign"),
    Binding("u", "unblock", "Unblock", show=False, id="operator.unblock"),
    Binding("b", "add_blocker", "Add blocker", show=False, id="operator.add_blocker"),
    Binding("n", "create", "New task", show=False, id="operator.create"),
    Binding("e", "edit", "Edit", show=False, id="operator.edit"),
    Binding("delete,x", "delete", "Delete", show=False, id="operator.delete"),
    Binding("m", "message", "Message", id="operator.message"),
    Binding("z", "undo", "Undo", show=False, id="operator.undo"),
    Binding("t", "tmux", "Go to pane", show=False, id="operator.tmux"),
    Binding("l", "log", "Log", id="operator.log"),
]


class OperatorActions:
    """Mixed into the console screen: the write actions and their dialogs."""

    marked: set[str]
    undo_history: UndoHistory

    # -- what the actions act on ------------------------------------------------------

    def _ops(self, *, dry_run: bool = False) -> Ops:
        settings = self.app.settings
        return Ops(self.paths, read_only=self.app.read_only, sender=settings.sender,
                   clock=self.app.clock, dry_run=dry_run)

    def _cursor_task(self) -> Task | None:
        task_id = self.query_one(DependencyOutline).task_id
        return self.board.tasks.get(task_id or "")

    def _targets(self) -> list[Task]:
        """The marked tasks, or the one under the cursor."""
        if self.marked:
            tasks = [self.board.tasks[t] for t in sorted(self.marked, key=id_key)
                     if t in self.board.tasks]
            if tasks:
                return tasks
        task = self._cursor_task()
        return [task] if task is not None else []

    def _focused_agent(self) -> str | None:
        focused = self.focused
        if isinstance(focused, AgentPanel) and focused.summary is not None \
                and focused.summary.kind != "unowned":
            return focused.agent_name
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read-only: no write action is shown or reachable. A key that reaches this screen
        while a dialog or the palette is over it (typed while it opened) runs nothing."""
        if action in WRITE_ACTIONS and (self.app.read_only or self._covered()):
            return False
        if action == "tmux":
            return bool(os.environ.get("TMUX")) or None
        return True

    def _covered(self) -> bool:
        """A dialog or the palette is over this screen (the help, which lists this
        screen's keys, is not counted)."""
        from .help import HelpScreen

        top = self.app.screen
        return top is not self and not isinstance(top, HelpScreen)

    # -- the common path: preview, confirm, write --------------------------------------

    def propose(self, verb: str, action: str, fn: Verb, tasks: list[Task] | None = None, *,
                destructive: bool = False, note: str | None = None,
                title: str | None = None, on_refused: Callable[[], None] | None = None) -> None:
        """Dry-run ``fn`` on each target, confirm the preview, then write for real.

        ``tasks`` defaults to the marked tasks or the cursor's; verbs that are not about
        an existing task (create, send) pass one placeholder and a ``title``. ``action``
        may hold ``{}`` where the targets go (``Assign {} to bob``). ``on_refused`` runs
        when the write is refused (the edit form reopens with what was typed).
        """
        targets = tasks if tasks is not None else self._targets()
        if not targets:
            self.notify("Select a task first.", severity="warning")
            return
        dry = self._ops(dry_run=True)
        previews: list[OpResult] = []
        ready: list[Task] = []
        refusals: list[str] = []
        for task in targets:
            try:
                previews.append(fn(dry, task))
                ready.append(task)
            except StoreError as err:
                refusals.append(str(err))
        if refusals:
            self.notify("\n".join(refusals[:5]), title=f"Not possible: {verb}",
                        severity="warning", timeout=6)
        if not ready:
            if on_refused is not None:
                on_refused()
            return
        warnings = [w for t in ready for w in surely_wrong(self.board, verb, t, self._now())]
        note = "\n".join([*warnings, *([note] if note else [])]) or None
        policy = self.app.settings.confirm
        skip = policy == "never" or (policy == "destructive" and verb in HARMLESS
                                     and not warnings)
        if skip:
            self._write(verb, fn, ready, on_refused)
            return
        from .confirm import ConfirmScreen, confirm_title  # a dialog: imported when opened

        title = title or confirm_title(action, [f"#{t.id}" for t in ready])

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self._write(verb, fn, ready, on_refused)
            elif on_refused is not None:
                on_refused()

        self.app.push_screen(ConfirmScreen(title, previews, note=note, destructive=destructive,
                                           warned=bool(warnings)), done)

    @work(thread=True, group="write")
    def _write(self, verb: str, fn: Verb, tasks: list[Task],
               on_refused: Callable[[], None] | None = None) -> None:
        """The real write, off the UI thread: locks may make it wait (and the screen says
        so). The whole action is recorded for undo once every task is done."""
        ops = self._ops()
        results: list[OpResult] = []
        refused = False
        for task in tasks:
            where = {"create": "the task list", "send": f"the inbox of {task.id}"}.get(
                verb, f"#{task.id}")
            notice = self.app.call_from_thread(self._lock_notice, where)
            try:
                result = fn(ops, task)
            except PreconditionFailed as err:
                refused = True
                self.app.call_from_thread(self._refused, verb, f"#{task.id}", err)
                if on_refused is None:
                    self.app.call_from_thread(self._conflict, task.id, err)
                else:  # the form reopens with what was typed; say why it was not written
                    self.app.call_from_thread(self.notify, str(err), title="Not written",
                                              severity="warning", timeout=8)
            except StoreError as err:
                refused = True
                self.app.call_from_thread(self._refused, verb, f"#{task.id}", err)
            except OSError as err:  # the store turns these into refusals; never crash
                self.app.call_from_thread(self._refused, verb, f"#{task.id}",
                                          WriteFailed.from_os_error(f"{verb} failed", err))
            else:
                results.append(result)
                self.app.call_from_thread(self._written, result)
            finally:
                self.app.call_from_thread(notice.stop)
        self.app.call_from_thread(self._after_writes, verb, results)
        if refused and on_refused is not None:
            self.app.call_from_thread(on_refused)

    def _lock_notice(self, where: str) -> Timer:
        """Say "waiting for the lock on #3…" if the write has not finished in a moment."""
        return self.set_timer(LOCK_NOTICE_SECONDS, lambda: self.notify(
            f"Waiting for the lock on {where}…", timeout=LOCK_NOTICE_TIMEOUT))

    def _log(self, entry: LogEntry) -> object:
        return self.query_one(CommandLog).add(entry)

    def _written(self, result: OpResult) -> None:
        self.record_write(result)
        key = self._log(LogEntry(self.app.clock.time(), result.verb, result.target,
                                 result.waited, True, result.summary))
        self.log_keys[id(result)] = key
        if result.warnings:
            self.notify(result.summary, title="Done in part", severity="warning", timeout=8)
        else:
            self.notify(result.summary, timeout=3)
        # Show our own write at once rather than waiting for the watcher.
        self.apply_paths({c.path for c in result.changes} | {m.path for m in result.messages})

    def _refused(self, verb: str, target: str, err: StoreError) -> None:
        self.record_refusal(verb, target, err)
        self._log(LogEntry(self.app.clock.time(), verb, target,
                           err.waited if isinstance(err, LockTimeout) else 0.0, False, str(err)))
        if isinstance(err, LockTimeout):
            self.notify(f"{target} is busy: an agent holds its lock. Nothing was written; "
                        "try again in a moment.", severity="warning", timeout=6)
        elif not isinstance(err, PreconditionFailed):
            self.notify(str(err), title="Refused", severity="error", timeout=6)

    def _conflict(self, task_id: str, err: PreconditionFailed) -> None:
        def done(look: bool | None) -> None:
            if look:
                self.apply_paths({self.paths.task_path(task_id)})
                self.go_to_task(task_id)

        from .conflict import ConflictScreen

        self.app.push_screen(ConflictScreen(task_id, str(err), err.differences), done)

    def _after_writes(self, verb: str, results: list[OpResult]) -> None:
        if verb != "undo":
            self.undo_history.record(verb, results)
        if self.marked:
            self.marked.clear()
            self._redraw_marks()

    # -- marks -------------------------------------------------------------------------

    def action_mark(self) -> None:
        task = self._cursor_task()
        if task is None:
            return
        self.marked ^= {task.id}
        self._redraw_marks({task.id})
        self.query_one(DependencyOutline).action_cursor_down()

    def _redraw_marks(self, ids: set[str] | None = None) -> None:
        outline = self.query_one(DependencyOutline)
        outline.marked = self.marked
        outline.refresh_rows(ids)
        count = len(self.marked)
        self.query_one(DependencyOutline).border_subtitle = f"{count} marked" if count else ""

    # -- task verbs ------------------------------------------------------------------------

    def action_complete(self) -> None:
        self.propose("complete", "Complete", lambda ops, t: ops.complete(t.id, expect_from(t)))

    def action_reopen(self) -> None:
        self.propose("reopen", "Reopen", lambda ops, t: ops.reopen(t.id, expect_from(t)))

    def action_release(self) -> None:
        self.propose("release", "Release", lambda ops, t: ops.release(t.id, expect_from(t)))

    def action_assign(self) -> None:
        targets = self._targets()
        if not targets:
            self.notify("Select a task first.", severity="warning")
            return
        first = targets[0]
        agents = summarize_agents(self.board)
        owner = first.owner if len(targets) == 1 else None
        subject = one_line(first.subject, 60) if len(targets) == 1 else f"{len(targets)} tasks"

        def chosen(choice: tuple[str, bool] | None) -> None:
            if choice is None:
                return
            agent, notify = choice
            self.propose("assign", f"Assign {{}} to {agent}",
                         lambda ops, t: ops.assign(t.id, agent, notify=notify,
                                                   expect=expect_from(t), force=True),
                         targets)

        from .assign import AssignScreen

        self.app.push_screen(AssignScreen(first.id, subject, agents, owner,
                                          self.app.settings.notify_on_assign), chosen)

    def action_unblock(self) -> None:
        task = self._cursor_task()
        if task is None:
            return
        unmet = self.board.analysis.unmet_blockers(task, self.board.tasks)
        if not unmet:
            self.notify(f"#{task.id} has no unmet blockers.", severity="warning")
            return
        rows = []
        for blocker in unmet:
            other = self.board.tasks.get(blocker)
            state = self.board.state(blocker) if other else State.UNKNOWN
            rows.append((blocker, f"{SYMBOLS[state]} {LABELS[state]}",
                         one_line(other.subject, 60) if other else "(missing)"))

        def chosen(ids: list[str] | None) -> None:
            if ids:
                self.propose("unblock", "Unblock",
                             lambda ops, t: ops.unblock(t.id, ids, expect_from(t)), [task])

        from .blockers import UnblockScreen

        self.app.push_screen(UnblockScreen(task.id, rows), chosen)

    def action_add_blocker(self) -> None:
        task = self._cursor_task()
        if task is None:
            return
        tasks = self.board.tasks
        candidates = [(tid, one_line(tasks[tid].subject, 60))
                      for tid in sorted(tasks, key=id_key)
                      if tid not in task.blocked_by and not tasks[tid].internal
                      and not would_cycle(tasks, task.id, tid)]

        def chosen(blocker: str | None) -> None:
            if blocker:
                self.propose("block", "Block",
                             lambda ops, t: ops.block(t.id, blocker, expect_from(t)), [task],
                             title=f"Make #{task.id} wait on #{blocker}?")

        from .blockers import AddBlockerScreen

        self.app.push_screen(AddBlockerScreen(task.id, candidates), chosen)

    def action_create(self, typed: TaskForm | None = None) -> None:
        """A new task. The selected task is offered as a blocker, unticked; when the write
        is refused the form reopens with what was typed."""
        cursor = self._cursor_task()
        offer = cursor.id if cursor is not None and not cursor.internal else None

        def chosen(form: TaskForm | None) -> None:
            if form is None:
                return
            self.propose("create", "Create",
                         lambda ops, _t: ops.create(form.subject, form.description,
                                                    blocked_by=form.blocked_by),
                         [Task(id="new")], title="Create this task?",
                         on_refused=lambda: self.action_create(form))

        from .task_form import TaskFormScreen

        self.app.push_screen(TaskFormScreen(
            "New task", subject=typed.subject if typed else "",
            description=typed.description if typed else "",
            blocked_by=typed.blocked_by if typed else [], offer_blocker=offer,
            known_ids=set(self.board.tasks)), chosen)

    def action_edit(self, typed: TaskForm | None = None) -> None:
        """Edit a subject and description, checked only against the fields it changes (an
        agent claiming the task meanwhile does not refuse it); when the write is refused
        anyway, the form reopens with the typed text."""
        task = self._cursor_task()
        if task is None:
            return

        # The form shows the fields cleaned (text from files never reaches the terminal
        # raw); a field the operator left as shown is not written back cleaned.
        shown_subject, shown_description = clean(task.subject), clean(task.description)

        def chosen(form: TaskForm | None) -> None:
            if form is None:
                return
            subject = None if form.subject == shown_subject else form.subject
            description = None if form.description == shown_description else form.description
            # Checked only against the fields it changes: an agent claiming the task
            # meanwhile does not refuse an edit of its subject.
            expect = {k: v for k, v in (("subject", task.subject),
                                        ("description", task.description))
                      if (subject if k == "subject" else description) is not None}
            if not expect:
                self.notify(f"#{task.id} is unchanged; nothing to write.", timeout=3)
                return
            self.propose("edit", "Edit",
                         lambda ops, t: ops.edit(t.id, subject=subject,
                                                 description=description, expect=expect),
                         [task], on_refused=lambda: self.action_edit(form))

        from .task_form import TaskFormScreen

        self.app.push_screen(TaskFormScreen(
            f"Edit #{task.id}", subject=typed.subject if typed else shown_subject,
            description=typed.description if typed else shown_description,
            show_blockers=False), chosen)

    def action_delete(self) -> None:
        targets = self._targets()
        dependants = sorted({d for t in targets for d in self.board.analysis.dependants.get(
            t.id, ()) if d not in {x.id for x in targets}}, key=id_key)
        note = "A delete cannot be undone."
        if dependants:
            note += (" These tasks wait on what you delete; the link is cut from them: "
                     + ", ".join(f"#{d}" for d in dependants))
        self.propose("delete", "Delete", lambda ops, t: ops.delete(t.id, expect_from(t)),
                     targets, destructive=True, note=note)

    def action_log(self) -> None:
        self.toggle_class("-show-log")
        if self.has_class("-show-log"):
            self.query_one(CommandLog).focus()
