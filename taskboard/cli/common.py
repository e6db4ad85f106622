"""What every command shares: the refusal, the common options, finding a team."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from taskboard.board.model import Board
from taskboard.claude.paths import TeamPaths, claude_home, resolve
from taskboard.claude.reader import load_board
from taskboard.journal.store import Journal, JournalError, data_dir
from taskboard.textsafe import clean


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
    board = load_board(paths)
    if not board.list_exists and not board.team_exists:
        raise Refused(paths.unknown())
    return board
