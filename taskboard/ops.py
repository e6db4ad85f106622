"""The operator's verbs: each one locked, conditional, atomic, and returning what it changed.

Every verb takes ``expect``: the fields the operator saw (``status``, ``owner`` with
None for unowned, or any other task key). Under the task's lock the file is
re-read; if it no longer matches, :class:`PreconditionFailed` is raised and nothing
is written. The :class:`OpResult` a verb returns holds every file's JSON before and
after, which is what the console confirms, logs and undoes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from taskboard.board.graph import would_cycle
from taskboard.board.model import Task, parse_config, parse_task
from taskboard.claude.errors import (
    CycleRefused,
    NotAMember,
    NotFound,
    PreconditionFailed,
    ReadOnly,
    StoreError,
    WriteFailed,
)
from taskboard.claude.files import TASK_LIMIT, read_text
from taskboard.claude.paths import TeamPaths
from taskboard.claude.tasks import (
    DEFAULT_TIMEOUT,
    TaskChange,
    task_files,
    task_path,
)
from taskboard.claude.team import (
    DEFAULT_SENDER,
    InboxChange,
    check_sender,
    inbox_unwritable,
    iso_now,
)
from taskboard.clock import Clock
from taskboard.writer import DryRunWriter, LockedWriter, Writer

Expect = Mapping[str, Any]
VERBS = ("complete", "reopen", "release", "assign", "unblock", "block", "create", "edit",
         "delete", "send", "undo")


@dataclass
class OpResult:
    """The record of one operator action: what changed, where, and how long the locks took."""

    verb: str
    team: str
    target: str
    summary: str
    changes: list[TaskChange] = field(default_factory=list)
    messages: list[InboxChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What was not done although the main write was (a message that could not be sent)."""

    @property
    def waited(self) -> float:
        return sum(c.waited for c in self.changes) + sum(m.waited for m in self.messages)

    @property
    def undoable(self) -> bool:
        return self.verb not in ("delete", "send", "undo") and any(
            c.changed for c in self.changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "verb": self.verb,
            "team": self.team,
            "target": self.target,
            "summary": self.summary,
            "waited": round(self.waited, 4),
            "changes": [{"task": c.task_id, "path": str(c.path), "before": c.before,
                         "after": c.after} for c in self.changes if c.changed],
            "messages": [{"agent": m.agent, "path": str(m.path), "message": m.message}
                         for m in self.messages],
            "warnings": list(self.warnings),
        }


def _norm(key: str, value: Any) -> Any:
    if key == "owner" and value == "":
        return None
    if key in ("blocks", "blockedBy") and isinstance(value, list | tuple):
        return list(value)
    return value


def check_expect(task_id: str, obj: Mapping[str, Any], expect: Expect | None) -> None:
    """Raise PreconditionFailed naming every expected field that is no longer so."""
    if not expect:
        return
    differences: dict[str, tuple[object, object]] = {}
    for key, wanted in expect.items():
        actual = _norm(key, obj.get(key))
        if actual != _norm(key, wanted):
            differences[key] = (wanted, actual)
    if differences:
        parts = ", ".join(f"{k} is {_show(a)} (expected {_show(w)})"
                          for k, (w, a) in differences.items())
        raise PreconditionFailed(f"task #{task_id} changed: {parts}; nothing was written",
                                 differences)


def _show(value: Any) -> str:
    if value is None:
        return "nobody"
    return json.dumps(value, ensure_ascii=False)


def expect_from(task: Task) -> dict[str, Any]:
    """What the operator saw of a task: the fields a write must find unchanged."""
    return {
        "status": task.status,
        "owner": task.owner,
        "subject": task.subject,
        "description": task.description,
        "blocks": list(task.blocks),
        "blockedBy": list(task.blocked_by),
    }


