"""What the rules know of each agent: signs of life, working or idle, and since when.

The task and team files alone give a rough picture (task files an agent owns, the
messages it sent, ``isActive``). When the agents' transcripts are read, an
:class:`AgentActivity` per agent sharpens it: the state of its turn and the time of
its last line. The journal, when there is one, tells when each task entered its
current status (``task_since``). Every input beyond the board is optional.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from taskboard.board.agents import AgentSummary
from taskboard.board.model import Board, Message

WORKING_STATES = frozenset({"thinking", "tool", "woken"})
"""Activity states in which an agent is taking a turn."""


@dataclass(frozen=True)
class AgentActivity:
    """One agent's live activity, from its transcript (see TRANSCRIPTS.md, Agent states).

    ``state`` is ``thinking`` (a model request in flight), ``tool`` (running one),
    ``woken`` (a message arrived), ``idle`` (its turn ended) or ``gone``; ``since``
    is when it entered that state; ``last_seen`` the newest timestamp of any line.
    """

    state: str | None = None
    since: float | None = None
    last_seen: float | None = None
    turn_ended: bool = False
    last_words: str | None = None
    """The agent's final text of its last turn (its ``idle_notification`` ``result``)."""
    tool: str | None = None


class ActivityLike(Protocol):
    """What the rules read of an agent's activity: :class:`AgentActivity` here, or the
    live one :mod:`taskboard.claude.activity` keeps from the transcripts."""

    state: str
    since: float | None
    last_seen: float | None
    turn_ended: Any
    last_words: str | None
    tool: str | None


@dataclass(frozen=True)
class Signals:
    """Everything besides the board that the rules may use; all of it optional."""

    activity: Mapping[str, ActivityLike] = field(default_factory=dict)
    messages: Sequence[tuple[str, Message]] = ()
    """``(recipient, message)`` seen outside the inboxes (transcripts, the journal):
    Claude Code 2.1.3xx deletes delivered messages within a second."""
    task_since: Mapping[str, float] = field(default_factory=dict)
    """When each task entered its current status, from the journal."""


@dataclass
class Life:
    """The rules' view of one agent."""

    name: str
    last_seen: float | None = None
    """The newest sign of life: a task file it owns, a message it sent, a transcript line."""
    working: bool | None = None
    """True taking a turn, False idle, None unknown."""
    idle_since: float | None = None
    evidence: str = ""
    """What says it is idle or working (``its turn ended``, ``isActive false``, ...)."""
    activity: ActivityLike | None = None


def _latest(*stamps: float | None) -> float | None:
    known = [s for s in stamps if s is not None]
    return max(known) if known else None


def agent_lives(board: Board, summaries: list[AgentSummary],
                signals: Signals) -> dict[str, Life]:
    """One :class:`Life` per member or owner, from the summaries and the optional activity."""
    lives: dict[str, Life] = {}
    for summary in summaries:
        if summary.kind == "unowned":
            continue
        act = signals.activity.get(summary.name)
        life = Life(summary.name, summary.last_seen or None, activity=act)
        if act is not None and act.state is not None:
            life.last_seen = _latest(life.last_seen, act.last_seen, act.since)
            if act.state in WORKING_STATES:
                life.working = True
                life.evidence = f"its transcript shows {act.tool or act.state}"
            elif act.state == "idle" or act.turn_ended:
                life.working = False
                life.idle_since = act.since
                life.evidence = "its turn ended"
        if life.working is None and summary.idle_since is not None and (
                summary.last_seen is None or summary.idle_since >= summary.last_seen):
            # Its newest sign of life is an idle notification: nothing since.
            life.working = False
            life.idle_since = summary.idle_since
            life.evidence = "it reported idle"
        member = summary.member
        if life.working is None and member is not None and member.is_active is False:
            life.working = False
            life.idle_since = board.team_mtime or None
            life.evidence = "config.json says isActive false"
        lives[summary.name] = life
    return lives
