"""The command line: ``taskboard [TEAM]`` opens the console; the other commands run headless.

Exit codes: 0 done, 1 refused (nothing was written), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from taskboard import __version__
from taskboard.agents import summarize_agents
from taskboard.clock import Clock
from taskboard.graph import id_key
from taskboard.health import check
from taskboard.lists import state_counts, summarize_lists
from taskboard.model import Board
from taskboard.ops import OpResult, Ops
from taskboard.outline import LABELS, SYMBOLS, build_outline
from taskboard.paths import TeamPaths, claude_home, resolve
from taskboard.render import STATE_STYLES, outline_label
from taskboard.store.errors import StoreError
from taskboard.store.reader import load_board
from taskboard.textsafe import one_line
from taskboard.timefmt import ago

HEADLESS = ("ls", "show", "tree", "complete", "reopen", "release", "assign", "unblock",
            "block", "create", "delete", "send")
COMMANDS = (*HEADLESS, "demo", "open")
OPTIONS_WITH_VALUES = ("--claude-dir", "--config")


class Refused(Exception):
    """A command could not be carried out; the message is printed on one line."""


def _common(default: Any = None) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--claude-dir", metavar="DIR", default=default,
                        help="the Claude home (default: $CLAUDE_CONFIG_DIR, else ~/.claude)")
    return common


def _write_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--if-status", metavar="STATUS",
                        choices=("pending", "in_progress", "completed"),
                        help="write only if the task's status is still STATUS")
    parent.add_argument("--if-owner", metavar="NAME",
                        help="write only if the task's owner is still NAME ('' for unowned)")
    parent.add_argument("--json", action="store_true", help="print what changed as JSON")
    return parent


def build_parser() -> argparse.ArgumentParser:
    # A subcommand's own default would overwrite a --claude-dir given before the command.
    common = _common(default=argparse.SUPPRESS)
    write = _write_options()
    parser = argparse.ArgumentParser(
        prog="taskboard",
        description="A live monitor and operator console for Claude Code agent teams.",
        epilog="Run 'taskboard TEAM' to open the console on a team, 'taskboard' to pick one, "
               "or 'taskboard demo' to try it on a simulated team.",
        parents=[_common()],
    )
    parser.add_argument("--version", action="version", version=f"taskboard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    opener = sub.add_parser("open", parents=[common], help="open the console (the default)")
    opener.add_argument("team", nargs="?", help="team or task list name (omit to pick one)")
    opener.add_argument("--read-only", action="store_true",
                        help="watch only: no action is offered and nothing is ever written")
    opener.add_argument("--config", metavar="FILE", help="configuration file (TOML)")

    demo = sub.add_parser("demo", help="open the console on a simulated team")
    demo.add_argument("--speed", type=float, default=1.0,
                      help="time scale for the simulated agents (default 1.0)")
    demo.add_argument("--seed", type=int, default=None, help="random seed for the simulation")
    demo.add_argument("--read-only", action="store_true", help="watch only")
    demo.add_argument("--config", metavar="FILE", help="configuration file (TOML)")

    ls = sub.add_parser("ls", parents=[common], help="task lists and teams, with counts")
    ls.add_argument("--json", action="store_true", help="print JSON")

    show = sub.add_parser("show", parents=[common], help="every task, its state, and problems")
    show.add_argument("team")
    show.add_argument("--json", action="store_true", help="print JSON")

    tree = sub.add_parser("tree", parents=[common], help="the dependency outline as text")
    tree.add_argument("team")
    tree.add_argument("--reverse", action="store_true",
                      help="show what each task waits on, from the last tasks down")

    for verb, text in (("complete", "mark a task completed"),
                       ("reopen", "set a completed task back to pending"),
                       ("release", "drop a task's owner and set it back to pending")):
        cmd = sub.add_parser(verb, parents=[common, write], help=text)
        cmd.add_argument("team")
        cmd.add_argument("id")

    assign = sub.add_parser("assign", parents=[common, write],
                            help="give a task to an agent (and notify it)")
    assign.add_argument("team")
    assign.add_argument("id")
    assign.add_argument("agent")
    assign.add_argument("--no-notify", action="store_true",
                        help="do not write a task_assignment message to the agent's inbox")
    assign.add_argument("--sender", default="team-lead", help="the 'from' of the message")

    unblock = sub.add_parser("unblock", parents=[common, write],
                             help="cut a task's blockers (all unmet ones by default)")
    unblock.add_argument("team")
    unblock.add_argument("id")
    unblock.add_argument("--from", dest="blockers", action="append", metavar="ID",
                         help="cut only this blocker (repeatable)")

    block = sub.add_parser("block", parents=[common, write],
                           help="make a task wait on another")
    block.add_argument("team")
    block.add_argument("id")
    block.add_argument("--by", required=True, metavar="ID", help="the blocking task")

    create = sub.add_parser("create", parents=[common], help="create a pending task")
    create.add_argument("team")
    create.add_argument("subject")
    create.add_argument("--description", default="")
    create.add_argument("--blocked-by", action="append", default=[], metavar="ID")
    create.add_argument("--json", action="store_true", help="print what changed as JSON")

    delete = sub.add_parser("delete", parents=[common, write], help="delete a task")
    delete.add_argument("team")
    delete.add_argument("id")

    send = sub.add_parser("send", parents=[common], help="send a message to an agent's inbox")
    send.add_argument("team")
    send.add_argument("agent")
    send.add_argument("text")
    send.add_argument("--summary", help="a one-line summary shown in the agent's UI")
    send.add_argument("--sender", default="team-lead", help="the 'from' of the message")
    send.add_argument("--json", action="store_true", help="print what changed as JSON")
    return parser


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
        return argv if word in COMMANDS else [*argv[:index], "open", *argv[index:]]
    return [*argv, "open"]


# -- reading commands -----------------------------------------------------------


def _team(args: argparse.Namespace) -> TeamPaths:
    try:
        return resolve(claude_home(args.claude_dir), args.team)
    except ValueError as err:
        raise Refused(str(err)) from None


def _existing_board(paths: TeamPaths) -> Board:
    board = load_board(paths)
    if not board.list_exists and not board.team_exists:
        raise Refused(f"no task list or team named '{paths.name}' in {paths.home}")
    return board


def cmd_ls(args: argparse.Namespace, out: Console) -> int:
    home = claude_home(args.claude_dir)
    rows = summarize_lists(home)
    if args.json:
        print(json.dumps({"home": str(home), "lists": [r.to_json() for r in rows]}, indent=2))
        return 0
    if not rows:
        out.print(Text(f"No task lists or teams in {home}."))
        return 0
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("name", "tasks", "ready", "blocked", "running", "done", "members",
                   "problems", "last change"):
        table.add_column(column, justify="left" if column in ("name", "last change") else "right")
    now = Clock().time()
    for row in rows:
        c = row.counts
        table.add_row(Text(row.name), str(row.tasks), str(c["ready"]), str(c["blocked"]),
                      str(c["in_progress"]), str(c["completed"]), str(row.members),
                      str(row.problems), ago(row.last_change, now))
    out.print(table)
    return 0


def board_json(board: Board, now: float) -> dict[str, Any]:
    """The ``show --json`` document."""
    agents = {a.name: a for a in summarize_agents(board)}
    members = []
    for member in board.members:
        summary = agents.get(member.name)
        members.append({
            "name": member.name,
            "agentType": member.agent_type,
            "model": member.model,
            "color": member.color,
            "active": summary.active if summary else member.is_active,
            "unread": summary.unread if summary else 0,
            "running": [t.id for t in summary.running] if summary else [],
            "lastSeen": summary.last_seen if summary else None,
        })
    return {
        "name": board.name,
        "listExists": board.list_exists,
        "teamExists": board.team_exists,
        "counts": state_counts(board),
        "tasks": [board.tasks[tid].to_json(board.state(tid))
                  for tid in sorted(board.tasks, key=id_key)],
        "members": members,
        "problems": [p.to_json() for p in board.problems()],
        "alerts": [a.to_json() for a in check(board, now)],
    }


def cmd_show(args: argparse.Namespace, out: Console) -> int:
    board = _existing_board(_team(args))
    now = Clock().time()
    if args.json:
        print(json.dumps(board_json(board, now), indent=2, ensure_ascii=False))
        return 0
    from rich.table import Table

    table = Table(box=None, pad_edge=False, title=Text(f"{board.name}"), title_justify="left")
    for column in ("id", "state", "subject", "owner", "blocked by"):
        table.add_column(column)
    for tid in sorted(board.tasks, key=id_key):
        task = board.tasks[tid]
        state = board.state(tid)
        label = Text(f"{SYMBOLS[state]} {LABELS[state]}", style=STATE_STYLES[state])
        if task.stale:
            label.append(" (stale)", style="dim")
        table.add_row(f"#{tid}", label, Text(one_line(task.subject, 60)),
                      Text(one_line(task.owner or "-")),
                      ", ".join(f"#{b}" for b in task.blocked_by) or "-")
    out.print(table)
    problems = board.problems()
    alerts = check(board, now)
    if alerts:
        out.print(Text(f"\n{len(alerts)} alert(s):", style="bold yellow"))
        for alert in alerts:
            out.print(Text(f"  {alert.kind}: {one_line(alert.detail)}"))
    if problems:
        out.print(Text(f"\n{len(problems)} problem(s):", style="bold red"))
        for problem in problems:
            out.print(Text(f"  {problem.kind}: {one_line(problem.detail)}"))
    return 0


def cmd_tree(args: argparse.Namespace, out: Console) -> int:
    board = _existing_board(_team(args))
    direction = "dependants" if args.reverse else "blockers"
    forest = build_outline(board.tasks, board.analysis, direction)
    colors = {m.name: m.color for m in board.members}
    root = Tree(Text(f"{board.name}: {len(board.tasks)} tasks", style="bold"))
    stack = [(root, node) for node in reversed(forest)]
    while stack:
        parent, node = stack.pop()
        branch = parent.add(outline_label(board, node, owner_colors=colors))
        stack.extend((branch, child) for child in reversed(node.children))
    if not forest:
        root.add(Text("(no tasks)", style="dim"))
    out.print(root)
    return 0


# -- writing commands -------------------------------------------------------------


def _expect(args: argparse.Namespace) -> dict[str, Any]:
    expect: dict[str, Any] = {}
    if getattr(args, "if_status", None):
        expect["status"] = args.if_status
    if getattr(args, "if_owner", None) is not None:
        expect["owner"] = args.if_owner or None
    return expect


def _run_op(args: argparse.Namespace, out: Console) -> int:
    paths = _team(args)
    ops = Ops(paths, sender=getattr(args, "sender", "team-lead"))
    expect = _expect(args)
    command = args.command
    result: OpResult
    if command == "complete":
        result = ops.complete(args.id, expect)
    elif command == "reopen":
        result = ops.reopen(args.id, expect)
    elif command == "release":
        result = ops.release(args.id, expect)
    elif command == "assign":
        result = ops.assign(args.id, args.agent, notify=not args.no_notify, expect=expect)
    elif command == "unblock":
        result = ops.unblock(args.id, args.blockers, expect)
    elif command == "block":
        result = ops.block(args.id, args.by, expect)
    elif command == "create":
        result = ops.create(args.subject, args.description, blocked_by=args.blocked_by)
    elif command == "delete":
        result = ops.delete(args.id, expect)
    elif command == "send":
        result = ops.send(args.agent, args.text, args.summary)
    else:  # pragma: no cover - argparse only lets known commands through
        raise Refused(f"unknown command {command}")
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        out.print(Text(result.summary))
    return 0


def _open_console(args: argparse.Namespace) -> int:
    from taskboard.ui.app import run_console

    return run_console(args)


def _run_demo(args: argparse.Namespace) -> int:
    from taskboard.demo import run_demo

    return run_demo(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``taskboard`` command; returns the exit code."""
    raw = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(_with_default_command(raw))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    out = Console(highlight=False)
    handlers = {"ls": cmd_ls, "show": cmd_show, "tree": cmd_tree}
    try:
        if args.command == "open":
            return _open_console(args)
        if args.command == "demo":
            return _run_demo(args)
        if args.command in handlers:
            return handlers[args.command](args, out)
        return _run_op(args, out)
    except (Refused, StoreError) as err:
        print(f"taskboard: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
