"""``taskboard report`` as Markdown, JSON, Mermaid and DOT.

Every string that came from a file (subjects, agents' names, operator summaries) goes
through the escaper of its format: :func:`md` (Markdown text and table cells: punctuation
backslash-escaped, ``<``, ``>`` and ``&`` as entities, so neither HTML nor links nor
emphasis can be injected), :func:`mermaid_label` (everything but letters, digits and a
few safe marks as Mermaid's ``#code;`` entities) and :func:`dot_label` (a quoted DOT
string). Node ids are made by us (``t1``, ``t2``...), never taken from a file.
"""

from __future__ import annotations

import re
import time
from statistics import median
from typing import Any

from taskboard.board.jsontext import dumps
from taskboard.journal.report import STATES, Report, TaskFigures
from taskboard.textsafe import one_line

TASK_ROWS = 200
GRAPH_NODES = 400
"""Beyond this many tasks the graph is cut (a diagram that large is unreadable anyway)."""

_MD_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#!|~])")
"""What could start emphasis, code, a link or an image, or end a table cell, mid-line (the
escaped text is never put at the start of a line, where ``-``, ``+`` and ``1.`` count)."""
_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 ,.:/_\-]")


def md(text: object, limit: int | None = 120) -> str:
    """Plain text as inert Markdown on one line."""
    line = _MD_PUNCTUATION.sub(r"\\\1", one_line(str(text), limit))
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mermaid_label(text: object, limit: int | None = 80) -> str:
    """Text for inside a Mermaid ``["..."]`` label: unsafe characters as ``#code;``."""
    return "".join(ch if _MERMAID_SAFE.fullmatch(ch) else f"#{ord(ch)};"
                   for ch in one_line(str(text), limit))


def dot_label(text: object, limit: int | None = 80) -> str:
    """Text for inside a DOT ``"..."`` string."""
    return one_line(str(text), limit).replace("\\", "\\\\").replace('"', '\\"')


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(max(seconds, 0)))
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds}s"


def stamp(when: float | None, *, day: bool = False) -> str:
    if not when:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S" if day else "%H:%M:%S", time.localtime(when))


def _median(values: list[float]) -> float | None:
    return median(values) if values else None


def summary_rows(report: Report) -> list[tuple[str, str]]:
    """The headline figures as (label, value): the same in every format. Values are ours
    (numbers and times), never text from a file."""
    tasks = list(report.tasks.values())
    claims = [t.to_first_claim for t in tasks if t.to_first_claim is not None]
    return [
        ("Duration", f"{duration(report.duration)} ({stamp(report.start, day=True)} → "
                     f"{stamp(report.end, day=True)})"),
        ("Events", f"{report.events:,}"),
        ("Tasks created", str(report.created)),
        ("Tasks completed", str(report.completed)),
        ("Time to first claim (median / longest)",
         f"{duration(_median(claims))} / {duration(max(claims, default=None))}"),
        ("Blocked, all tasks (total / median per task)",
         f"{duration(sum(t.blocked for t in tasks))} / "
         f"{duration(_median([t.blocked for t in tasks]))}"),
        ("Ready but unclaimed (total / longest wait)",
         f"{duration(sum(t.unclaimed for t in tasks))} / "
         f"{duration(max((t.longest_wait for t in tasks), default=None))}"),
        ("Running (total / median per task)",
         f"{duration(sum(t.running for t in tasks))} / "
         f"{duration(_median([t.running for t in tasks if t.running]))}"),
        ("Agents", str(len(report.agents))),
        ("Operator writes", str(len(report.operator))),
    ]


def graph_tasks(report: Report) -> tuple[list[TaskFigures], int]:
    """The tasks the dependency graph draws (the first :data:`GRAPH_NODES` by id)."""
    ordered = report.ordered_tasks()
    return ordered[:GRAPH_NODES], max(len(ordered) - GRAPH_NODES, 0)


