"""Task files: read a list, update one task under its lock, create, delete.

Every write takes the proper-lockfile lock that Claude Code honours, re-reads the
file under it, and writes atomically. The caller's ``change`` function sees the
current JSON and may raise :class:`PreconditionFailed` to write nothing.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taskboard.claude.errors import NotFound, Unreadable, WriteFailed
from taskboard.claude.files import (
    SMALL_LIMIT,
    TASK_LIMIT,
    read_json,
    read_text,
    refusing_os_errors,
    write_atomic,
    write_json_atomic,
)
from taskboard.claude.lock import locked
from taskboard.claude.paths import task_id_from_name

KEY_ORDER = ("id", "subject", "description", "activeForm", "owner", "status",
             "blocks", "blockedBy", "metadata")
DEFAULT_TIMEOUT = 3.0
_LEADING_DIGITS = re.compile(r"[0-9]+")


@dataclass
class TaskChange:
    """What one write did to one task file: the JSON before and after (None = no file)."""

    path: Path
    task_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    waited: float = 0.0
    """Seconds spent waiting for the lock."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def fields(self) -> dict[str, tuple[Any, Any]]:
        """Each top-level key whose value differs, as ``(before, after)`` (None = absent)."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


def task_path(list_dir: Path, task_id: str) -> Path:
    if not task_id.isdigit():
        raise NotFound(f"'{task_id}' is not a task id (ids are decimal numbers)")
    return list_dir / f"{task_id}.json"


def task_files(list_dir: Path) -> dict[str, Path]:
    """Every ``<n>.json`` in the list directory, by id. Anything else is not a task."""
    found: dict[str, Path] = {}
    try:
        entries = list(os.scandir(list_dir))
    except (FileNotFoundError, NotADirectoryError):
        return found
    for entry in entries:
        task_id = task_id_from_name(entry.name)
        if task_id is not None:
            found[task_id] = Path(entry.path)
    return found


def ordered(obj: dict[str, Any]) -> dict[str, Any]:
    """The keys in Claude Code's schema order (``KEY_ORDER``), then every other key as it was.

    Claude Code re-parses a task through its schema when it updates it, so this is the order
    a task file has after any write by Claude Code.
    """
    known = {k: obj[k] for k in KEY_ORDER if k in obj}
    return known | {k: v for k, v in obj.items() if k not in known}


def refuse_symlink(path: Path, what: str) -> None:
    """A task file or inbox that is a symlink is never written: the lock and the write
    would land wherever it points."""
    if path.is_symlink():
        raise WriteFailed(f"{what} is a symlink ({path}); taskboard writes only regular "
                          "files, nothing was written")


def read_task_json(list_dir: Path, task_id: str) -> dict[str, Any]:
    """The task's JSON object; NotFound or Unreadable when it cannot be used for a write."""
    path = task_path(list_dir, task_id)
    obj = read_json(path, f"task #{task_id}", TASK_LIMIT)
    if not isinstance(obj, dict):
        raise Unreadable(f"task #{task_id} does not hold a JSON object ({path})")
    return obj


def update_task(list_dir: Path, task_id: str,
                change: Callable[[dict[str, Any]], dict[str, Any] | None],
                *, timeout: float = DEFAULT_TIMEOUT) -> TaskChange:
    """Lock the task, re-read it, apply ``change`` to a copy, and write it if it differs.

    ``change`` returns the new object, or None to leave the file alone. It may raise
    a StoreError (for example PreconditionFailed) to refuse; nothing is written then.
    """
    path = task_path(list_dir, task_id)
    if not path.exists():
        raise NotFound(f"task #{task_id} does not exist in {list_dir}")
    refuse_symlink(path, f"task #{task_id}")
    with refusing_os_errors(f"could not update task #{task_id}"), \
            locked(path, timeout=timeout) as lock:
        before = read_task_json(list_dir, task_id)
        after = change(copy.deepcopy(before))
        if after is None or after == before:
            return TaskChange(path, task_id, before, before, lock.waited)
        write_json_atomic(path, ordered(after))
        return TaskChange(path, task_id, before, after, lock.waited)


MAX_ID_DIGITS = 15
"""Ids stay below 10**15, well inside JavaScript's exact integers (and any file name)."""


