"""The compositor renders, for a partial update, only the widgets under the dirty
regions, and the update it produces is the one Textual's own compositor produces."""

from __future__ import annotations

import pytest
from rich.console import Console
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Static

from taskboard.ui.compositor import SpanCompositor

from .conftest import wait_for


class Counted(Static):
    """A pane that counts how often the compositor asks it for its lines."""

    def __init__(self, text: str, *, id: str) -> None:
        super().__init__("\n".join(f"{text} line {n}" for n in range(6)), id=id)
        self.renders = 0
        self.heights: list[int] = []

    def render_lines(self, crop):  # noqa: ANN001, ANN201
        self.renders += 1
        self.heights.append(crop.height)
        return super().render_lines(crop)


class Panes(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self._compositor = SpanCompositor()

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical():
                yield Counted("left top", id="left")
                yield Counted("left bottom", id="under")
            with Vertical():
                yield Counted("right top", id="right")
                yield Counted("right bottom", id="corner")
        yield Counted("status", id="status")


class PanesApp(App[None]):
    CSS = "Counted { height: 7; border: round white; } #status { height: 1; border: none; }"

    def on_mount(self) -> None:
        self.push_screen(Panes())


def text(update) -> str:  # noqa: ANN001
    console = Console(width=80, height=30, record=True, force_terminal=True,
                      color_system="truecolor", file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(update, end="")
    return console.export_text(styles=True)


async def test_a_partial_update_renders_the_widgets_under_it_and_writes_the_same_bytes() -> None:
    app = PanesApp()
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        compositor = screen._compositor
        assert isinstance(compositor, SpanCompositor)
        panes = {pane.id: pane for pane in screen.query(Counted)}
        left, corner = panes["left"], panes["corner"]
        # One line of the top-left pane and one of the bottom-right pane: the other three
        # panes lie outside both regions.
        dirty = [Region(left.region.x, left.region.y + 1, left.region.width, 1),
                 Region(corner.region.x, corner.region.y + 2, corner.region.width, 1)]
        compositor._dirty_regions.clear()
        for pane in panes.values():
            pane.renders, pane.heights = 0, []
        compositor._dirty_regions.update(dirty)
        ours = compositor.render_partial_update()
        assert {name for name, pane in panes.items() if pane.renders} == {"left", "corner"}
        # Of each, only the dirty line (Textual asks for all seven).
        assert left.heights == [1] and corner.heights == [1]

        for pane in panes.values():
            pane.renders, pane.heights = 0, []
        compositor._dirty_regions.update(dirty)
        textual = Compositor.render_partial_update(compositor)  # Textual's, on the same map
        # Textual's renders every widget whose container's area meets the bounding box:
        # here all five panes.
        assert {name for name, pane in panes.items() if pane.renders} == set(panes)
        assert left.heights == [7]
        assert ours is not None and textual is not None
        assert ours.spans == textual.spans
        assert text(ours) == text(textual)


class Column(Screen[None]):
    """A scrolling column of panes, the last ones below the fold (as the agent panels)."""

    def __init__(self, compositor: type[Compositor]) -> None:
        super().__init__()
        self._compositor = compositor()

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for n in range(8):
                yield Counted(f"pane {n}", id=f"pane{n}")
        yield Counted("status", id="status")


class ColumnApp(App[None]):
    CSS = "Counted { height: 7; border: round white; } #status { height: 1; border: none; }"

    def __init__(self, compositor: type[Compositor]) -> None:
        super().__init__()
        self.compositor = compositor

    def on_mount(self) -> None:
        self.push_screen(Column(self.compositor))


@pytest.mark.parametrize("compositor", [SpanCompositor, Compositor])
async def test_a_pane_repainted_off_screen_does_not_lay_out_every_widget_again(
        compositor: type[Compositor]) -> None:
    app = ColumnApp(compositor)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        below, status = screen.query_one("#pane7", Counted), screen.query_one("#status", Counted)
        assert below not in screen._compositor.visible_widgets
        arranged: list[bool] = []
        arrange = screen._compositor._arrange_root

        def counted(root, size, visible_only=True):  # noqa: ANN001, ANN202
            arranged.append(visible_only)
            return arrange(root, size, visible_only)

        screen._compositor._arrange_root = counted
        below.update("pane 7, new text", layout=False)
        status.update("status, new text", layout=False)
        await pilot.pause()
        await wait_for(pilot, lambda: "status, new text" in status.render_lines(
            Region(0, 0, status.size.width, 1))[0].text, what="the status repainted")
        if compositor is SpanCompositor:
            assert False not in arranged, "no layout of every widget"
        else:  # Textual's own: the repaint off screen makes it lay out everything again
            assert False in arranged
        below.scroll_visible(animate=False)
        await pilot.pause()
        await wait_for(pilot, lambda: below in screen._compositor.visible_widgets,
                       what="the last pane scrolled into view")
        assert "pane 7, new text" in "".join(
            strip.text for strip in below.render_lines(Region(0, 0, below.size.width, 3)))
