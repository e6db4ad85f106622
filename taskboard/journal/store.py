"""The journal: every event, by session, in one SQLite file (WAL) that outlives Claude Code's files.

Where: ``<data dir>/journal.db``; the data dir is ``--data-dir``, else
``$XDG_DATA_HOME/taskboard``, else ``~/.local/share/taskboard`` (:func:`data_dir`).

The read API (what review, report, ``history``, ``events`` and the console use)::

    journal = Journal.open(data_dir(args.data_dir))   # notices: journal.notices
    journal.sessions(team=None) -> list[SessionInfo]    # newest first
    journal.latest_session(team) -> SessionInfo | None
    journal.session(session_id) -> SessionInfo | None
    journal.team_of(session_id) -> str | None          # no figures: cheap
    journal.events(session_id, *, task=None, agent=None, kinds=None,
                   since=None, until=None, limit=None) -> list[Event]   # oldest first
    journal.count(session_id) -> int

and the write side (recorders, the console's operator writes, ``import``)::

    sid = journal.session_for(team, lead=..., created_at=..., now=...)  # find or start one
    journal.record(events) -> int        # events carry their session; returns how many new
    journal.close()

Sessions: a session is one life of a team name. The config's ``leadSessionId`` (else
``createdAt``) names it when known; a team name seen again with a different one gets a
new session, and so does a list that auto-clear emptied and that is filled again with
no config to say so (:class:`taskboard.journal.derive.EventDeriver` notices, and asks
with ``new_after``). Session ids are short decimal strings (``"12"``).

Dedup: each event's :meth:`Event.identity` is unique in the table, so two recorders of
the same team never double an event; directory events (appeared/vanished) have no file
to name them and are merged with the same kind seen within :data:`STRUCTURE_WINDOW`.

Durability: WAL with ``synchronous=NORMAL``: a committed transaction is in the WAL file
before ``record`` returns, so a SIGKILL loses nothing committed (only a power cut can
lose the last commits). A file that is not a readable journal, or that a newer
taskboard wrote, is moved aside (``journal.db.corrupt-<time>``/``.newer-<time>``) and a
notice names both files; it is never overwritten.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taskboard.board.jsontext import escape_surrogates
from taskboard.journal import events as ev
from taskboard.journal.events import Event
from taskboard.journal.location import FILE_NAME, data_dir
from taskboard.textsafe import scrub_surrogates

STRUCTURE_WINDOW = 10.0
"""Seconds within which a second recorder's 'list/team appeared/vanished' is the same one."""
BUSY_TIMEOUT_MS = 10_000
QUICK_CHECK_LIMIT = 8 << 20
"""Bytes: a journal up to this size is fully checked on opening (~30 ms at 8 MB)."""

MIGRATIONS: list[list[str]] = [
    # 0 -> 1
    [
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            team TEXT NOT NULL,
            lead TEXT,
            created_at INTEGER,
            started REAL NOT NULL,
            last REAL NOT NULL)""",
        "CREATE UNIQUE INDEX sessions_lead ON sessions (team, lead) WHERE lead IS NOT NULL",
        "CREATE INDEX sessions_team ON sessions (team, id)",
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            session INTEGER NOT NULL REFERENCES sessions (id),
            time REAL NOT NULL,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            task TEXT,
            agent TEXT,
            peer TEXT,
            status TEXT,
            ident TEXT NOT NULL UNIQUE,
            body TEXT NOT NULL)""",
        "CREATE INDEX events_session ON events (session, time, id)",
        "CREATE INDEX events_task ON events (session, task) WHERE task IS NOT NULL",
        "CREATE INDEX events_kind ON events (session, kind)",
    ],
    # 1 -> 2: one task's or agent's events without scanning the session (the detail pane)
    [
        "DROP INDEX events_task",
        "CREATE INDEX events_task ON events (session, task, time, id)",
        "CREATE INDEX events_agent ON events (session, agent, time, id)",
        "CREATE INDEX events_peer ON events (session, peer, time, id) WHERE peer IS NOT NULL",
    ],
]
"""``MIGRATIONS[n]`` takes a journal from version n to n + 1. Append, never edit."""
SCHEMA = len(MIGRATIONS)
"""The journal file's schema version (``PRAGMA user_version``)."""

