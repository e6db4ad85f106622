"""One panel per agent: who it is, what it runs and holds, when it was last seen.

Panels are focusable (tab moves between panes, j/k between panels), keyed by
agent name, and updated in place when the board changes.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from taskboard.board.agents import UNOWNED, AgentSummary
from taskboard.board.health import Alert
from taskboard.board.rules import RANK
from taskboard.render import agent_style, task_ref
from taskboard.textsafe import one_line
from taskboard.timefmt import ago, clock_time

STATE_STYLES = {"thinking": "green", "tool": "bold green", "woken": "cyan", "idle": "yellow",
                "gone": "dim red", "unknown": "dim"}
"""The style of each live state word (from the transcripts)."""
BAR_CELLS = 10


def context_bar(tokens: int | None, percent: float | None) -> Text:
    """``ctx ▰▰▰▱▱▱▱▱▱▱ 23 % · 46k tokens``: yellow from 70 %, red from 90 %; tokens alone
    when the model's window is unknown."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("ctx ", style="dim")
    if tokens is None:
        text.append("unknown until the next response", style="dim")
        return text
    amount = f"{tokens / 1000:.0f}k tokens" if tokens >= 1000 else f"{tokens} tokens"
    if percent is None:
        text.append(amount)
        text.append(" (window unknown)", style="dim")
        return text
    style = "bold red" if percent >= 90 else "yellow" if percent >= 70 else "green"
    filled = min(BAR_CELLS, max(0, round(percent / 100 * BAR_CELLS)))
    text.append("▰" * filled, style=style)
    text.append("▱" * (BAR_CELLS - filled), style="dim")
    text.append(f" {percent:.0f} %", style=style)
    text.append(f" · {amount}", style="dim")
    return text

ACTIVITY: dict[bool | None, tuple[str, str, str, str]] = {
    True: ("●", "bold green", "working", "green"),
    False: ("○", "dim", "idle", "yellow"),
    None: ("◌", "dim", "unknown", "dim"),
}
"""Working, idle or unknown: the symbol and word of a panel, with their styles."""
LEAD = ("◆", "bold", "lead", "cyan")
"""The lead, whose config entry carries no working/idle flag: not "unknown"."""
ENDED = ("✕", "dim", "team ended", "italic yellow")
"""A member of a team whose directory is gone (Claude Code removes it when a team ends)."""


def activity(summary: AgentSummary, board) -> tuple[str, str, str, str]:
    """The symbol and word of a panel: team ended, lead, working, idle or unknown."""
    member = summary.member
    if summary.kind == "member" and board is not None and not board.team_exists:
        return ENDED
    if summary.active is None and member is not None and is_lead(member, board):
        return LEAD
    return ACTIVITY[summary.active]


def is_lead(member, board) -> bool:
    team = getattr(board, "team", None)
    lead_id = team.lead_agent_id if team is not None else ""
    return bool(lead_id and member.agent_id == lead_id) or member.agent_type == "team-lead" \
        or member.name == "team-lead"


class AgentPanel(Static, can_focus=True):
    """The panel of one agent (or of the unowned pool)."""

    def __init__(self, name: str) -> None:
        super().__init__(classes="agent-panel")
        self.agent_name = name
        self.summary: AgentSummary | None = None
        self.alerts: list[Alert] = []
        self._lines: list[object] | None = None

    def show(self, summary: AgentSummary, alerts: list[Alert], now: float, board) -> None:
        """Show a summary; repaint only when the text differs, and lay the screen out again
        only when the number of lines does (each line is one row: no wrapping)."""
        self.summary = summary
        self.alerts = alerts
        self.set_class(summary.active is False, "-idle")
        self.set_class(bool(alerts), "-alert")
        content = render_panel(summary, alerts, now, board)
        lines = list(content.renderables)
        if lines == self._lines:
            return
        layout = self._lines is None or len(lines) != len(self._lines)
        self._lines = lines
        self.update(content, layout=layout)


