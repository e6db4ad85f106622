"""``taskboard report --format html``: one self-contained page, charts drawn as inline SVG.

Nothing is loaded from anywhere: no script at all, styles inline, and a Content Security
Policy that forbids any fetch, so the file opens the same offline, from a mail or an
archive. Every string from a file goes through :func:`html.escape` (text and attributes
alike). The charts (tasks by state over time, one lane per agent, the dependency graph)
are SVG made here; the graph's Mermaid source is included too, for pasting elsewhere.
"""

from __future__ import annotations

from html import escape

from taskboard.journal.report import STATES, Report
from taskboard.journal.report_text import (
    TASK_ROWS,
    duration,
    graph_tasks,
    stamp,
    summary_rows,
    to_mermaid,
)
from taskboard.textsafe import one_line

COLORS = {"done": "#2f9e44", "running": "#f08c00", "ready": "#1c7ed6", "blocked": "#ae3ec9"}
WIDTH = 900
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1000px;
       color: #212529; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #dee2e6; }
table { border-collapse: collapse; margin: .5em 0; }
td, th { border: 1px solid #dee2e6; padding: .25em .6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend i { display: inline-block; width: .9em; height: .9em; margin-right: .3em;
            vertical-align: -.1em; }
svg text { font: 11px system-ui, sans-serif; fill: #343a40; }
pre { background: #f8f9fa; padding: .8em; overflow-x: auto; }
.muted { color: #868e96; }
"""


def t(text: object, limit: int | None = 120) -> str:
    """Text from a file, for HTML text or an attribute."""
    return escape(one_line(str(text), limit), quote=True)


def _x(when: float, report: Report, width: float) -> float:
    span = report.duration or 1.0
    return round((when - report.start) / span * width, 2)


def states_chart(report: Report) -> str:
    """Stacked areas: how many tasks were done, running, ready and blocked over time."""
    height, left, plot = 220, 40, WIDTH - 50
    points = report.chart
    top = max((sum(c.values()) for _, c in points), default=0) or 1
    parts = [f'<svg width="{WIDTH}" height="{height + 30}" '
             f'role="img" aria-label="Tasks by state over time">']
    if points:
        steps: list[tuple[float, dict[str, int]]] = []
        for index, (when, counts) in enumerate(points):
            steps.append((when, counts))
            following = points[index + 1][0] if index + 1 < len(points) else report.end
            steps.append((following, counts))
        below = [0] * len(steps)
        for state in ("done", "running", "ready", "blocked"):
            upper = [b + c.get(state, 0) for b, (_, c) in zip(below, steps, strict=True)]
            line = [(left + _x(w, report, plot), height - u / top * height)
                    for (w, _), u in zip(steps, upper, strict=True)]
            base = [(left + _x(w, report, plot), height - b / top * height)
                    for (w, _), b in zip(steps, below, strict=True)]
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in [*line, *reversed(base)])
            parts.append(f'<polygon points="{path}" fill="{COLORS[state]}" '
                         f'fill-opacity="0.75"><title>{state}</title></polygon>')
            below = upper
    parts.append(f'<line x1="{left}" y1="{height}" x2="{left + plot}" y2="{height}" '
                 'stroke="#adb5bd"/>')
    parts.append(f'<text x="{left - 4}" y="10" text-anchor="end">{top}</text>')
    parts.append(f'<text x="{left - 4}" y="{height}" text-anchor="end">0</text>')
    parts.append(f'<text x="{left}" y="{height + 18}">{stamp(report.start)}</text>')
    parts.append(f'<text x="{left + plot}" y="{height + 18}" text-anchor="end">'
                 f'{stamp(report.end)}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{COLORS[s]}"></i>{s}</span>'
                     for s in reversed(STATES))
    return "\n".join(parts) + f'\n<div class="legend">{legend}</div>'


def lanes_chart(report: Report) -> str:
    """One lane per agent: a bar for each stretch it ran a task (hover for the task)."""
    agents = [a for a in report.agents.values() if a.lane]
    if not agents:
        return '<p class="muted">No agent ran a task in this session.</p>'
    row, left = 24, 150
    plot = WIDTH - left - 10
    height = row * len(agents) + 24
    parts = [f'<svg width="{WIDTH}" height="{height}" '
             'role="img" aria-label="What each agent ran, over time">']
    for index, agent in enumerate(agents):
        y = index * row
        parts.append(f'<text x="{left - 6}" y="{y + 16}" text-anchor="end">'
                     f'{t(agent.name, 22)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{plot}" height="{row - 6}" '
                     'fill="#f1f3f5"/>')
        for interval in agent.lane:
            x = left + _x(interval.start, report, plot)
            width = max(_x(interval.end, report, plot) - _x(interval.start, report, plot), 1.0)
            subject = report.tasks[interval.task].subject if interval.task in report.tasks \
                else ""
            parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{width:.1f}" '
                         f'height="{row - 8}" fill="{COLORS["running"]}" stroke="#fff" '
                         f'stroke-width="0.5"><title>#{t(interval.task, 20)} {t(subject, 80)}'
                         f' ({duration(interval.seconds)})</title></rect>')
    bottom = row * len(agents) + 16
    parts.append(f'<text x="{left}" y="{bottom}">{stamp(report.start)}</text>')
    parts.append(f'<text x="{left + plot}" y="{bottom}" text-anchor="end">'
                 f'{stamp(report.end)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def graph_chart(report: Report) -> str:
    """The dependency graph, in columns by depth (the longest chain of blockers above)."""
    tasks, left_out = graph_tasks(report)
    if not tasks:
        return '<p class="muted">No tasks.</p>'
    known = {task.id: task for task in tasks}
    depth: dict[str, int] = {}

    def depth_of(tid: str, seen: frozenset[str] = frozenset()) -> int:
        if tid in depth:
            return depth[tid]
        blockers = [b for b in known[tid].blocked_by if b in known and b not in seen]
        value = max((depth_of(b, seen | {tid}) + 1 for b in blockers), default=0)
        depth[tid] = value
        return value

    for task in tasks:
        depth_of(task.id)
    columns: dict[int, list[str]] = {}
    for task in tasks:
        columns.setdefault(depth[task.id], []).append(task.id)
    box_w, box_h, gap_x, gap_y = 200, 22, 40, 8
    place = {tid: (10 + col * (box_w + gap_x), 10 + row * (box_h + gap_y))
             for col, ids in columns.items() for row, tid in enumerate(ids)}
    width = 20 + (max(columns) + 1) * (box_w + gap_x)
    height = 20 + max(len(ids) for ids in columns.values()) * (box_h + gap_y)
    parts = [f'<svg width="{width}" height="{height}" '
             'role="img" aria-label="Dependency graph">']
    for task in tasks:
        x2, y2 = place[task.id]
        for blocker in task.blocked_by:
            if blocker in place:
                x1, y1 = place[blocker]
                parts.append(f'<line x1="{x1 + box_w}" y1="{y1 + box_h / 2}" x2="{x2}" '
                             f'y2="{y2 + box_h / 2}" stroke="#adb5bd"/>')
    for task in tasks:
        x, y = place[task.id]
        color = COLORS.get(task.final_state, "#868e96")
        parts.append(f'<g><title>#{t(task.id, 20)} {t(task.subject, 200)} '
                     f'({task.final_state})</title>'
                     f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="4" '
                     f'fill="{color}" fill-opacity="0.18" stroke="{color}"/>'
                     f'<text x="{x + 6}" y="{y + 15}">#{t(task.id, 10)} '
                     f'{t(task.subject, 26)}</text></g>')
    parts.append("</svg>")
    more = f'<p class="muted">… {left_out} more tasks not drawn.</p>' if left_out else ""
    return "\n".join(parts) + more


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    out = ["<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def to_html(report: Report) -> str:
    """The whole report as one HTML page (see the module docstring)."""
    title = f"Session report: {t(report.team, 80)}"
    if report.session:
        title += f" (session {t(report.session, 20)})"
    tasks = report.ordered_tasks()
    body = [
        f"<h1>{title}</h1>",
        _table(["Figure", "Value"], [[escape(k), escape(v)] for k, v in summary_rows(report)]),
        "<h2>Tasks by state over time</h2>", states_chart(report),
        "<h2>Agents over time</h2>", lanes_chart(report),
        f"<h2>Throughput (per {duration(report.bucket)})</h2>",
        _table(["From", "Created", "Completed"],
               [[stamp(s), str(c), str(d)] for s, c, d in report.throughput], {1, 2}),
        "<h2>Longest waits (ready, nobody on it)</h2>",
        _table(["Task", "Subject", "Waited", "Claimed by"],
               [[f"#{t(w.id, 20)}", t(w.subject), duration(w.longest_wait),
                 t(w.owner or "-", 30)] for w in report.longest_waits()], {2})
        if report.longest_waits() else '<p class="muted">No task waited ready and unclaimed.</p>',
        "<h2>Agents</h2>",
        _table(["Agent", "Completed", "Running", "Idle holding work", "Sent", "Received",
                "First seen", "Last seen"],
               [[t(a.name, 40), str(a.completed), duration(a.running),
                 duration(a.idle_holding), str(a.sent), str(a.received), stamp(a.first_seen),
                 stamp(a.last_seen)] for a in report.agents.values()], {1, 2, 3, 4, 5}),
        "<h2>Tasks</h2>",
        _table(["Task", "Subject", "Owner", "Last state", "First claim after", "Blocked",
                "Ready, unclaimed", "Running"],
               [[f"#{t(x.id, 20)}", t(x.subject), t(x.owner or "-", 30), x.final_state,
                 duration(x.to_first_claim), duration(x.blocked), duration(x.unclaimed),
                 duration(x.running)] for x in tasks[:TASK_ROWS]], {4, 5, 6, 7}),
    ]
    if len(tasks) > TASK_ROWS:
        body.append(f'<p class="muted">… and {len(tasks) - TASK_ROWS} more tasks '
                    "(all of them in --format json).</p>")
    body += ["<h2>Timeline of key events</h2>", "<ul>"]
    body += [f"<li>{stamp(when)} {t(words, 200)}</li>" for when, _k, words in report.key_events]
    if report.key_events_left_out:
        body.append(f"<li>… {report.key_events_left_out} more</li>")
    body.append("</ul>")
    body.append("<h2>Operator writes</h2>")
    if report.operator:
        body.append(_table(["Time", "Verb", "Target", "Result", "Summary"], [
            [stamp(e.time), t(e.detail.get("verb", ""), 30),
             t(e.detail.get("target") or e.task or e.agent or "", 40),
             t(e.detail.get("result", ""), 30), t(e.detail.get("summary", ""), 120)]
            for e in report.operator]))
    else:
        body.append('<p class="muted">None: the operator wrote nothing in this session.</p>')
    body += ["<h2>Dependency graph</h2>",
             f'<div style="overflow-x: auto">{graph_chart(report)}</div>',
             "<details><summary>Mermaid source</summary>",
             f'<pre class="mermaid">{escape(to_mermaid(report))}</pre></details>']
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f"<title>{title}</title>\n<style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")
