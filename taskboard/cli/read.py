"""Reading commands: ``ls``, ``show`` and ``tree``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from taskboard.claude.paths import claude_home
from taskboard.cli.check import (
    flag_line,
    settings_from,
    team_history,
    team_signals,
    threshold_options,
)
from taskboard.cli.common import existing_board, one_shot, team_paths
from taskboard.textsafe import one_line, safe_text

if TYPE_CHECKING:
    from rich.console import Console

    from taskboard.board.model import Board
    from taskboard.board.rules import Flag, Signals, Thresholds
    from taskboard.board.rules.history import History
    from taskboard.claude.activity import AgentActivity

ORDER = 20
"""Where this module's commands come in ``taskboard --help``."""

def cmd_ls(args: argparse.Namespace, out: Console) -> int:
    with one_shot():
        return _ls(args, out)


def _ls(args: argparse.Namespace, out: Console) -> int:
    from taskboard.claude.lists import summarize_lists

    home = claude_home(args.claude_dir)
    rows = summarize_lists(home)
    if args.json:
        from taskboard.board.jsontext import dumps

        print(dumps({"home": str(home), "lists": [r.to_json() for r in rows]}))
        return 0
    from rich.text import Text

    from taskboard.clock import Clock
    from taskboard.timefmt import ago, day_time

    if not rows:
        out.print(Text(f"No task lists or teams in {one_line(home)}."))
        return 0
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    widest = max(len(row.name) for row in rows)
    for column in ("name", "tasks", "ready", "blocked", "running", "done", "members",
                   "problems", "last change"):
        table.add_column(column, justify="left" if column in ("name", "last change") else "right",
                         no_wrap=True, min_width=min(widest, 40) if column == "name" else None)
    now = Clock().time()
    for row in rows:
        c = row.counts
        table.add_row(safe_text(row.name), str(row.tasks), str(c["ready"]), str(c["blocked"]),
                      str(c["in_progress"]), str(c["completed"]), str(row.members),
                      str(row.problems), ago(row.last_change, now))
    out.print(table)
    for row in rows:
        # Session teams (session-<8 hex>) are told apart by where and when their lead started.
        if row.lead_cwd or row.started:
            out.print(Text(f"{row.name}: lead in {one_line(row.lead_cwd or '?', 80)}, "
                           f"started {day_time(row.started)}", style="dim"))
        if row.note:
            out.print(Text(f"{row.name}: {row.note}.", style="yellow"))
    return 0


def activity_json(activity: AgentActivity, now: float) -> dict[str, Any]:
    """One agent's live activity from its transcript, for ``show --json``."""
    return {"state": activity.state, "since": activity.since, "tool": activity.tool,
            "wokenBy": activity.woken_by, "describe": activity.describe(now),
            "lastSeen": activity.last_seen, "turnEnded": activity.turn_ended,
            "model": activity.model, "window": activity.window, "context": activity.context,
            "contextPct": activity.context_pct, "tokens": vars(activity.tokens),
            "lastWords": activity.last_words, "transcript": activity.path,
            "newestReceived": ({"from": activity.received[-1].sender,
                                "text": activity.received[-1].text,
                                "time": activity.received[-1].time}
                               if activity.received else None)}