def to_mermaid(report: Report) -> str:
    """The dependency graph as a Mermaid flowchart, coloured by each task's last state."""
    tasks, left_out = graph_tasks(report)
    ids = {t.id: f"t{n}" for n, t in enumerate(tasks, 1)}
    lines = ["flowchart TD"]
    for task in tasks:
        owner = f" @{task.owner}" if task.owner else ""
        label = mermaid_label(f"#{task.id} {task.subject}") + mermaid_label(owner, 30)
        lines.append(f'    {ids[task.id]}["{label}"]:::{task.final_state}')
    for task in tasks:
        for blocker in task.blocked_by:
            if blocker in ids:
                lines.append(f"    {ids[blocker]} --> {ids[task.id]}")
    if left_out:
        lines.append(f'    more["… {left_out} more tasks not drawn"]')
    lines += ["    classDef done fill:#d3f9d8,stroke:#2b8a3e",
              "    classDef running fill:#fff3bf,stroke:#e67700",
              "    classDef ready fill:#d0ebff,stroke:#1864ab",
              "    classDef blocked fill:#f3d9fa,stroke:#862e9c"]
    return "\n".join(lines) + "\n"


def to_dot(report: Report) -> str:
    """The dependency graph in Graphviz DOT."""
    tasks, left_out = graph_tasks(report)
    ids = {t.id: f"t{n}" for n, t in enumerate(tasks, 1)}
    colors = {"done": "#d3f9d8", "running": "#fff3bf", "ready": "#d0ebff",
              "blocked": "#f3d9fa"}
    lines = [f'digraph "{dot_label(report.team)}" {{', "  rankdir=TB;",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica"];']
    for task in tasks:
        owner = f"\\n@{dot_label(task.owner, 30)}" if task.owner else ""
        lines.append(f'  {ids[task.id]} [label="{dot_label(f"#{task.id} {task.subject}")}'
                     f'{owner}", fillcolor="{colors.get(task.final_state, "white")}"];')
    for task in tasks:
        for blocker in task.blocked_by:
            if blocker in ids:
                lines.append(f"  {ids[blocker]} -> {ids[task.id]};")
    if left_out:
        lines.append(f'  more [label="… {left_out} more tasks not drawn", shape=plaintext];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> dict[str, Any]:
    """Every figure, machine-readable (times in epoch seconds, durations in seconds)."""
    def task_json(t: TaskFigures) -> dict[str, Any]:
        return {"id": t.id, "subject": t.subject, "owner": t.owner, "state": t.final_state,
                "blockedBy": list(t.blocked_by), "created": t.created,
                "firstClaim": t.first_claim, "completed": t.completed, "removed": t.removed,
                "toFirstClaim": t.to_first_claim, "blocked": round(t.blocked, 3),
                "readyUnclaimed": round(t.unclaimed, 3), "running": round(t.running, 3),
                "longestWait": round(t.longest_wait, 3)}

    return {
        "team": report.team, "session": report.session, "start": report.start,
        "end": report.end, "duration": round(report.duration, 3), "events": report.events,
        "tasksCreated": report.created, "tasksCompleted": report.completed,
        "summary": dict(summary_rows(report)),
        "throughput": {"bucketSeconds": report.bucket,
                       "buckets": [{"start": s, "created": c, "completed": d}
                                   for s, c, d in report.throughput]},
        "longestWaits": [{"task": t.id, "subject": t.subject,
                          "seconds": round(t.longest_wait, 3)}
                         for t in report.longest_waits()],
        "tasks": [task_json(t) for t in report.ordered_tasks()],
        "agents": [{"name": a.name, "completed": a.completed, "running": round(a.running, 3),
                    "idleHoldingWork": round(a.idle_holding, 3), "messagesSent": a.sent,
                    "messagesReceived": a.received, "firstSeen": a.first_seen,
                    "lastSeen": a.last_seen,
                    "lane": [{"task": i.task, "start": i.start, "end": i.end}
                             for i in a.lane]}
                   for a in report.agents.values()],
        "statesOverTime": [{"time": when, **counts} for when, counts in report.chart],
        "keyEvents": [{"time": when, "kind": kind, "text": words}
                      for when, kind, words in report.key_events],
        "keyEventsLeftOut": report.key_events_left_out,
        "operatorWrites": [e.to_json() for e in report.operator],
        "eventsByKind": dict(sorted(report.kinds.items())),
    }


def to_markdown(report: Report) -> str:
    """The whole report in Markdown, with the graph as a Mermaid block."""
    out: list[str] = []
    title = f"# Session report: {md(report.team, 80)}"
    if report.session:
        title += f" (session {md(report.session, 20)})"
    out += [title, "", "| Figure | Value |", "|---|---|"]
    out += [f"| {label} | {value} |" for label, value in summary_rows(report)]

    out += ["", f"## Throughput (per {duration(report.bucket)})", "",
            "| From | Created | Completed |", "|---|---:|---:|"]
    out += [f"| {stamp(s)} | {c} | {d} |" for s, c, d in report.throughput]

    out += ["", "## Longest waits (ready, nobody on it)", ""]
    waits = report.longest_waits()
    if waits:
        out += ["| Task | Subject | Waited | Claimed by |", "|---|---|---:|---|"]
        out += [f"| \\#{md(t.id, 20)} | {md(t.subject, 80)} | {duration(t.longest_wait)} | "
                f"{md(t.owner or '-', 30)} |" for t in waits]
    else:
        out.append("No task waited ready and unclaimed.")

    out += ["", "## Tasks", "",
            "| Task | Subject | Owner | Last state | First claim after | Blocked | "
            "Ready, unclaimed | Running |", "|---|---|---|---|---:|---:|---:|---:|"]
    tasks = report.ordered_tasks()
    for t in tasks[:TASK_ROWS]:
        out.append(f"| \\#{md(t.id, 20)} | {md(t.subject, 80)} | {md(t.owner or '-', 30)} | "
                   f"{t.final_state} | {duration(t.to_first_claim)} | {duration(t.blocked)} | "
                   f"{duration(t.unclaimed)} | {duration(t.running)} |")
    if len(tasks) > TASK_ROWS:
        out += ["", f"… and {len(tasks) - TASK_ROWS} more tasks (all of them in --format json)."]

    out += ["", "## Agents", "",
            "| Agent | Completed | Running | Idle holding work | Sent | Received | "
            "First seen | Last seen |", "|---|---:|---:|---:|---:|---:|---|---|"]
    out += [f"| {md(a.name, 40)} | {a.completed} | {duration(a.running)} | "
            f"{duration(a.idle_holding)} | {a.sent} | {a.received} | {stamp(a.first_seen)} | "
            f"{stamp(a.last_seen)} |" for a in report.agents.values()]

    out += ["", "## Timeline of key events", ""]
    out += [f"- {stamp(when)} {md(words, 160)}" for when, _kind, words in report.key_events]
    if report.key_events_left_out:
        out.append(f"- … {report.key_events_left_out} more")

    out += ["", "## Operator writes", ""]
    if report.operator:
        out += ["| Time | Verb | Target | Result | Summary |", "|---|---|---|---|---|"]
        for e in report.operator:
            d = e.detail
            out.append(f"| {stamp(e.time)} | {md(d.get('verb', ''), 30)} | "
                       f"{md(d.get('target') or e.task or e.agent or '', 40)} | "
                       f"{md(d.get('result', ''), 30)} | {md(d.get('summary', ''), 100)} |")
    else:
        out.append("None: the operator wrote nothing in this session.")

    out += ["", "## Dependency graph", "", "```mermaid", to_mermaid(report).rstrip(), "```", ""]
    out.append(f"States over time: {len(report.chart)} points in --format json or html. "
               f"States: {', '.join(STATES)}.")
    return "\n".join(out) + "\n"


def dump_json(report: Report) -> str:
    return dumps(to_json(report)) + "\n"  # strict JSON, inert on a terminal
