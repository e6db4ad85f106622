"""An example for every command's ``--help``, for the commands whose module gives none.

A command module may set its own ``epilog``; this table fills in the rest, so ``taskboard
COMMAND --help`` always ends with something to copy. A test checks that none is missing.
"""

from __future__ import annotations

import argparse

EXAMPLES: dict[str, str] = {
    "open": "taskboard my-team\n  taskboard --read-only my-team\n  taskboard   # pick a team",
    "demo": "taskboard demo --speed 4",
    "ls": "taskboard ls\n  taskboard ls --json | jq '.lists[].name'",
    "show": "taskboard show my-team\n  taskboard show my-team --json | jq '.tasks[] | "
            "select(.status == \"in_progress\")'",
    "tree": "taskboard tree my-team\n  taskboard tree my-team --reverse",
    "complete": "taskboard complete my-team 3 --if-status in_progress",
    "reopen": "taskboard reopen my-team 3",
    "release": "taskboard release my-team 3 --if-owner alice",
    "assign": "taskboard assign my-team 3 alice\n  taskboard assign my-team 3 bob --no-notify",
    "unblock": "taskboard unblock my-team 5              # cut every unmet blocker\n"
               "  taskboard unblock my-team 5 --from 3",
    "block": "taskboard block my-team 5 --by 3",
    "create": "taskboard create my-team 'Write the fuzzer' --blocked-by 3",
    "delete": "taskboard delete my-team 7 --if-status pending",
    "send": "taskboard send my-team alice 'Please pick up #4 next' --summary 'pick up #4'",
    "record": "taskboard record               # every team under the home, until Ctrl+C\n"
              "  taskboard record my-team",
    "history": "taskboard history my-team --task 3\n  taskboard history my-team --agent alice "
               "--json",
    "sessions": "taskboard sessions\n  taskboard sessions my-team --json",
    "import": "taskboard import session-00c8f52f",
    "review": "taskboard review my-team\n  taskboard review   # pick a recorded session",
    "report": "taskboard report my-team --format html -o session.html\n"
              "  taskboard report my-team --format md",
    "check": "taskboard check my-team --severity critical || notify-send 'my-team needs you'",
    "doctor": "taskboard doctor\n  taskboard --claude-dir /srv/claude doctor",
}


def add_examples(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Give every subcommand without an epilog its example from :data:`EXAMPLES`."""
    for name, parser in sub.choices.items():
        if parser.epilog or name not in EXAMPLES:
            continue
        lines = EXAMPLES[name]
        label = "examples:" if "\n" in lines else "example:"
        parser.epilog = f"{label}\n  {lines}"
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
