"""Textual's stylesheet, with each CSS source parsed once per set of variables.

At start Textual parses every CSS source (the app's file and each widget class's
``DEFAULT_CSS``) up to four times before the first frame: once for the default screen,
again when the theme's watcher runs (``refresh_css``: new variables, though equal to the
old ones, clear the parse cache, and ``reparse`` parses into a fresh stylesheet whose cache
is thrown away), and once for each batch of widget classes the first screen mounts (every
source again, the cache being empty). Parsing is a third of the time from ``App.run`` to
the first frame.

Here the cache is cleared only when the variables really change (a theme chosen in the
palette), and ``reparse`` parses in place, so a source is parsed again only when its text
or the variables moved. What Textual does on an error is kept: the rules in use stay as
they were and the bad source is remembered as invalid.
"""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet


class KeptStylesheet(Stylesheet):
    """A :class:`Stylesheet` whose parse cache survives unchanged variables."""

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables == self._variables:
            return
        super().set_variables(variables)

    def reparse(self) -> None:
        # Stylesheet.parse assigns the rules only when every source parsed, and records
        # a failing source in _invalid_css before raising: what reparse's fresh copy did.
        self.parse()


def keep_parses(app: object) -> None:
    """Give ``app`` (a Textual App, before it runs) a :class:`KeptStylesheet`."""
    old = app.stylesheet  # type: ignore[attr-defined]
    sheet = KeptStylesheet(variables=old._variables)
    sheet.source = old.source.copy()
    app.stylesheet = sheet  # type: ignore[attr-defined]
