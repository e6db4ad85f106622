"""What one agent is doing, read from its transcript lines (TRANSCRIPTS.md, "Agent states").

Pure: lines (parsed JSON objects) in, state out; no I/O. :class:`AgentActivity` is a small
state machine fed one transcript line at a time (:mod:`taskboard.claude.transcripts` tails the
files, :mod:`taskboard.claude.live` ties a team's files together and overlays the team files).

The API other parts read (the agent panels, health rules, ``show --json``):

- ``state``: ``"unknown"``, ``"thinking"`` (a model request in flight), ``"tool"`` (running
  ``tool``), ``"idle"`` (turn ended), ``"woken"`` (a message or prompt arrived, by
  ``woken_by``), ``"gone"`` (left the team); ``since``: epoch seconds the state began.
- ``last_seen``: epoch seconds of the newest line of any kind (a sign of life).
- ``turn_ended``: epoch seconds of the latest end of a turn (None while never idle).
- ``idle_since``: ``since`` while idle or gone, else None.
- ``model``, ``window`` (None for an unknown model), ``context`` (tokens of the last
  response), ``context_pct`` (None when the window is unknown), ``tokens`` (summed per
  message id).
- ``received`` / ``sent``: :class:`TranscriptMessage` lists, oldest first, with full text;
  ``last_words``: the ``result`` of the agent's latest ``idle_notification``.
- ``version``: bumped on every change, so a view can skip agents that did not change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from taskboard.board.jsontext import loads

State = Literal["unknown", "thinking", "tool", "idle", "woken", "gone"]

TURN_END = frozenset({"end_turn", "stop_sequence", "max_tokens", "refusal"})
MESSAGE_BLOCK = re.compile(
    r'<teammate-message teammate_id="([^"]*)"([^>]*)>\n?(.*?)\n?</teammate-message>', re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_DATED = re.compile(r"-\d{8}$")
MAX_MESSAGES = 500
"""Messages kept per agent and direction (the oldest are dropped first)."""

_WINDOW_200K = ("claude-sonnet-4-0", "claude-sonnet-4-5", "claude-sonnet-4-6", "claude-opus-4-0",
                "claude-opus-4-1", "claude-opus-4-5", "claude-opus-4-6", "claude-haiku-4-5",
                "claude-sonnet-4", "claude-opus-4", "claude-3")
_WINDOW_1M = ("claude-opus-4-7", "claude-opus-4-8", "claude-opus-5-5", "claude-opus-5",
              "claude-sonnet-5-5", "claude-sonnet-5", "claude-haiku-5-5", "claude-fable-5",
              "claude-mythos-5")
_KNOWN: tuple[tuple[str, int], ...] = tuple(sorted(
    [(m, 1_000_000) for m in _WINDOW_1M] + [(m, 200_000) for m in _WINDOW_200K],
    key=lambda pair: -len(pair[0])))


def context_window(model: str | None, *, one_m: bool = False) -> int | None:
    """The context window of a model id, None when the model is unknown.

    ``one_m``: the request asked for the 1M window (``[1m]`` on ``requestedModel`` or the
    ``context-1m`` beta). Dated ids (``claude-sonnet-4-5-20250929``) are stripped first.
    """
    if one_m or (model or "").endswith("[1m]"):
        return 1_000_000
    if not model:
        return None
    base = _DATED.sub("", model.strip().lower())
    for prefix, window in _KNOWN:
        if base == prefix or base.startswith(prefix + "-"):
            return window
    return None


_ISO_CACHE: dict[str, float] = {}


def epoch(stamp: Any) -> float | None:
    """Epoch seconds of an ISO timestamp (``2026-12-02T02:22:57.250Z``); None if unreadable."""
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True)
class TranscriptMessage:
    """One message an agent received or sent, as its transcript shows it."""

    time: float | None
    """When it reached the transcript (or was sent): the line's timestamp."""
    sender: str
    recipient: str
    text: str
    """The full text: the body of a plain message, the JSON of a protocol message."""
    summary: str | None = None
    kind: str = "message"
    """``"message"`` for plain text, else the protocol ``type`` (``task_assignment`` …)."""
    payload: dict[str, Any] | None = None
    sent_at: float | None = None
    """The payload's own ``timestamp`` when it has one (the true send time)."""

    @property
    def headline(self) -> str:
        """One short line: the summary, a protocol message's gist, or the text."""
        if self.summary:
            return self.summary
        p = self.payload or {}
        if self.kind == "task_assignment":
            return f"task #{p.get('taskId')} assigned: {p.get('subject') or ''}".strip()
        if self.kind == "idle_notification":
            return f"idle: {p.get('result') or p.get('idleReason') or ''}".strip()
        if self.kind != "message":
            gist = p.get("message") or p.get("reason") or p.get("result")
            return f"{self.kind}: {gist}" if gist else self.kind
        return self.text


