"""The footer, with ``?`` (help) and ``q`` (quit) first, so a narrow terminal shows them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST = ("help", "quit")


class ConsoleFooter(Footer):
    """Textual's footer; the keys to get help and to leave come before the rest."""

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())

        def rank(widget: object) -> int:
            if isinstance(widget, FooterKey) and "-command-palette" not in widget.classes:
                action = widget.action.rpartition(".")[2]
                return FIRST.index(action) if action in FIRST else len(FIRST)
            return len(FIRST) + 1 if isinstance(widget, FooterKey) else len(FIRST)

        yield from sorted(widgets, key=rank)