def board_json(board: Board, now: float,
               times: dict[str, dict[str, Any]] | None = None,
               limits: Thresholds | None = None,
               signals: Signals | None = None,
               history: History | None = None) -> dict[str, Any]:
    """The ``show --json`` document: tasks with their flags and wave, the critical path
    (weighted by typical durations when the journal knows them); ``times``: each task's
    created/lastChange/runningSince (:func:`taskboard.journal.times.task_times`).

    The tasks, flags and alerts are JSON text already (:class:`Encoded`, one line each),
    for :func:`json_document`: ``json.loads(json_document(doc))`` is the document."""
    from taskboard.board.agents import apply_activity, summarize_agents
    from taskboard.board.graph import id_key
    from taskboard.board.jsontext import Encoded, escape_invisible
    from taskboard.board.rules import by_task, evaluate, slow_flags
    from taskboard.board.rules.team import problem_rule
    from taskboard.board.taskjson import flag_texts, task_lines
    from taskboard.board.waves import plan
    from taskboard.claude.lists import state_counts

    summaries = summarize_agents(board)
    if signals is not None and signals.activity:
        apply_activity(summaries, signals.activity)  # type: ignore[arg-type]
    agents = {a.name: a for a in summaries}
    weights = history.weights(board.tasks) if history is not None else None
    by_id, analysis = board.tasks, board.analysis
    order = analysis.order
    if order is None or len(order) != len(by_id):
        order = sorted(by_id, key=id_key)
    work = plan(by_id, analysis.states, weights, order)
    problem_flags = list(problem_rule(board))
    flags = evaluate(board, now, thresholds=limits, summaries=summaries, work_plan=work,
                     signals=signals, slow=[*slow_flags(board, signals, problems=False),
                                            *problem_flags])
    # The alerts are the flags but the files' problems (what ``check`` returns: the same
    # rules without those). No rule flags under a problem's kind, and a problem is no
    # trouble for the work waiting on it, so taking them out is all (a test holds the two
    # equal): the rules are not run twice.
    problem_kinds = {f.kind for f in problem_flags}
    alerts = [f for f in flags if f.kind not in problem_kinds]
    flagged = by_task(flags)
    as_json: dict[Flag, dict[str, Any]] = {}

    def flag_json(flag: Flag) -> dict[str, Any]:
        """Each flag's JSON once (a flag shows in its task, in the flags, in the alerts)."""
        done = as_json.get(flag)
        if done is None:
            done = as_json[flag] = flag.to_json()
        return done

    flag_text = flag_texts(flag_json)

    def flag_line(flag: Flag) -> Encoded:
        return Encoded(escape_invisible(flag_text(flag)))

    tasks = task_lines(order, by_id, analysis.states, times or {}, flagged, flag_json, work,
                       flag_text)
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
            "activity": (activity_json(summary.activity, now)
                         if summary is not None and summary.activity is not None else None),
        })
    return {
        "name": board.name,
        "listExists": board.list_exists,
        "teamExists": board.team_exists,
        "counts": state_counts(board),
        "tasks": tasks,
        "members": members,
        "problems": [p.to_json() for p in board.problems()],
        "alerts": [flag_line(a) for a in alerts],
        "flags": [flag_line(f) for f in flags],
        "criticalPath": list(work.critical_path),
        "plan": work.to_json(),
        "transcriptsFound": bool(signals.activity) if signals is not None else None,
    }


def recorded_times(args: argparse.Namespace, board: Board) -> dict[str, dict[str, Any]]:
    """Each task's times, from the journal's latest session of this team when there is a
    journal (it is not created just to look), else from the files' mtimes."""
    from taskboard.journal.location import FILE_NAME, data_dir
    from taskboard.journal.times import task_times

    events: list = []
    directory = data_dir(getattr(args, "data_dir", None))
    if (directory / FILE_NAME).exists():
        from taskboard.journal.derive import lead_of
        from taskboard.journal.store import Journal, JournalError

        try:
            with Journal.open(directory) as journal:
                for notice in journal.notices:
                    print(f"taskboard: {notice}", file=sys.stderr)
                session = journal.latest_session(board.name)
                lead = lead_of(board)[0]
                if session is not None and (lead is None or session.lead in (None, lead)):
                    events = journal.events(session.id)
        except JournalError as err:
            print(f"taskboard: {err}", file=sys.stderr)
    return task_times(board, events)


def json_document(doc: dict[str, Any]) -> str:
    """``doc`` as JSON, indented at the top and one line per element of a list.

    Readable (one task per line, easy to grep), and every value goes through the
    C encoder: ``indent=2`` falls back to the pure-Python one, which alone cost
    more than reading and parsing every file at 10,000 tasks.
    """
    from taskboard.board.jsontext import Encoded, encode_value, escape_invisible

    def encode(value: Any) -> str:
        if type(value) is Encoded:
            return value  # a line encoded as it was built (a task, a flag)
        # Bidi overrides, zero-width and C1 characters from files, lone surrogates:
        # escaped, so the document is inert on a terminal and still the same JSON. Value
        # by value: one em dash in a task no longer sends the whole document through the
        # regular expression, only its line.
        return escape_invisible(encode_value(value))

    lines = ["{"]
    last = len(doc) - 1
    for index, (key, value) in enumerate(doc.items()):
        comma = "," if index < last else ""
        if isinstance(value, list) and value:
            lines.append(f"  {encode(key)}: [")
            lines.append(",\n".join(f"    {encode(item)}" for item in value))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {encode(key)}: {encode(value)}{comma}")
    lines.append("}")
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace, out: Console) -> int:
    with one_shot():
        return _show(args, out)


