"""Journal commands: ``record`` (headless recording), ``history`` and ``sessions``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskboard.board.jsontext import dumps
from taskboard.claude.paths import claude_home, list_dir_name, team_dir_name
from taskboard.cli.common import Refused, open_journal
from taskboard.textsafe import clean, one_line, safe_text

if TYPE_CHECKING:
    import asyncio

    from rich.console import Console

    from taskboard.journal.store import Journal, SessionInfo

ORDER = 40
"""Where this module's commands come in ``taskboard --help``."""

def _stamp(t: float, *, date: bool = False) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S", time.localtime(t))


def duration_text(seconds: float) -> str:
    """``1h 02m``, ``4m 10s``, ``12s``."""
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds}s"


def recorded_team(journal: Journal, name: str) -> str | None:
    """The recorded team a name on the command line means (as typed, or sanitised the
    way Claude Code names its list or team directory)."""
    for candidate in dict.fromkeys((name, list_dir_name(name), team_dir_name(name))):
        if journal.sessions(candidate):
            return candidate
    return None


def pick_session(journal: Journal, team: str, session: str | None,
                 home: Path | None = None) -> SessionInfo:
    """The session named (it must be the team's), else the team's latest. With ``home``,
    a team the journal never recorded is first imported from its transcripts, if any."""
    recorded = recorded_team(journal, team)
    if recorded is None and home is not None:
        recorded = _import_unrecorded(journal, home, team)
    if recorded is None:
        raise Refused(f"nothing is recorded for '{team}' in {journal.path} (the console "
                      "records while it is open; 'taskboard record' records without one)")
    if session is None:
        info = journal.latest_session(recorded)
    else:
        info = journal.session(session)
        if info is None or info.team != recorded:
            ids = ", ".join(s.id for s in journal.sessions(recorded))
            raise Refused(f"'{recorded}' has no session {session} (sessions: {ids})")
    assert info is not None
    return info


def _import_unrecorded(journal: Journal, home: Path, team: str) -> str | None:
    """Import a never-recorded team from its transcripts; its name if that found any."""
    from taskboard.journal.importer import ensure_recorded

    name = team_dir_name(team)
    report = ensure_recorded(journal, home, name, now=time.time())
    if report is None:
        return None
    print(f"taskboard: '{name}' was never recorded: rebuilt {report.events} events from its "
          f"transcripts (session {report.journal_session})", file=sys.stderr)
    return name


def unrecorded_sessions(journal: Journal, home: Path, team: str | None) -> list[dict[str, Any]]:
    """Team sessions found in the transcripts that the journal never recorded."""
    from taskboard.claude.history import sessions_in_transcripts

    leads = {s.lead for s in journal.sessions() if s.lead and s.events}
    return [s for s in sessions_in_transcripts(home)
            if s["session_id"] not in leads and (team is None or s["team"] == team)]


# -- history -----------------------------------------------------------------------


def cmd_history(args: argparse.Namespace, out: Console) -> int:
    from rich.table import Table
    from rich.text import Text

    from taskboard.journal.describe import actor, describe

    with open_journal(args) as journal:
        info = pick_session(journal, args.team, args.session,
                            home=claude_home(args.claude_dir))
        events = journal.events(info.id, task=args.task, agent=args.agent)
    if args.json:
        doc = {"session": info.to_json(), "events": [e.to_json() for e in events]}
        print(dumps(doc))
        return 0
    span = info.ended - info.started
    out.print(Text(f"{one_line(info.team)} · session {info.id} · {_stamp(info.started, date=True)} "
                   f"for {duration_text(span)} · {len(events)} event(s)", style="bold"))
    if not events:
        out.print(Text("No events match.", style="italic"))
        return 0
    days = len({time.localtime(e.time)[:3] for e in events}) > 1
    table = Table(box=None, pad_edge=False)
    for column in ("time", "event", "who", "what"):
        table.add_column(column)
    for event in events:
        table.add_row(_stamp(event.time, date=days), event.kind, Text(one_line(actor(event), 20)),
                      safe_text(describe(event)))
    out.print(table)
    return 0


# -- sessions ----------------------------------------------------------------------


