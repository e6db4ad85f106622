"""A compositor that renders, for a partial update, only the widgets under what changed.

Textual's compositor answers a partial update (a few dirty regions) by rendering
every visible widget that overlaps the *bounding box* of those regions, then
keeping only the dirty lines. One outline row on the left and one agent panel on
the right make a box over most of the console, so every pane (the outline's
visible lines, eight agent panels, the status bar, the footer, the scroll bars)
was rendered for a one-row change: 10-20 widgets, 5-8 ms a change at 160x50.

:class:`SpanCompositor` renders the widgets whose visible area overlaps one of the
dirty regions, and of each only the lines the dirty regions cover. The bytes sent are
the same: Textual writes only the dirty regions' spans, and every cell of a span is
covered by the widgets overlapping its region (the front-most one among them wins, as
before). Full updates are unchanged.

A repaint of a widget the layout placed off screen (the unowned pool's panel, scrolled
out of the agents pane) does not make Textual lay out every widget again: see
:meth:`SpanCompositor.update_widgets`.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


class SpanCompositor(Compositor):
    """Textual's compositor; a partial update renders only the widgets it touches."""

    def __init__(self) -> None:
        super().__init__()
        self._updating: list[Region] | None = None
        """The dirty regions of the partial update being rendered, else None."""

    def render_partial_update(self) -> ChopsUpdate | None:
        # The cuts (where widgets start and end on each line) are cached from the
        # visible widgets: computed from all of them, before the filter applies.
        _ = self.cuts
        self._updating = list(self._dirty_regions)
        try:
            return super().render_partial_update()
        finally:
            self._updating = None

    def update_widgets(self, widgets: set[Widget]) -> None:
        """Textual takes a widget to repaint that is not on screen for a new one, and drops
        its map of every widget's place: the next look-up of any widget's region (each
        render asks for its own) lays out the whole screen again, ~1 ms at every change
        of an agent panel scrolled out of view. A widget the map already places is not
        new; its place did not move (a move is a layout, which makes a new map)."""
        placed = not self._full_map_invalidated and widgets.issubset(self._full_map.keys())
        super().update_widgets(widgets)
        if placed:
            self._full_map_invalidated = False

    def _get_renders(self, crop: Region | None = None
                     ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        """Textual asks each widget for all its visible lines and keeps the dirty ones;
        a partial update here asks each widget only for its lines between the first and
        the last dirty line over it: one line of an outline row, not the pane's forty.
        (A widget's lines are kept by its own cache, but each line asked still costs its
        styling and filters: 2-3 ms for the outline's visible lines at 160x50.)"""
        regions = self._updating
        if not regions:
            yield from super()._get_renders(crop)
            return
        for widget, (region, clip) in self.visible_widgets.items():  # front to back
            visible = region.intersection(clip)
            top, bottom = visible.bottom, visible.y
            for dirty in regions:
                part = visible.intersection(dirty)
                if part.width and part.height:
                    top, bottom = min(top, part.y), max(bottom, part.bottom)
            if top >= bottom:
                continue
            lines = Region(visible.x, top, visible.width, bottom - top)
            yield lines, clip, widget.render_lines(
                Region(visible.x - region.x, top - region.y, visible.width, bottom - top))

    @property
    def visible_widgets(self) -> dict[Widget, tuple[Region, Region]]:
        widgets = super().visible_widgets
        regions = self._updating
        if not regions:
            return widgets
        # A widget's visible area is its region cut by its container's clip.
        return {widget: (region, clip) for widget, (region, clip) in widgets.items()
                if any(region.intersection(clip).overlaps(dirty) for dirty in regions)}