def parse_messages(text: str, recipient: str, when: float | None) -> list[TranscriptMessage]:
    """Every ``<teammate-message>`` block of a user line's text."""
    out: list[TranscriptMessage] = []
    for sender, attrs, body in MESSAGE_BLOCK.findall(text):
        attr = dict(_ATTR.findall(attrs))
        payload: dict[str, Any] | None = None
        kind = "message"
        stripped = body.strip()
        if stripped.startswith("{"):
            try:
                parsed = loads(stripped)
            except json.JSONDecodeError as err:
                parsed = None
                if err.msg == "Extra data":  # instructions for the model follow the JSON
                    try:
                        parsed = loads(stripped[: err.pos])
                    except ValueError:
                        parsed = None
            except ValueError:  # NaN, nested too deep
                parsed = None
            if isinstance(parsed, dict) and isinstance(parsed.get("type"), str):
                payload, kind = parsed, parsed["type"]
        sent_at = epoch(payload.get("timestamp")) if payload else None
        out.append(TranscriptMessage(when, sender, recipient, stripped, attr.get("summary"),
                                     kind, payload, sent_at))
    return out


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(b.get("text", "")) for b in content
                         if isinstance(b, dict) and b.get("type") == "text")
    return ""


@dataclass
class Tokens:
    """Token usage summed per model response (message id), as the API reported it."""

    input: int = 0
    output: int = 0
    cache_creation: int = 0
    cache_read: int = 0

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_creation + self.cache_read


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