def _show(args: argparse.Namespace, out: Console) -> int:
    from taskboard.clock import Clock
    from taskboard.config import thresholds

    paths = team_paths(args)
    board = existing_board(paths)
    now = Clock().time()
    limits = thresholds(settings_from(args))
    history = team_history(paths, args)
    signals = replace(team_signals(paths), task_since=history.task_since)
    if args.json:
        print(json_document(board_json(board, now, recorded_times(args, board), limits,
                                       signals, history)))
        return 0
    from rich.table import Table
    from rich.text import Text

    from taskboard.board.graph import id_key
    from taskboard.board.health import check
    from taskboard.board.outline import LABELS, SYMBOLS
    from taskboard.render import STATE_STYLES

    table = Table(box=None, pad_edge=False, title=safe_text(board.name), title_justify="left")
    for column in ("id", "state", "subject", "owner", "blocked by"):
        table.add_column(column)
    for tid in sorted(board.tasks, key=id_key):
        task = board.tasks[tid]
        state = board.state(tid)
        label = Text(f"{SYMBOLS[state]} {LABELS[state]}", style=STATE_STYLES[state])
        if task.stale:
            label.append(" (stale)", style="dim")
        limit = 60 if out.is_terminal else None  # piped: whole, for grep
        table.add_row(Text(f"#{tid}"), label, safe_text(task.subject, limit=limit),
                      safe_text(task.owner or "-"),
                      safe_text(", ".join(f"#{b}" for b in task.blocked_by) or "-"))
    out.print(table)
    problems = board.problems()
    alerts = check(board, now, thresholds=limits, signals=signals)
    if alerts:
        out.print(Text(f"\n{len(alerts)} need{'s' if len(alerts) == 1 else ''} you:",
                       style="bold yellow"))
        for alert in alerts:
            out.print(Text("  ").append_text(flag_line(alert, now)), soft_wrap=True)
    if problems:
        out.print(Text(f"\n{len(problems)} problem(s):", style="bold red"))
        for problem in problems:
            out.print(Text(f"  {_where(problem.task, problem.path)}{one_line(problem.kind)}: "
                           f"{one_line(problem.detail)}"), soft_wrap=True)
    return 0


def _where(task: str | None, path: str | None) -> str:
    """``#3 (/home/.../3.json) `` — the task and the file a problem is about, when known."""
    parts = [f"#{task}"] if task else []
    if path:
        parts.append(f"({one_line(path)})" if parts else one_line(path))
    return " ".join(parts) + " " if parts else ""


def cmd_tree(args: argparse.Namespace, out: Console) -> int:
    with one_shot():
        return _tree(args, out)


def _tree(args: argparse.Namespace, out: Console) -> int:
    from rich.text import Text
    from rich.tree import Tree

    from taskboard.board.outline import build_outline
    from taskboard.render import outline_label

    board = existing_board(team_paths(args))
    direction = "dependants" if args.reverse else "blockers"
    forest = build_outline(board.tasks, board.analysis, direction)
    colors = {m.name: m.color for m in board.members}
    root = Tree(Text(f"{one_line(board.name)}: {len(board.tasks)} tasks", style="bold"))
    stack = [(root, node) for node in reversed(forest)]
    while stack:
        parent, node = stack.pop()
        branch = parent.add(outline_label(board, node, owner_colors=colors))
        stack.extend((branch, child) for child in reversed(node.children))
    if not forest:
        root.add(Text("(no tasks)", style="dim"))
    out.print(root)
    return 0


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add this module's commands to the parser."""
    ls = sub.add_parser("ls", parents=[common], help="task lists and teams, with counts")
    ls.set_defaults(handler=cmd_ls)
    ls.add_argument("--json", action="store_true", help="print JSON")

    show = sub.add_parser("show", parents=[common, threshold_options()],
                          help="every task, its state, and problems")
    show.set_defaults(handler=cmd_show)
    show.add_argument("team")
    show.add_argument("--json", action="store_true", help="print JSON")

    tree = sub.add_parser("tree", parents=[common], help="the dependency outline as text")
    tree.set_defaults(handler=cmd_tree)
    tree.add_argument("team")
    tree.add_argument("--reverse", action="store_true",
                      help="show what each task waits on, from the last tasks down")