class Ops:
    """The operator's verbs on one team, all through the locked store."""

    def __init__(self, paths: TeamPaths, *, read_only: bool = False,
                 sender: str = DEFAULT_SENDER, timeout: float = DEFAULT_TIMEOUT,
                 clock: Clock | None = None, dry_run: bool = False) -> None:
        """``dry_run``: compute every record from the files as they are, write nothing.
        ``sender``: the ``from`` (and ``assignedBy``) of messages; a lead name is refused
        (InvalidSender), as Claude Code would show such a message as forged."""
        check_sender(sender)
        self.paths = paths
        self.dry_run = dry_run
        self.writer: Writer = DryRunWriter() if dry_run else LockedWriter()
        self.read_only = read_only
        self.sender = sender
        self.timeout = timeout
        self.clock = clock or Clock()

    # -- helpers -----------------------------------------------------------

    def _guard(self, verb: str) -> None:
        if self.read_only:
            raise ReadOnly(f"taskboard is read-only: '{verb}' was not carried out")

    def _update(self, task_id: str, expect: Expect | None, fn: Any) -> TaskChange:
        def change(obj: dict[str, Any]) -> dict[str, Any] | None:
            check_expect(task_id, obj, expect)
            return fn(obj)

        return self.writer.update(self.paths.tasks_dir, task_id, change, timeout=self.timeout)

    def _read_tasks(self) -> dict[str, Task]:
        """The list as it is on disk now (unlocked: used for checks, not for writes)."""
        tasks: dict[str, Task] = {}
        for task_id, path in task_files(self.paths.tasks_dir).items():
            try:
                text, mtime = read_text(path, TASK_LIMIT)
            except OSError:  # gone, or not a regular file: not a task to check against
                continue
            task, _ = parse_task(text, task_id, path, mtime)
            if task is not None:
                tasks[task_id] = task
        return tasks

    def _follow_up(self, task_id: str, fn: Any, changes: list[TaskChange],
                   notes: list[str]) -> None:
        """The other side of a link, written after the main write. That write is done, so
        a refusal here is noted in the summary instead of raised as "nothing was written";
        a task that is gone needs no update."""
        try:
            changes.append(self.writer.update(self.paths.tasks_dir, task_id, fn,
                                              timeout=self.timeout))
        except NotFound:
            return
        except StoreError as err:
            notes.append(f"#{task_id} was not updated: {err}")

    def _require_list(self) -> None:
        if not self.paths.tasks_dir.is_dir():
            if not self.paths.exists:
                raise NotFound(self.paths.unknown())
            raise NotFound(f"the team {self.paths.described()} has no task list "
                           f"in {self.paths.home}")

    def _require_recipient(self, agent: str, force: bool) -> None:
        """Refuse a name that is not a member of the team's ``config.json`` (a typo would create
        a stray inbox), unless ``force``. With no config (a list with no team, print mode)
        there is no roster to check, and the inbox is created as Claude Code does."""
        if not agent or not agent.strip():
            raise NotFound("no agent named")
        if force:
            return
        members = self._members()
        if members is not None and agent not in members:
            known = ", ".join(members) or "none"
            raise NotAMember(f"'{agent}' is not a member of team '{self.paths.name}' "
                             f"(members: {known}); nothing was written (--force sends anyway)")

    def _members(self) -> list[str] | None:
        """The member names in ``config.json``; None when there is no readable config."""
        try:
            text, _ = read_text(self.paths.config_path)
        except OSError:
            return None
        config, _problems = parse_config(text, self.paths.config_path)
        if config is None:
            return None
        return [m.name for m in config.members]

    def _require_task(self, task_id: str) -> None:
        self._require_list()
        if not task_path(self.paths.tasks_dir, task_id).exists():
            raise NotFound(f"task #{task_id} does not exist in {self.paths.described()}")

    def _result(self, verb: str, target: str, summary: str,
                changes: Iterable[TaskChange] = (),
                messages: Iterable[InboxChange] = ()) -> OpResult:
        return OpResult(verb, self.paths.name, target, summary, list(changes), list(messages))

    # -- status ------------------------------------------------------------

    def complete(self, task_id: str, expect: Expect | None = None) -> OpResult:
        """Mark a task completed (its owner stays)."""
        self._guard("complete")
        self._require_task(task_id)

        def fn(obj: dict[str, Any]) -> dict[str, Any]:
            if obj.get("status") == "completed":
                raise PreconditionFailed(f"task #{task_id} is already completed")
            obj["status"] = "completed"
            return obj

        change = self._update(task_id, expect, fn)
        return self._result("complete", f"#{task_id}", f"completed #{task_id}", [change])

    def reopen(self, task_id: str, expect: Expect | None = None) -> OpResult:
        """Set a completed task back to pending."""
        self._guard("reopen")
        self._require_task(task_id)

        def fn(obj: dict[str, Any]) -> dict[str, Any]:
            if obj.get("status") != "completed":
                raise PreconditionFailed(f"task #{task_id} is not completed "
                                         f"(it is {obj.get('status')})")
            obj["status"] = "pending"
            return obj

        change = self._update(task_id, expect, fn)
        return self._result("reopen", f"#{task_id}", f"reopened #{task_id}", [change])

    def release(self, task_id: str, expect: Expect | None = None) -> OpResult:
        """Drop the owner and put the task back to pending, for anyone to claim."""
        self._guard("release")
        self._require_task(task_id)

        def fn(obj: dict[str, Any]) -> dict[str, Any]:
            if obj.get("status") == "completed":
                raise PreconditionFailed(f"task #{task_id} is completed; reopen it first")
            if not obj.get("owner") and obj.get("status") == "pending":
                raise PreconditionFailed(f"task #{task_id} is already unowned and pending")
            obj.pop("owner", None)
            obj["status"] = "pending"
            return obj

        change = self._update(task_id, expect, fn)
        return self._result("release", f"#{task_id}", f"released #{task_id}", [change])

    def assign(self, task_id: str, agent: str, *, notify: bool = True,
               expect: Expect | None = None, force: bool = False) -> OpResult:
        """Give a task to an agent; unless ``notify`` is off, write the task_assignment
        message Claude Code writes, which is what makes the agent start. An agent who is not
        a member of the team is refused unless ``force``."""
        self._guard("assign")
        self._require_task(task_id)
        self._require_recipient(agent, force)

        def fn(obj: dict[str, Any]) -> dict[str, Any]:
            if obj.get("status") == "completed":
                raise PreconditionFailed(f"task #{task_id} is completed; reopen it first")
            if obj.get("owner") == agent:
                raise PreconditionFailed(f"task #{task_id} is already owned by {agent}")
            obj["owner"] = agent
            return obj

        if notify and self.paths.team_dir.is_dir() and not self.dry_run:
            # Refuse before the owner is written when the message surely cannot be.
            problem = inbox_unwritable(self.paths, agent)
            if problem:
                raise WriteFailed(f"cannot notify {agent}: {problem}; nothing was written "
                                  "(assign without notifying to write only the owner)")
        change = self._update(task_id, expect, fn)
        messages: list[InboxChange] = []
        warnings: list[str] = []
        summary = f"assigned #{task_id} to {agent}"
        if notify:
            after = change.after or {}
            payload = {
                "type": "task_assignment",
                "taskId": task_id,
                "subject": after.get("subject", ""),
                "description": after.get("description", ""),
                "assignedBy": self.sender,
                "timestamp": iso_now(self.clock.now()),
            }
            # The owner is already written: a refused message is reported (a warning, and
            # the CLI exits 1), not raised. With no team directory the inbox is created, as
            # Claude Code does.
            try:
                text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                messages.append(self.writer.send(
                    self.paths, agent, text, sender=self.sender, summary=None, now=self.clock.now(),
                    timeout=self.timeout))
            except StoreError as err:
                summary += f" but {agent} was NOT notified ({err})"
                warnings.append(f"{agent} was not notified: {err}")
            else:
                summary += " (notified)"
        result = self._result("assign", f"#{task_id}", summary, [change], messages)
        result.warnings.extend(warnings)
        return result

    def edit(self, task_id: str, *, subject: str | None = None,
             description: str | None = None, expect: Expect | None = None) -> OpResult:
        """Change a task's subject and/or description."""
        self._guard("edit")
        self._require_task(task_id)
        if subject is not None and not subject.strip():
            raise PreconditionFailed("a task's subject cannot be empty")

        def fn(obj: dict[str, Any]) -> dict[str, Any]:
            if subject is not None:
                obj["subject"] = subject
            if description is not None:
                obj["description"] = description
            return obj

        change = self._update(task_id, expect, fn)
        return self._result("edit", f"#{task_id}", f"edited #{task_id}", [change])

    # -- dependencies --------------------------------------------------------

    def unblock(self, task_id: str, blockers: Iterable[str] | None = None,
                expect: Expect | None = None) -> OpResult:
        """Cut the named blockers (or every unmet one) from both sides of each link."""
        self._guard("unblock")
        self._require_task(task_id)
        named = list(dict.fromkeys(blockers)) if blockers else None
        tasks = self._read_tasks()
        cut: list[str] = []

        def fn(obj: dict[str, Any]) -> dict[str, Any]:
            current = [str(b) for b in obj.get("blockedBy") or []]
            if named is not None:
                missing = [b for b in named if b not in current]
                if missing:
                    raise NotFound(f"task #{task_id} is not blocked by "
                                   + ", ".join(f"#{b}" for b in missing))
                cut.extend(named)
            else:
                cut.extend(b for b in current
                           if b not in tasks or tasks[b].status != "completed")
                if not cut:
                    raise PreconditionFailed(f"task #{task_id} has no unmet blockers")
            obj["blockedBy"] = [b for b in current if b not in cut]
            return obj

        changes = [self._update(task_id, expect, fn)]
        notes: list[str] = []
        for blocker in cut:
            self._follow_up(blocker, _without("blocks", task_id), changes, notes)
        ids = ", ".join(f"#{b}" for b in cut)
        return self._result("unblock", f"#{task_id}",
                            _noted(f"cut {ids} from #{task_id}", notes), changes)

    def block(self, task_id: str, by: str, expect: Expect | None = None) -> OpResult:
        """Make ``task_id`` wait on ``by``, on both sides; refuse a link that closes a cycle."""
        self._guard("block")
        self._require_task(task_id)
        self._require_task(by)
        tasks = self._read_tasks()
        if would_cycle(tasks, task_id, by):
            raise CycleRefused(f"#{task_id} cannot wait on #{by}: that would make a cycle")

        def fn(obj: dict[str, Any]) -> dict[str, Any]:
            current = [str(b) for b in obj.get("blockedBy") or []]
            if by in current:
                raise PreconditionFailed(f"task #{task_id} is already blocked by #{by}")
            obj["blockedBy"] = [*current, by]
            return obj

        changes = [self._update(task_id, expect, fn)]
        notes: list[str] = []
        self._follow_up(by, _with("blocks", task_id), changes, notes)
        return self._result("block", f"#{task_id}",
                            _noted(f"#{task_id} now waits on #{by}", notes), changes)

    # -- create / delete -----------------------------------------------------

    def create(self, subject: str, description: str = "", *,
               blocked_by: Iterable[str] = (), owner: str | None = None) -> OpResult:
        """Create a pending task and link it under each blocker."""
        self._guard("create")
        self._require_list()
        if not subject.strip():
            raise PreconditionFailed("a task's subject cannot be empty")
        blockers = list(dict.fromkeys(blocked_by))
        for blocker in blockers:
            self._require_task(blocker)
        created = self.writer.create(self.paths.tasks_dir, subject, description,
                                     blocked_by=blockers, owner=owner, timeout=self.timeout)
        changes = [created]
        notes: list[str] = []
        for blocker in blockers:
            self._follow_up(blocker, _with("blocks", created.task_id), changes, notes)
        return self._result("create", f"#{created.task_id}",
                            _noted(f"created #{created.task_id}: {subject}", notes), changes)

    def delete(self, task_id: str, expect: Expect | None = None) -> OpResult:
        """Delete a task as Claude Code does: raise the high-water mark, remove the file,
        then strip the id from every other task's ``blocks`` and ``blockedBy``."""
        self._guard("delete")
        self._require_task(task_id)
        if expect:  # refuse early, before any lock; checked again under the locks
            current = self._read_tasks().get(task_id)
            check_expect(task_id, current.raw if current else {}, expect)

        def check(obj: dict[str, Any] | None) -> None:
            check_expect(task_id, obj or {}, expect)

        changes = [self.writer.remove(self.paths.tasks_dir, task_id, check=check,
                                      timeout=self.timeout)]
        notes: list[str] = []
        for other in self._read_tasks().values():
            if task_id in other.blocks or task_id in other.blocked_by:
                self._follow_up(other.id, _without_everywhere(task_id), changes, notes)
        return self._result("delete", f"#{task_id}", _noted(f"deleted #{task_id}", notes),
                            changes)

    # -- messages ------------------------------------------------------------

    def send(self, agent: str, text: str, summary: str | None = None, *,
             force: bool = False) -> OpResult:
        """Append a message to an agent's inbox (created if missing, as Claude Code does). An
        agent who is not a member of the team is refused unless ``force``."""
        self._guard("send")
        if not text.strip():
            raise PreconditionFailed("a message cannot be empty")
        if not self.paths.exists:
            raise NotFound(self.paths.unknown())
        self._require_recipient(agent, force)
        message = self.writer.send(self.paths, agent, text, sender=self.sender,
                                   summary=summary, now=self.clock.now(), timeout=self.timeout)
        return self._result("send", agent, f"sent a message to {agent}", messages=[message])

    # -- undo ------------------------------------------------------------------

    def undo(self, result: OpResult) -> OpResult:
        """Write the inverse of ``result``, conditional on each file still being as it left it."""
        self._guard("undo")
        if not result.undoable:
            raise PreconditionFailed(f"'{result.verb}' cannot be undone")
        changes: list[TaskChange] = []
        for change in reversed([c for c in result.changes if c.changed]):
            # Every key the write left (and every key it removed) must still be so, and
            # nobody may have taken the task since.
            after = change.after or {}
            keys = dict.fromkeys([*(change.before or {}), *after, "owner"])
            expect = {k: after.get(k) for k in keys}
            if change.before is None:  # the task was created: delete it if untouched since
                changes.extend(self.delete(change.task_id, expect=expect).changes)
                continue
            changes.append(self._update(change.task_id, expect, _restore(change.fields())))
        return self._result("undo", result.target, f"undid: {result.summary}", changes)


