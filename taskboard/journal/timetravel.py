"""Replay: the board of a recorded session as it was at any moment, stepped both ways.

A session's events are indexed once into *changes*: each event sets zero or more slots of
the board's raw state (a task's JSON object, a member's, an inbox's message count, whether
the list and team directory exist) from one value to another. Stepping forward applies an
event's changes, stepping back applies them in reverse: O(changes), whatever the size of
the board. A copy of the whole state is kept every :data:`CHECKPOINT_EVERY` events, so a
jump anywhere costs one copy plus at most that many changes, then a diff of the board.

The :class:`Board` is kept up to date in place and only what changed is rebuilt: the
console's widgets, fed the ids that moved, update incrementally, exactly as they do live.

Pure: no I/O. Events must belong to one session; they are ordered by time (stable).
"""

from __future__ import annotations

import bisect
import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from taskboard.board.model import (
    Board,
    Inbox,
    Message,
    Task,
    TeamConfig,
    decode_protocol,
    member_from_object,
    task_from_object,
)
from taskboard.journal import events as ev
from taskboard.journal.events import Event

CHECKPOINT_EVERY = 1000
"""Events between two full copies of the state: a jump applies at most this many."""

INBOX_KEPT = 20
"""Messages kept in a replayed inbox: the newest (what panels show), not the thousands a
long session sends the lead, which every redraw would walk."""

Slot = tuple[str, str]
"""What a change sets: ``("task", id)``, ``("member", name)``, ``("inbox", agent)``,
``("team", "config")``, ``("flag", "list"|"team")``."""
Change = tuple[Slot, Any, Any]
"""``(slot, before, after)``; ``None`` means the slot is empty (a task that does not exist)."""

TEARDOWN = frozenset({ev.TASK_REMOVED, ev.LIST_VANISHED, ev.TEAM_VANISHED, ev.MEMBER_LEFT})
"""Kinds of the events with which a session ends (Claude Code clearing up after a team)."""


@dataclass
class Moved:
    """What a move of the cursor changed on the board (the live console's delta, in short)."""

    tasks: set[str] = field(default_factory=set)
    inboxes: set[str] = field(default_factory=set)
    team: bool = False
    structure: bool = False

    def __bool__(self) -> bool:
        return bool(self.tasks or self.inboxes or self.team or self.structure)


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects that all stay
    alive: otherwise it walks the growing heap again and again (3x the time for 100,000
    events), finding nothing to free."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def message_of(event: Event) -> Message:
    """The inbox message a ``message`` event recorded; read, unless the event says not
    (it was recorded when seen, and Claude Code delivers, then prunes, within a second)."""
    detail = event.detail or {}
    text = detail.get("text")
    text = text if isinstance(text, str) else ""
    stamp = detail.get("timestamp")
    if not isinstance(stamp, str):
        stamp = datetime.fromtimestamp(event.time, UTC).isoformat().replace("+00:00", "Z")
    summary = detail.get("summary")
    color = detail.get("color")
    return Message(
        sender=str(detail.get("from") or detail.get("sender") or "?"), text=text,
        summary=summary if isinstance(summary, str) and summary else None, timestamp=stamp,
        color=color if isinstance(color, str) else None, read=detail.get("read") is not False,
        protocol=decode_protocol(text))


def _changed_task(before: dict[str, Any] | None, event: Event) -> dict[str, Any]:
    """A task's object after a ``task.changed``: the changed fields set; a key whose new
    value is None (or that only ``before`` names) is gone."""
    new = dict(before) if before else {"id": event.task}
    after = event.after or {}
    for key in event.before or {}:
        if key not in after:
            new.pop(key, None)
    for key, value in after.items():
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
    return new


def owners(event: Event) -> set[str]:
    """The agents an event concerns: its agent, a task's owner before or after, a sender."""
    out: set[str] = {event.agent} if event.agent else set()
    for side in (event.before, event.after, event.detail):
        if side:
            for key in ("owner", "from"):
                name = side.get(key)
                if name and isinstance(name, str):
                    out.add(name)
    return out


