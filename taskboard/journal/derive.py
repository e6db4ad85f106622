"""Events from observed changes: the board before and after a reader refresh, compared.

:class:`EventDeriver` keeps its own copy of what it last saw of one team (each task's
JSON, each member's state, the messages in each inbox, whether the directories
exist), because the reader updates its :class:`~taskboard.board.model.Board` in place.
``observe(board, delta)`` compares only what the delta names (everything when the
delta is None) and returns the :class:`~taskboard.journal.events.Event` values, in a
stable order. Pure: no I/O, no clock (the caller passes ``now``).

Session boundaries are noticed here too (:attr:`Derived.new_session`): the team's
config names a different lead session (or ``createdAt``) than before, or a list that
Claude Code's auto-clear emptied is filled again while no config names the session.
The deriver then starts from nothing, so the new session opens with every task and
member as it is (``detail.initial``).

Each event carries a ``key`` (see :meth:`Event.identity`) that two recorders of the
same file version compute alike: a task event's file mtime and content digest, a
message's recipient, sender, timestamp and text digest, a member's ``joinedAt`` or the
config's mtime. Directory events have no such key: the journal merges them within a
window instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from taskboard.board.model import Board, Inbox, Member, Message
from taskboard.claude.reader import BoardDelta
from taskboard.journal import events as ev
from taskboard.journal.events import Event, digest


def task_fields_changed(before: dict[str, Any], after: dict[str, Any]
                        ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that differ, before and after (a missing key is None)."""
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def message_key(recipient: str, message: Message) -> str:
    """A message's identity: recipient, sender, timestamp, text (not its ``read`` flag)."""
    return digest([recipient, message.sender, message.timestamp, message.text])


def message_event(team: str, recipient: str, message: Message, now: float) -> Event:
    """One inbox message seen: sender, recipient, protocol type, summary, full text."""
    proto = message.protocol or {}
    task = proto.get("taskId") or proto.get("completedTaskId")
    detail: dict[str, Any] = {"from": message.sender, "to": recipient, "type": message.kind,
                              "summary": message.summary or message.headline,
                              "text": message.text}
    if message.timestamp:
        detail["timestamp"] = message.timestamp
    return Event(time=now, team=team, kind=ev.MESSAGE, agent=recipient,
                 task=str(task) if task is not None else None, detail=detail,
                 key=message_key(recipient, message))


def _member_json(member: Member) -> dict[str, Any]:
    out: dict[str, Any] = {"agentType": member.agent_type, "model": member.model,
                           "joinedAt": member.joined_at}
    if member.color:
        out["color"] = member.color
    if member.is_active is not None:
        out["isActive"] = member.is_active
    return out


@dataclass
class Seen:
    """What the deriver last saw of a team: its baseline. Also what replaying a session's
    events rebuilds (:func:`taskboard.journal.replay.fold`), to start from where a
    previous recorder stopped."""

    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    inboxes: dict[str, set[str]] = field(default_factory=dict)
    list_exists: bool | None = None
    team_exists: bool | None = None
    lead: str | None = None
    """The config's ``leadSessionId`` (else ``createdAt``) of this session, once known."""
    cleared: bool = False
    """Auto-clear emptied the list: tasks created now belong to a new session."""


@dataclass
class Derived:
    """One observation's events, and whether they open a new session."""

    events: list[Event]
    new_session: bool = False
    lead: str | None = None
    created_at: int | None = None


def lead_of(board: Board) -> tuple[str | None, int | None]:
    """The session identity the config gives: ``leadSessionId`` (else ``createdAt``)."""
    team = board.team
    if team is None:
        return None, None
    lead = team.lead_session_id or (str(team.created_at) if team.created_at else None)
    return lead, team.created_at


