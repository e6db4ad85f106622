"""SVG snapshots of the console's looks: frozen clock, watcher off, fixed sizes."""

from __future__ import annotations

from taskboard.ui.screens.console import ConsoleScreen
from taskboard.ui.screens.help import HelpScreen
from taskboard.ui.screens.picker import PickerScreen
from taskboard.ui.widgets.outline import DependencyOutline

from .conftest import loaded, make_app, wait_for


async def _on_task_5(pilot) -> None:
    await loaded(pilot)
    pilot.app.screen.query_one(DependencyOutline).select_task("5")
    await pilot.pause()


def test_main_screen_wide(snap_compare, home):
    assert snap_compare(make_app(home), terminal_size=(120, 36), run_before=_on_task_5)


def test_main_screen_narrow(snap_compare, home):
    assert snap_compare(make_app(home), terminal_size=(80, 24), run_before=_on_task_5)


def test_main_screen_with_problems(snap_compare, home):
    assert snap_compare(make_app(home, "broken-team"), terminal_size=(120, 36),
                        run_before=loaded)


def test_picker(snap_compare, home, monkeypatch):
    monkeypatch.delenv("CLAUDE_CODE_TASK_LIST_ID", raising=False)

    async def ready(pilot) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PickerScreen))
        await pilot.pause()

    assert snap_compare(make_app(home, None), terminal_size=(100, 24), run_before=ready)


def test_help_screen(snap_compare, home):
    async def open_help(pilot) -> None:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.pause()

    assert snap_compare(make_app(home), terminal_size=(120, 36), run_before=open_help)


def test_problems_screen(snap_compare, home):
    async def open_problems(pilot) -> None:
        await loaded(pilot)
        assert isinstance(pilot.app.screen, ConsoleScreen)
        await pilot.press("exclamation_mark")
        await pilot.pause()

    assert snap_compare(make_app(home, "broken-team"), terminal_size=(120, 36),
                        run_before=open_problems)
