"""Themes: the state colours readable in every built-in theme, the palette's choice
remembered, the config's theme first, NO_COLOR honoured."""

from __future__ import annotations

import json

import pytest
from rich.style import Style
from textual.app import App
from textual.color import Color

from taskboard.config import Settings
from taskboard.render import STATE_STYLES
from taskboard.ui.colors import TERMINAL_DARK, TERMINAL_LIGHT, rgb

from .conftest import loaded, make_app, wait_for

BUILT_IN = [name for name, theme in App().available_themes.items() if not theme.ansi]
"""Every built-in theme that maps ANSI colours (the ansi-* ones use the terminal's own)."""


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two colours."""
    def luminance(c: Color) -> float:
        def channel(v: int) -> float:
            s = v / 255
            return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_state_colour_reads_at_3_to_1_and_stays_distinct(name: str) -> None:
    app = App()
    app.theme = name
    variables = app.get_css_variables()
    palette = TERMINAL_DARK if app.current_theme.dark else TERMINAL_LIGHT
    shown = {}
    for state, style in STATE_STYLES.items():
        colour = Style.parse(style).color
        assert colour is not None and colour.number is not None and colour.number < 16
        triplet = rgb(palette, colour.number)
        shown[state] = triplet
        for where in ("surface", "background", "panel"):
            ratio = contrast(Color(*triplet), Color.parse(variables[where]))
            assert ratio >= 3.0, f"{state} on {name}'s {where}: {ratio:.2f}"
    assert len(set(shown.values())) == len(shown), "two states share a colour"


async def _choose_theme_in_the_palette(pilot, theme: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"theme")
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause(0.3)
    await pilot.press(*theme)
    await pilot.pause(0.3)
    await pilot.press("enter")


async def test_a_theme_chosen_in_the_palette_is_remembered(home, tmp_path) -> None:
    state = tmp_path / "data"
    app = make_app(home, state_dir=state)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        assert app.theme == "textual-dark"
        assert not (state / "state.json").exists(), "the start-up theme is not a choice"
        await _choose_theme_in_the_palette(pilot, "nord")
        await wait_for(pilot, lambda: app.theme == "nord", what="nord applied")
        await wait_for(pilot, lambda: (state / "state.json").exists(), what="state saved")
    assert json.loads((state / "state.json").read_text())["theme"] == "nord"

    again = make_app(home, state_dir=state)
    async with again.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        assert again.theme == "nord"

    configured = make_app(home, state_dir=state, settings=Settings(theme="dracula"))
    async with configured.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        assert configured.theme == "dracula"


async def test_an_unknown_theme_is_reported_and_the_default_used(home, tmp_path) -> None:
    app = make_app(home, state_dir=tmp_path, settings=Settings(theme="no-such-theme"))
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        assert app.theme == "textual-dark"
        assert any("no-such-theme" in n.message for n in app._notifications)


def test_light_theme(snap_compare, home):
    assert snap_compare(make_app(home, settings=Settings(theme="textual-light")),
                        terminal_size=(120, 36), run_before=loaded)


def test_no_color(snap_compare, home, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(home), terminal_size=(120, 36), run_before=loaded)


async def test_the_css_is_parsed_about_once_at_start_and_again_for_a_new_theme(
        home, monkeypatch) -> None:
    """Textual parses its CSS two to four times before the first frame (the theme's
    watcher sets equal variables, which emptied the parse cache, and each batch of widget
    classes mounted parsed every source again). The console's stylesheet parses each
    source once; a few small defaults again when a later widget class lowers their tie
    breaker (part of Textual's cache key). A theme with new variables parses everything
    once more, and its colours are applied."""
    import textual.css.stylesheet as stylesheet

    parsed: list[tuple[object, int]] = []
    real_parse = stylesheet.parse

    def counting_parse(scope, css, read_from, **kwargs):
        parsed.append((read_from, len(css)))
        return real_parse(scope, css, read_from, **kwargs)

    def parsed_share() -> float:
        total = sum(len(source.content) for source in app.stylesheet.source.values())
        return sum(size for _, size in parsed) / total

    monkeypatch.setattr(stylesheet, "parse", counting_parse)
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        assert parsed_share() < 1.25  # Textual's own: 2.0 here, headless
        own = [where for where, _ in parsed if str(where[0]).endswith("taskboard.tcss")]
        assert len(own) == 1
        background = app.screen.styles.background
        parsed.clear()
        app.theme = "nord"
        await wait_for(pilot, lambda: app.screen.styles.background != background,
                       what="nord's colours applied")
        assert 0.99 < parsed_share() < 1.25