def read_highwatermark(list_dir: Path) -> int:
    """The highest id ever deleted, from ``.highwatermark``; 0 when absent.

    Read as Claude Code's ``parseInt`` does: leading ASCII digits, anything else
    (``²``, text, an empty file) counts as absent. Not a regular file (a FIFO),
    unreadable, or a number too long to be an id: refused, since guessing could
    reuse an id.
    """
    path = list_dir / ".highwatermark"
    try:
        text, _ = read_text(path, SMALL_LIMIT)
    except FileNotFoundError:
        return 0
    except OSError as err:
        raise Unreadable(f"{path} cannot be read ({err.strerror}); ids cannot be allocated "
                         "safely, nothing was written") from None
    match = _LEADING_DIGITS.match(text.strip())
    if match is None:
        return 0
    digits = match.group().lstrip("0") or "0"
    if len(digits) > MAX_ID_DIGITS:
        raise Unreadable(f"{path} holds a number of {len(digits)} digits, too large for an id; "
                         "nothing was written")
    return int(digits)


def next_id(list_dir: Path) -> str:
    """One more than the highest id on disk or in ``.highwatermark``. Call under the list lock.

    A task file whose id is too long to be a real id (a name crafted by someone) is
    left out; an id that would pass :data:`MAX_ID_DIGITS` is refused.
    """
    highest = max((int(i) for i in task_files(list_dir) if len(i) <= MAX_ID_DIGITS),
                  default=0)
    new = max(highest, read_highwatermark(list_dir)) + 1
    if len(str(new)) > MAX_ID_DIGITS:
        raise Unreadable(f"the next id in {list_dir} would be too large; nothing was written")
    return str(new)


def list_lock_target(list_dir: Path) -> Path:
    """The list-level lock target ``<list>/.lock``, created empty if missing.

    A ``.lock`` that is a symlink (dangling or not) is refused: following it would
    create the file, and the lock directory, wherever it points.
    """
    target = list_dir / ".lock"
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError:
        if target.is_symlink():
            raise WriteFailed(f"{target} is a symlink; taskboard does not lock through it, "
                              "nothing was written") from None
        if target.is_dir():
            raise WriteFailed(f"{target} is a directory, not the lock file; "
                              "nothing was written") from None
        raise
    os.close(fd)
    return target


def new_task(task_id: str, subject: str, description: str = "", *,
             blocked_by: Iterable[str] = (), active_form: str | None = None,
             owner: str | None = None, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON of a new pending task, keys in Claude Code's order."""
    obj: dict[str, Any] = {"id": task_id, "subject": subject, "description": description}
    if active_form:
        obj["activeForm"] = active_form
    if owner:
        obj["owner"] = owner
    obj["status"] = "pending"
    obj["blocks"] = []
    obj["blockedBy"] = list(dict.fromkeys(blocked_by))
    if metadata:
        obj["metadata"] = metadata
    return obj


def create_task(list_dir: Path, subject: str, description: str = "", *,
                blocked_by: Iterable[str] = (), active_form: str | None = None,
                owner: str | None = None, metadata: dict[str, Any] | None = None,
                timeout: float = DEFAULT_TIMEOUT) -> TaskChange:
    """Allocate an id under the list lock and write a new pending task.

    Only the new task's file is written; linking the blockers' ``blocks`` is the
    caller's job (see :func:`taskboard.ops.create`), each under its own lock.
    """
    if not list_dir.is_dir():
        raise NotFound(f"there is no task list at {list_dir}")
    with refusing_os_errors("could not create a task"), \
            locked(list_lock_target(list_dir), timeout=timeout) as lock:
        task_id = next_id(list_dir)
        obj = new_task(task_id, subject, description, blocked_by=blocked_by,
                       active_form=active_form, owner=owner, metadata=metadata)
        path = task_path(list_dir, task_id)
        write_json_atomic(path, obj)
        return TaskChange(path, task_id, None, obj, lock.waited)


def remove_task_file(list_dir: Path, task_id: str, *,
                     check: Callable[[dict[str, Any] | None], None] | None = None,
                     timeout: float = DEFAULT_TIMEOUT) -> TaskChange:
    """Raise ``.highwatermark`` to the id, then remove the file (list lock, then task lock).

    ``check`` sees the task's JSON under the locks (None when unreadable) and may raise a
    StoreError (for example PreconditionFailed) to refuse; nothing is written then.
    """
    path = task_path(list_dir, task_id)
    if not path.exists():
        raise NotFound(f"task #{task_id} does not exist in {list_dir}")
    refuse_symlink(path, f"task #{task_id}")
    with refusing_os_errors(f"could not delete task #{task_id}"), \
            locked(list_lock_target(list_dir), timeout=timeout) as list_lock, \
            locked(path, timeout=timeout) as task_lock:
        try:
            before = read_json(path, f"task #{task_id}", TASK_LIMIT)
        except Unreadable:
            before = None
        if not isinstance(before, dict):
            before = None
        if check is not None:
            check(before)
        if int(task_id) > read_highwatermark(list_dir):
            write_atomic(list_dir / ".highwatermark", task_id)
        path.unlink()
        return TaskChange(path, task_id, before, None,
                          list_lock.waited + task_lock.waited)