@dataclass
class AgentActivity:
    """The live state of one agent, fed its transcript lines in file order."""

    name: str
    path: str | None = None
    state: State = "unknown"
    since: float | None = None
    tool: str | None = None
    """The running tool(s), comma separated, while ``state == "tool"``."""
    woken_by: str | None = None
    """While ``woken``: the sender(s) of the message that woke it, or ``"prompt"``."""
    model: str | None = None
    one_m: bool = False
    window: int | None = None
    context: int | None = None
    tokens: Tokens = field(default_factory=Tokens)
    last_seen: float | None = None
    turn_ended: float | None = None
    received: list[TranscriptMessage] = field(default_factory=list)
    sent: list[TranscriptMessage] = field(default_factory=list)
    last_words: str | None = None
    compactions: int = 0
    received_total: int = 0
    """Messages received so far, trimmed ones included (to find the newest ones)."""
    lines: int = 0
    version: int = 0
    pending: dict[str, tuple[str, float | None]] = field(default_factory=dict)
    """Tool calls waiting for their result: tool_use id -> (tool name, started)."""
    _seen_ids: set[str] = field(default_factory=set, repr=False)

    # -- what views read ------------------------------------------------------------

    @property
    def context_pct(self) -> float | None:
        """Context used, in % of the window; None when the window or the usage is unknown."""
        if self.window is None or self.context is None:
            return None
        return 100.0 * self.context / self.window

    @property
    def idle_since(self) -> float | None:
        return self.since if self.state in ("idle", "gone") else None

    @property
    def working(self) -> bool | None:
        """True while thinking, running a tool or woken; False idle or gone; None unknown."""
        if self.state in ("thinking", "tool", "woken"):
            return True
        if self.state in ("idle", "gone"):
            return False
        return None

    def describe(self, now: float) -> str:
        """``running Bash 42 s``, ``idle 6 min``, ``thinking 12 s``, ``woken by bob 3 s``."""
        from taskboard.timefmt import duration

        elapsed = f" {duration(now - self.since)}" if self.since is not None else ""
        if self.state == "tool":
            return f"running {self.tool or 'a tool'}{elapsed}"
        if self.state == "woken":
            who = "a prompt" if self.woken_by == "prompt" else (self.woken_by or "a message")
            return f"woken by {who}{elapsed}"
        if self.state == "unknown":
            return "no activity yet"
        return f"{self.state}{elapsed}"

    # -- feeding --------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything read (the file was truncated or rewritten: it is read again)."""
        fresh = AgentActivity(self.name, self.path)
        fresh.version = self.version + 1
        self.__dict__.update(fresh.__dict__)

    def _set(self, state: State, when: float | None, *, tool: str | None = None,
             woken_by: str | None = None) -> None:
        if state != self.state:
            self.since = when
        self.state, self.tool, self.woken_by = state, tool, woken_by

    def mark_gone(self) -> None:
        """The agent left the team (not in ``config.json`` members)."""
        if self.state != "gone":
            self._set("gone", self.last_seen)
            self.pending.clear()
            self.version += 1

    def note_idle_notification(self, message: TranscriptMessage) -> None:
        """The lead's copy of this agent's ``idle_notification``: its last words and,
        when nothing newer shows it working, idle since the notification's own time."""
        payload = message.payload or {}
        result = payload.get("result")
        if isinstance(result, str):
            self.last_words = result
        when = message.sent_at or message.time
        if when is not None and self.state == "unknown":
            self._set("idle", when)
        if when is not None and (self.last_seen is None or when > self.last_seen):
            self.last_seen = when
        self.version += 1

    def feed(self, line: dict[str, Any]) -> None:
        """Take one parsed transcript line (any kind; unknown kinds only count as life)."""
        self.lines += 1
        kind = line.get("type")
        when = epoch(line.get("timestamp"))
        if when is not None and (self.last_seen is None or when > self.last_seen):
            self.last_seen = when
        if self.state == "gone":
            self.version += 1
            return
        if kind == "api-request":
            params = line.get("params")
            if isinstance(params, dict):
                betas = params.get("betas") or []
                if isinstance(betas, list) and any(
                        str(b).startswith("context-1m") for b in betas):
                    self.one_m = True
                    self.window = context_window(self.model, one_m=True)
            self._set("thinking", when)
        elif kind == "assistant":
            self._assistant(line, when)
        elif kind == "user":
            self._user(line, when)
        elif kind == "system" and line.get("subtype") == "compact_boundary":
            self.compactions += 1
            self.context = None  # unknown until the next response
        self.version += 1

    def _assistant(self, line: dict[str, Any], when: float | None) -> None:
        message = line.get("message")
        if not isinstance(message, dict):
            return
        model = message.get("model")
        if isinstance(model, str) and model and not model.startswith("<"):
            self.model = model
        requested = line.get("requestedModel")
        if isinstance(requested, str) and requested.endswith("[1m]"):
            self.one_m = True
        self.window = context_window(self.model, one_m=self.one_m)
        usage = message.get("usage")
        if isinstance(usage, dict):
            inp, out = _int(usage.get("input_tokens")), _int(usage.get("output_tokens"))
            create = _int(usage.get("cache_creation_input_tokens"))
            read = _int(usage.get("cache_read_input_tokens"))
            if inp + out + create + read:
                self.context = inp + out + create + read
            mid = message.get("id")
            if not isinstance(mid, str) or mid not in self._seen_ids:
                if isinstance(mid, str):
                    self._seen_ids.add(mid)
                t = self.tokens
                t.input += inp
                t.output += out
                t.cache_creation += create
                t.cache_read += read
        content = message.get("content")
        uses = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_use"] \
            if isinstance(content, list) else []
        for block in uses:
            name = str(block.get("name") or "tool")
            self.pending[str(block.get("id"))] = (name, when)
            if name == "SendMessage":
                self._sent(block.get("input"), when)
        if uses:
            self._set("tool", when, tool=", ".join(n for n, _ in self.pending.values()))
        elif message.get("stop_reason") in TURN_END and not self.pending:
            self.turn_ended = when
            self._set("idle", when)

    def _sent(self, data: Any, when: float | None) -> None:
        if not isinstance(data, dict):
            return
        to = data.get("to") or data.get("recipient") or "?"
        body = data.get("message", data.get("content", ""))
        payload = body if isinstance(body, dict) else None
        text = json.dumps(body) if payload is not None else str(body)
        kind = str(payload.get("type")) if payload and payload.get("type") else "message"
        summary = data.get("summary")
        self._keep(self.sent, TranscriptMessage(
            when, self.name, str(to), text, summary if isinstance(summary, str) else None,
            kind, payload))

    @staticmethod
    def _keep(into: list[TranscriptMessage], message: TranscriptMessage) -> None:
        into.append(message)
        if len(into) > MAX_MESSAGES:
            del into[: len(into) - MAX_MESSAGES]

    def _user(self, line: dict[str, Any], when: float | None) -> None:
        message = line.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        results = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"] \
            if isinstance(content, list) else []
        if results:
            for block in results:
                self.pending.pop(str(block.get("tool_use_id")), None)
            if self.pending:
                started = min((t for _, t in self.pending.values() if t is not None),
                               default=when)
                self._set("tool", started, tool=", ".join(n for n, _ in self.pending.values()))
            else:
                self._set("thinking", when)
            return
        if line.get("isMeta") or line.get("isCompactSummary") \
                or line.get("isVisibleInTranscriptOnly"):
            return
        text = _text_of(content)
        if text.startswith("[Request interrupted"):
            self.pending.clear()
            self.turn_ended = when
            self._set("idle", when)
            return
        messages = parse_messages(text, self.name, when)
        for received in messages:
            self._keep(self.received, received)
        self.received_total += len(messages)
        senders = sorted({m.sender for m in messages})
        self._set("woken", when, woken_by=", ".join(senders) if senders else "prompt")


def activity_from_lines(name: str, lines: list[dict[str, Any]]) -> AgentActivity:
    """An agent's activity after these lines (tests, one-off reads)."""
    activity = AgentActivity(name)
    for line in lines:
        activity.feed(line)
    return activity
