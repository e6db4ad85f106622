"""Plain data: tasks, members, messages and the board that holds them.

Parsing is lenient: whatever Claude Code (or anyone else) left on disk becomes a
value plus a list of :class:`Problem` entries, never an exception. Serialising is
strict: :func:`dump_json` writes exactly Claude Code's style.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from taskboard.board.jsontext import JSONLimit, escape_surrogates, loads

STATUSES = ("pending", "in_progress", "completed")
COLORS = ("red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan")


class State(StrEnum):
    """A task's derived state: its status, with pending split into ready and blocked."""

    READY = "ready"
    BLOCKED = "blocked"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Problem:
    """Something wrong on disk, with a readable detail and where it is."""

    kind: str
    detail: str
    task: str | None = None
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "detail": self.detail}
        if self.task is not None:
            out["task"] = self.task
        if self.path is not None:
            out["path"] = self.path
        return out


@dataclass(frozen=True, eq=False)
class Task:
    """One task file, parsed. ``raw`` is the whole JSON object, unknown keys included."""

    id: str
    subject: str = ""
    description: str = ""
    status: str = "pending"
    blocks: tuple[str, ...] = ()
    blocked_by: tuple[str, ...] = ()
    owner: str | None = None
    active_form: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    mtime: float = 0.0
    problems: tuple[Problem, ...] = ()
    stale: bool = False
    """True when the file could not be read and this is the last good version."""

    @property
    def internal(self) -> bool:
        """Claude Code's bookkeeping tasks: hidden from dependency views."""
        return bool(self.metadata.get("_internal"))

    def same_content(self, other: Task | None) -> bool:
        return other is not None and self.raw == other.raw and self.stale == other.stale

    def to_json(self, state: State | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "subject": self.subject,
            "description": self.description,
            "status": self.status,
            "owner": self.owner,
            "activeForm": self.active_form,
            "blocks": list(self.blocks),
            "blockedBy": list(self.blocked_by),
            "metadata": self.metadata,
        }
        if state is not None:
            out["state"] = str(state)
        if self.path is not None:
            out["path"] = str(self.path)
        if self.stale:
            out["stale"] = True
        return out


@dataclass(frozen=True)
class Member:
    """A team member from ``config.json``."""

    name: str
    agent_id: str = ""
    agent_type: str = ""
    model: str = ""
    color: str | None = None
    is_active: bool | None = None
    tmux_pane_id: str = ""
    joined_at: int | None = None
    cwd: str = ""


@dataclass(frozen=True)
class TeamConfig:
    """A team's ``config.json``."""

    name: str
    description: str = ""
    created_at: int | None = None
    lead_agent_id: str = ""
    members: tuple[Member, ...] = ()
    lead_session_id: str = ""
    """The lead's session id: a team name used again by a new session gets a new one."""
    mtime: float = field(default=0.0, compare=False)
    """The file's mtime when read (not part of equality: same content, same config)."""
    lead_pid: int | None = None
    """``leadProcess.pid`` (Claude Code 2.1.3xx), when the file has it."""

    def member(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)

    @property
    def lead(self) -> Member | None:
        """The lead member: the one whose ``agentId`` is ``leadAgentId`` (else ``team-lead``)."""
        return next((m for m in self.members if self.lead_agent_id
                     and m.agent_id == self.lead_agent_id), None) or self.member("team-lead")


@dataclass(frozen=True)
class Message:
    """One inbox message. ``protocol`` is the JSON object decoded from ``text``, if any."""

    sender: str
    text: str
    summary: str | None = None
    timestamp: str | None = None
    color: str | None = None
    read: bool = False
    protocol: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        """The protocol type (``idle_notification``, ``task_assignment`` ...) or ``text``."""
        if self.protocol is not None:
            return str(self.protocol.get("type", "unknown"))
        return "text"

    @cached_property
    def when(self) -> datetime | None:
        """The timestamp, parsed once (the rules ask it of every message at every run)."""
        return parse_timestamp(self.timestamp)

    @property
    def headline(self) -> str:
        """A one-line description of the message for panels and lists."""
        if self.summary:
            return self.summary
        if self.protocol is not None:
            proto = self.protocol
            if self.kind == "idle_notification":
                reason = proto.get("idleReason") or "idle"
                done = proto.get("completedTaskId")
                return f"idle ({reason})" + (f", finished #{done}" if done else "")
            if self.kind == "task_assignment":
                return f"assigned #{proto.get('taskId')}: {proto.get('subject', '')}"
            return self.kind.replace("_", " ")
        return self.text.splitlines()[0] if self.text else ""


