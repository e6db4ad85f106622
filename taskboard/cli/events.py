"""``taskboard events``: the journal's events as JSON lines, for ``jq``, notifiers and log
shippers.

Live, it follows the journal: whatever any recorder of this data dir stores (the console,
``taskboard record``, hooks) is printed as it is committed, once. When no recorder is
running for the Claude home, ``events`` records itself, so it works on its own.
``--since`` first replays the journal from that time; ``--once`` prints the current state of
each team as events (derived from the files, no journal needed) and exits.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskboard.board.jsontext import dumps
from taskboard.claude.paths import TeamPaths, claude_home, known_names, list_dir_name, team_dir_name
from taskboard.journal.events import KINDS, Event

if TYPE_CHECKING:
    import asyncio

    from rich.console import Console

    from taskboard.journal.store import Journal

ORDER = 50
"""Where this module's commands come in ``taskboard --help``."""
POLL_SECONDS = 0.2
"""How often the journal is asked for new rows while following."""

EXAMPLE = """examples:
  taskboard events my-team | jq -c 'select(.kind == "task.changed")'
  taskboard events --since 1h --kinds task,message
  taskboard events --once my-team                 # the state now, as events, then exit"""

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_since(text: str, now: float | None = None) -> float:
    """``90s``, ``10m``, ``2h``, ``1d`` ago; an ISO date or time (local unless it says);
    or epoch seconds. A usage error (exit 2) otherwise."""
    now = time.time() if now is None else now
    text = text.strip()
    match = _DURATION.match(text)
    if match:
        return now - float(match.group(1)) * _UNITS[match.group(2)]
    with contextlib.suppress(ValueError):
        return float(text)
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a duration (10m, 2h, 1d), an ISO time (2026-12-02T09:30) or "
            "epoch seconds") from None


def parse_kinds(value: str) -> tuple[str, ...]:
    """``task,message``: ``task`` means every ``task.*`` kind. A usage error for a kind
    that does not exist."""
    wanted: list[str] = []
    for word in filter(None, (w.strip() for w in value.split(","))):
        matched = [k for k in KINDS if k == word or k.startswith(word + ".")]
        if not matched:
            raise argparse.ArgumentTypeError(
                f"unknown kind {word!r}; kinds are: {', '.join(KINDS)} (a prefix such as "
                "'task' takes every task.* kind)")
        wanted.extend(matched)
    return tuple(wanted)


def team_names(names: Iterable[str]) -> set[str]:
    """Each name as typed and as Claude Code names its list and team directories."""
    return {n for name in names for n in (name, list_dir_name(name), team_dir_name(name))}


class Printer:
    """One JSON object per line, flushed; stops quietly when the reader goes away."""

    def __init__(self, kinds: tuple[str, ...] | None) -> None:
        self.kinds = kinds
        self.closed = False
        self.printed = 0

    def __call__(self, event: Event) -> None:
        if self.closed or (self.kinds is not None and event.kind not in self.kinds):
            return
        try:
            sys.stdout.write(dumps(event.to_json(), indent=None) + "\n")
            sys.stdout.flush()
            self.printed += 1
        except BrokenPipeError:
            self.closed = True
            with contextlib.suppress(OSError):
                sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - no flush error at exit


def current_events(home: Path, teams: set[str] | None, now: float) -> list[Event]:
    """Every team's state now, as the events that would build it."""
    from taskboard.claude.reader import load_board
    from taskboard.journal.derive import EventDeriver

    out: list[Event] = []
    for name in known_names(home):
        if teams is not None and name not in teams:
            continue
        board = load_board(TeamPaths(home, name))
        out.extend(EventDeriver(name).observe(board, None, now).events)
    return out


async def follow(journal: Journal, home: Path, names: list[str], teams: set[str] | None,
                 after: int, printer: Printer, stop: asyncio.Event) -> None:
    """Print what the journal gains until ``stop``; record too when nobody else does."""
    import asyncio

    from taskboard.journal.recording import HomeRecorder, RecorderLock

    lock = RecorderLock(journal.path.parent, home)
    recorder_task = None
    if lock.acquire():
        recorder = HomeRecorder(home, journal, names)
        recorder_task = asyncio.create_task(recorder.run(stop))
    else:
        print(f"taskboard: following the journal that recorder {lock.holder() or '?'} "
              "writes", file=sys.stderr)
    try:
        while not stop.is_set() and not printer.closed:
            for row, event in journal.tail(after, teams=teams):
                after = row
                printer(event)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_SECONDS)
    finally:
        stop.set()
        if recorder_task is not None:
            await asyncio.gather(recorder_task, return_exceptions=True)
            for _row, event in journal.tail(after, teams=teams):
                printer(event)
            lock.release()


def cmd_events(args: argparse.Namespace, out: Console) -> int:
    import signal

    home = claude_home(args.claude_dir)
    now = time.time()
    teams = team_names(args.teams) if args.teams else None
    kinds = tuple(dict.fromkeys(k for group in args.kinds for k in group)) if args.kinds \
        else None
    printer = Printer(kinds)
    if args.once:
        for event in current_events(home, teams, now):
            printer(event)
        return 0
    since = args.since
    signal.signal(signal.SIGTERM, _stopped)  # until the loop's own handlers take over
    try:
        return _follow_from(args, home, teams, since, printer)
    except _Stopped:
        return 0


class _Stopped(Exception):
    """SIGTERM before the following loop started."""


def _stopped(signum: int, frame: object) -> None:
    raise _Stopped


def _follow_from(args: argparse.Namespace, home: Path, teams: set[str] | None,
                 since: float | None, printer: Printer) -> int:
    import asyncio

    from taskboard.journal.store import Journal, data_dir

    journal = Journal.open(data_dir(getattr(args, "data_dir", None)))
    for notice in getattr(journal, "notices", []):
        print(f"taskboard: {notice}", file=sys.stderr)
    try:
        after = journal.last_id()
        if since is not None:
            after = 0
            for row, event in journal.tail(0, teams=teams, since=since, limit=10**9):
                after = row
                printer(event)
        return asyncio.run(_run(journal, home, list(args.teams), teams, after, printer))
    finally:
        journal.close()


async def _run(journal: Journal, home: Path, names: list[str], teams: set[str] | None,
               after: int, printer: Printer) -> int:
    import asyncio
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await follow(journal, home, names, teams, after, printer, stop)
    return 0


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add ``events`` to the parser."""
    events = sub.add_parser(
        "events", parents=[common], help="every change as a JSON line, as it happens",
        description="Print the journal's events, one JSON object per line, until stopped. "
                    "With no team, every team in the Claude home. Each line carries the "
                    "schema version in 'v'.",
        epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    events.set_defaults(handler=cmd_events)
    events.add_argument("teams", nargs="*", metavar="TEAM", help="teams to follow (default all)")
    events.add_argument("--since", metavar="TIME", type=parse_since,
                        help="replay the journal from TIME first (10m, 2h, 1d, an ISO time)")
    events.add_argument("--once", action="store_true",
                        help="print the current state as events and exit")
    events.add_argument("--kinds", action="append", metavar="KIND[,KIND]", type=parse_kinds,
                        help="only these kinds ('task' means task.*); repeatable")
