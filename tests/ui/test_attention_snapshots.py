"""SVG snapshots of the attention pane, flagged rows and the waves view (frozen clock,
watcher off, fixed sizes). The 80x24 layout is ``test_snapshots.test_main_screen_narrow``."""

from __future__ import annotations

from taskboard.ui.widgets.attention import AttentionList
from taskboard.ui.widgets.outline import DependencyOutline

from .conftest import loaded, make_app


def test_attention_pane_focused_on_a_flag(snap_compare, home):
    async def focus_second_flag(pilot) -> None:
        await loaded(pilot)
        screen = pilot.app.screen
        screen.query_one(DependencyOutline).select_task("8")
        pane = screen.query_one(AttentionList)
        pane.focus()
        pane.highlighted = 1
        await pilot.pause()

    assert snap_compare(make_app(home), terminal_size=(120, 36), run_before=focus_second_flag)


def test_flagged_rows_at_80x24(snap_compare, home):
    async def on_task_8(pilot) -> None:
        await loaded(pilot)
        pilot.app.screen.query_one(DependencyOutline).select_task("11")
        await pilot.pause()

    assert snap_compare(make_app(home), terminal_size=(80, 24), run_before=on_task_8)


def test_waves_view(snap_compare, home):
    async def waves(pilot) -> None:
        await loaded(pilot)
        await pilot.press("w")
        await pilot.pause()

    assert snap_compare(make_app(home), terminal_size=(120, 36), run_before=waves)