def render_panel(summary: AgentSummary, alerts: list[Alert], now: float, board) -> Group:
    """The text of a panel: four to six short lines."""
    lines: list[Text] = []
    head = Text(no_wrap=True, overflow="ellipsis")
    if summary.kind == "unowned":
        head.append("unowned work", style="bold")
    else:
        symbol, symbol_style, _, _ = activity(summary, board)
        head.append(f"{symbol} ", style=symbol_style)
        head.append(one_line(summary.name, 24), style=agent_style(summary.color))
        member = summary.member
        if member is not None:
            model = (summary.activity.model if summary.activity is not None else None) \
                or member.model
            kind = " · ".join(p for p in (member.agent_type, model) if p)
            if kind:
                head.append(f"  {one_line(kind, 40)}", style="dim")
        else:
            head.append("  not on the team", style="italic red")
    lines.append(head)

    state = Text(no_wrap=True, overflow="ellipsis")
    live = summary.activity
    if summary.kind != "unowned":
        if live is not None and live.state != "unknown":
            state.append(live.describe(now), style=STATE_STYLES.get(live.state, ""))
        else:
            _, _, word, word_style = activity(summary, board)
            state.append(word, style=word_style)
        state.append(f" · seen {ago(summary.last_seen, now, seconds=False)}", style="dim")
        if summary.unread:
            state.append(f" · ✉ {summary.unread} unread", style="bold")
        lines.append(state)
        if live is not None and (live.context is not None or live.model):
            lines.append(context_bar(live.context, live.context_pct))
        elif summary.no_transcript:
            lines.append(Text("no transcript found: activity from the task and team files",
                              style="dim", no_wrap=True, overflow="ellipsis"))

    for task in summary.running[:2]:
        row = Text(no_wrap=True, overflow="ellipsis")
        row.append("▶ ", style="yellow")
        row.append_text(task_ref(board, task.id))
        row.append(" " + one_line(task.active_form or task.subject, 60))
        lines.append(row)
    if len(summary.running) > 2:
        lines.append(Text(f"  … {len(summary.running) - 2} more running", style="dim"))

    counts = Text(no_wrap=True, overflow="ellipsis")
    if summary.pending:
        counts.append("holds ")
        for task in summary.pending[:4]:  # in id order
            counts.append_text(task_ref(board, task.id))
            counts.append(" ")
        if len(summary.pending) > 4:
            counts.append(f"+{len(summary.pending) - 4} ", style="dim")
    if summary.kind != "unowned":
        counts.append(f"· {summary.completed} done" if summary.pending
                      else f"{summary.completed} done", style="dim")
    if counts.plain:
        lines.append(counts)

    for alert in alerts[:2]:  # wrapped, never cut: an alert must be readable whole
        lines.append(Text(f"⚠ {one_line(alert.detail)}", style="bold red"))
    if len(alerts) > 2:
        lines.append(Text(f"  … {len(alerts) - 2} more in Needs you", style="dim red"))
    newest = summary.newest
    received = live.received[-1] if live is not None and live.received else None
    if received is not None and summary.kind != "unowned" and (
            newest is None or newest.when is None
            or (received.time or 0.0) >= newest.when.timestamp()):
        msg = Text(no_wrap=True, overflow="ellipsis", style="dim")
        msg.append(f"✉ {one_line(received.sender, 20)} {clock_time(received.time)}: ")
        msg.append(one_line(received.headline, 80), style="italic")
        lines.append(msg)
    elif newest is not None and summary.kind != "unowned":
        msg = Text(no_wrap=True, overflow="ellipsis", style="dim")
        msg.append(f"✉ {one_line(newest.sender, 20)}: ")
        msg.append(one_line(newest.headline, 80), style="italic")
        lines.append(msg)
    return Group(*lines)