class Replay:
    """A recorded session, indexed for moving a cursor through it.

    ``cursor`` counts the events applied: 0 is before the first, ``len(events)`` after
    the last. :attr:`board` is the board at the cursor.
    """

    def __init__(self, events: Iterable[Event], *, name: str,
                 checkpoint_every: int = CHECKPOINT_EVERY) -> None:
        self.events: list[Event] = sorted(events, key=lambda e: e.time)
        self.name = name
        self.times = [e.time for e in self.events]
        self.checkpoint_every = max(1, checkpoint_every)
        self._changes: list[tuple[Change, ...]] = []
        self._messages: dict[str, list[Event]] = {}
        self._made: dict[str, dict[int, Message]] = {}
        self._member_order: dict[str, int] = {}
        self._version_time: dict[int, float] = {}
        self._checkpoints: list[dict[Slot, Any]] = []
        self.by_task: dict[str, list[int]] = {}
        """Indexes of the events about each task."""
        self._by_agent: dict[str, list[int]] | None = None
        self._activity: dict[int, list[int]] = {}
        with no_gc():
            self._index()
        self._state: dict[Slot, Any] = dict(self._checkpoints[0])
        self._tasks: dict[int, Task] = {}
        self.cursor = 0
        self.board = Board(name=name)

    # -- indexing ----------------------------------------------------------------------

    def _index(self) -> None:
        state: dict[Slot, Any] = {}
        counts: dict[str, int] = {}
        changes_out = self._changes.append
        by_task = self.by_task
        version_time = self._version_time
        every = self.checkpoint_every
        for index, event in enumerate(self.events):
            if index % every == 0:
                self._checkpoints.append(dict(state))
            task = event.task
            if task is not None:
                if task in by_task:
                    by_task[task].append(index)
                else:
                    by_task[task] = [index]
                if event.kind == ev.TASK_CHANGED:  # the common case, inline
                    slot = ("task", task)
                    before = state.get(slot)
                    after = _changed_task(before, event)
                    if after != before:
                        state[slot] = after
                        version_time[id(after)] = event.time
                        changes_out(((slot, before, after),))
                    else:
                        changes_out(())
                    continue
            changes = self._changes_of(event, state, counts)
            for slot, _before, after in changes:
                if after is None:
                    state.pop(slot, None)
                else:
                    state[slot] = after
                    if slot[0] == "task":
                        version_time[id(after)] = event.time
            changes_out(changes)
        if len(self.events) % every == 0:
            self._checkpoints.append(dict(state))

    @property
    def by_agent(self) -> dict[str, list[int]]:
        """Indexes of the events concerning each agent (see :func:`owners`), made on demand."""
        if self._by_agent is None:
            found: dict[str, list[int]] = {}
            for index, event in enumerate(self.events):
                for agent in owners(event):
                    found.setdefault(agent, []).append(index)
            self._by_agent = found
        return self._by_agent

    def _changes_of(self, event: Event, state: dict[Slot, Any],
                    counts: dict[str, int]) -> tuple[Change, ...]:
        kind = event.kind
        out: list[Change] = []

        def put(slot: Slot, after: Any) -> None:
            before = state.get(slot)
            if before is not after and before != after:
                out.append((slot, before, after))

        if kind in (ev.TASK_CREATED, ev.TASK_CHANGED, ev.TASK_REMOVED) and event.task:
            slot = ("task", event.task)
            if kind == ev.TASK_REMOVED:
                put(slot, None)
            elif kind == ev.TASK_CREATED and isinstance(event.after, dict):
                put(slot, {"id": event.task, **event.after})
                put(("flag", "list"), True)
            else:
                put(slot, _changed_task(state.get(slot), event))
        elif kind in (ev.MEMBER_JOINED, ev.MEMBER_LEFT, ev.MEMBER_IDLE, ev.MEMBER_ACTIVE) \
                and event.agent:
            slot = ("member", event.agent)
            self._member_order.setdefault(event.agent, len(self._member_order))
            if kind == ev.MEMBER_LEFT:
                put(slot, None)
            elif kind == ev.MEMBER_JOINED:
                after = event.after if isinstance(event.after, dict) else {}
                put(slot, {**after, "name": event.agent})
                put(("flag", "team"), True)
            else:
                current = state.get(slot) or {"name": event.agent}
                put(slot, {**current, "isActive": kind == ev.MEMBER_ACTIVE})
        elif kind == ev.MESSAGE:
            detail = event.detail or {}
            agent = event.agent or detail.get("to") or detail.get("recipient")
            if agent:
                agent = str(agent)
                self._messages.setdefault(agent, []).append(event)
                counts[agent] = counts.get(agent, 0) + 1
                put(("inbox", agent), counts[agent])
        elif kind in (ev.LIST_APPEARED, ev.LIST_VANISHED):
            put(("flag", "list"), kind == ev.LIST_APPEARED)
        elif kind in (ev.TEAM_APPEARED, ev.TEAM_VANISHED):
            put(("flag", "team"), kind == ev.TEAM_APPEARED)
            if kind == ev.TEAM_APPEARED and isinstance(event.after, dict):
                config = {k: v for k, v in event.after.items() if k != "members"}
                put(("team", "config"), config)
                for raw in event.after.get("members") or ():
                    if isinstance(raw, dict) and isinstance(raw.get("name"), str):
                        self._member_order.setdefault(raw["name"], len(self._member_order))
                        put(("member", raw["name"]), raw)
        return tuple(out)

    # -- where the cursor can go ---------------------------------------------------------

    def __len__(self) -> int:
        return len(self.events)

    @property
    def start(self) -> float:
        return self.times[0] if self.times else 0.0

    @property
    def end(self) -> float:
        return self.times[-1] if self.times else 0.0

    def time_at(self, cursor: int | None = None) -> float:
        """The moment the board at ``cursor`` shows: the time of its last applied event."""
        cursor = self.cursor if cursor is None else cursor
        return self.times[cursor - 1] if cursor > 0 else self.start

    def cursor_at(self, when: float) -> int:
        """The cursor showing the board at time ``when`` (every event up to it applied)."""
        return bisect.bisect_right(self.times, when)

    def default_cursor(self) -> int:
        """Where review opens: the end, or just before the clear-up the session ended with
        (Claude Code removing every task and the team), so the final board is on screen."""
        cursor = len(self.events)
        while cursor > 0 and self.events[cursor - 1].kind in TEARDOWN:
            cursor -= 1
        return cursor if cursor > 0 else len(self.events)

    def next_of(self, indexes: Sequence[int], cursor: int | None = None) -> int | None:
        """The cursor just after the next of these events not applied yet (None: none)."""
        cursor = self.cursor if cursor is None else cursor
        at = bisect.bisect_left(indexes, cursor)
        return indexes[at] + 1 if at < len(indexes) else None

    def previous_of(self, indexes: Sequence[int], cursor: int | None = None) -> int | None:
        """The cursor just after the last of these events applied before the current one."""
        cursor = self.cursor if cursor is None else cursor
        at = bisect.bisect_left(indexes, cursor - 1)
        return indexes[at - 1] + 1 if at > 0 else None

    def activity(self, bins: int) -> list[int]:
        """Events per equal slice of the session's time, for a sparkline (kept per width)."""
        bins = max(1, bins)
        cached = self._activity.get(bins)
        if cached is not None:
            return cached
        out = [0] * bins
        start, span = self.start, self.end - self.start
        if span > 0:
            scale = bins / span
            last = bins - 1
            for when in self.times:
                at = int((when - start) * scale)
                out[at if at < last else last] += 1
        else:
            out[0] = len(self.times)
        self._activity[bins] = out
        return out

    # -- moving ----------------------------------------------------------------------------

    def seek(self, cursor: int) -> Moved:
        """Move the cursor and bring :attr:`board` in line; returns what changed on it."""
        cursor = min(max(cursor, 0), len(self.events))
        moved = Moved()
        if cursor == self.cursor and self.board.last_change:
            return moved
        with no_gc():
            self._seek(cursor, moved)
        return moved

    def _seek(self, cursor: int, moved: Moved) -> None:
        slots: set[Slot] = set()
        distance = abs(cursor - self.cursor)
        every = self.checkpoint_every
        nearest = min(round(cursor / every), len(self._checkpoints) - 1) * every
        if distance <= abs(cursor - nearest):
            self._walk(cursor, slots)
        else:
            old = self._state
            self._state = dict(self._checkpoints[nearest // every])
            self.cursor = nearest
            self._walk(cursor, None)
            new = self._state
            slots = {slot for slot in old.keys() | new.keys()
                     if old.get(slot) is not new.get(slot) and old.get(slot) != new.get(slot)}
        self._apply(slots, moved)

    def _walk(self, cursor: int, slots: set[Slot] | None) -> None:
        state = self._state
        while self.cursor < cursor:
            for slot, _before, after in self._changes[self.cursor]:
                self._set(state, slot, after, slots)
            self.cursor += 1
        while self.cursor > cursor:
            self.cursor -= 1
            for slot, before, _after in reversed(self._changes[self.cursor]):
                self._set(state, slot, before, slots)

    @staticmethod
    def _set(state: dict[Slot, Any], slot: Slot, value: Any, slots: set[Slot] | None) -> None:
        if value is None:
            state.pop(slot, None)
        else:
            state[slot] = value
        if slots is not None:
            slots.add(slot)

    def _task(self, raw: dict[str, Any], task_id: str) -> Task:
        task = self._tasks.get(id(raw))
        if task is None:
            task, _ = task_from_object(raw, task_id, mtime=self._version_time.get(id(raw), 0.0))
            self._tasks[id(raw)] = task
        return task

    def _apply(self, slots: set[Slot], moved: Moved) -> None:
        board, state = self.board, self._state
        team = False
        for slot in slots:
            kind, key = slot
            if kind == "task":
                raw = state.get(slot)
                if raw is None:
                    board.tasks.pop(key, None)
                else:
                    board.tasks[key] = self._task(raw, key)
                moved.tasks.add(key)
            elif kind == "inbox":
                messages = self._inbox(key, state.get(slot, 0))
                if messages:
                    when = messages[-1].when
                    board.inboxes[key] = Inbox(key, messages, when.timestamp() if when else 0.0)
                else:
                    board.inboxes.pop(key, None)
                moved.inboxes.add(key)
            elif kind in ("member", "team"):
                team = True
            elif kind == "flag":
                moved.structure = True
        if team:
            board.team = self._team()
            moved.team = True
        board.list_exists = bool(state.get(("flag", "list")))
        board.team_exists = bool(state.get(("flag", "team")))
        board.last_change = self.time_at()
        if moved.tasks:
            board.invalidate(moved.tasks)

    def _inbox(self, agent: str, count: int) -> tuple[Message, ...]:
        """The newest :data:`INBOX_KEPT` of the first ``count`` messages an agent received
        (each made once, when first shown)."""
        made = self._made.setdefault(agent, {})
        recorded = self._messages.get(agent, [])
        out = []
        for index in range(max(min(count, len(recorded)) - INBOX_KEPT, 0),
                           min(count, len(recorded))):
            message = made.get(index)
            if message is None:
                message = made[index] = message_of(recorded[index])
            out.append(message)
        return tuple(out)

    def _team(self) -> TeamConfig | None:
        state = self._state
        names = [key for kind, key in state if kind == "member"]
        config = state.get(("team", "config")) or {}
        if not names and not config:
            return None
        names.sort(key=lambda n: self._member_order.get(n, 1 << 30))
        members = [m for m in (member_from_object(state[("member", n)]) for n in names)
                   if m is not None]
        created = config.get("createdAt")
        return TeamConfig(
            name=str(config.get("name") or self.name),
            description=str(config.get("description") or ""),
            created_at=created if isinstance(created, int) else None,
            lead_agent_id=str(config.get("leadAgentId") or ""), members=tuple(members))
