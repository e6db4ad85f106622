"""``taskboard check TEAM``: the flags, for scripts, cron and Claude Code hooks.

Exit status 1 when any flag at or above ``--severity`` holds, 0 when none does.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from taskboard.cli.common import existing_board, one_shot, team_paths
from taskboard.textsafe import one_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from taskboard.board.rules import Flag, Signals
    from taskboard.board.rules.history import History
    from taskboard.claude.paths import TeamPaths
    from taskboard.config import Settings

ORDER = 25
"""Placed in ``--help`` after the reading commands."""
SEVERITY_STYLES = {"critical": "bold white on red", "warning": "bold yellow", "info": "dim"}
SEVERITIES = ("info", "warning", "critical")
"""The same as ``taskboard.board.rules.SEVERITIES`` (a test holds them equal), named here so
that building the parser does not load the rules."""
THRESHOLD_SETTINGS = ("stall_minutes", "idle_minutes", "unclaimed_minutes",
                      "team_idle_minutes", "thinking_minutes")
"""The same as ``taskboard.config.THRESHOLD_SETTINGS`` (a test holds them equal)."""


def threshold_options() -> argparse.ArgumentParser:
    """``--stall-minutes`` and the other thresholds, and ``--config``, as flags."""
    parent = argparse.ArgumentParser(add_help=False)
    for key in THRESHOLD_SETTINGS:
        parent.add_argument("--" + key.replace("_", "-"), dest=key, type=float, metavar="MIN",
                            default=None, help=f"threshold in minutes (config: {key})")
    parent.add_argument("--config", metavar="FILE", help="configuration file (TOML)")
    return parent


def settings_from(args: argparse.Namespace) -> Settings:
    """The config file's settings, with the thresholds given as flags on top."""
    from taskboard.config import load_settings, with_overrides

    config = getattr(args, "config", None)
    settings, _warnings = load_settings(config, required=config is not None)
    return with_overrides(settings, vars(args))


def team_history(paths: TeamPaths, args: argparse.Namespace) -> History:
    """What the journal recorded of the team's latest session: since when each task holds
    its status, typical durations. Empty when nothing was recorded (the journal is only
    read, never created, here)."""
    from taskboard.board.rules.history import History, read_history
    from taskboard.journal.location import FILE_NAME, data_dir

    directory = data_dir(getattr(args, "data_dir", None))
    if not (directory / FILE_NAME).is_file():
        return History()
    from taskboard.journal.events import TASK_CHANGED, TASK_CREATED
    from taskboard.journal.store import Journal, JournalError
    try:
        journal = Journal.open(directory)
    except JournalError:
        return History()
    try:
        session = journal.latest_session(paths.name)
        if session is None:
            return History()
        return read_history(journal.events(session.id, kinds=(TASK_CREATED, TASK_CHANGED)))
    finally:
        journal.close()


def team_signals(paths: TeamPaths, args: argparse.Namespace | None = None) -> Signals:
    """What the agents' transcripts say about each of them (nothing when none is found),
    and since when each task holds its status (the journal, when it recorded the team)."""
    from taskboard.board.rules import Signals
    from taskboard.board.rules.history import History
    from taskboard.claude.live import TeamActivity

    activity = TeamActivity(paths.home, paths.name)
    activity.refresh()
    history = team_history(paths, args) if args is not None else History()
    return Signals(activity=dict(activity.agents), task_since=history.task_since)


def flag_line(flag: Flag, now: float) -> Text:
    """``critical  stalled  #9 @reviewer  46 min  reason``"""
    from rich.text import Text

    from taskboard.board.rules import duration

    line = Text()
    line.append(f"{flag.severity:<8}", style=SEVERITY_STYLES.get(flag.severity, ""))
    line.append(f"  {flag.kind}")
    if flag.task is not None:
        line.append(f"  #{one_line(flag.task, 12)}", style="bold")
    if flag.agent is not None:
        line.append(f"  @{one_line(flag.agent, 24)}")
    if flag.since is not None:
        line.append(f"  {duration(now - flag.since)}", style="dim")
    line.append(f"  {one_line(flag.reason)}")
    return line


def cmd_check(args: argparse.Namespace, out: Console) -> int:
    with one_shot():
        return _check(args, out)


def _check(args: argparse.Namespace, out: Console) -> int:
    from rich.text import Text

    from taskboard.board.rules import at_least, evaluate
    from taskboard.clock import Clock
    from taskboard.config import thresholds

    paths = team_paths(args)
    board = existing_board(paths)
    now = Clock().time()
    settings = settings_from(args)
    flags = at_least(evaluate(board, now, thresholds=thresholds(settings),
                              signals=team_signals(paths, args)), args.severity)
    if args.json:
        print(json.dumps({"name": board.name, "severity": args.severity,
                          "flags": [f.to_json() for f in flags]}, indent=2, ensure_ascii=False))
    elif not flags:
        out.print(Text(f"{board.name}: nothing at or above {args.severity}.", style="green"))
    else:
        out.print(Text(f"{board.name}: {len(flags)} flag{'s' if len(flags) != 1 else ''} "
                       f"at or above {args.severity}", style="bold"))
        for flag in flags:
            out.print(flag_line(flag, now), soft_wrap=True)
    return 1 if flags else 0


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add this module's commands to the parser."""
    check = sub.add_parser("check", parents=[common, threshold_options()],
                           help="print what needs attention; exit 1 when anything does")
    check.set_defaults(handler=cmd_check)
    check.add_argument("team")
    check.add_argument("--severity", choices=SEVERITIES, default="warning",
                       help="the lowest severity that counts (default: warning)")
    check.add_argument("--json", action="store_true", help="print JSON")