@dataclass(frozen=True)
class Inbox:
    """An agent's inbox, oldest message first."""

    agent: str
    messages: tuple[Message, ...] = ()
    mtime: float = 0.0

    @property
    def unread(self) -> int:
        return sum(1 for m in self.messages if not m.read)

    @property
    def newest(self) -> Message | None:
        return self.messages[-1] if self.messages else None


def parse_timestamp(value: object) -> datetime | None:
    """An ISO 8601 timestamp (``Z`` allowed) or epoch milliseconds, as an aware datetime."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, ValueError, OSError):  # NaN, Infinity, year 300,000
            return None
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def dump_json(obj: Any) -> str:
    """JSON the way Claude Code writes it: ``JSON.stringify(obj, null, 2)``, no trailing newline.

    Like ``JSON.stringify``, a lone surrogate (a string cut in the middle of an emoji) is
    written as a ``\\uXXXX`` escape; left raw, it could not be encoded as UTF-8 at all.
    Never NaN or Infinity (``JSON.parse`` rejects them): such a value raises ValueError;
    writers check first with :func:`taskboard.board.jsontext.find_non_finite`.
    """
    text = json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False)
    return escape_surrogates(text)


# What may be left at the error position when a document stops mid-token: part of a
# literal, a sign, a number's fraction or exponent, a \\u escape.
_CUT_TAIL = re.compile(r"t(?:ru?)?|f(?:a(?:ls?)?)?|n(?:ul?)?|-|[.eE][-+]?|u[0-9a-fA-F]{0,4}")


def _cut_off(text: str, err: json.JSONDecodeError) -> bool:
    """True when ``text`` is the start of a JSON document that stops mid-way.

    Claude Code writes in place (truncate, then write), so a reader can see any prefix;
    most land inside a string, where the decoder reports the string's *start*.
    """
    if err.msg.startswith("Unterminated string"):
        return True
    if err.msg == "Extra data":
        return False
    tail = text[err.pos:].rstrip()
    return not tail or _CUT_TAIL.fullmatch(tail) is not None


def _load_object(text: str, where: str, task: str | None) -> tuple[Any, list[Problem]]:
    """Decode JSON; an empty or cut-off document is 'torn' (a writer is mid-way)."""
    if not text.strip():
        return None, [Problem("torn", "the file is empty (a writer may be mid-way)", task, where)]
    try:
        return loads(text), []
    except JSONLimit as err:
        return None, [Problem("invalid_json", f"not usable JSON: {err}", task, where)]
    except json.JSONDecodeError as err:
        kind = "torn" if _cut_off(text, err) else "invalid_json"
        why = "invalid JSON" if kind == "invalid_json" else \
            "the file ends mid-way (a writer may be mid-way)"
        at = f"line {err.lineno} column {err.colno}"
        return None, [Problem(kind, f"{why}: {err.msg}: {at}", task, where)]


def _string_list(value: Any, key: str, task: str, where: str,
                 problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        problems.append(Problem("missing_key", f"'{key}' is missing", task, where))
        return ()
    if not isinstance(value, list):
        problems.append(Problem("wrong_type", f"'{key}' should be a list of ids, "
                                f"not {type(value).__name__}", task, where))
        return ()
    ids: list[str] = []
    for item in value:
        if isinstance(item, str):
            ids.append(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            problems.append(Problem("wrong_type", f"'{key}' holds the number {item}, "
                                    "not the string", task, where))
            ids.append(str(item))
        else:
            problems.append(Problem("wrong_type", f"'{key}' holds {item!r}, not an id",
                                    task, where))
    return tuple(ids)


def _text_field(obj: dict[str, Any], key: str, task: str, where: str,
                problems: list[Problem]) -> str:
    value = obj.get(key)
    if value is None:
        problems.append(Problem("missing_key", f"'{key}' is missing", task, where))
        return ""
    if not isinstance(value, str):
        problems.append(Problem("wrong_type", f"'{key}' should be a string, "
                                f"not {type(value).__name__}", task, where))
        return str(value)
    return value


def parse_task(text: str, file_id: str, path: Path | None = None,
               mtime: float = 0.0) -> tuple[Task | None, list[Problem]]:
    """Parse one task file named ``<file_id>.json``.

    Returns None only when there is no JSON object at all; any other defect
    becomes a Problem and a best-effort Task, so nothing is dropped silently.
    """
    where = str(path) if path is not None else f"{file_id}.json"
    obj, problems = _load_object(text, where, file_id)
    if problems:  # not JSON (a file holding ``null`` is JSON, and wrong below)
        return None, problems
    if not isinstance(obj, dict):
        return None, [Problem("not_an_object", f"a task file must hold an object, "
                              f"not {type(obj).__name__}", file_id, where)]
    return task_from_object(obj, file_id, path, mtime)


def task_from_object(obj: dict[str, Any], file_id: str, path: Path | None = None,
                     mtime: float = 0.0) -> tuple[Task, list[Problem]]:
    """A task from its decoded JSON object (a file's, or one recorded in the journal)."""
    task = _usual_task(obj, file_id, path, mtime)
    if task is not None:
        return task, []
    return _checked_task(obj, file_id, path, mtime)


def _usual_task(obj: dict[str, Any], file_id: str, path: Path | None,
                mtime: float) -> Task | None:
    """The usual task file (every key there, each of its type, its id its file's): the
    task :func:`_checked_task` makes of it, without checking the keys one by one. None
    for anything else, which the checks then describe. A test holds the two equal."""
    get = obj.get
    subject, description, status = get("subject"), get("description"), get("status")
    blocks, blocked_by = get("blocks"), get("blockedBy")
    owner, active_form, metadata = get("owner"), get("activeForm"), get("metadata")
    if not (get("id") == file_id and type(subject) is str and type(description) is str
            and status in STATUSES and type(blocks) is list and type(blocked_by) is list
            and (owner is None or type(owner) is str)
            and (active_form is None or type(active_form) is str)
            and (metadata is None or type(metadata) is dict)):
        return None
    for item in blocks:
        if type(item) is not str:
            return None
    for item in blocked_by:
        if type(item) is not str:
            return None
    return _new_task(
        id=file_id, subject=subject, description=description, status=status,
        blocks=tuple(blocks), blocked_by=tuple(blocked_by), owner=owner or None,
        active_form=active_form, metadata={} if metadata is None else metadata, raw=obj,
        path=path, mtime=mtime, problems=(), stale=False,
    )


def _checked_task(obj: dict[str, Any], file_id: str, path: Path | None = None,
                  mtime: float = 0.0) -> tuple[Task, list[Problem]]:
    """A task from any object, each key checked, each defect a problem."""
    where = str(path) if path is not None else f"{file_id}.json"
    problems: list[Problem] = []
    raw_id = obj.get("id")
    if raw_id is None:
        problems.append(Problem("missing_key", "'id' is missing", file_id, where))
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        problems.append(Problem("numeric_id", f"'id' is the number {raw_id}; Claude Code "
                                "ignores tasks whose id is not a string", file_id, where))
    elif not isinstance(raw_id, str):
        problems.append(Problem("wrong_type", f"'id' should be a string, not "
                                f"{type(raw_id).__name__}", file_id, where))
    if raw_id is not None and str(raw_id) != file_id:
        problems.append(Problem("id_mismatch", f"'id' is {str(raw_id)!r} but the file is "
                                f"{file_id}.json", file_id, where))

    subject = _text_field(obj, "subject", file_id, where, problems)
    description = _text_field(obj, "description", file_id, where, problems)
    status = obj.get("status")
    if status is None:
        problems.append(Problem("missing_key", "'status' is missing", file_id, where))
        status = "pending"
    elif status not in STATUSES:
        problems.append(Problem("unknown_status", f"unknown status {status!r}", file_id, where))
        status = str(status)
    blocks = _string_list(obj.get("blocks"), "blocks", file_id, where, problems)
    blocked_by = _string_list(obj.get("blockedBy"), "blockedBy", file_id, where, problems)

    owner = obj.get("owner")
    if owner is not None and not isinstance(owner, str):
        problems.append(Problem("wrong_type", "'owner' should be an agent's name",
                                file_id, where))
        owner = str(owner)
    active_form = obj.get("activeForm")
    if active_form is not None and not isinstance(active_form, str):
        active_form = str(active_form)
    metadata = obj.get("metadata")
    if metadata is None:
        metadata = {}
    elif not isinstance(metadata, dict):
        problems.append(Problem("wrong_type", "'metadata' should be an object", file_id, where))
        metadata = {}

    task = _new_task(
        id=file_id, subject=subject, description=description, status=status,
        blocks=blocks, blocked_by=blocked_by, owner=owner or None, active_form=active_form,
        metadata=metadata, raw=obj, path=path, mtime=mtime, problems=tuple(problems),
        stale=False,
    )
    return task, problems


def _new_task(**fields: Any) -> Task:
    """``Task(**fields)`` given every field, without the frozen dataclass's per-field
    ``object.__setattr__`` (a sixth of parsing a task file). A test holds the two equal."""
    task = object.__new__(Task)
    task.__dict__.update(fields)
    return task


def member_from_object(obj: Any) -> Member | None:
    """A member from its object in ``config.json`` (None when it has no name)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        return None
    active = obj.get("isActive")
    joined = obj.get("joinedAt")
    color = obj.get("color")
    return Member(
        name=obj["name"],
        agent_id=str(obj.get("agentId") or ""),
        agent_type=str(obj.get("agentType") or ""),
        model=str(obj.get("model") or ""),
        color=color if isinstance(color, str) and color else None,
        is_active=active if isinstance(active, bool) else None,
        tmux_pane_id=str(obj.get("tmuxPaneId") or ""),
        joined_at=joined if isinstance(joined, int) and not isinstance(joined, bool) else None,
        cwd=str(obj.get("cwd") or ""),
    )


def parse_config(text: str, path: Path | None = None) -> tuple[TeamConfig | None, list[Problem]]:
    """Parse a team's ``config.json``; members that make no sense become problems."""
    where = str(path) if path is not None else "config.json"
    obj, problems = _load_object(text, where, None)
    if problems:  # not JSON (a file holding ``null`` is JSON, and wrong below)
        return None, problems
    if not isinstance(obj, dict):
        return None, [Problem("not_an_object", "config.json must hold an object", None, where)]
    members: list[Member] = []
    raw_members = obj.get("members")
    if not isinstance(raw_members, list):
        problems.append(Problem("wrong_type", "'members' should be a list", None, where))
        raw_members = []
    for index, raw in enumerate(raw_members):
        member = member_from_object(raw)
        if member is None:
            problems.append(Problem("invalid_member", f"member {index} has no name", None, where))
        else:
            members.append(member)
    created = obj.get("createdAt")
    process = obj.get("leadProcess")
    pid = process.get("pid") if isinstance(process, dict) else None
    config = TeamConfig(
        name=str(obj.get("name") or ""),
        description=str(obj.get("description") or ""),
        created_at=created if isinstance(created, int) and not isinstance(created, bool) else None,
        lead_agent_id=str(obj.get("leadAgentId") or ""),
        members=tuple(members),
        lead_session_id=str(obj.get("leadSessionId") or ""),
        lead_pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
    )
    return config, problems


def decode_protocol(text: str) -> dict[str, Any] | None:
    """The protocol message inside ``text`` (a JSON object with a ``type``), or None."""
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return None
    try:
        obj = loads(text)
    except ValueError:  # JSONDecodeError, JSONLimit
        return None
    return obj if isinstance(obj, dict) and isinstance(obj.get("type"), str) else None


def parse_inbox(agent: str, text: str, path: Path | None = None,
                mtime: float = 0.0) -> tuple[Inbox | None, list[Problem]]:
    """Parse an inbox (a JSON array of messages, newest last)."""
    where = str(path) if path is not None else f"{agent}.json"
    obj, problems = _load_object(text, where, None)
    if problems:  # not JSON (a file holding ``null`` is JSON, and wrong below)
        return None, problems
    if not isinstance(obj, list):
        return None, [Problem("not_a_list", "an inbox must hold a list of messages", None, where)]
    messages: list[Message] = []
    for index, raw in enumerate(obj):
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
            problems.append(Problem("invalid_message", f"message {index} has no text",
                                    None, where))
            continue
        summary = raw.get("summary")
        color = raw.get("color")
        timestamp = raw.get("timestamp")
        messages.append(Message(
            sender=str(raw.get("from") or "?"),
            text=raw["text"],
            summary=summary if isinstance(summary, str) and summary else None,
            timestamp=timestamp if isinstance(timestamp, str) else None,
            color=color if isinstance(color, str) else None,
            read=raw.get("read") is True,
            protocol=decode_protocol(raw["text"]),
        ))
    return Inbox(agent=agent, messages=tuple(messages), mtime=mtime), problems


def _problem_order(problem: Problem) -> tuple[int, str, str, str]:
    task = problem.task or ""
    return (int(task) if task.isdigit() else 1 << 62, task, problem.path or "", problem.kind)


class _Tally:
    """Visible tasks by state and the number of problems inside tasks, per counted task."""

    def __init__(self) -> None:
        self.states: Counter[State] = Counter()
        self.problems = 0
        self._by_task: dict[str, tuple[State | None, int]] = {}

    def forget(self, task_id: str) -> None:
        counted = self._by_task.pop(task_id, None)
        if counted is not None:
            state, problems = counted
            if state is not None:
                self.states[state] -= 1
                if not self.states[state]:
                    del self.states[state]
            self.problems -= problems

    def add(self, task_id: str, state: State | None, problems: int) -> None:
        self._by_task[task_id] = (state, problems)
        if state is not None:
            self.states[state] += 1
        self.problems += problems

    def fill(self, tasks: dict[str, Task], states: dict[str, State]) -> _Tally:
        """Count every task of a fresh tally: what :meth:`add` does for each, in one loop."""
        by_task = self._by_task
        counts: dict[State, int] = {}
        problems = 0
        for tid, task in tasks.items():
            state = None if task.metadata.get("_internal") else states[tid]
            count = len(task.problems)
            by_task[tid] = (state, count)
            if state is not None:
                counts[state] = counts.get(state, 0) + 1
            problems += count
        self.states.update(counts)
        self.problems += problems
        return self


@dataclass
class Board:
    """Everything known about one team at one moment: tasks, team config, inboxes, problems.

    ``file_problems`` holds, by path, the problems of files that could not be
    parsed (with the last good version kept in ``tasks`` and marked stale).
    """

    name: str
    tasks: dict[str, Task] = field(default_factory=dict)
    team: TeamConfig | None = None
    inboxes: dict[str, Inbox] = field(default_factory=dict)
    file_problems: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    list_exists: bool = False
    team_exists: bool = False
    last_change: float = 0.0
    """The newest file mtime seen (epoch seconds), 0 when nothing was seen."""
    sent: dict[str, tuple[float, Message]] = field(default_factory=dict)
    """The newest message each agent was seen sending (epoch seconds, message), in any inbox,
    kept after it is gone: Claude Code 2.1.3xx deletes a message about a second after delivery,
    so an ``idle_notification`` is on disk only that long."""
    team_mtime: float = 0.0
    """When ``config.json`` was last written (epoch seconds), 0 when unknown: an
    ``isActive`` flip happened at or before it."""
    _analysis: Any = field(default=None, repr=False, compare=False)
    _previous: Any = field(default=None, repr=False, compare=False)
    _pending: set[str] | None = field(default=None, repr=False, compare=False)
    _tally: _Tally | None = field(default=None, repr=False, compare=False)
    _tally_dirty: set[str] | None = field(default=None, repr=False, compare=False)

    def snapshot(self) -> Board:
        """A copy the reader's later changes do not reach (its dicts are copied; tasks,
        inboxes and the team config are immutable), for another thread to read while the
        board moves on. Nothing derived (the analysis, the counts) is carried over."""
        return Board(self.name, dict(self.tasks), self.team, dict(self.inboxes),
                     dict(self.file_problems), self.list_exists, self.team_exists,
                     self.last_change, dict(self.sent), self.team_mtime)

    @property
    def analysis(self) -> Any:
        """The graph analysis (:class:`taskboard.board.graph.Analysis`), computed once per change,
        incrementally when only some tasks changed (see :meth:`invalidate`)."""
        if self._analysis is None:
            from taskboard.board.graph import analyze

            previous, pending = self._previous, self._pending
            self._analysis = analyze(self.tasks, previous, pending)
            self._previous, self._pending = None, set()
            if self._tally_dirty is not None:
                index = self._analysis._index
                if previous is None or pending is None:
                    self._tally_dirty = None
                elif self._analysis.dependants is previous.dependants:
                    # Only these tasks and the tasks waiting on them can differ.
                    for tid in pending:
                        self._tally_dirty.update(previous.dependants.get(tid, ()))
                elif index is not None and index.links is self._analysis.links:
                    # Relinked (taskboard.board.relink): the same, with who waits now.
                    for tid in pending:
                        self._tally_dirty.update(previous.dependants.get(tid, ()))
                        self._tally_dirty.update(index.waiting.get(tid, ()))
                else:
                    self._tally_dirty = None  # the structure moved: count again
        return self._analysis

    def invalidate(self, task_ids: set[str] | None = None) -> None:
        """Tasks changed: ``task_ids`` names them (None: anything may have changed)."""
        if self._analysis is not None:
            self._previous, self._analysis = self._analysis, None
        if task_ids is None or self._pending is None:
            self._pending = None
        else:
            self._pending |= task_ids
        if task_ids is None or self._tally_dirty is None:
            self._tally_dirty = None
        else:
            self._tally_dirty |= task_ids

    def _counted(self) -> _Tally:
        """The per-state counts and task problems, kept up to date from the changed ids:
        a change costs the tasks it touched, not a walk of every task."""
        analysis = self.analysis
        tally, dirty = self._tally, self._tally_dirty
        states, tasks = analysis.states, self.tasks
        if tally is None or dirty is None:
            self._tally = _Tally().fill(tasks, states)
            self._tally_dirty = set()
            return self._tally
        for tid in dirty:
            tally.forget(tid)
            task = tasks.get(tid)
            if task is not None:
                tally.add(tid, None if task.metadata.get("_internal") else states[tid],
                          len(task.problems))
        self._tally_dirty = set()
        return tally

    def state(self, task_id: str) -> State:
        return self.analysis.states.get(task_id, State.UNKNOWN)

    @property
    def members(self) -> tuple[Member, ...]:
        return self.team.members if self.team is not None else ()

    def visible_counts(self) -> Counter[State]:
        """Tasks by state, leaving out Claude Code's hidden ``_internal`` tasks."""
        return Counter(self._counted().states)

    def problem_count(self) -> int:
        """``len(self.problems())`` without building the list."""
        return (sum(len(p) for p in self.file_problems.values())
                + self._counted().problems + len(self.analysis.problems))

    def problems(self) -> list[Problem]:
        """Every problem: unreadable files, defects inside tasks, broken links and cycles,
        ordered by task id (then file), so the list reads the same on every run."""
        out: list[Problem] = []
        for problems in self.file_problems.values():
            out.extend(problems)
        for task in self.tasks.values():
            out.extend(task.problems)
        out.extend(self.analysis.problems)
        return sorted(out, key=_problem_order)
