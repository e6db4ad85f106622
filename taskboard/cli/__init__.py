"""The command line: ``taskboard [TEAM]`` opens the console; the other commands run headless.

Each command group lives in a module of this package with a ``register(sub, common, write)``
that adds its subcommands and sets ``handler``; this module only builds the parser and dispatches.

Exit codes: 0 done, 1 refused (nothing was written), 2 usage.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from rich.console import Console

from taskboard import __version__
from taskboard.claude.errors import StoreError
from taskboard.cli.common import Refused, common_options, write_options
from taskboard.cli.examples import add_examples


def _command_modules() -> list[ModuleType]:
    """Every module of this package with a ``register``, in ``ORDER`` (default 50), then
    by name: a new command group is a new module, and nothing here changes."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if callable(getattr(module, "register", None)):
            found.append(module)
    return sorted(found, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


COMMAND_MODULES = _command_modules()

OPTIONS_WITH_VALUES = ("--claude-dir", "--config", "--data-dir")


def version_text() -> str:
    """``taskboard X (Python Y, Textual Z)``, without importing Textual."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        textual = version("textual")
    except PackageNotFoundError:  # pragma: no cover - a broken install
        textual = "missing"
    return f"taskboard {__version__} (Python {sys.version.split()[0]}, Textual {textual})"


def build_parser() -> argparse.ArgumentParser:
    # A subcommand's own default would overwrite a --claude-dir given before the command.
    common = common_options(default=argparse.SUPPRESS)
    write = write_options()
    parser = argparse.ArgumentParser(
        prog="taskboard",
        description="A live monitor and operator console for Claude Code agent teams.",
        epilog="examples:\n"
               "  taskboard demo                  # try it on a simulated team\n"
               "  taskboard my-team               # the console on a team ('taskboard' to pick)\n"
               "  taskboard show my-team --json   # every task, headless\n"
               "  taskboard record                # keep a journal of every session\n"
               "Each command has its own --help.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common_options()],
    )
    parser.add_argument("--version", action="version", version=version_text())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for module in COMMAND_MODULES:
        module.register(sub, common, write)
    add_examples(sub)
    return parser


def command_names() -> tuple[str, ...]:
    """Every subcommand's name, from the parser itself."""
    actions = build_parser()._subparsers._group_actions  # type: ignore[union-attr]
    return tuple(actions[0].choices)


def _with_default_command(argv: list[str]) -> list[str]:
    """Insert ``open`` when the first positional word is not a command (``taskboard TEAM``)."""
    index = 0
    while index < len(argv):
        word = argv[index]
        if word in ("-h", "--help", "--version"):
            return argv
        if word in OPTIONS_WITH_VALUES:
            index += 2
            continue
        if word.startswith("-"):
            index += 1
            continue
        return argv if word in command_names() else [*argv[:index], "open", *argv[index:]]
    return [*argv, "open"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``taskboard`` command; returns the exit code."""
    raw = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    from taskboard.cli import completion

    if raw[:1] == [completion.HIDDEN]:
        return completion.complete_main(raw[1:], parser)
    try:
        args = parser.parse_args(_with_default_command(raw))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    out = Console(highlight=False)
    try:
        return int(args.handler(args, out))
    except (Refused, StoreError) as err:
        print(f"taskboard: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
