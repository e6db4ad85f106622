"""Every binding id the console knows, so a keymap naming another one can be reported."""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    stack = [cls]
    while stack:
        for sub in stack.pop().__subclasses__():
            found.append(sub)
            stack.append(sub)
    return found


def known_binding_ids() -> set[str]:
    """The ids of every binding declared by a screen, widget or app loaded so far."""
    from . import app  # noqa: F401  (loads every screen and widget of the console)

    ids: set[str] = set()
    for cls in _subclasses(DOMNode):
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def key_for(app: object, binding_id: str, default: str) -> str:
    """The key the user's keymap gives ``binding_id`` (its display form), else ``default``."""
    keymap = getattr(getattr(app, "settings", None), "keymap", {}) or {}
    keys = keymap.get(binding_id)
    if not keys:
        return default
    first = keys.split(",")[0].strip()
    return first or default
