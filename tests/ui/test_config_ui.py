"""Settings reach the console: the keymap, the confirmation policy, bad files reported."""

from __future__ import annotations

import json

from taskboard.config import Settings, load_settings
from taskboard.ui.screens.confirm import ConfirmScreen

from .conftest import loaded, make_app, wait_for


async def test_keymap_rebinds_a_binding_by_id(home):
    app = make_app(home, settings=Settings(keymap={"console.pause": "ctrl+s"}))
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        assert not app.screen.paused, "p no longer pauses"
        await pilot.press("ctrl+s")
        assert app.screen.paused


async def test_confirm_never_writes_without_a_dialog(home):
    app = make_app(home, settings=Settings(confirm="never"))
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        app.screen.query_one("#outline").select_task("10")
        await pilot.press("c")
        path = home / "tasks" / "parser-team" / "10.json"
        await wait_for(pilot, lambda: json.loads(path.read_text())["status"] == "completed")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_a_bad_config_file_is_reported_and_the_console_opens(home, tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text("confirm = [\n")
    settings, warnings = load_settings(bad)
    app = make_app(home, settings=settings, warnings=warnings)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        assert app.screen.loaded
        messages = [n.message for n in app._notifications]
        assert any("config.toml" in m and "defaults" in m for m in messages)
