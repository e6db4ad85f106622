"""The command palette (ctrl+p): console actions, and jumping to any task or agent."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from taskboard.board.graph import id_key
from taskboard.textsafe import one_line

from .screens.console import ConsoleScreen

ACTIONS = (
    ("Pause or resume live updates", "pause"),
    ("Filter tasks", "filter"),
    ("Show problems and stuck work", "problems"),
    ("Toggle outline direction (waits on / waited on by)", "direction"),
    ("Help: keys", "help"),
    ("Show the command log", "log"),
)
OPERATOR_ACTIONS = (
    ("Complete the selected task(s)", "complete"),
    ("Reopen the selected task(s)", "reopen"),
    ("Release the selected task(s) to the pool", "release"),
    ("Assign the selected task(s) to an agent", "assign"),
    ("Unblock the selected task", "unblock"),
    ("Add a blocker to the selected task", "add_blocker"),
    ("Create a task", "create"),
    ("Edit the selected task", "edit"),
    ("Delete the selected task(s)", "delete"),
    ("Message the agent", "message"),
    ("Undo the last write", "undo"),
)


class ConsoleCommands(Provider):
    """Commands of the console screen."""

    def _console(self) -> ConsoleScreen | None:
        screen = self.screen
        return screen if isinstance(screen, ConsoleScreen) else None

    def _commands(self) -> list[tuple[str, object, str]]:
        console = self._console()
        if console is None:
            return []
        actions = ACTIONS if self.app.read_only else ACTIONS + OPERATOR_ACTIONS
        out: list[tuple[str, object, str]] = [
            (title, partial(console.run_action, action), "console")
            for title, action in actions]
        board = console.board
        for agent in board.members:
            out.append((f"Go to agent {one_line(agent.name)}",
                        partial(console.go_to_agent, agent.name), "agent"))
        for tid in sorted(board.tasks, key=id_key):
            task = board.tasks[tid]
            if not task.internal:
                out.append((f"Go to task #{tid}: {one_line(task.subject, 60)}",
                            partial(console.go_to_task, tid), "task"))
        return out

    async def discover(self) -> Hits:
        for title, callback, kind in self._commands():
            if kind == "console":
                yield DiscoveryHit(title, callback)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, _ in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlight(matcher, title), callback,  # type: ignore[arg-type]
                          text=title)


def highlight(matcher: Matcher, title: str) -> Content:
    """``matcher.highlight`` without parsing ``title`` as markup (subjects are data)."""
    content = Content(title)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
