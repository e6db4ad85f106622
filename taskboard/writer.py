"""Where the operator's verbs send their writes: the locked store, or a dry run.

:class:`LockedWriter` is the real thing. :class:`DryRunWriter` reads the same
files without locking and returns the same records without writing anything (no
file, no lock directory, no ``.lock``), so the console can show exactly what a
verb would change before the operator confirms it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from taskboard.claude.errors import NotFound
from taskboard.claude.paths import TeamPaths
from taskboard.claude.tasks import (
    TaskChange,
    create_task,
    new_task,
    next_id,
    read_task_json,
    remove_task_file,
    task_path,
    update_task,
)
from taskboard.claude.team import InboxChange, new_message, send_message

Change = Callable[[dict[str, Any]], dict[str, Any] | None]
Check = Callable[[dict[str, Any] | None], None]


class Writer(Protocol):
    """The four writes the operator's verbs are made of."""

    def update(self, list_dir: Path, task_id: str, change: Change, *,
               timeout: float) -> TaskChange: ...

    def create(self, list_dir: Path, subject: str, description: str, *,
               blocked_by: Iterable[str], owner: str | None, timeout: float) -> TaskChange: ...

    def remove(self, list_dir: Path, task_id: str, *, check: Check | None,
               timeout: float) -> TaskChange: ...

    def send(self, paths: TeamPaths, agent: str, text: str, *, sender: str,
             summary: str | None, now: datetime, timeout: float) -> InboxChange: ...


class LockedWriter:
    """Writes through the store: locked, conditional, atomic."""

    def update(self, list_dir: Path, task_id: str, change: Change, *,
               timeout: float) -> TaskChange:
        return update_task(list_dir, task_id, change, timeout=timeout)

    def create(self, list_dir: Path, subject: str, description: str, *,
               blocked_by: Iterable[str], owner: str | None, timeout: float) -> TaskChange:
        return create_task(list_dir, subject, description, blocked_by=blocked_by, owner=owner,
                           timeout=timeout)

    def remove(self, list_dir: Path, task_id: str, *, check: Check | None,
               timeout: float) -> TaskChange:
        return remove_task_file(list_dir, task_id, check=check, timeout=timeout)

    def send(self, paths: TeamPaths, agent: str, text: str, *, sender: str,
             summary: str | None, now: datetime, timeout: float) -> InboxChange:
        return send_message(paths, agent, text, sender=sender, summary=summary, now=now,
                            timeout=timeout)


class DryRunWriter:
    """Computes what each write would do, from the files as they are now; writes nothing."""

    def update(self, list_dir: Path, task_id: str, change: Change, *,
               timeout: float) -> TaskChange:
        path = task_path(list_dir, task_id)
        before = read_task_json(list_dir, task_id)
        after = change(copy.deepcopy(before))
        return TaskChange(path, task_id, before, before if after is None else after)

    def create(self, list_dir: Path, subject: str, description: str, *,
               blocked_by: Iterable[str], owner: str | None, timeout: float) -> TaskChange:
        if not list_dir.is_dir():
            raise NotFound(f"there is no task list at {list_dir}")
        task_id = next_id(list_dir)
        obj = new_task(task_id, subject, description, blocked_by=blocked_by, owner=owner)
        return TaskChange(task_path(list_dir, task_id), task_id, None, obj)

    def remove(self, list_dir: Path, task_id: str, *, check: Check | None,
               timeout: float) -> TaskChange:
        before = read_task_json(list_dir, task_id)
        if check is not None:
            check(before)
        return TaskChange(task_path(list_dir, task_id), task_id, before, None)

    def send(self, paths: TeamPaths, agent: str, text: str, *, sender: str,
             summary: str | None, now: datetime, timeout: float) -> InboxChange:
        message = new_message(text, sender=sender, summary=summary, now=now)
        return InboxChange(paths.inbox_path(agent), agent, message)
