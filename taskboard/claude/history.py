"""A team's task tool calls and messages, read back from its transcripts (TRANSCRIPTS.md,
"A team's task history", steps 1 and 2).

:func:`session_files` collects the transcripts of one session with the actor of each (the
lead's name, a sidecar's ``name``, a pane teammate's ``agentName``); :func:`extract` pairs
every task tool call with its result (the time is the result line's ``timestamp``) and reads
the ``<teammate-message>`` blocks, in time order. :mod:`taskboard.journal.rebuild` replays
them into events.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taskboard.claude.activity import epoch, parse_messages
from taskboard.claude.transcripts import (
    PaneScanner,
    lead_by_team,
    lead_name,
    lead_transcript,
    read_lines,
    read_sidecar,
    subagent_transcripts,
)

TOOLS = frozenset({"TaskCreate", "TaskUpdate", "TaskGet", "TaskList", "SendMessage", "Agent"})


@dataclass(frozen=True)
class SessionFiles:
    """One session's transcripts: the lead's session id and (actor, file) pairs."""

    session_id: str | None
    files: tuple[tuple[str, Path], ...] = ()


def _config(home: Path, team: str) -> dict[str, Any] | None:
    obj = read_sidecar(home / "teams" / team / "config.json")
    return obj if obj else None


def session_files(home: Path, team: str, session_id: str | None = None) -> SessionFiles:
    """The transcripts of ``team``'s session (the live one, else the one whose lead file
    starts with the team's 8 hex digits, else ``session_id``'s)."""
    config = _config(home, team)
    lead: Path | None = None
    if session_id:
        lead = lead_transcript(home, session_id)
    if lead is None and config and isinstance(config.get("leadSessionId"), str) \
            and not session_id:
        lead = lead_transcript(home, config["leadSessionId"])
    if lead is None and not session_id:
        lead = lead_by_team(home, team)
    if lead is None:
        return SessionFiles(session_id)
    files: list[tuple[str, Path]] = [(lead_name(config), lead)]
    for name, path in sorted(subagent_transcripts(lead, None).items()):
        files.append((name, path))
    scanner = PaneScanner()
    for path in sorted(lead.parent.glob("*.jsonl")):
        if path == lead:
            continue
        ident = scanner.identify(str(path))
        if ident is not None and ident[0] == team:
            files.append((ident[1], path))
    return SessionFiles(lead.name[: -len(".jsonl")], tuple(files))


@dataclass
class ToolCall:
    """A tool call paired with its result."""

    time: float
    stamp: str
    actor: str
    tool: str
    input: dict[str, Any]
    result: str
    structured: Any
    tool_use_id: str
    order: tuple[int, int] = (0, 0)


@dataclass
class Delivered:
    """A message as it reached an agent's transcript."""

    time: float
    stamp: str
    sender: str
    recipient: str
    kind: str
    text: str
    summary: str | None
    payload: dict[str, Any] | None
    order: tuple[int, int] = (0, 0)


@dataclass
class Extracted:
    """Everything one session's transcripts say about its tasks and messages."""

    session_id: str | None
    items: list[ToolCall | Delivered] = field(default_factory=list)
    files: int = 0
    lines: int = 0


def _result_text(content: Any) -> str:
    if isinstance(content, list):
        return "\n".join(str(x.get("text", "")) for x in content if isinstance(x, dict))
    return "" if content is None else str(content)


def extract(found: SessionFiles) -> Extracted:
    """Pair calls with results and read messages, file by file; sort by time, then file
    order (TRANSCRIPTS.md: file order is not time order across files)."""
    out = Extracted(found.session_id)
    seen_ids: set[str] = set()
    for number, (actor, path) in enumerate(found.files):
        lines = read_lines(path)
        out.files += 1
        out.lines += len(lines)
        calls: dict[str, tuple[str, dict[str, Any]]] = {}
        for index, line in enumerate(lines):
            kind = line.get("type")
            message = line.get("message")
            content = message.get("content") if isinstance(message, dict) else None
            stamp = line.get("timestamp")
            when = epoch(stamp)
            if kind == "assistant" and isinstance(content, list):
                for block in content:
                    if isinstance(block, dict) and block.get("type") == "tool_use" \
                            and block.get("name") in TOOLS:
                        data = block.get("input")
                        calls[str(block.get("id"))] = (
                            str(block.get("name")), data if isinstance(data, dict) else {})
            elif kind == "user" and isinstance(content, list) and when is not None:
                for block in content:
                    if not isinstance(block, dict) or block.get("type") != "tool_result":
                        continue
                    use_id = str(block.get("tool_use_id"))
                    if use_id not in calls or use_id in seen_ids:
                        continue
                    seen_ids.add(use_id)  # resumed or forked sessions repeat calls
                    tool, data = calls.pop(use_id)
                    out.items.append(ToolCall(
                        when, str(stamp), actor, tool, data, _result_text(block.get("content")),
                        line.get("toolUseResult"), use_id, (number, index)))
            elif kind == "user" and isinstance(content, str) and when is not None \
                    and not line.get("isMeta"):
                for msg in parse_messages(content, actor, when):
                    out.items.append(Delivered(
                        when, str(stamp), msg.sender, actor, msg.kind, msg.text, msg.summary,
                        msg.payload, (number, index)))
    out.items.sort(key=lambda item: (item.stamp, item.order))
    return out


def sessions_in_transcripts(home: Path) -> list[dict[str, Any]]:
    """Every team session that left a lead transcript with teammates or task calls:
    ``{"team", "session_id", "path", "modified"}``, newest first."""
    from taskboard.claude.transcripts import iter_session_leads

    out: list[dict[str, Any]] = []
    for lead in iter_session_leads(home):
        sid = lead.name[: -len(".jsonl")]
        team = f"session-{sid[:8]}"
        has_team = (lead.with_suffix("") / "subagents").is_dir() \
            or (home / "tasks" / team).is_dir() or (home / "teams" / team).is_dir()
        if not has_team:
            continue
        try:
            modified = os.stat(lead).st_mtime
        except OSError:
            continue
        out.append({"team": team, "session_id": sid, "path": str(lead), "modified": modified})
    out.sort(key=lambda s: -s["modified"])
    return out


def describe(item: ToolCall | Delivered) -> str:
    """One line for a debug listing."""
    if isinstance(item, ToolCall):
        return f"{item.stamp} {item.actor} {item.tool} {json.dumps(item.input)[:80]}"
    return f"{item.stamp} {item.sender} -> {item.recipient} {item.kind}"
