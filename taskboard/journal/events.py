"""The event: one observed or made change, the unit that the journal stores and everything
else reads (review, history, reports, ``taskboard events``, health rules' "since when").

Pure: no I/O. Times are epoch seconds from :class:`taskboard.clock.Clock`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Literal

SCHEMA_VERSION = 1
"""The version of an event's JSON shape (each ``taskboard events`` line carries it)."""

Source = Literal["disk", "transcript", "operator", "import", "hook"]
"""Where an event comes from: observed on disk, read from a transcript, written by this
operator, rebuilt from transcripts after the fact, or reported by a Claude Code hook."""

# Kinds. A kind names what happened; ``task``/``agent`` name what it happened to.
TASK_CREATED = "task.created"
TASK_CHANGED = "task.changed"
TASK_REMOVED = "task.removed"
MEMBER_JOINED = "member.joined"
MEMBER_LEFT = "member.left"
MEMBER_IDLE = "member.idle"
MEMBER_ACTIVE = "member.active"
MESSAGE = "message"
AGENT_STATE = "agent.state"
LIST_APPEARED = "list.appeared"
LIST_VANISHED = "list.vanished"
TEAM_APPEARED = "team.appeared"
TEAM_VANISHED = "team.vanished"
OPERATOR_WRITE = "operator.write"
FLAG_RAISED = "flag.raised"
FLAG_CLEARED = "flag.cleared"
HOOK = "hook"

KINDS = (TASK_CREATED, TASK_CHANGED, TASK_REMOVED, MEMBER_JOINED, MEMBER_LEFT, MEMBER_IDLE,
         MEMBER_ACTIVE, MESSAGE, AGENT_STATE, LIST_APPEARED, LIST_VANISHED, TEAM_APPEARED,
         TEAM_VANISHED, OPERATOR_WRITE, FLAG_RAISED, FLAG_CLEARED, HOOK)


@dataclass(frozen=True)
class Event:
    """One change. ``before``/``after`` hold the changed fields only (whole records for a
    creation or removal); ``detail`` holds what the kind adds (a message's text, an operator
    write's verb and result, ``auto_clear`` on a removal)."""

    time: float
    team: str
    kind: str
    source: Source = "disk"
    session: str | None = None
    task: str | None = None
    agent: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    key: str | None = field(default=None, compare=False)
    """What makes this event the same event when two recorders see it (see :meth:`identity`).
    None: the default identity. Not part of the JSON."""

    def identity(self) -> str:
        """A digest that two recorders of the same change compute alike, so the journal
        keeps it once: team, session, kind, task, agent and ``key`` when the deriver set
        one (a file's mtime and content hash, a message's sender and timestamp...), else
        every field but the source."""
        if self.key is not None:
            basis: list[Any] = [self.team, self.session, self.kind, self.task, self.agent,
                                self.key]
        else:
            basis = [self.team, self.session, self.kind, self.task, self.agent,
                     round(self.time, 3), self.before, self.after, self.detail]
        return digest(basis)

    def with_session(self, session: str | None) -> Event:
        return replace(self, session=session)

    def to_json(self) -> dict[str, Any]:
        """The JSON object ``taskboard events`` prints and the journal stores."""
        out: dict[str, Any] = {"v": SCHEMA_VERSION, "time": self.time, "team": self.team,
                               "session": self.session, "kind": self.kind,
                               "source": self.source}
        for key in ("task", "agent", "before", "after"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.detail:
            out["detail"] = self.detail
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any], key: str | None = None) -> Event:
        # The fields set straight into a new instance: what ``cls(...)`` does, without
        # a frozen dataclass's per-field ``object.__setattr__`` (review reads 100,000).
        event = object.__new__(cls)
        detail = obj.get("detail")
        event.__dict__.update(
            time=float(obj["time"]), team=str(obj["team"]), kind=str(obj["kind"]),
            source=obj.get("source", "disk"), session=obj.get("session"),
            task=obj.get("task"), agent=obj.get("agent"), before=obj.get("before"),
            after=obj.get("after"), detail=dict(detail) if detail else {}, key=key)
        return event


def digest(value: Any) -> str:
    """A short stable hash of any JSON-able value (keys sorted)."""
    import hashlib  # here: OpenSSL's module is a twentieth of a headless command's start

    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
