"""The console's filter: words match id, subject, owner and activeForm; ``owner:NAME``
and ``state:STATE`` narrow by field. Every term must match (AND); case is ignored."""

from __future__ import annotations

from dataclasses import dataclass

from taskboard.board.model import State, Task
from taskboard.board.outline import LABELS

_STATE_WORDS: dict[str, State] = {label: state for state, label in LABELS.items()}
_STATE_WORDS.update({str(state): state for state in State})


@dataclass(frozen=True)
class TaskFilter:
    """A parsed filter. An empty filter matches everything."""

    words: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    states: tuple[State, ...] = ()
    unknown: tuple[str, ...] = ()
    """Terms that looked like ``field:value`` with a field or state we do not know."""

    @property
    def empty(self) -> bool:
        return not (self.words or self.owners or self.states)

    def matches(self, task: Task, state: State) -> bool:
        if self.states and state not in self.states:
            return False
        owner = (task.owner or "").lower()
        if self.owners and not any(
                owner == o or (o in ("-", "none", "nobody") and not owner) for o in self.owners):
            return False
        haystack = " ".join((task.subject, owner, task.active_form or "")).lower()
        return all(word == f"#{task.id}" if _is_id(word) else word in haystack
                   for word in self.words)


def _is_id(word: str) -> bool:
    """``#12`` names exactly task 12 (not 120)."""
    return word.startswith("#") and word[1:].isdigit()


def parse_filter(text: str) -> TaskFilter:
    """Parse the filter box: ``parser owner:tester state:blocked``."""
    words: list[str] = []
    owners: list[str] = []
    states: list[State] = []
    unknown: list[str] = []
    for term in text.lower().split():
        key, sep, value = term.partition(":")
        if sep and key == "owner" and value:
            owners.append(value.lstrip("@"))
        elif sep and key == "state" and value:
            state = _STATE_WORDS.get(value)
            if state is None:
                unknown.append(term)
            else:
                states.append(state)
        elif sep and key in ("owner", "state"):
            unknown.append(term)
        else:
            words.append(term)
    return TaskFilter(tuple(words), tuple(owners), tuple(states), tuple(unknown))