def by_urgency(summaries: list[AgentSummary],
               alerts: dict[str, list[Alert]]) -> list[AgentSummary]:
    """Flagged agents first, then working, then idle or unknown, then the unowned pool;
    the lead last within its group (its panel says little unless it needs attention);
    otherwise the team's own order."""
    def key(item: tuple[int, AgentSummary]) -> tuple[int, int, int]:
        index, summary = item
        flagged = any(a.rank >= RANK["warning"] for a in alerts.get(summary.name, ()))
        group = 0 if flagged else 3 if summary.kind == "unowned" else \
            1 if summary.active else 2
        member = summary.member
        lead = summary.name == "team-lead" or (member is not None
                                               and member.agent_type == "team-lead")
        return (group, int(lead), index)

    return [s for _, s in sorted(enumerate(summaries), key=key)]


class AgentList(VerticalScroll):
    """The column of agent panels."""

    BINDINGS = [
        Binding("j,down", "next_panel", "Next agent", show=False, id="agents.next"),
        Binding("k,up", "previous_panel", "Previous agent", show=False, id="agents.previous"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=False)
        self._panels: dict[str, AgentPanel] = {}
        self._empty: Static | None = None
        """The "No team members yet." line, while it shows."""
        self._by_agent: tuple[list[Alert], dict[str, list[Alert]]] | None = None
        """The alerts last grouped by agent: the same list (the rules did not run again)
        is not walked again (2,000 flags at 10,000 tasks, almost all about no agent)."""

    @property
    def panels(self) -> dict[str, AgentPanel]:
        return self._panels

    def show_agents(self, summaries: list[AgentSummary], alerts: list[Alert],
                    now: float, board, *, touched: set[str] | None = None) -> None:
        """Add, update and remove panels to match the summaries, most urgent first.

        ``touched``: the agents whose tasks changed (None: all). The other panels are
        left alone unless their alerts changed, so a change repaints only the panels
        it concerns (their relative times move with the clock tick).
        """
        if self._by_agent is not None and self._by_agent[0] is alerts:
            by_agent = self._by_agent[1]
        else:
            by_agent = {}
            for alert in alerts:
                key = alert.agent or (UNOWNED if alert.kind == "unowned_running" else None)
                if key:
                    by_agent.setdefault(key, []).append(alert)
            self._by_agent = (alerts, by_agent)
        summaries = by_urgency(summaries, by_agent)
        names = [s.name for s in summaries]
        for name in [n for n in self._panels if n not in names]:
            self._panels.pop(name).remove()
        order_changed = list(self._panels) != [n for n in names if n in self._panels]
        for summary in summaries:
            panel = self._panels.get(summary.name)
            if panel is None:
                panel = AgentPanel(summary.name)
                self._panels[summary.name] = panel
                self.mount(panel)
            mine = by_agent.get(summary.name, [])
            if touched is not None and summary.name not in touched and panel.summary \
                    is not None and panel.alerts == mine:
                panel.summary = summary
                continue
            panel.show(summary, mine, now, board)
        if order_changed or list(self._panels) != names:
            self._panels = {name: self._panels[name] for name in names}
            for index, name in enumerate(names):
                if index:
                    self.move_child(self._panels[name], after=self._panels[names[index - 1]])
        if not summaries and self._empty is None:
            self._empty = Static(Text("No team members yet.", style="dim"),
                                 classes="agents-empty")
            self.mount(self._empty)
        elif summaries and self._empty is not None:
            self._empty.remove()  # a query for it at every change cost ~0.4 ms
            self._empty = None

    def _focused_index(self) -> int:
        panels = list(self._panels.values())
        focused = self.screen.focused
        return panels.index(focused) if focused in panels else -1

    def action_next_panel(self) -> None:
        panels = list(self._panels.values())
        if panels:
            panels[min(self._focused_index() + 1, len(panels) - 1)].focus()

    def action_previous_panel(self) -> None:
        panels = list(self._panels.values())
        if panels:
            panels[max(self._focused_index() - 1, 0)].focus()
