"""What every command shares: the refusal, the common options, finding a team."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from taskboard.claude.paths import TeamPaths, claude_home, resolve
from taskboard.textsafe import clean

if TYPE_CHECKING:
    from taskboard.board.model import Board
    from taskboard.journal.store import Journal

# Every module of this package is imported to build the parser (each command's --help and
# completion need it), so the modules import at their top only what the parser needs; what a
# handler needs is imported in the handler, and a command loads only its own work.


class Refused(Exception):
    """A command could not be carried out; the message is printed on one line."""


def nonempty(text: str) -> str:
    """An argparse type: text with something in it (``create TEAM ""`` is a usage error)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("cannot be empty")
    return text


def common_options(default: Any = None) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--claude-dir", metavar="DIR", default=default,
                        help="the Claude home (default: $CLAUDE_CONFIG_DIR, else ~/.claude)")
    common.add_argument("--data-dir", metavar="DIR", default=default,
                        help="taskboard's data directory, where the journal is kept "
                             "(default: $XDG_DATA_HOME/taskboard, else "
                             "~/.local/share/taskboard)")
    return common


def write_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--if-status", metavar="STATUS",
                        choices=("pending", "in_progress", "completed"),
                        help="write only if the task's status is still STATUS")
    parent.add_argument("--if-owner", metavar="NAME",
                        help="write only if the task's owner is still NAME ('' for unowned)")
    parent.add_argument("--json", action="store_true", help="print what changed as JSON")
    return parent


def open_journal(args: argparse.Namespace) -> Journal:
    """The journal in ``--data-dir`` (else the default); notices (a file moved aside) go to
    stderr."""
    from taskboard.journal.store import Journal, JournalError, data_dir

    try:
        journal = Journal.open(data_dir(getattr(args, "data_dir", None)))
    except JournalError as err:
        raise Refused(str(err)) from None
    for notice in journal.notices:
        print(f"taskboard: {clean(notice)}", file=sys.stderr)
    return journal


def team_paths(args: argparse.Namespace) -> TeamPaths:
    try:
        return resolve(claude_home(args.claude_dir), args.team)
    except ValueError as err:
        raise Refused(str(err)) from None


def existing_board(paths: TeamPaths) -> Board:
    from taskboard.claude.reader import load_board

    board = load_board(paths)
    if not board.list_exists and not board.team_exists:
        raise Refused(paths.unknown())
    return board


@contextmanager
def one_shot() -> Iterator[None]:
    """For a command that reads everything once, prints and exits: no cyclic garbage
    collection meanwhile. A 10,000-task board is a few hundred thousand objects, and
    the collector walked them over and over while they were made (a third of
    ``show --json``), to find no cycles worth the time. On again afterwards, for a caller
    that goes on (tests call ``main`` in their own process)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
