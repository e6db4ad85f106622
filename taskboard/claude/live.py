"""A team's live activity: every member's transcript tailed and interpreted, overlaid with
the team files (TRANSCRIPTS.md, "Live activity, context and idle, per agent").

:class:`TeamActivity` is what the console, ``show --json`` and the health rules hold::

    live = TeamActivity(home, "session-00c8f52f")
    changed = live.refresh()          # names whose activity changed (cheap when none did)
    live.agents["alice"].describe(now)  # "running Bash 42 s"
    live.agents["alice"].last_seen      # epoch seconds of its newest sign of life

``refresh(paths)`` takes the paths a file watcher reported (any path it does not know is
ignored; none means "check everything": one ``stat`` per file when nothing changed).
``watch_dirs()`` names the directories to watch. Membership in ``config.json`` makes an
agent ``gone``; ``sessions/<pid>.json`` says whether the lead process is busy, idle or ended.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskboard.board.jsontext import loads
from taskboard.claude.activity import AgentActivity, TranscriptMessage
from taskboard.claude.files import SIDECAR_LIMIT, read_bytes
from taskboard.claude.transcripts import (
    PaneScanner,
    Tail,
    TeamTranscripts,
    find_team_transcripts,
)

REDISCOVER_EVERY = 5.0
"""Seconds between globs for new transcripts when nothing else prompts one."""
STALE_AFTER = 2.0
"""Seconds the lead process must have been idle before a working state is called stale."""


@dataclass(frozen=True)
class LeadProcess:
    """The lead's ``sessions/<pid>.json``: busy or idle, and whether the process lives."""

    pid: int
    status: str | None
    status_since: float | None
    alive: bool | None
    """None when it cannot be told (another machine's pid namespace)."""


