"""Messages the console's parts send each other."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class TaskChosen(Message):
    """Jump to a task (from the problems list, the palette, an agent panel)."""

    task_id: str


@dataclass
class AgentChosen(Message):
    """Focus an agent's panel."""

    name: str
