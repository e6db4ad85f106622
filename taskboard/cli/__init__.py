"""The command line: ``taskboard [TEAM]`` opens the console; the other commands run headless.

Each command group lives in a module of this package with a ``register(sub, common, write)``
that adds its subcommands and sets ``handler``; this module only builds the parser and dispatches.
Command names and options are always read from the parser, so a new module needs nothing here
but its line in ``COMMAND_MODULES``. A command that needs no Claude home (``demo``) sets
``needs_home=False`` with ``set_defaults``.

Exit codes: 0 done, 1 refused (nothing was written), 2 usage.
"""

from __future__ import annotations

import argparse
import errno
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from contextlib import suppress
from types import ModuleType
from typing import Any

from taskboard import __version__
from taskboard.claude.errors import StoreError
from taskboard.claude.paths import claude_home, missing_home, resolve
from taskboard.cli.common import Refused, common_options, write_options
from taskboard.cli.examples import add_examples
from taskboard.textsafe import clean


def _command_modules() -> list[ModuleType]:
    """Every module of this package with a ``register``, in ``ORDER`` (default 50), then
    by name: a new command group is a new module, and nothing here changes."""
    found = []
    # The package's own directory listed (pkgutil.iter_modules and the importlib.util it
    # loads cost a fiftieth of a headless command's start, for the same names).
    try:
        here = __path__[0]
        names = sorted(entry[:-3] if entry.endswith(".py") else entry
                       for entry in os.listdir(here)
                       if (entry.endswith(".py") and entry != "__init__.py")
                       or os.path.isfile(os.path.join(here, entry, "__init__.py")))
    except OSError:  # not a directory (a zip): ask the import system
        import pkgutil

        names = [info.name for info in pkgutil.iter_modules(__path__)]
    for name in names:
        module = importlib.import_module(f"{__name__}.{name}")
        if callable(getattr(module, "register", None)):
            found.append(module)
    return sorted(found, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


COMMAND_MODULES = _command_modules()

DEFAULT_COMMAND = "open"
PIPE_WIDTH = 10_000
"""Columns of a console that is not a terminal: piped output is never cut or wrapped."""
SIGPIPE_EXIT = 141


def version_text() -> str:
    """``taskboard X (Python Y, Textual Z)``, without importing Textual."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        textual = version("textual")
    except PackageNotFoundError:  # pragma: no cover - a broken install
        textual = "missing"
    return f"taskboard {__version__} (Python {sys.version.split()[0]}, Textual {textual})"


class _Version(argparse.Action):
    """``--version``, with the text made only when asked: reading the installed packages'
    metadata costs more than the rest of building the parser."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        formatter = parser._get_formatter()  # as argparse's own version action prints
        formatter.add_text(version_text())
        parser._print_message(formatter.format_help(), sys.stdout)
        parser.exit()


class LazyConsole:
    """The ``rich`` Console handlers print with, made on first use: a command that only
    prints JSON (``show --json``) never imports rich. Piped, it is never cut or wrapped."""

    def __init__(self) -> None:
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            console = Console(highlight=False)
            if not console.is_terminal:
                console = Console(highlight=False, width=PIPE_WIDTH)
            self._console = console
        return getattr(self._console, name)


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
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show program's version number and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for module in COMMAND_MODULES:
        module.register(sub, common, write)
    add_examples(sub)
    return parser


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_names(parser: argparse.ArgumentParser | None = None) -> tuple[str, ...]:
    """Every subcommand's name, from the parser itself."""
    return tuple(_subcommands(parser or build_parser()))


def _options_with_values(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string, of the parser or any subcommand, that takes a value."""
    found: set[str] = set()
    for each in (parser, *_subcommands(parser).values()):
        for action in each._actions:
            if action.option_strings and action.nargs != 0:
                found.update(action.option_strings)
    return found


def _first_positional(argv: list[str], parser: argparse.ArgumentParser) -> int | None:
    """The index of the first word that is neither an option nor an option's value."""
    takes_value = _options_with_values(parser)
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            return index + 1 if index + 1 < len(argv) else None
        if word.startswith("-") and word != "-":
            index += 2 if word in takes_value else 1
            continue
        return index
    return None


def _with_default_command(argv: list[str],
                          parser: argparse.ArgumentParser | None = None) -> list[str]:
    """Put the command first, so every option works before or after it and the team name.

    ``taskboard [OPTIONS] TEAM [OPTIONS]`` becomes ``open [OPTIONS] TEAM [OPTIONS]``;
    ``taskboard [OPTIONS] COMMAND ...`` becomes ``COMMAND [OPTIONS] ...`` for the options
    the command knows (the others stay where argparse reports them).
    """
    parser = parser or build_parser()
    if any(word in ("-h", "--help", "--version") for word in argv[:_first_or_end(argv, parser)]):
        return argv
    index = _first_positional(argv, parser)
    commands = _subcommands(parser)
    if index is None or argv[index] not in commands:
        return [DEFAULT_COMMAND, *argv]
    command = commands[argv[index]]
    before = argv[:index]
    known = set(command._option_string_actions)
    moved: list[str] = []
    kept: list[str] = []
    takes_value = _options_with_values(parser)
    position = 0
    while position < len(before):
        word = before[position]
        option = word.split("=", 1)[0]
        width = 2 if word in takes_value else 1
        (moved if option in known else kept).extend(before[position:position + width])
        position += width
    return [*kept, argv[index], *moved, *argv[index + 1:]]


def _first_or_end(argv: list[str], parser: argparse.ArgumentParser) -> int:
    index = _first_positional(argv, parser)
    return len(argv) if index is None else index


def _unknown_command(argv: list[str], parser: argparse.ArgumentParser) -> str | None:
    """"unknown command ..., did you mean ..." when the first word is no command, no list or
    team in the home, and close to a command's name (``lss``, ``shwo``)."""
    index = _first_positional(argv, parser)
    if index is None:
        return None
    word = argv[index]
    names = command_names(parser)
    if word in names:
        return None
    import difflib
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.7)
    if not close:
        return None
    finder = argparse.ArgumentParser(add_help=False)
    finder.add_argument("--claude-dir")
    known, _ = finder.parse_known_args(argv)
    try:
        if resolve(claude_home(known.claude_dir), word).exists:
            return None
    except ValueError:
        return None
    choices = " or ".join(f"'{name}'" for name in close)
    return (f"unknown command '{word}', did you mean {choices}? "
            f"(no task list or team is named '{word}' either; "
            f"'taskboard open {word}' waits for one)")


def _quiet_broken_pipe() -> int:
    """The reader went away (``show | head``): stop quietly, as a piped tool does."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return SIGPIPE_EXIT


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``taskboard`` command; returns the exit code."""
    raw = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    from taskboard.cli import completion

    if raw[:1] == [completion.HIDDEN]:
        return completion.complete_main(raw[1:], parser)
    mistyped = _unknown_command(raw, parser)
    if mistyped:
        print(f"taskboard: {mistyped}", file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(_with_default_command(raw, parser))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    _never_fail_on_encoding()
    out = LazyConsole()
    try:
        if getattr(args, "needs_home", True):
            problem = missing_home(claude_home(getattr(args, "claude_dir", None)))
            if problem:
                raise Refused(problem)
        code = int(args.handler(args, out))
        sys.stdout.flush()
        if argv is None:
            # The process ends next. What the command made (objects in cycles, kept with
            # the collector off) is left to the exit, not walked by the collector's last
            # pass at shutdown: 20 ms of ``show --json`` at 10,000 tasks.
            gc.freeze()
        return code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except (Refused, StoreError) as err:
        print(f"taskboard: {clean(err)}", file=sys.stderr)
        return 1
    except OSError as err:
        if err.errno == errno.EPIPE:
            raise
        # Whatever the store functions did not turn into a refusal: still one clean line.
        where = f" ({err.filename})" if err.filename else ""
        print(f"taskboard: {clean(err.strerror or err)}{clean(where)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _never_fail_on_encoding() -> None:
    """Text that cannot be encoded (a lone surrogate from a file, a non-UTF-8 locale) is
    replaced on output instead of raising UnicodeEncodeError halfway through."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with suppress(ValueError, OSError):
                reconfigure(errors="replace")
