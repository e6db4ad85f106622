"""Writing commands: every operator verb, run headless through ``Ops``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from taskboard.board.jsontext import dumps
from taskboard.claude.errors import StoreError
from taskboard.claude.paths import TeamPaths
from taskboard.claude.sender import DEFAULT_SENDER
from taskboard.cli.common import Refused, nonempty, team_paths
from taskboard.textsafe import clean, safe_text

if TYPE_CHECKING:
    from rich.console import Console

    from taskboard.ops import OpResult

ORDER = 30
"""Where this module's commands come in ``taskboard --help``."""

VERBS = ("complete", "reopen", "release", "assign", "unblock", "block", "create", "delete",
         "send")


def _expect(args: argparse.Namespace) -> dict[str, Any]:
    expect: dict[str, Any] = {}
    if getattr(args, "if_status", None):
        expect["status"] = args.if_status
    if getattr(args, "if_owner", None) is not None:
        expect["owner"] = args.if_owner or None
    return expect


def run_op(args: argparse.Namespace, out: Console) -> int:
    """Carry out one verb, and journal it (its result, or why it was refused)."""
    paths = team_paths(args)
    target = f"#{args.id}" if getattr(args, "id", None) else getattr(args, "agent", "") or ""
    try:
        result = _dispatch(args, paths)
    except (Refused, StoreError) as err:
        _journal(args, paths.name, verb=args.command, target=target, error=str(err))
        raise
    _journal(args, paths.name, result=result)
    if args.json:
        print(dumps(result.to_json()))
    else:
        out.print(safe_text(result.summary, multiline=True))
    for warning in result.warnings:
        print(f"taskboard: {clean(warning)}", file=sys.stderr)
    return 1 if result.warnings else 0


def _journal(args: argparse.Namespace, team: str, **what: Any) -> None:
    from taskboard.journal.live import record_write
    from taskboard.journal.store import data_dir

    warning = record_write(data_dir(getattr(args, "data_dir", None)), team,
                           by=getattr(args, "sender", None) or DEFAULT_SENDER, **what)
    if warning:
        print(f"taskboard: {warning}", file=sys.stderr)


def _dispatch(args: argparse.Namespace, paths: TeamPaths) -> OpResult:
    from taskboard.ops import Ops

    ops = Ops(paths, sender=getattr(args, "sender", None) or DEFAULT_SENDER)
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
        result = ops.assign(args.id, args.agent, notify=not args.no_notify, expect=expect,
                            force=args.force)
    elif command == "unblock":
        result = ops.unblock(args.id, args.blockers, expect)
    elif command == "block":
        result = ops.block(args.id, args.by, expect)
    elif command == "create":
        result = ops.create(args.subject, args.description, blocked_by=args.blocked_by)
    elif command == "delete":
        result = ops.delete(args.id, expect)
    elif command == "send":
        result = ops.send(args.agent, args.text, args.summary, force=args.force)
    else:  # pragma: no cover - argparse only lets known commands through
        raise Refused(f"unknown command {command}")
    return result


def _message_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--sender", default=DEFAULT_SENDER,
                     help=f"the 'from' of the message (default '{DEFAULT_SENDER}'; a lead name "
                          "such as team-lead is refused: Claude Code shows it as forged)")
    cmd.add_argument("--force", action="store_true",
                     help="write to an agent who is not a member of the team")


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add this module's commands to the parser."""
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
    _message_options(assign)

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
    create.add_argument("subject", type=nonempty)
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
    _message_options(send)
    send.add_argument("--json", action="store_true", help="print what changed as JSON")
    for name in VERBS:
        sub.choices[name].set_defaults(handler=run_op)
