"""Team files: ``config.json`` and the inboxes, and sending a message to an inbox."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from taskboard.board.jsontext import loads
from taskboard.claude.errors import Unreadable
from taskboard.claude.files import (
    INBOX_LIMIT,
    read_text,
    refusing_os_errors,
    write_json_atomic,
)
from taskboard.claude.lock import locked
from taskboard.claude.paths import TeamPaths
from taskboard.claude.sender import (  # noqa: F401 - the team store's names, as before
    DEFAULT_SENDER,
    LEAD_NAMES,
    check_sender,
)
from taskboard.claude.tasks import DEFAULT_TIMEOUT, refuse_symlink


def iso_now(now: datetime | None = None) -> str:
    """A timestamp in Claude Code's style: ``2026-11-20T10:15:02.114Z``."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def inbox_files(paths: TeamPaths) -> dict[str, Path]:
    """Every ``<agent>.json`` in the team's inbox directory, by agent name."""
    found: dict[str, Path] = {}
    try:
        entries = list(os.scandir(paths.inboxes_dir))
    except (FileNotFoundError, NotADirectoryError):
        return found
    for entry in entries:
        if entry.name.endswith(".json") and not entry.name.startswith("."):
            found[entry.name[: -len(".json")]] = Path(entry.path)
    return found


@dataclass
class InboxChange:
    """A message appended to an agent's inbox."""

    path: Path
    agent: str
    message: dict[str, Any]
    waited: float = 0.0


def new_message(text: str, *, sender: str, summary: str | None = None,
                color: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """An unread inbox message as Claude Code 2.1.3xx writes it: ``{from, text, summary,
    timestamp, color, msgV: 1, msg_id, type: "message", read: false}`` (``summary`` and
    ``color`` only when given)."""
    import uuid

    message: dict[str, Any] = {"from": sender, "text": text}
    if summary:
        message["summary"] = summary
    message["timestamp"] = iso_now(now)
    if color:
        message["color"] = color
    message["msgV"] = 1
    message["msg_id"] = str(uuid.uuid4())
    message["type"] = "message"
    message["read"] = False
    return message


def inbox_unwritable(paths: TeamPaths, agent: str) -> str | None:
    """Why a message to ``agent`` surely cannot be written now (read-only, no permission,
    a full disk, a symlink in the way), or None. A cheap check made before a write that
    must be followed by a message (assign), so that write is not made in vain."""
    path = paths.inbox_path(agent)
    if path.is_symlink():
        return f"the inbox is a symlink ({path})"
    directory = paths.inboxes_dir if paths.inboxes_dir.is_dir() else paths.team_dir
    try:
        free = os.statvfs(directory)
    except OSError:
        free = None
    if free is not None and free.f_flag & os.ST_RDONLY:
        return "the file system is read-only"
    if not os.access(directory, os.W_OK):
        return f"the directory is not writable ({directory})"
    if free is not None and ((free.f_bavail == 0 and os.geteuid() != 0) or free.f_bfree == 0):
        return "the disk is full"
    return None


def send_message(paths: TeamPaths, agent: str, text: str, *, sender: str,
                 summary: str | None = None, color: str | None = None,
                 now: datetime | None = None, timeout: float = DEFAULT_TIMEOUT) -> InboxChange:
    """Append a message to the agent's inbox under the inbox's lock.

    As Claude Code does, the inbox (and ``teams/<name>/inboxes/``) is created when missing: a
    task list with no team directory (print mode, ``CLAUDE_CODE_TASK_LIST_ID``) still has
    inboxes. Whether ``agent`` is a name worth writing to, and ``sender`` a name taskboard may
    use (:func:`check_sender`), is the caller's decision (:class:`taskboard.ops.Ops`).
    """
    path = paths.inbox_path(agent)
    refuse_symlink(path, f"the inbox of {agent}")
    message = new_message(text, sender=sender, summary=summary, color=color, now=now)
    # No empty inbox is created first: the lock works on a missing file, and the first
    # write creates the inbox whole (temp file and rename), so a failure (a full disk)
    # never leaves a 0-byte inbox behind.
    with refusing_os_errors(f"could not send to {agent}"):
        path.parent.mkdir(parents=True, exist_ok=True)
        with locked(path, timeout=timeout) as lock:
            current = _read_inbox(path, agent)
            current.append(message)
            write_json_atomic(path, current)
    return InboxChange(path, agent, message, lock.waited)


def _read_inbox(path: Path, agent: str) -> list[Any]:
    """The inbox's messages for an append, under its lock. An empty file (left by an
    older writer that failed mid-way) counts as no messages, never as a refusal."""
    try:
        text, _ = read_text(path, INBOX_LIMIT)
    except FileNotFoundError:
        return []
    except OSError as err:
        raise Unreadable(f"the inbox of {agent} cannot be read ({path}: {err.strerror}); "
                         "nothing was written") from None
    if not text.strip():
        return []
    try:
        current = loads(text)
    except ValueError as err:
        raise Unreadable(f"the inbox of {agent} is not valid JSON ({path}: {err}); "
                         "nothing was written") from None
    if not isinstance(current, list):
        raise Unreadable(f"the inbox of {agent} is not a list ({path}); nothing was written")
    return current
