"""Review mode: the console on a recorded session, stepped through time."""

from __future__ import annotations

from pathlib import Path

from taskboard.journal import events as ev
from taskboard.journal.events import Event
from taskboard.journal.timetravel import Replay
from taskboard.sim.sample import SAMPLE_NOW
from taskboard.ui import app as app_module
from taskboard.ui.app import TaskboardApp
from taskboard.ui.screens.help import HelpScreen, bindings_table
from taskboard.ui.screens.history import HistoryScreen
from taskboard.ui.screens.review import ReviewScreen
from taskboard.ui.widgets.agents import AgentList
from taskboard.ui.widgets.detail import TaskDetail, render_history
from taskboard.ui.widgets.outline import DependencyOutline
from taskboard.ui.widgets.timeline import Timeline

from .conftest import make_app, wait_for
from .helpers import outline_rows, status_text

T0 = SAMPLE_NOW - 3600


def session_events() -> list[Event]:
    """A small session: two tasks, one agent claims and finishes the first, a message."""
    def task(tid: str, subject: str, blocked_by: list[str], blocks: list[str]) -> dict:
        return {"id": tid, "subject": subject, "description": "", "status": "pending",
                "blocks": blocks, "blockedBy": blocked_by}

    return [
        Event(T0, "rt", ev.LIST_APPEARED),
        Event(T0 + 1, "rt", ev.MEMBER_JOINED, agent="ann",
              after={"agentType": "general-purpose", "model": "m", "color": "blue",
                     "isActive": False}),
        Event(T0 + 10, "rt", ev.TASK_CREATED, task="1",
              after=task("1", "Parse the <script>alert(1)</script> [bold]input[/]", [], ["2"])),
        Event(T0 + 11, "rt", ev.TASK_CREATED, task="2",
              after=task("2", "Test the parser", ["1"], [])),
        Event(T0 + 70, "rt", ev.TASK_CHANGED, task="1", agent="ann",
              before={"status": "pending", "owner": None},
              after={"status": "in_progress", "owner": "ann"}),
        Event(T0 + 71, "rt", ev.MEMBER_ACTIVE, agent="ann"),
        Event(T0 + 400, "rt", ev.TASK_CHANGED, task="1", agent="ann",
              before={"status": "in_progress"}, after={"status": "completed"}),
        Event(T0 + 401, "rt", ev.MESSAGE, agent="team-lead",
              detail={"from": "ann", "text": "done with #1", "summary": "finished #1"}),
        Event(T0 + 402, "rt", ev.MEMBER_IDLE, agent="ann"),
        Event(T0 + 900, "rt", ev.TASK_REMOVED, task="1", detail={"auto_clear": True}),
        Event(T0 + 900, "rt", ev.TASK_REMOVED, task="2", detail={"auto_clear": True}),
        Event(T0 + 901, "rt", ev.LIST_VANISHED),
    ]


class ReplayApp(TaskboardApp):
    """The console app opening straight on a review screen of the given events (the files
    of the team never existed: review reads nothing from disk)."""

    CSS_PATH = str(Path(app_module.__file__).parent / "taskboard.tcss")

    def __init__(self, home: Path, events: list[Event], **kwargs) -> None:
        self.events = events
        super().__init__(home, None, read_only=True, watch=False, **kwargs)

    def open_first(self) -> None:
        from taskboard.claude.paths import TeamPaths

        self.push_screen(ReviewScreen(Replay(self.events, name="rt"),
                                      TeamPaths(self.home, "rt"), session="7"))


def review_app(tmp_path: Path, events: list[Event] | None = None) -> ReplayApp:
    base = make_app(tmp_path / "claude", None)
    return ReplayApp(tmp_path / "claude", events or session_events(), clock=base.clock)


async def opened(pilot) -> ReviewScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen)
                   and pilot.app.screen.loaded, what="review loaded")
    await pilot.pause()
    return pilot.app.screen


async def test_review_opens_before_the_clear_up_and_stepping_back_shows_earlier_states(
        tmp_path: Path) -> None:
    app = review_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await opened(pilot)
        assert not (tmp_path / "claude" / "tasks").exists()
        assert screen.replay.cursor == 9  # before the two removals and the list vanishing
        rows = outline_rows(screen)
        assert set(rows) == {"1", "2"}
        # (» marks the critical path of the remaining work)
        assert rows["1"].lstrip("»").startswith("#1 ✓") and "<script>" in rows["1"]
        assert "[bold]input[/]" in rows["1"]
        assert rows["2"].lstrip("»").startswith("#2 ○")
        assert "REVIEW" in status_text(screen) and "live" not in status_text(screen)

        await pilot.press("comma", "comma", "comma")  # back before the completion
        assert screen.replay.cursor == 6
        rows = outline_rows(screen)
        assert rows["1"].lstrip("»").startswith("#1 ●") and "@ann" in rows["1"]
        assert rows["2"].lstrip("»").startswith("#2 ◌")
        await pilot.press("comma", "comma")  # before the claim
        assert outline_rows(screen)["1"].lstrip("»").startswith("#1 ○")
        assert "@ann" not in outline_rows(screen)["1"]

        await pilot.press("full_stop")
        assert outline_rows(screen)["1"].lstrip("»").startswith("#1 ●")
        timeline = screen.query_one(Timeline).text.plain
        assert "event 5/12" in timeline and "#1 status pending → in_progress" in timeline

        await pilot.press("dollar_sign")
        assert screen.replay.cursor == 12
        assert outline_rows(screen) == {}
        assert "cleared the list" in str(screen.query_one("#outline-empty").render())
        await pilot.press("0")
        assert screen.replay.cursor == 0 and outline_rows(screen) == {}