def cmd_sessions(args: argparse.Namespace, out: Console) -> int:
    from rich.table import Table
    from rich.text import Text

    home = claude_home(args.claude_dir)
    with open_journal(args) as journal:
        team = recorded_team(journal, args.team) if args.team else None
        unrecorded = unrecorded_sessions(journal, home, team or (
            team_dir_name(args.team) if args.team else None))
        if args.team and team is None and not unrecorded:
            raise Refused(f"nothing is recorded for '{args.team}' in {journal.path}")
        rows = journal.sessions(team) if team or not args.team else []
        path = journal.path
    if args.json:
        print(dumps({"journal": str(path), "sessions": [s.to_json() for s in rows],
                     "unrecorded": unrecorded}))
        return 0
    if not rows:
        out.print(Text(f"No recorded sessions in {path}."))
        _print_unrecorded(unrecorded, out)
        return 0
    table = Table(box=None, pad_edge=False, expand=False)
    for column in ("team", "session", "start", "end", "duration", "events", "created",
                   "completed", "agents"):
        table.add_column(column, justify="right" if column in (
            "session", "events", "created", "completed") else "left",
            no_wrap=column != "agents")
    for s in rows:
        table.add_row(safe_text(s.team), s.id, time.strftime("%m-%d %H:%M", time.localtime(
                          s.started)), time.strftime("%H:%M", time.localtime(s.ended)),
                      duration_text(s.duration), str(s.events), str(s.tasks_created),
                      str(s.tasks_completed), Text(one_line(", ".join(s.agents), 50)))
    out.print(table)
    _print_unrecorded(unrecorded, out)
    return 0


def _print_unrecorded(unrecorded: list[dict[str, Any]], out: Console) -> None:
    from rich.text import Text

    if not unrecorded:
        return
    out.print(Text("Found in the transcripts, never recorded ('taskboard import TEAM' "
                   "rebuilds one):", style="bold"))
    for found in unrecorded:
        out.print(Text(f"  {one_line(found['team'])}  session {one_line(found['session_id'])}"
                       "  last written "
                       + time.strftime("%Y-%m-%d %H:%M", time.localtime(found["modified"]))))


# -- record ------------------------------------------------------------------------


def cmd_record(args: argparse.Namespace, out: Console) -> int:
    import asyncio

    from taskboard.journal.recording import HomeRecorder, RecorderLock
    from taskboard.journal.store import data_dir

    home = claude_home(args.claude_dir)
    data = data_dir(args.data_dir)
    lock = RecorderLock(data, home)
    if not lock.acquire():
        holder = lock.holder()
        print(f"taskboard: a recorder is already running for {home}"
              + (f" (pid {holder})" if holder else "") + f"; lock {lock.path}", flush=True)
        return 0
    try:
        with open_journal(args) as journal:
            def say(text: str) -> None:
                print(clean(text), flush=True)

            recorder = HomeRecorder(home, journal, args.teams, say=say)
            what = ", ".join(args.teams) if args.teams else "every list and team"
            say(f"Recording {what} under {home} into {journal.path} "
                "(Ctrl-C or SIGTERM stops)")
            asyncio.run(_record(recorder, say))
            say(f"Stopped: {recorder.recorded} event(s) recorded, all committed.")
    finally:
        lock.release()
    return 0


async def _record(recorder: Any, say: Any) -> None:
    import asyncio
    import signal

    stop = asyncio.Event()
    ready = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    run = asyncio.create_task(recorder.run(stop, ready))
    await _either(ready, run)
    if not run.done():
        say(f"ready: watching {len(recorder.teams)} list(s)/team(s)")
    await run


async def _either(event: asyncio.Event, task: asyncio.Task[None]) -> None:
    import asyncio

    waiter = asyncio.ensure_future(event.wait())
    await asyncio.wait([waiter, task], return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add this module's commands to the parser."""
    record = sub.add_parser("record", parents=[common],
                            help="record teams into the journal, without a screen")
    record.set_defaults(handler=cmd_record)
    record.add_argument("teams", nargs="*", metavar="TEAM",
                        help="teams or lists to record (default: every one that exists or "
                             "appears)")

    history = sub.add_parser("history", parents=[common],
                             help="the recorded events of a team's session")
    history.set_defaults(handler=cmd_history, needs_home=False)  # reads the journal
    history.add_argument("team")
    history.add_argument("--session", metavar="ID", help="a session id (default: the latest)")
    history.add_argument("--task", metavar="N", help="only this task's events")
    history.add_argument("--agent", metavar="NAME", help="only this agent's events")
    history.add_argument("--json", action="store_true", help="print JSON")

    sessions = sub.add_parser("sessions", parents=[common], help="recorded sessions")
    sessions.set_defaults(handler=cmd_sessions, needs_home=False)  # reads the journal
    sessions.add_argument("team", nargs="?")
    sessions.add_argument("--json", action="store_true", help="print JSON")


__all__ = ["duration_text", "pick_session", "recorded_team", "register"]
