"""Commands that open a screen: the console (``open``) and ``demo``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TYPE_CHECKING, Any

from taskboard.cli.common import Refused, team_paths

if TYPE_CHECKING:
    from rich.console import Console

ORDER = 10
"""Where this module's commands come in ``taskboard --help``."""


def positive_float(text: str) -> float:
    """An argparse type: a number above zero (``--speed 0`` is a usage error)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


def open_console(args: argparse.Namespace, out: Console) -> int:
    # Under a pipe the console would write escape sequences forever while it waits; a
    # browser tab (``serve``: Textual's web driver over a pipe) may wait, it has a screen.
    if not sys.stdout.isatty() and not os.environ.get("TEXTUAL_DRIVER"):
        if not args.team:
            raise Refused("the console needs a terminal to pick a team in; under a pipe, "
                          "'taskboard ls' lists the teams and 'taskboard show TEAM' prints one")
        paths = team_paths(args)
        if not paths.exists:
            raise Refused(f"{paths.unknown()}; the console waits for a team to appear "
                          "only on a terminal")
    from taskboard.ui.splash import splash

    tasks_dir = None
    if args.team:
        with contextlib.suppress(Refused):  # the console says why, in its own frame
            tasks_dir = team_paths(args).tasks_dir
    with splash(args.team, tasks_dir):
        if tasks_dir is not None:
            # The task files read on the other core while Textual is imported.
            from taskboard.claude.early import begin

            begin(str(tasks_dir))
        from taskboard.ui.app import run_console

        return run_console(args)


def run_demo_command(args: argparse.Namespace, out: Console) -> int:
    from taskboard.sim.demo import run_demo

    return run_demo(args)


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add this module's commands to the parser."""
    opener = sub.add_parser("open", parents=[common], help="open the console (the default)")
    opener.set_defaults(handler=open_console)
    opener.add_argument("team", nargs="?", help="team or task list name (omit to pick one)")
    opener.add_argument("--read-only", action="store_true",
                        help="watch only: no action is offered and nothing is ever written")
    opener.add_argument("--config", metavar="FILE", help="configuration file (TOML)")

    demo = sub.add_parser("demo", help="open the console on a simulated team")
    demo.set_defaults(handler=run_demo_command, needs_home=False)
    demo.add_argument("--speed", type=positive_float, default=1.0,
                      help="time scale for the simulated agents (default 1.0)")
    demo.add_argument("--seed", type=int, default=None, help="random seed for the simulation")
    demo.add_argument("--read-only", action="store_true", help="watch only")
    demo.add_argument("--config", metavar="FILE", help="configuration file (TOML)")
