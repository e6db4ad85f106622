"""The team picker shown by a bare ``taskboard``."""

from __future__ import annotations

from taskboard.ui.screens.console import ConsoleScreen
from taskboard.ui.screens.picker import PickerScreen

from .conftest import make_app, wait_for


async def test_picker_lists_teams_and_opens_the_chosen_one(home, monkeypatch):
    monkeypatch.delenv("CLAUDE_CODE_TASK_LIST_ID", raising=False)
    app = make_app(home, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        names = [e.name for e in app.screen.entries]
        assert set(names) == {"parser-team", "broken-team"}
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConsoleScreen))
        assert app.screen.paths.name == names[0]


async def test_picker_preselects_the_task_list_id_from_the_environment(home, monkeypatch):
    monkeypatch.setenv("CLAUDE_CODE_TASK_LIST_ID", "broken-team")
    app = make_app(home, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConsoleScreen))
        assert app.screen.paths.name == "broken-team"
