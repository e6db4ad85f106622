"""``taskboard import``: rebuild a session's task history from its transcripts into the journal."""

from __future__ import annotations

import argparse
import re
import time
from typing import TYPE_CHECKING, Any

from taskboard.board.jsontext import dumps
from taskboard.claude.paths import claude_home, team_dir_name
from taskboard.cli.common import Refused, open_journal
from taskboard.textsafe import one_line

if TYPE_CHECKING:
    from rich.console import Console

    from taskboard.journal.importer import ImportReport

ORDER = 45
"""Where this module's commands come in ``taskboard --help``."""

SESSION_ARG = re.compile(r"^[0-9a-f][0-9a-f-]{7,63}$")


def _print(report: ImportReport, out: Console) -> None:
    from rich.text import Text

    line = Text()
    line.append(one_line(report.team), style="bold")
    line.append(f" (transcripts of session {report.transcript_session}): ")
    line.append(f"{report.events} events rebuilt from {report.files} transcripts, "
                f"{report.added} new in journal session {report.journal_session}")
    if report.withheld:
        line.append(f", {report.withheld} left out (the journal recorded that span itself)")
    out.print(line)
    for flag in report.disagreements:
        out.print(Text(f"  disagreement: {one_line(flag.detail.get('text'))}", style="yellow"))
    for failure in report.failures:
        out.print(Text(f"  failed tool call: {one_line(failure)}", style="dim"))


def cmd_import(args: argparse.Namespace, out: Console) -> int:
    from taskboard.claude.history import sessions_in_transcripts
    from taskboard.journal.importer import import_session

    home = claude_home(args.claude_dir)
    session = args.session
    if session is not None and not SESSION_ARG.match(session):
        raise Refused(f"'{session}' is not a session id")
    if args.team:
        targets = [(team_dir_name(args.team), session)]
    elif session:
        targets = [(f"session-{session[:8]}", session)]
    else:
        targets = [(s["team"], s["session_id"]) for s in sessions_in_transcripts(home)]
    if not targets:
        raise Refused(f"no team sessions found in the transcripts under {home / 'projects'}")
    reports: list[ImportReport] = []
    with open_journal(args) as journal:
        for team, sid in targets:
            reports.append(import_session(journal, home, team, session_id=sid,
                                          now=time.time()))
    found = [r for r in reports if r.files]
    if args.json:
        print(dumps([r.to_json() for r in reports]))
    else:
        for report in found:
            _print(report, out)
    if not found:
        raise Refused(f"no transcripts found for {targets[0][0]} under {home / 'projects'}")
    return 0


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add this module's commands to the parser."""
    imp = sub.add_parser("import", parents=[common],
                         help="rebuild a team's task history from its transcripts into the "
                              "journal")
    imp.set_defaults(handler=cmd_import)
    imp.add_argument("team", nargs="?",
                     help="the team (default: every team session found in the transcripts)")
    imp.add_argument("--session", metavar="ID",
                     help="the lead's session id (the transcript's name), when the team name "
                          "is not enough")
    imp.add_argument("--json", action="store_true", help="print JSON")
