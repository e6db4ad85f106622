"""The ANSI colours of taskboard's state styles, made readable in every theme.

taskboard's styles name ANSI colours (``green`` for done, ``yellow`` for running, ``cyan``
for ready, ``magenta`` for blocked, ``red`` for problems), so the CLI follows the user's
terminal. In the console Textual maps ANSI colours to RGB through one terminal palette for
dark themes and one for light ones; its defaults make ``magenta`` the same red as ``red`` in
dark themes, and ``yellow`` faint on light backgrounds. These palettes keep every state
colour distinct and at a contrast of at least 3:1 on the surface, background and panel of
every built-in Textual theme (a unit test measures it).
"""

from __future__ import annotations

from rich.color_triplet import ColorTriplet
from rich.terminal_theme import TerminalTheme
from textual._ansi_theme import ALABASTER, MONOKAI

DARK = {1: "#ff8a80", 2: "#a6e22e", 3: "#ffac4a", 4: "#8ab4ff", 5: "#e3a0ff", 6: "#66d9ef"}
"""ANSI number -> RGB on dark themes: red, green, yellow, blue, magenta, cyan."""
LIGHT = {1: "#9e1f18", 2: "#286b15", 3: "#7a4e00", 4: "#1d4aa0", 5: "#7d2f96", 6: "#00627b"}
"""The same on light themes."""


def _hex(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _palette(base: TerminalTheme, colours: dict[int, str]) -> TerminalTheme:
    ansi = [tuple(base.ansi_colors[i]) for i in range(16)]
    for number, value in colours.items():
        ansi[number] = ansi[number + 8] = _hex(value)  # bright variants alike
    return TerminalTheme(tuple(base.background_color), tuple(base.foreground_color),
                         ansi[:8], ansi[8:])


TERMINAL_DARK = _palette(MONOKAI, DARK)
TERMINAL_LIGHT = _palette(ALABASTER, LIGHT)


def rgb(theme: TerminalTheme, number: int) -> ColorTriplet:
    """The RGB an ANSI colour number shows as under ``theme``."""
    return theme.ansi_colors[number]