_STRUCTURE_PAIRS = {
    ev.LIST_APPEARED: (ev.LIST_APPEARED, ev.LIST_VANISHED),
    ev.LIST_VANISHED: (ev.LIST_APPEARED, ev.LIST_VANISHED),
    ev.TEAM_APPEARED: (ev.TEAM_APPEARED, ev.TEAM_VANISHED),
    ev.TEAM_VANISHED: (ev.TEAM_APPEARED, ev.TEAM_VANISHED),
}


class JournalError(Exception):
    """The journal could not be opened or written (the message says which file and why)."""


@dataclass(frozen=True)
class SessionInfo:
    """One recorded session of a team, with its figures."""

    id: str
    team: str
    lead: str | None
    created_at: int | None
    started: float
    ended: float
    events: int = 0
    tasks_created: int = 0
    tasks_completed: int = 0
    agents: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        return max(0.0, self.ended - self.started)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "team": self.team, "leadSessionId": self.lead,
                "createdAt": self.created_at, "start": self.started, "end": self.ended,
                "duration": round(self.duration, 3), "events": self.events,
                "tasksCreated": self.tasks_created, "tasksCompleted": self.tasks_completed,
                "agents": list(self.agents)}


@dataclass
class Journal:
    """One open journal file. Thread-safe (one connection behind a lock); several
    processes may open the same file at once (WAL, busy timeout)."""

    path: Path
    conn: sqlite3.Connection
    notices: list[str] = field(default_factory=list)
    """What happened on opening (a file moved aside), for the caller to show."""
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def open(cls, directory: Path, *, name: str = FILE_NAME) -> Journal:
        """Open (creating or migrating) ``directory/name``; a corrupt or newer file is
        moved aside first, with a notice."""
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise JournalError(f"cannot create the data directory {directory}: "
                               f"{err.strerror or err}") from None
        path = directory / name
        notices: list[str] = []
        for _attempt in range(2):
            conn = None
            try:
                conn = _connect(path)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > len(MIGRATIONS):
                    conn.close()
                    moved = _move_aside(path, "newer")
                    notices.append(f"the journal {path} was written by a newer taskboard "
                                   f"(schema {version}, this one reads {len(MIGRATIONS)}); it was "
                                   f"moved to {moved} and a new journal was started")
                    continue
                # A full check reads every page: only while the file is small (a big
                # journal's damage shows as an error on the page a query reads).
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                if path.stat().st_size <= QUICK_CHECK_LIMIT:
                    check = conn.execute("PRAGMA quick_check").fetchone()[0]
                    if check != "ok":
                        raise sqlite3.DatabaseError(check)
                _migrate(conn)
                return cls(path, conn, notices)
            except sqlite3.DatabaseError as err:
                if conn is not None:
                    conn.close()
                if not path.exists():
                    raise JournalError(f"cannot open the journal {path}: {err}") from None
                moved = _move_aside(path, "corrupt")
                notices.append(f"the journal {path} could not be read ({err}); it was moved "
                               f"to {moved} and a new journal was started")
        raise JournalError(f"cannot open the journal {path}")

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sessions ----------------------------------------------------------------------

    def session_for(self, team: str, *, lead: str | None = None,
                    created_at: int | None = None, now: float | None = None,
                    new_after: str | None = None) -> str:
        """The session a recorder of ``team`` writes to, found or started atomically (two
        recorders asking at once get the same one).

        ``lead``: the config's ``leadSessionId`` (else ``createdAt``) if known: the
        session with it, else a new one (adopting the latest session if it had none).
        Without ``lead``: the latest session. ``new_after``: a session boundary was seen
        after session ``new_after`` (a refill): a new session unless another recorder
        already started one after it."""
        now = time.time() if now is None else now
        team, lead = _text(team) or "", _text(lead)  # no lone surrogate reaches SQLite
        with self._lock, _transaction(self.conn):
            conn = self.conn
            if lead is not None:
                row = conn.execute("SELECT id FROM sessions WHERE team = ? AND lead = ?",
                                   (team, lead)).fetchone()
                if row is not None:
                    return str(row[0])
            latest = conn.execute("SELECT id, lead FROM sessions WHERE team = ? "
                                  "ORDER BY id DESC LIMIT 1", (team,)).fetchone()
            if latest is not None:
                latest_id, latest_lead = latest
                if new_after is not None:
                    if str(latest_id) != new_after and (lead is None or latest_lead in
                                                        (None, lead)):
                        return str(latest_id)
                elif lead is None:
                    return str(latest_id)
                elif latest_lead is None:
                    conn.execute("UPDATE sessions SET lead = ?, created_at = ? WHERE id = ?",
                                 (lead, created_at, latest_id))
                    return str(latest_id)
            cur = conn.execute("INSERT INTO sessions (team, lead, created_at, started, last) "
                               "VALUES (?, ?, ?, ?, ?)", (team, lead, created_at, now, now))
            return str(cur.lastrowid)

    def sessions(self, team: str | None = None) -> list[SessionInfo]:
        """Every recorded session (of ``team``), newest first, with its figures."""
        where, params = ("WHERE s.team = ?", (team,)) if team else ("", ())
        with self._lock:
            rows = self.conn.execute(
                f"SELECT s.id FROM sessions s {where} ORDER BY s.id DESC", params).fetchall()
            return [info for (sid,) in rows if (info := self.session(str(sid))) is not None]

    def latest_session(self, team: str) -> SessionInfo | None:
        """The newest session of ``team`` that has events (else the newest at all)."""
        with self._lock:
            row = self.conn.execute(
                "SELECT s.id FROM sessions s WHERE s.team = ? ORDER BY "
                "EXISTS (SELECT 1 FROM events e WHERE e.session = s.id) DESC, s.id DESC "
                "LIMIT 1", (team,)).fetchone()
        return self.session(str(row[0])) if row else None

    def team_of(self, session_id: str) -> str | None:
        """The team a session recorded, without :meth:`session`'s figures (which walk its
        events: 0.3 s at 100,000); None if there is no such session."""
        if not str(session_id).isdigit():
            return None
        with self._lock:
            row = self.conn.execute("SELECT team FROM sessions WHERE id = ?",
                                    (int(session_id),)).fetchone()
        return str(row[0]) if row is not None else None

    def session(self, session_id: str) -> SessionInfo | None:
        """One session by id, with its figures; None if there is none."""
        if not str(session_id).isdigit():
            return None
        sid = int(session_id)
        with self._lock:
            conn = self.conn
            row = conn.execute("SELECT id, team, lead, created_at, started, last FROM "
                               "sessions WHERE id = ?", (sid,)).fetchone()
            if row is None:
                return None
            count, first, last = conn.execute(
                "SELECT COUNT(*), MIN(time), MAX(time) FROM events WHERE session = ?",
                (sid,)).fetchone()
            created = conn.execute(
                "SELECT COUNT(DISTINCT task) FROM events WHERE session = ? AND kind = ?",
                (sid, ev.TASK_CREATED)).fetchone()[0]
            completed = conn.execute(
                "SELECT COUNT(DISTINCT task) FROM events WHERE session = ? AND status = "
                "'completed' AND kind IN (?, ?)",
                (sid, ev.TASK_CREATED, ev.TASK_CHANGED)).fetchone()[0]
            agents = [a for (a,) in conn.execute(
                "SELECT DISTINCT agent FROM events WHERE session = ? AND agent IS NOT NULL "
                "AND (kind LIKE 'member.%' OR kind LIKE 'task.%') ORDER BY agent", (sid,))]
        return SessionInfo(id=str(row[0]), team=row[1], lead=row[2], created_at=row[3],
                           started=first if first is not None else row[4],
                           ended=last if last is not None else row[5], events=count,
                           tasks_created=created, tasks_completed=completed,
                           agents=tuple(agents))

    # -- events --------------------------------------------------------------------------

    def record(self, events: Iterable[Event]) -> int:
        """Store events (each with its ``session`` set), skipping any already recorded;
        one transaction, committed before returning. Returns how many were new."""
        rows = list(events)
        if not rows:
            return 0
        added = 0
        with self._lock, _transaction(self.conn):
            conn = self.conn
            for event in rows:
                if event.session is None or not str(event.session).isdigit():
                    raise ValueError(f"an event needs its session to be recorded: {event}")
                sid = int(event.session)
                if event.kind in _STRUCTURE_PAIRS and self._merged(sid, event):
                    continue
                after = event.after or {}
                status = after.get("status") if isinstance(after.get("status"), str) else None
                peer = event.detail.get("from") if event.kind == ev.MESSAGE else None
                # Text from files may hold lone surrogates (a string cut mid-emoji), which
                # SQLite cannot store as UTF-8: the body keeps them as JSON escapes, the
                # indexed columns as U+FFFD.
                cur = conn.execute(
                    "INSERT OR IGNORE INTO events (session, time, kind, source, task, agent, "
                    "peer, status, ident, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (sid, event.time, event.kind, event.source, _text(event.task),
                     _text(event.agent), _text(peer) if isinstance(peer, str) else None,
                     _text(status), event.identity(),
                     escape_surrogates(json.dumps(event.to_json(), ensure_ascii=False))))
                if cur.rowcount:
                    added += 1
                    conn.execute("UPDATE sessions SET last = MAX(last, ?) WHERE id = ?",
                                 (event.time, sid))
        return added

    def _merged(self, sid: int, event: Event) -> bool:
        """A directory event another recorder already stored (same kind, the last of its
        pair, within the window)."""
        pair = _STRUCTURE_PAIRS[event.kind]
        row = self.conn.execute(
            "SELECT kind FROM events WHERE session = ? AND kind IN (?, ?) AND time >= ? "
            "ORDER BY time DESC, id DESC LIMIT 1",
            (sid, *pair, event.time - STRUCTURE_WINDOW)).fetchone()
        return row is not None and row[0] == event.kind

    def events(self, session_id: str, *, task: str | None = None, agent: str | None = None,
               kinds: Iterable[str] | None = None, since: float | None = None,
               until: float | None = None, limit: int | None = None) -> list[Event]:
        """A session's events, oldest first (time, then recording order). ``agent``
        matches the agent an event concerns and a message's sender."""
        clauses, params = ["session = ?"], [int(session_id)]
        if task is not None:
            clauses.append("task = ?")
            params.append(task)
        if agent is not None:
            clauses.append("id IN (SELECT id FROM events WHERE session = ? AND agent = ? "
                           "UNION ALL SELECT id FROM events WHERE session = ? AND peer = ?)")
            params += [int(session_id), agent, int(session_id), agent]
        kind_list = list(kinds) if kinds is not None else None
        if kind_list is not None:
            clauses.append(f"kind IN ({', '.join('?' * len(kind_list))})")
            params += kind_list
        if since is not None:
            clauses.append("time >= ?")
            params.append(since)
        if until is not None:
            clauses.append("time <= ?")
            params.append(until)
        sql = (f"SELECT ident, body FROM events WHERE {' AND '.join(clauses)} "
               "ORDER BY time, id")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            rows = self.conn.execute(sql, params).fetchall()
        return [Event.from_json(json.loads(body), key=ident) for ident, body in rows]

    def count(self, session_id: str) -> int:
        with self._lock:
            return int(self.conn.execute("SELECT COUNT(*) FROM events WHERE session = ?",
                                         (int(session_id),)).fetchone()[0])

    def last_id(self) -> int:
        """The newest event row's id (0 when empty): where following starts."""
        with self._lock:
            return int(self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM events")
                       .fetchone()[0])

    def tail(self, after: int = 0, *, teams: Iterable[str] | None = None,
             since: float | None = None, limit: int = 1000) -> list[tuple[int, Event]]:
        """Events of every session recorded after row ``after``, in recording order, with
        their row ids (what ``taskboard events`` follows): of these ``teams`` only, and at
        or after ``since``, when given."""
        clauses, params = ["e.id > ?"], [after]
        team_list = list(teams) if teams is not None else None
        if team_list is not None:
            clauses.append(f"s.team IN ({', '.join('?' * len(team_list))})")
            params += team_list
        if since is not None:
            clauses.append("e.time >= ?")
            params.append(since)
        sql = ("SELECT e.id, e.ident, e.body FROM events e JOIN sessions s ON s.id = e.session "
               f"WHERE {' AND '.join(clauses)} ORDER BY e.id LIMIT {int(limit)}")
        with self._lock:
            rows = self.conn.execute(sql, params).fetchall()
        return [(int(rid), Event.from_json(json.loads(body), key=ident))
                for rid, ident, body in rows]


class _transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back on error): one writer at a time."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")


def _text(value: str | None) -> str | None:
    return scrub_surrogates(value) if value is not None else None


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.close()
        raise sqlite3.DatabaseError(f"cannot use WAL mode (got {mode})")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema up to :data:`SCHEMA`, one step per version, each in a transaction
    (a second process waiting on the lock finds the work done)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] >= len(MIGRATIONS):
        return
    with _transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in range(version, len(MIGRATIONS)):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step + 1}")


def _move_aside(path: Path, why: str) -> Path:
    """Rename the journal (and its -wal/-shm) to ``<name>.<why>-<time>``; never overwrite."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{why}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{why}-{stamp}-{n}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


__all__ = ["FILE_NAME", "MIGRATIONS", "SCHEMA", "STRUCTURE_WINDOW", "Journal", "JournalError",
           "SessionInfo", "data_dir"]