def _proc_start(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else None


def pid_alive(pid: int, proc_start: str | None) -> bool | None:
    """Whether ``pid`` runs and is the same process (``procStart`` from ``/proc``)."""
    if os.path.isdir("/proc/self"):
        start = _proc_start(pid)
        if start is None:
            return False
        return proc_start is None or start == str(proc_start)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _read_json(path: str) -> Any:
    try:
        data, _ = read_bytes(path, SIDECAR_LIMIT)
        return loads(data.decode("utf-8", "replace"))
    except (OSError, ValueError):  # missing, not a regular file, too large, not JSON
        return None


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


class TeamActivity:
    """Every member's live activity for one team (see the module docstring)."""

    def __init__(self, home: Path, team: str, *, clock: Callable[[], float] = time.time,
                 alive: Callable[[int, str | None], bool | None] = pid_alive) -> None:
        self.home = Path(home)
        self.team = team
        self.clock = clock
        self.alive = alive
        self.agents: dict[str, AgentActivity] = {}
        self.transcripts = TeamTranscripts()
        self.process: LeadProcess | None = None
        self.members: set[str] | None = None
        """Names in ``config.json`` (None while there is none)."""
        self.config: dict[str, Any] | None = None
        self.messages_seen: dict[str, list[TranscriptMessage]] = {}
        """Inbox messages the console saw before Claude Code deleted them (by recipient)."""
        self._tails: dict[str, Tail] = {}
        self._panes = PaneScanner()
        self._config_path = str(self.home / "teams" / team / "config.json")
        self._config_stamp: tuple[int, int] | None = None
        self._session_stamp: tuple[int, int] | None = None
        self._session_seen = False
        self._discovered_at = float("-inf")
        self._by_path: dict[str, str] = {}
        self._strangers: set[str] = set()
        """Transcripts a watcher reported that the last discovery did not adopt."""

    # -- what views ask ---------------------------------------------------------------

    @property
    def found(self) -> bool:
        """True once the lead's transcript was found."""
        return self.transcripts.lead is not None

    def get(self, name: str) -> AgentActivity | None:
        return self.agents.get(name)

    def watch_dirs(self) -> set[Path]:
        """Directories whose changes matter: the project directory, the subagents
        directory, the teams directory and ``sessions/``."""
        dirs = {self.home / "sessions", self.home / "teams" / self.team}
        project = self.transcripts.project_dir
        if project is not None:
            dirs.add(project)
            if self.transcripts.session_id:  # where in-process teammates will appear
                dirs.add(project / self.transcripts.session_id / "subagents")
        dirs.update(path.parent for path in self.transcripts.files.values())
        return dirs

    def transcript_paths(self) -> set[str]:
        return set(self._by_path)

    # -- refreshing ------------------------------------------------------------------

    def refresh(self, changed: Iterable[Path | str] | None = None, *,
                discover: bool = False) -> set[str]:
        """Read what changed; the names whose activity changed. ``discover``: look for
        new transcripts now (a watcher saw directories come, or lost events)."""
        before = {name: a.version for name, a in self.agents.items()}
        now = self.clock()
        paths = None if changed is None else {os.fspath(p) for p in changed}
        config_changed = self._read_config()
        if discover or config_changed or now - self._discovered_at >= REDISCOVER_EVERY \
                or (paths is not None and self._unknown_transcript(paths)):
            self._discover(now)
        for name, tail in self._tails.items():
            if paths is not None and tail.path not in paths:
                continue
            self._read(name, tail)
        self._read_session()
        self._overlay(now)
        return {name for name, a in self.agents.items() if before.get(name) != a.version}

    def _unknown_transcript(self, paths: set[str]) -> bool:
        """Whether a watcher reported a transcript or sidecar not known yet (and not found
        to be another session's at the last look: a busy unrelated session in the same
        project directory would otherwise make every batch a glob)."""
        unknown = {p for p in paths if p.endswith((".jsonl", ".meta.json"))
                   and p not in self._by_path and p not in self._strangers}
        self._strangers |= unknown  # what the discovery below does not adopt stays strange
        return bool(unknown)

    def _read_config(self) -> bool:
        stamp = _stamp(self._config_path)
        if stamp == self._config_stamp:
            return False
        self._config_stamp = stamp
        if stamp is None:
            changed = self.config is not None
            self.config = None
            self.members = None
            return changed
        obj = _read_json(self._config_path)
        if not isinstance(obj, dict):
            self._config_stamp = None  # torn: keep the last good one, look again next time
            return False
        self.config = obj
        self.members = {str(m.get("name")) for m in obj.get("members") or []
                        if isinstance(m, dict) and m.get("name")}
        return True

    def _discover(self, now: float) -> None:
        if now - self._discovered_at >= REDISCOVER_EVERY:
            self._strangers.clear()  # the periodic look reconsiders them (a pane teammate's
            # file names its agent from about its fifth line)
        self._discovered_at = now
        found = find_team_transcripts(self.home, self.team, self.config, panes=self._panes)
        if found.lead is None and self.transcripts.lead is not None:
            return  # keep what was found (files do not move; a glob may race a rename)
        self.transcripts = found
        fresh: list[str] = []
        for name, path in found.files.items():
            tail = self._tails.get(name)
            if tail is not None and tail.path == str(path):
                continue
            if tail is not None:
                self._by_path.pop(tail.path, None)
            self._tails[name] = Tail(path)
            activity = self.agents.get(name)
            if activity is None:
                self.agents[name] = AgentActivity(name, str(path))
            else:
                activity.reset()
                activity.path = str(path)
            self._by_path[str(path)] = name
            fresh.append(name)
        # The lead last: its copies of idle notifications go to teammates already known.
        for name in sorted(fresh, key=lambda n: found.kinds.get(n) == "lead"):
            self._read(name, self._tails[name])

    def _read(self, name: str, tail: Tail) -> None:
        chunk = tail.read()
        activity = self.agents[name]
        if chunk.reset:
            activity.reset()
        if not chunk.lines:
            return
        lead = self.transcripts.kinds.get(name) == "lead"
        count = activity.received_total
        for line in chunk.lines:
            activity.feed(line)
        new = activity.received_total - count
        if lead and new:
            self._route_notifications(activity.received[-new:])

    def _route_notifications(self, messages: list[TranscriptMessage]) -> None:
        """The lead's copies of teammates' idle notifications: their last words."""
        for message in messages:
            if message.kind != "idle_notification":
                continue
            sender = (message.payload or {}).get("from") or message.sender
            activity = self.agents.get(str(sender))
            if activity is not None:
                activity.note_idle_notification(message)

    def _read_session(self) -> None:
        pid = (self.config or {}).get("leadProcess", {}) if self.config else {}
        number = pid.get("pid") if isinstance(pid, dict) else None
        if not isinstance(number, int):
            if self.process is not None and self.config is None and self._session_seen:
                self._end_process()
            return
        path = str(self.home / "sessions" / f"{number}.json")
        stamp = _stamp(path)
        if stamp is None:
            if self._session_seen:
                self._end_process(number)
            return
        if stamp == self._session_stamp and self.process is not None:
            return
        self._session_stamp = stamp
        obj = _read_json(path)
        if not isinstance(obj, dict):
            return
        self._session_seen = True
        since = obj.get("statusUpdatedAt")
        self.process = LeadProcess(
            number, obj.get("status") if isinstance(obj.get("status"), str) else None,
            since / 1000.0 if isinstance(since, int | float) else None,
            self.alive(number, obj.get("procStart") if isinstance(obj.get("procStart"), str)
                       else None))

    def _end_process(self, pid: int | None = None) -> None:
        previous = self.process
        number = pid if pid is not None else (previous.pid if previous else 0)
        if previous is None or previous.alive is not False:
            self.process = LeadProcess(number, None, self.clock(), False)

    def _overlay(self, now: float) -> None:
        members = self.members
        process = self.process
        ended = process is not None and process.alive is False
        for name, activity in self.agents.items():
            if ended or (members is not None and name not in members):
                activity.mark_gone()
                continue
            if (process is not None and process.status == "idle"
                    and process.status_since is not None
                    and now - process.status_since >= STALE_AFTER
                    and activity.state in ("thinking", "tool", "woken")
                    and (activity.since is None or activity.since < process.status_since)):
                # The process says nobody works: what the transcript last showed is stale.
                activity.pending.clear()
                activity._set("idle", process.status_since)
                activity.version += 1

    # -- inbox messages seen ------------------------------------------------------------

    def note_inbox_message(self, recipient: str, message: TranscriptMessage) -> None:
        """An inbox message the console saw (inboxes are emptied within a second)."""
        seen = self.messages_seen.setdefault(recipient, [])
        if message not in seen:
            seen.append(message)

    def history(self, name: str) -> list[TranscriptMessage]:
        """Every message to or from ``name`` known so far, oldest first, without doubles:
        from its transcript, from the transcripts of the agents it wrote to, and from
        inbox messages seen."""
        out: list[TranscriptMessage] = []
        keys: set[tuple[str, str, str]] = set()

        def add(message: TranscriptMessage) -> None:
            key = (message.sender, message.recipient, message.text.strip())
            if key not in keys:
                keys.add(key)
                out.append(message)

        activity = self.agents.get(name)
        if activity is not None:
            for message in activity.received:
                add(message)
            for message in activity.sent:
                add(message)
        for other in self.agents.values():
            if other.name != name:
                for message in other.received:
                    if message.sender == name:
                        add(message)
        for message in self.messages_seen.get(name, ()):
            add(message)
        for recipient, messages in self.messages_seen.items():
            if recipient != name:
                for message in messages:
                    if message.sender == name:
                        add(message)
        out.sort(key=lambda m: (m.sent_at or m.time or 0.0))
        return out