def _noted(summary: str, notes: list[str]) -> str:
    return summary + "".join(f" ({note})" for note in notes)


def _with(key: str, task_id: str) -> Any:
    def fn(obj: dict[str, Any]) -> dict[str, Any]:
        current = [str(v) for v in obj.get(key) or []]
        if task_id not in current:
            obj[key] = [*current, task_id]
        return obj
    return fn


def _without(key: str, task_id: str) -> Any:
    def fn(obj: dict[str, Any]) -> dict[str, Any]:
        obj[key] = [v for v in obj.get(key) or [] if str(v) != task_id]
        return obj
    return fn


def _without_everywhere(task_id: str) -> Any:
    def fn(obj: dict[str, Any]) -> dict[str, Any]:
        for key in ("blocks", "blockedBy"):
            obj[key] = [v for v in obj.get(key) or [] if str(v) != task_id]
        return obj
    return fn


def _restore(fields: Mapping[str, tuple[Any, Any]]) -> Any:
    def fn(obj: dict[str, Any]) -> dict[str, Any]:
        for key, (before, _) in fields.items():
            if before is None:
                obj.pop(key, None)
            else:
                obj[key] = before
        return obj
    return fn


__all__ = ["OpResult", "Ops", "StoreError", "check_expect", "expect_from"]
