"""Shell completion: ``taskboard completion bash|zsh|fish`` prints a script; the script asks
``taskboard __complete WORDS...`` for the candidates of the next word.

Candidates come from the parser itself (commands, options) and from the Claude home (team
names, task ids, member names), so completion never falls behind the commands or the disk.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from taskboard.claude.paths import claude_home, known_names, resolve

if TYPE_CHECKING:
    from rich.console import Console


ORDER = 90
"""Where this module's commands come in ``taskboard --help``."""

HIDDEN = "__complete"

BASH = r"""# taskboard completion for bash: eval "$(taskboard completion bash)"
_taskboard() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$(TASKBOARD_CUR="$cur" taskboard __complete \
        "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" -- "$cur"))
}
complete -o default -F _taskboard taskboard
"""

ZSH = r"""#compdef taskboard
# taskboard completion for zsh: source <(taskboard completion zsh)
_taskboard() {
    local -a candidates
    candidates=(${(f)"$(TASKBOARD_CUR=$PREFIX taskboard __complete "${(@)words[2,CURRENT-1]}" \
        2>/dev/null)"})
    compadd -a candidates
}
if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then
    _taskboard "$@"
else
    compdef _taskboard taskboard
fi
"""

FISH = r"""# taskboard completion for fish: taskboard completion fish | source
function __taskboard_complete
    set -lx TASKBOARD_CUR (commandline -ct)
    taskboard __complete (commandline -opc)[2..-1] 2>/dev/null
end
complete -c taskboard -f -a '(__taskboard_complete)'
"""

SCRIPTS = {"bash": BASH, "zsh": ZSH, "fish": FISH}

EXAMPLE = """examples:
  eval "$(taskboard completion bash)"          # in ~/.bashrc
  source <(taskboard completion zsh)           # in ~/.zshrc
  taskboard completion fish > ~/.config/fish/completions/taskboard.fish"""


def cmd_completion(args: argparse.Namespace, out: Console) -> int:
    print(SCRIPTS[args.shell], end="")
    return 0


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add ``completion`` to the parser."""
    completion = sub.add_parser(
        "completion", help="print a shell completion script (bash, zsh, fish)",
        description="Print a script that completes taskboard's commands, options, team "
                    "names, task ids and agent names in your shell.",
        epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    completion.set_defaults(handler=cmd_completion, needs_home=False)
    completion.add_argument("shell", choices=sorted(SCRIPTS))


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _takes_value(parser: argparse.ArgumentParser, option: str) -> bool:
    action = parser._option_string_actions.get(option)
    return action is not None and action.nargs != 0


def candidates(parser: argparse.ArgumentParser, words: Sequence[str], current: str = "",
               default_command: str = "open") -> list[str]:
    """What may come after ``taskboard WORDS...`` and start with ``current``: options only
    when ``current`` starts with a dash, as shells do."""
    found = _candidates(parser, words, default_command)
    if not current.startswith("-"):
        found = [w for w in found if not w.startswith("-")]
    return [w for w in found if w.startswith(current)]


def _candidates(parser: argparse.ArgumentParser, words: Sequence[str],
                default_command: str) -> list[str]:
    commands = _subparsers(parser)
    home_arg: str | None = None
    command: argparse.ArgumentParser | None = None
    positionals: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        current = command or parser
        if word.startswith("-"):
            if word == "--claude-dir" and index + 1 < len(words):
                home_arg = words[index + 1]
            if "=" not in word and _takes_value(current, word):
                index += 1
            index += 1
            continue
        if command is None:
            if word in commands:
                command = commands[word]
            else:
                command = commands.get(default_command)
                positionals.append(word)
        else:
            positionals.append(word)
        index += 1
    if words and words[-1].startswith("-") and _takes_value(command or parser, words[-1]):
        return _values_for(command or parser, words[-1], home_arg, positionals)
    if command is None:
        return sorted(commands) + _teams(home_arg) + _options(parser)
    slots = [a for a in command._actions if not a.option_strings and a.dest != "help"]
    if len(positionals) < len(slots):
        return _complete_dest(slots[len(positionals)], home_arg, positionals) + _options(command)
    return _options(command)


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(o for o in parser._option_string_actions if o.startswith("--"))


def _values_for(parser: argparse.ArgumentParser, option: str, home_arg: str | None,
                positionals: list[str]) -> list[str]:
    action = parser._option_string_actions[option]
    if action.choices:
        return [str(c) for c in action.choices]
    return _complete_dest(action, home_arg, positionals)


def _complete_dest(action: argparse.Action, home_arg: str | None,
                   positionals: list[str]) -> list[str]:
    if action.choices:
        return [str(c) for c in action.choices]
    dest = action.dest
    if dest in ("team", "teams"):
        return _teams(home_arg)
    team = positionals[0] if positionals else None
    if team is None:
        return []
    if dest in ("id", "by", "blockers", "blocked_by", "task"):
        return _board_words(home_arg, team, "tasks")
    if dest in ("agent",):
        return _board_words(home_arg, team, "members")
    return []


def _teams(home_arg: str | None) -> list[str]:
    with contextlib.suppress(OSError):
        return sorted(known_names(claude_home(home_arg)))
    return []


def _board_words(home_arg: str | None, team: str, what: str) -> list[str]:
    from taskboard.claude.reader import load_board

    try:
        board = load_board(resolve(claude_home(home_arg), team))
    except (OSError, ValueError):
        return []
    if what == "tasks":
        from taskboard.board.graph import id_key

        return sorted(board.tasks, key=id_key)
    return [m.name for m in board.members]


def complete_main(words: Sequence[str], parser: argparse.ArgumentParser) -> int:
    """``taskboard __complete WORDS...``: one candidate per line; the word being typed is in
    ``$TASKBOARD_CUR`` (an environment variable, so that an empty word survives every shell)."""
    for word in candidates(parser, words, os.environ.get("TASKBOARD_CUR", "")):
        if "\n" not in word:
            print(word)
    return 0
