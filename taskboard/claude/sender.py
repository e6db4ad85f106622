"""Under which name taskboard sends: its own, never a lead's. Apart from the team store so
that the settings (and every command's parser) know it without loading the store."""

from __future__ import annotations

from taskboard.claude.errors import InvalidSender

DEFAULT_SENDER = "taskboard"
"""The ``from`` of messages taskboard writes: a name of its own, never the lead's."""

LEAD_NAMES = ("team-lead", "user", "system")
"""Names Claude Code 2.1.3xx shows to a teammate as forged (``verified="false"``) unless the lead
process itself wrote the message: taskboard never sends under one of them."""


def check_sender(name: str) -> str:
    """``name`` if taskboard may send under it; InvalidSender for an empty or a lead name."""
    if not name or not name.strip():
        raise InvalidSender("the sender name cannot be empty")
    if name.strip().lower() in LEAD_NAMES:
        raise InvalidSender(
            f"'{name}' is a lead name: Claude Code shows a message from '{name}' that the lead "
            f"did not write as forged (verified=\"false\"); send under a name of your own, "
            f"for example '{DEFAULT_SENDER}' (the default)")
    return name
