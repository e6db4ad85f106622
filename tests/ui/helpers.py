"""Small readers of what the console shows, for assertions."""

from __future__ import annotations

from taskboard.ui.screens.console import ConsoleScreen
from taskboard.ui.widgets.outline import DependencyOutline
from taskboard.ui.widgets.status import StatusBar


def outline_rows(screen: ConsoleScreen) -> dict[str, str]:
    """Every row of the outline as plain text, by task id."""
    outline = screen.query_one(DependencyOutline)
    return {tid: outline.row_text(tid) for tid in outline._task_nodes}


def status_text(screen: ConsoleScreen) -> str:
    return screen.query_one(StatusBar).text.plain
