"""Agents' transcripts on disk: finding a team's files and tailing them (TRANSCRIPTS.md).

- :func:`find_team_transcripts` maps each member of a team to its transcript: the lead
  through ``leadSessionId`` (``projects/*/<id>.jsonl``, globbed: the project directory's
  name is never computed), in-process teammates through their ``.meta.json`` sidecars,
  pane teammates through ``teamName``/``agentName`` on their own session file's lines.
- :class:`Tail` reads what was appended to one file since the last read: one ``stat`` when
  nothing changed, one read of the new bytes otherwise. It keeps a trailing partial line
  for the next read, skips the bulky replay lines by their prefix before parsing JSON, and
  starts again from the top when the file shrank, was replaced or rewritten.
"""

from __future__ import annotations

import glob
import gzip
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taskboard.board.jsontext import loads
from taskboard.claude.files import (
    SIDECAR_LIMIT,
    TRANSCRIPT_LINE,
    TRANSCRIPT_READ,
    open_regular,
    read_bytes,
)

SKIP_PREFIXES = (b'{"type":"api-request-shape"', b'{"type":"api-request-blob"')
"""Replay records (70-100 KB each): never parsed."""
BULKY_ATTACHMENTS = (b"prompt_snapshot", b"deferred_tools_record", b"skill_listing",
                     b"agent_listing_delta")
"""Attachment kinds that are replay bulk (up to 115 KB a line): never parsed."""
_ATTACHMENT = b'"attachment":{"type":"'
HEAD_BYTES = 64
"""Bytes of a file's start remembered to notice a rewrite that did not shrink it."""
SESSION_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,127}$")
PANE_SCAN_BYTES = 256 * 1024
WHOLE_LIMIT = 512 * 1024 * 1024
"""The most :func:`read_lines` reads of one transcript (decompressed)."""
"""How far into an unknown session file to look for ``teamName``/``agentName``."""


def is_bulky(line: bytes) -> bool:
    """True for a replay line that a live reader never needs (checked without parsing)."""
    if line.startswith(SKIP_PREFIXES):
        return True
    at = line.find(_ATTACHMENT, 0, 200)
    if at < 0:
        return False
    return line.startswith(BULKY_ATTACHMENTS, at + len(_ATTACHMENT))


def parse_lines(data: bytes) -> list[dict[str, Any]]:
    """The JSON objects of complete lines, bulky and unreadable ones left out."""
    out: list[dict[str, Any]] = []
    for raw in data.split(b"\n"):
        if not raw or is_bulky(raw):
            continue
        try:
            obj = loads(raw.decode("utf-8", "replace"))
        except ValueError:  # not JSON, NaN, nested too deep
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


