"""``taskboard import``: a session's task history rebuilt from its transcripts, into the journal.

The rebuilt events (:mod:`taskboard.journal.rebuild`, ``source="import"``) go into the
journal session of the team's ``leadSessionId`` (the one a recorder would use). Where the
journal already recorded that session itself, the span it recorded is kept as it is: imported
events inside it are left out, those before or after it (taskboard was closed) are added.
The rebuilt end state is compared with the task files on disk and with what the journal
recorded; each difference is a ``flag.raised`` event (``detail.flag: import_disagreement``)
saying which source said what. Importing twice adds nothing: each event has a stable key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taskboard.board.jsontext import loads
from taskboard.claude.files import TASK_LIMIT, read_bytes
from taskboard.claude.history import extract, session_files
from taskboard.journal.events import Event
from taskboard.journal.rebuild import disagreements, rebuild
from taskboard.journal.replay import tasks_at
from taskboard.journal.store import Journal


@dataclass
class ImportReport:
    """What one import found and recorded."""

    team: str
    transcript_session: str | None
    journal_session: str | None = None
    files: int = 0
    events: int = 0
    """Events rebuilt from the transcripts."""
    added: int = 0
    """Events new to the journal (disagreements included)."""
    withheld: int = 0
    """Rebuilt events inside the span the journal had recorded itself."""
    disagreements: list[Event] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"team": self.team, "transcript_session": self.transcript_session,
                "journal_session": self.journal_session, "files": self.files,
                "events": self.events, "added": self.added, "withheld": self.withheld,
                "disagreements": [e.detail.get("text") for e in self.disagreements],
                "failed_tool_calls": self.failures}


def disk_tasks(home: Path, team: str) -> dict[str, dict[str, Any]] | None:
    """The task files of ``tasks/<team>/`` (None when there is no such directory)."""
    directory = home / "tasks" / team
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return None
    out: dict[str, dict[str, Any]] = {}
    for entry in entries:
        stem = entry.name[: -len(".json")]
        if not entry.name.endswith(".json") or not stem.isdigit():
            continue
        try:  # never blocks on a FIFO, never loads more than a task's cap
            data, _ = read_bytes(entry.path, TASK_LIMIT)
            obj = loads(data.decode("utf-8", "replace"))
        except (OSError, ValueError):
            continue
        if isinstance(obj, dict):
            out[stem] = obj
    return out


def import_session(journal: Journal, home: Path, team: str, *, session_id: str | None = None,
                   now: float) -> ImportReport:
    """Rebuild ``team``'s session from its transcripts and record it (see the module)."""
    found = session_files(home, team, session_id)
    report = ImportReport(team, found.session_id, files=len(found.files))
    if not found.files:
        return report
    extracted = extract(found)
    rebuilt = rebuild(team, extracted)
    report.events = len(rebuilt.events)
    report.failures = rebuilt.failures
    first = rebuilt.events[0].time if rebuilt.events else now
    sid = journal.session_for(team, lead=found.session_id, now=first)
    report.journal_session = sid
    recorded = [e for e in journal.events(sid) if e.source != "import"]
    span = (min(e.time for e in recorded), max(e.time for e in recorded)) if recorded else None
    keep: list[Event] = []
    for event in rebuilt.events:
        if span is not None and span[0] <= event.time <= span[1]:
            report.withheld += 1
            continue
        keep.append(event.with_session(sid))
    flags: list[Event] = []
    end = rebuilt.events[-1].time if rebuilt.events else now
    on_disk = disk_tasks(home, team)
    if on_disk is not None:
        flags += disagreements(team, rebuilt.tasks, on_disk, source="the task files",
                               when=end, session=sid)
    if any(e.kind.startswith("task.") for e in recorded):
        flags += disagreements(team, rebuilt.tasks, tasks_at(recorded),
                               source="the journal", when=end, session=sid)
    report.disagreements = flags
    report.added = journal.record([*keep, *flags])
    return report



def ensure_recorded(journal: Journal, home: Path, team: str, *,
                    session_id: str | None = None, now: float) -> ImportReport | None:
    """For review and report: import ``team``'s session from its transcripts when the
    journal never recorded it (no session, or one without events). None when it had it,
    or when no transcripts were found either."""
    if session_id is not None:
        known = [s for s in journal.sessions(team) if s.lead == session_id and s.events]
    else:
        latest = journal.latest_session(team)
        known = [latest] if latest is not None and latest.events else []
    if known:
        return None
    report = import_session(journal, home, team, session_id=session_id, now=now)
    return report if report.files else None