async def test_minutes_and_the_next_event_of_the_selected_task(tmp_path: Path) -> None:
    app = review_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await opened(pilot)
        await pilot.press("0")
        await pilot.press("greater_than_sign")  # T0 + 60 s: both tasks exist, none claimed
        assert screen.replay.cursor == 4
        await pilot.press("greater_than_sign")  # T0 + 120 s: the claim
        assert screen.replay.cursor == 6
        await pilot.press("less_than_sign")
        assert screen.replay.cursor == 4
        screen.query_one(DependencyOutline).select_task("1")
        await pilot.pause()
        await pilot.press("n")
        assert screen.replay.cursor == 5  # the claim of #1
        await pilot.press("n")
        assert screen.replay.cursor == 7  # its completion
        detail = screen.query_one(TaskDetail)
        assert detail.border_title == "Task #1"
        history = screen.task_history("1")  # the detail pane's history: up to the cursor
        assert [e.kind for e in history] == ["task.created", "task.changed", "task.changed"]
        assert "in_progress" in render_history(history).plain
        await pilot.press("N")
        assert screen.replay.cursor == 5
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
        assert [e.kind for e in pilot.app.screen.events] == ["task.created", "task.changed"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        await wait_for(pilot, lambda: "ann" in screen.query_one(AgentList).panels,
                       what="agent panel")
        screen.query_one(AgentList).panels["ann"].focus()
        await pilot.press("n")
        assert screen.replay.cursor == 6  # ann became active


async def test_no_write_is_offered_and_help_lists_the_review_keys(tmp_path: Path) -> None:
    app = review_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await opened(pilot)
        await pilot.press("c")  # complete, in the live console
        await pilot.pause()
        assert len(pilot.app.screen_stack) == 2  # no dialog opened
        keys = {b.binding.action for b in screen.active_bindings.values()}
        assert "complete" not in keys and "pause" not in keys and "step(1)" in keys
        table = bindings_table(screen)
        text = " ".join(str(cell) for column in table.columns for cell in column._cells)
        for words in ("Previous event", "Next event", "Back 1 min", "Forward 1 min", "Start",
                      "End", "Next of selection"):
            assert words in text
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))


async def test_a_click_on_the_timeline_moves_the_cursor_there(tmp_path: Path) -> None:
    app = review_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await opened(pilot)
        timeline = screen.query_one(Timeline)
        width = timeline.content_size.width
        await pilot.click(Timeline, offset=(2, 2))  # the bar's first column: the start
        await wait_for(pilot, lambda: screen.replay.cursor == 1, what="cursor at the start")
        assert outline_rows(screen) == {}
        await pilot.click(Timeline, offset=(2 + width // 2, 2))  # the middle: T0 + 450 s
        await wait_for(pilot, lambda: screen.replay.cursor == 9, what="cursor in the middle")
        assert outline_rows(screen)["1"].startswith("#1 ✓")


def test_timeline_snapshot(snap_compare, tmp_path: Path) -> None:
    async def back_two(pilot) -> None:
        await opened(pilot)
        await pilot.press("comma", "comma")
        await pilot.pause()

    assert snap_compare(review_app(tmp_path), terminal_size=(120, 36), run_before=back_two)


async def test_a_member_going_idle_or_active_relabels_no_row(tmp_path: Path) -> None:
    app = review_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await opened(pilot)
        outline = screen.query_one(DependencyOutline)
        screen.go(5)  # #1 claimed by ann; the next event: ann goes active
        await pilot.pause()
        nodes = dict(outline._task_nodes)
        rows = outline_rows(screen)
        screen.go(6)
        await pilot.pause()
        assert screen.replay.events[5].kind == ev.MEMBER_ACTIVE
        assert outline._task_nodes == nodes and all(
            outline._task_nodes[t] is nodes[t] for t in nodes)  # not rebuilt
        assert outline_rows(screen) == rows
        screen.go(5)
        await pilot.pause()
        assert outline_rows(screen) == rows
        # a member joining with a colour rebuilds: the rows name owners in their colours
        screen.go(1)
        await pilot.pause()
        screen.go(0)
        await pilot.pause()
        assert screen.replay.cursor == 0
