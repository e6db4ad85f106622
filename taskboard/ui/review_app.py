"""``taskboard review``: the console on a recorded session, or a picker of sessions first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taskboard.claude.paths import TeamPaths
from taskboard.clock import Clock
from taskboard.config import Settings
from taskboard.journal.timetravel import Replay, no_gc

from .app import TaskboardApp
from .screens.review import ReviewScreen
from .screens.sessions import SessionPickerScreen


class ReviewApp(TaskboardApp):
    """Read-only review of what the journal recorded.

    ``journal``: the open journal (``sessions()``, ``team_of(id)``, ``events(id)``);
    ``session``: the session to open, else a picker of every recorded session."""

    def __init__(self, home: Path, journal: Any, session: str | None = None, *,
                 settings: Settings | None = None, clock: Clock | None = None,
                 cursor: int | None = None, warnings: list[str] | None = None) -> None:
        super().__init__(home, None, settings=settings, read_only=True, clock=clock,
                         watch=False, warnings=warnings)
        self.journal = journal
        self.session = session
        self.cursor = cursor

    def open_first(self) -> None:
        if self.session is not None:
            self.open_session(self.session)
        else:
            picker = SessionPickerScreen(self.journal.sessions(), str(self.journal.path))
            self.push_screen(picker, self.open_session)

    def open_session(self, session_id: str | None) -> None:
        if not session_id:
            self.exit(0)
            return
        team = self.journal.team_of(session_id)
        if team is None:
            self.notify(f"No session {session_id} in the journal.", severity="error")
            return
        journal, sid = self.journal, str(int(session_id))

        def load() -> Replay:
            with no_gc():  # 100,000 events are 100,000 objects that all stay
                events = journal.events(sid)
            return Replay(events, name=team)

        self.sub_title = f"review · {team}"
        self.push_screen(ReviewScreen(load, TeamPaths(self.home, team), session=sid,
                                      cursor=self.cursor))