class EventDeriver:
    """Turns a board's successive states into events (see the module docstring)."""

    def __init__(self, team: str, seen: Seen | None = None, *,
                 watching_before: bool = False) -> None:
        """``watching_before``: the recorder was running before this team appeared, so
        what it first sees is new, not ``initial`` (there when recording began)."""
        self.team = team
        self.seen = seen or Seen()
        self.watching_before = watching_before

    def observe(self, board: Board, delta: BoardDelta | None, now: float) -> Derived:
        """The events between what was last seen and ``board`` now; the baseline moves on.

        ``delta`` names what changed (from :meth:`BoardReader.refresh`); None compares
        everything (the first observation, or after a pause)."""
        seen = self.seen
        lead, created_at = lead_of(board)
        relead = lead is not None and seen.lead is not None and lead != seen.lead
        refill = (seen.cleared and lead is None and seen.lead is None
                  and any(tid not in seen.tasks for tid in board.tasks))
        new_session = relead or refill
        if new_session:
            self.seen = seen = Seen(list_exists=seen.list_exists, team_exists=seen.team_exists)
            delta = None
        if lead is not None:
            seen.lead = lead
        initial = (not self.watching_before and not seen.tasks and not seen.members
                   and seen.list_exists is None)
        out: list[Event] = []
        out.extend(self._structure(board, now))
        if delta is None:
            task_ids: Iterable[str] = set(board.tasks) | set(seen.tasks)
            agents: Iterable[str] = set(board.inboxes) | set(seen.inboxes)
            team_changed = True
        else:
            task_ids, agents, team_changed = delta.tasks, delta.inboxes, delta.team
        out.extend(self._tasks(board, task_ids, now, initial))
        if team_changed:
            out.extend(self._members(board, now, initial))
        out.extend(self._messages(board, agents, now))
        return Derived(out, new_session, lead, created_at)

    # -- directories -----------------------------------------------------------

    def _structure(self, board: Board, now: float) -> list[Event]:
        seen = self.seen
        out = []
        for exists, was, appeared, vanished in (
                (board.list_exists, seen.list_exists, ev.LIST_APPEARED, ev.LIST_VANISHED),
                (board.team_exists, seen.team_exists, ev.TEAM_APPEARED, ev.TEAM_VANISHED)):
            if exists == bool(was) and was is not None:
                continue
            if exists:
                out.append(Event(time=now, team=self.team, kind=appeared))
            elif was:
                out.append(Event(time=now, team=self.team, kind=vanished,
                                 detail={"lastChange": board.last_change or None}))
        seen.list_exists, seen.team_exists = board.list_exists, board.team_exists
        return out

    # -- tasks -------------------------------------------------------------------

    def _tasks(self, board: Board, task_ids: Iterable[str], now: float,
               initial: bool) -> list[Event]:
        seen = self.seen
        before_all = seen.tasks
        removed: list[str] = []
        out: list[Event] = []
        if not board.list_exists:
            # The list directory is gone. What the board still shows (the reader keeps the
            # last board when a directory vanishes right after its files were removed) is
            # not on disk: a task already recorded removed is not created again.
            task_ids = [tid for tid in task_ids if tid in before_all]
        for tid in sorted(task_ids, key=_id_key):
            task = board.tasks.get(tid)
            old = before_all.get(tid)
            if task is None:
                if old is not None:
                    removed.append(tid)
                continue
            if task.stale and old is not None:
                continue  # a torn read: the last good version stays, nothing changed
            if old is not None and task.raw == old:
                continue  # unchanged (most of a big list when the console opens again)
            new = dict(task.raw)
            owner = task.owner or (old or {}).get("owner") or None
            if old is None:
                detail: dict[str, Any] = {"mtime": task.mtime}
                if initial:
                    detail["initial"] = True
                out.append(Event(time=now, team=self.team, kind=ev.TASK_CREATED, task=tid,
                                 agent=owner, after=new, detail=detail,
                                 key=digest([task.mtime, new])))
            else:
                before, after = task_fields_changed(old, new)
                out.append(Event(time=now, team=self.team, kind=ev.TASK_CHANGED, task=tid,
                                 agent=owner, before=before, after=after,
                                 detail={"mtime": task.mtime},
                                 key=digest([task.mtime, before, after])))
            before_all[tid] = new
        if removed:
            # Claude Code's auto-clear: every task was completed and the list is emptied
            # (perhaps over more than one refresh: what is left is completed too).
            auto = (all(t.get("status") == "completed" for t in before_all.values())
                    and all(t.status == "completed" for t in board.tasks.values()))
            for tid in removed:
                old = before_all.pop(tid)
                detail = {"auto_clear": auto}
                out.append(Event(time=now, team=self.team, kind=ev.TASK_REMOVED, task=tid,
                                 agent=old.get("owner") or None, before=old, detail=detail,
                                 key=digest([old])))
            if auto and not before_all:
                seen.cleared = True
        if any(e.kind == ev.TASK_CREATED for e in out):
            seen.cleared = False
        return out

    # -- members -------------------------------------------------------------------

    def _members(self, board: Board, now: float, initial: bool) -> list[Event]:
        seen = self.seen.members
        if board.team is None:
            return []  # no config (yet, or gone with its directory): nobody left by that
        mtime = board.team.mtime
        current = {m.name: _member_json(m) for m in board.members}
        out: list[Event] = []
        for name, info in current.items():
            old = seen.get(name)
            if old is None:
                detail = {"initial": True} if initial else {}
                out.append(Event(time=now, team=self.team, kind=ev.MEMBER_JOINED, agent=name,
                                 after=info, detail=detail,
                                 key=digest([info.get("joinedAt"), info.get("agentType")])))
                continue
            was, now_active = old.get("isActive"), info.get("isActive")
            if was is not False and now_active is False:
                out.append(Event(time=now, team=self.team, kind=ev.MEMBER_IDLE, agent=name,
                                 key=digest([mtime])))
            elif was is False and now_active is not False:
                out.append(Event(time=now, team=self.team, kind=ev.MEMBER_ACTIVE, agent=name,
                                 key=digest([mtime])))
        for name in [n for n in seen if n not in current]:
            old = seen[name]
            out.append(Event(time=now, team=self.team, kind=ev.MEMBER_LEFT, agent=name,
                             before=old, key=digest([old.get("joinedAt")])))
        self.seen.members = current
        return out

    # -- messages ------------------------------------------------------------------

    def _messages(self, board: Board, agents: Iterable[str], now: float) -> list[Event]:
        out: list[Event] = []
        for agent in sorted(agents):
            inbox: Inbox | None = board.inboxes.get(agent)
            if inbox is None:
                if not board.team_exists:
                    continue  # the directory went: keep what was seen (same messages)
                self.seen.inboxes.pop(agent, None)
                continue
            known = self.seen.inboxes.get(agent, set())
            keys = set()
            for message in inbox.messages:
                key = message_key(agent, message)
                keys.add(key)
                if key not in known:
                    out.append(message_event(self.team, agent, message, now))
            self.seen.inboxes[agent] = keys
        return out