def read_lines(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every useful line of a whole transcript (``.jsonl`` or ``.jsonl.gz``), at once."""
    try:
        with open_regular(path) as raw:
            if str(path).endswith(".gz"):
                with gzip.GzipFile(fileobj=raw) as handle:
                    data = handle.read(WHOLE_LIMIT)
            else:
                data = raw.read(WHOLE_LIMIT)
    except (OSError, EOFError, gzip.BadGzipFile):
        return []
    return parse_lines(data)


@dataclass
class Chunk:
    """What one :meth:`Tail.read` found."""

    lines: list[dict[str, Any]]
    reset: bool = False
    """The file was truncated, replaced or rewritten: everything known from it is void and
    ``lines`` start from its top again."""
    missing: bool = False


class Tail:
    """Incremental reader of one JSONL file (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.offset = 0
        self.rest = b""
        self.head = b""
        self._stamp: tuple[int, int, int, int] | None = None
        self.reads = 0
        """How many times the file was opened and read (a benchmark and test figure)."""

    def read(self) -> Chunk:
        """The complete lines appended since the last read."""
        try:
            st = os.stat(self.path)
        except OSError:
            return Chunk([], missing=True)
        stamp = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if stamp == self._stamp:
            return Chunk([])
        reset = False
        previous = self._stamp
        if previous is not None and (previous[:2] != stamp[:2] or st.st_size < self.offset):
            reset = True
        try:
            with open_regular(self.path) as handle:
                st = os.fstat(handle.fileno())
                if not reset and self.offset and self.head and \
                        os.pread(handle.fileno(), len(self.head), 0) != self.head:
                    reset = True  # rewritten in place, as long as before or longer
                if reset:
                    self.offset, self.rest, self.head = 0, b"", b""
                handle.seek(self.offset)
                data = handle.read(TRANSCRIPT_READ)
        except OSError:
            return Chunk([], missing=True)
        self.reads += 1
        self._stamp = (st.st_dev, st.st_ino, self.offset + len(data), st.st_mtime_ns)
        if self.offset == 0:
            self.head = data[:HEAD_BYTES]
        elif len(self.head) < HEAD_BYTES:
            self.head = (self.head + data)[:HEAD_BYTES]
        self.offset += len(data)
        if not data:
            return Chunk([], reset=reset)
        data = self.rest + data
        cut = data.rfind(b"\n")
        if cut < 0:
            # A line this long is not one a reader needs: drop it rather than grow.
            self.rest = data if len(data) <= TRANSCRIPT_LINE else b""
            return Chunk([], reset=reset)
        self.rest = data[cut + 1:]
        return Chunk(parse_lines(data[:cut]), reset=reset)


# -- finding a team's transcripts -------------------------------------------------------


@dataclass
class TeamTranscripts:
    """Where a team's transcripts are: member name -> file."""

    session_id: str | None = None
    lead: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    """member name -> ``lead``, ``in_process`` or ``pane``."""

    @property
    def project_dir(self) -> Path | None:
        return self.lead.parent if self.lead is not None else None


def _newest(paths: Iterable[str]) -> Path | None:
    best: tuple[float, str] | None = None
    for path in paths:
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            continue
        if best is None or mtime > best[0]:
            best = (mtime, path)
    return Path(best[1]) if best else None


def lead_transcript(home: Path, session_id: str) -> Path | None:
    """``projects/*/<session_id>.jsonl`` (the newest if several projects hold one)."""
    if not SESSION_ID.match(session_id):
        return None
    pattern = os.path.join(glob.escape(str(home)), "projects", "*",
                           glob.escape(session_id) + ".jsonl")
    return _newest(glob.glob(pattern))


def lead_by_team(home: Path, team: str) -> Path | None:
    """Once ``config.json`` is gone: ``projects/*/<8 hex>*.jsonl`` for ``session-<8 hex>``."""
    match = re.fullmatch(r"session-([0-9a-f]{8})", team)
    if not match:
        return None
    pattern = os.path.join(glob.escape(str(home)), "projects", "*", match.group(1) + "*.jsonl")
    return _newest(p for p in glob.glob(pattern)
                   if re.fullmatch(r"[0-9a-f-]{36}\.jsonl", os.path.basename(p)))


def read_sidecar(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    try:
        data, _ = read_bytes(path, SIDECAR_LIMIT)
        obj = loads(data.decode("utf-8", "replace"))
    except (OSError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def subagent_transcripts(lead: Path, team: str | None) -> dict[str, Path]:
    """In-process teammates of the session whose lead file is ``lead``: name -> file."""
    base = lead.with_suffix("")  # <dir>/<sid>
    pattern = os.path.join(glob.escape(str(base)), "subagents", "**", "agent-*.meta.json")
    found: dict[str, tuple[float, Path]] = {}
    for meta in glob.glob(pattern, recursive=True):
        sidecar = read_sidecar(meta)
        if sidecar is None or sidecar.get("taskKind", "in_process_teammate") \
                != "in_process_teammate":
            continue
        if team is not None and sidecar.get("teamName") not in (team, None):
            continue
        name = sidecar.get("name") or sidecar.get("agentType")
        if not isinstance(name, str) or not name:
            continue
        transcript = Path(meta[: -len(".meta.json")] + ".jsonl")
        try:
            mtime = os.stat(meta).st_mtime
        except OSError:
            continue
        if name not in found or mtime > found[name][0]:
            found[name] = (mtime, transcript)  # a respawned name: the newest file
    return {name: path for name, (_, path) in found.items()}


_TEAM_NAME = re.compile(rb'"teamName":"([^"]*)"')
_AGENT_NAME = re.compile(rb'"agentName":"([^"]*)"')


class PaneScanner:
    """Finds pane teammates' own session files by the ``teamName``/``agentName`` on their
    lines, remembering what each file turned out to be so a file is read once or twice."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[int, tuple[str, str] | None]] = {}

    def identify(self, path: str) -> tuple[str, str] | None:
        """``(teamName, agentName)`` from a session file's first lines, or None."""
        try:
            size = os.stat(path).st_size
        except OSError:
            return None
        seen = self._known.get(path)
        if seen is not None and (seen[1] is not None or seen[0] >= min(size, PANE_SCAN_BYTES)):
            return seen[1]
        try:
            with open_regular(path) as handle:
                data = handle.read(PANE_SCAN_BYTES)
        except OSError:
            return None
        found: tuple[str, str] | None = None
        for raw in data.split(b"\n"):
            if is_bulky(raw):
                continue
            team, agent = _TEAM_NAME.search(raw), _AGENT_NAME.search(raw)
            if team and agent:
                found = (team.group(1).decode("utf-8", "replace"),
                         agent.group(1).decode("utf-8", "replace"))
                break
        self._known[path] = (len(data), found)
        return found

    def scan(self, project_dir: Path, team: str, names: set[str], *,
             not_before: float | None, skip: Path | None) -> dict[str, Path]:
        found: dict[str, tuple[float, Path]] = {}
        pattern = os.path.join(glob.escape(str(project_dir)), "*.jsonl")
        for path in glob.glob(pattern):
            if skip is not None and path == str(skip):
                continue
            try:
                mtime = os.stat(path).st_mtime
            except OSError:
                continue
            if not_before is not None and mtime < not_before:
                continue
            ident = self.identify(path)
            if ident is None or ident[0] != team or ident[1] not in names:
                continue
            if ident[1] not in found or mtime > found[ident[1]][0]:
                found[ident[1]] = (mtime, Path(path))
        return {name: path for name, (_, path) in found.items()}


def lead_name(config: dict[str, Any] | None) -> str:
    """The lead member's name (``team-lead`` unless the config says otherwise)."""
    if config:
        lead_id = config.get("leadAgentId")
        for member in config.get("members") or []:
            if isinstance(member, dict) and (member.get("agentId") == lead_id
                                             or member.get("agentType") == "team-lead"):
                return str(member.get("name") or "team-lead")
        if isinstance(lead_id, str) and "@" in lead_id:
            return lead_id.split("@", 1)[0]
    return "team-lead"


def find_team_transcripts(home: Path, team: str, config: dict[str, Any] | None, *,
                          panes: PaneScanner | None = None) -> TeamTranscripts:
    """Each member's transcript. ``config`` is ``config.json`` as read (None once gone)."""
    out = TeamTranscripts()
    sid = config.get("leadSessionId") if config else None
    lead = lead_transcript(home, sid) if isinstance(sid, str) else None
    if lead is None:
        lead = lead_by_team(home, team)
    if lead is None:
        return out
    out.lead, out.session_id = lead, lead.name[: -len(".jsonl")]
    boss = lead_name(config)
    out.files[boss], out.kinds[boss] = lead, "lead"
    for name, path in subagent_transcripts(lead, team).items():
        out.files.setdefault(name, path)
        out.kinds.setdefault(name, "in_process")
    members = [m for m in (config or {}).get("members") or [] if isinstance(m, dict)]
    pane_names = {str(m.get("name")) for m in members
                  if m.get("name") and m.get("name") not in out.files
                  and (m.get("backendType") not in ("in-process", None)
                       or m.get("tmuxPaneId") not in ("in-process", "leader", "", None))}
    if pane_names:
        created = (config or {}).get("createdAt")
        not_before = created / 1000.0 - 60 if isinstance(created, int | float) else None
        scanner = panes or PaneScanner()
        for name, path in scanner.scan(lead.parent, team, pane_names, not_before=not_before,
                                       skip=lead).items():
            out.files[name], out.kinds[name] = path, "pane"
    return out


def iter_session_leads(home: Path) -> Iterator[Path]:
    """Every ``projects/*/<session id>.jsonl`` under the home (sessions that left a file)."""
    pattern = os.path.join(glob.escape(str(home)), "projects", "*", "*.jsonl")
    for path in glob.glob(pattern):
        if SESSION_ID.match(os.path.basename(path)[: -len(".jsonl")]):
            yield Path(path)
