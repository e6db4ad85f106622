"""``taskboard review`` (the console on a recorded session) and ``taskboard report``.

Both read the journal only: they work after Claude Code has removed the team's files, and
without a Claude home at all (a journal copied to another machine); the home is only
looked at to rebuild a session the journal never recorded from its transcripts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskboard.cli.common import Refused, open_journal

if TYPE_CHECKING:
    from rich.console import Console

ORDER = 42
FORMATS = ("md", "html", "json", "mermaid", "dot")


def find_session(journal: Any, team: str | None, session: str | None,
                 home: Path | None = None) -> Any:
    """The session to show: ``--session`` (of ``team`` if named), else ``team``'s latest.

    A team the journal never recorded is first rebuilt from its agents' transcripts under
    ``home`` (``taskboard import``), when they are still there."""
    if session is not None:
        info = journal.session(session)
        if info is None:
            raise Refused(f"no session {session} in the journal {journal.path}")
        if team is not None and info.team != team:
            raise Refused(f"session {session} is of team '{info.team}', not '{team}'")
        return info
    if team is None:
        return None
    info = journal.latest_session(team)
    if (info is None or not journal.count(info.id)) and home is not None:
        info = imported(journal, home, team) or info
    if info is None or not journal.count(info.id):
        raise Refused(f"nothing recorded for '{team}' in the journal {journal.path} (the "
                      "console records every team it watches; so does 'taskboard record')")
    return info


def imported(journal: Any, home: Path, team: str) -> Any:
    """Rebuild ``team``'s latest session from its transcripts into the journal (see
    :func:`taskboard.journal.importer.ensure_recorded`); the journal's session, or None
    when no transcript names the team either."""
    from taskboard.claude.paths import team_dir_name
    from taskboard.journal.importer import ensure_recorded

    for name in dict.fromkeys([team, team_dir_name(team)]):
        report = ensure_recorded(journal, home, name, now=time.time())
        if report is not None and report.journal_session is not None:
            print(f"taskboard: '{team}' was never recorded; rebuilt {report.events} events "
                  f"from {report.files} transcripts into session {report.journal_session}",
                  file=sys.stderr)
            return journal.session(report.journal_session)
    return None


def review_command(args: argparse.Namespace, out: Console) -> int:
    from taskboard.claude.paths import claude_home
    from taskboard.config import load_settings
    from taskboard.ui.review_app import ReviewApp

    journal = open_journal(args)
    try:
        home = claude_home(getattr(args, "claude_dir", None))
        info = find_session(journal, args.team, args.session, home)
        settings, warnings = load_settings(args.config, required=args.config is not None)
        app = ReviewApp(home, journal,
                        info.id if info is not None else None, settings=settings,
                        warnings=[*warnings, *journal.notices])
        return app.run() or 0
    finally:
        journal.close()


def render_report(journal: Any, info: Any, fmt: str) -> str:
    """A session's report in one of :data:`FORMATS`."""
    from taskboard.journal.report import build_report
    from taskboard.journal.report_html import to_html
    from taskboard.journal.report_text import dump_json, to_dot, to_markdown, to_mermaid
    from taskboard.journal.timetravel import no_gc

    with no_gc():
        report = build_report(journal.events(info.id), team=info.team, session=info.id)
    writers = {"md": to_markdown, "html": to_html, "json": dump_json, "mermaid": to_mermaid,
               "dot": to_dot}
    return writers[fmt](report)


def report_command(args: argparse.Namespace, out: Console) -> int:
    from taskboard.claude.paths import claude_home

    journal = open_journal(args)
    try:
        info = find_session(journal, args.team, args.session,
                            claude_home(getattr(args, "claude_dir", None)))
        text = render_report(journal, info, args.format)
    finally:
        journal.close()
    if args.output and args.output != "-":
        target = Path(args.output)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as err:
            raise Refused(f"cannot write {target}: {err.strerror or err}") from None
        print(f"taskboard: wrote the {args.format} report of session {info.id} "
              f"({info.team}) to {target}", file=sys.stderr)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add ``review`` and ``report`` to the parser."""
    review = sub.add_parser(
        "review", parents=[common],
        help="replay a recorded session in the console (read-only), with a timeline")
    review.set_defaults(handler=review_command, needs_home=False)
    review.add_argument("team", nargs="?",
                        help="team or list name (omit to pick from every recorded session)")
    review.add_argument("--session", metavar="ID", help="the session (default: the latest)")
    review.add_argument("--config", metavar="FILE", help="configuration file (TOML)")

    report = sub.add_parser(
        "report", parents=[common],
        help="a recorded session's figures, agents, timeline and dependency graph")
    report.set_defaults(handler=report_command, needs_home=False)
    report.add_argument("team", help="team or list name")
    report.add_argument("--session", metavar="ID", help="the session (default: the latest)")
    report.add_argument("--format", choices=FORMATS, default="md",
                        help="md (default), html (one self-contained page), json, "
                             "mermaid or dot (the dependency graph)")
    report.add_argument("-o", "--output", metavar="FILE",
                        help="write to FILE instead of standard output")