def _id_key(task_id: str) -> tuple[int, str]:
    return (int(task_id), "") if task_id.isdigit() else (1 << 62, task_id)



def operator_event(team: str, verb: str, target: str, *, ok: bool, summary: str, now: float,
                   changes: list[dict[str, Any]] | None = None,
                   messages: list[dict[str, Any]] | None = None, waited: float = 0.0,
                   sender: str | None = None) -> Event:
    """An operator write: its verb, target, result (``ok`` or ``refused``, with why) and
    what it changed (each task's fields before and after), as the console's log and undo
    read it back."""
    task = target[1:] if target.startswith("#") and target[1:].isdigit() else None
    agent = None if task is not None or target.startswith("#") else target or None
    detail: dict[str, Any] = {"verb": verb, "target": target,
                              "result": "ok" if ok else "refused", "summary": summary,
                              "waited": round(waited, 4)}
    if changes:
        detail["changes"] = changes
    if messages:
        detail["messages"] = messages
    if sender:
        detail["by"] = sender
    return Event(time=now, team=team, kind=ev.OPERATOR_WRITE, source="operator", task=task,
                 agent=agent, detail=detail)


__all__ = ["Derived", "EventDeriver", "Seen", "lead_of", "message_event", "message_key",
           "operator_event", "task_fields_changed"]
