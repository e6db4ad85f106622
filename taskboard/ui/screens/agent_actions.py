"""The operator's actions on agents: message one, or jump to its tmux pane."""

from __future__ import annotations

import os
import shutil
import subprocess

from taskboard.board.agents import summarize_agents
from taskboard.board.model import State, Task
from taskboard.textsafe import one_line


class AgentActions:
    """Mixed into the console screen, next to :class:`.operator.OperatorActions`."""

    def _message_target(self) -> str | None:
        agent = self._focused_agent()
        if agent is None:
            task = self._cursor_task()
            agent = task.owner if task is not None else None
        return agent

    def action_message(self) -> None:
        agent = self._message_target()
        if agent is None:
            self.notify("Focus an agent's panel (tab), or select a task that has an owner.",
                        severity="warning")
            return
        summary = next((s for s in summarize_agents(self.board) if s.name == agent), None)
        nudges: list[tuple[str, str]] = []
        if summary is not None:
            for task in summary.running:
                nudges.append((f"Ask for status on #{task.id}",
                               f"Are you still working on #{task.id} ({one_line(task.subject)})?"
                               " Reply with status."))
            for task in summary.pending:
                if self.board.state(task.id) == State.READY:
                    nudges.append((f"#{task.id} is unblocked",
                                   f"Task #{task.id} ({one_line(task.subject)}) is unblocked, "
                                   "please start it."))
        nudges.append(("Check your task list", "Please check the task list and pick up the "
                       "next ready task."))

        def chosen(choice: tuple[str, str | None] | None) -> None:
            if choice is None:
                return
            text, short = choice
            # The recipient is one shown on screen (a member or a task's owner), not typed.
            self.propose("send", "Send",
                         lambda ops, _t: ops.send(agent, text, short, force=True),
                         [Task(id=agent)], title=f"Send this message to {agent}?")

        from .message import MessageScreen

        self.app.push_screen(MessageScreen(agent, nudges), chosen)

    def action_tmux(self) -> None:
        """Switch to the agent's tmux pane (when the console itself runs inside tmux)."""
        agent = self._message_target()
        member = self.board.team.member(agent) if agent and self.board.team else None
        pane = member.tmux_pane_id if member else ""
        if not pane.startswith("%"):
            self.notify(f"{agent or 'This agent'} has no tmux pane.", severity="warning")
            return
        tmux = shutil.which("tmux")
        if tmux is None or not os.environ.get("TMUX"):
            self.notify("taskboard is not running inside tmux.", severity="warning")
            return
        for command in (["switch-client", "-t", pane], ["select-window", "-t", pane],
                        ["select-pane", "-t", pane]):
            subprocess.run([tmux, *command], check=False, capture_output=True, timeout=2)
