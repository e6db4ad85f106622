"""Each task's line of the ``show --json`` document, written as JSON text directly.

The line is what ``json.dumps`` (``ensure_ascii=False``, no indent) writes for the task's
entry: its fields (:meth:`Task.to_json`), its times, flags, wave, place on the critical
path and gate counts, in that order. Building that dict for every task and encoding it
cost a third of ``show --json`` at 10,000 tasks; here each string goes through the C
encoder's string function alone, and what repeats from task to task (the times' sources,
the gate counts, the flags, a time shared by two keys) is encoded once. Anything that is
not what a task from a file holds (a value of another type, a time that would replace a
field) takes the dict's way, so the text is the same whatever comes. A test holds the
two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from taskboard.board.jsontext import Encoded, encode_value, escape_invisible

if TYPE_CHECKING:
    from taskboard.board.model import State, Task
    from taskboard.board.rules import Flag
    from taskboard.board.waves import Plan

_FIELDS = frozenset(("id", "subject", "description", "status", "owner", "activeForm",
                     "blocks", "blockedBy", "metadata", "state", "path", "stale", "flags",
                     "wave", "onCriticalPath", "gates"))
"""The entry's own keys: a time under one of them would replace it, not follow it."""


def task_entry(task: Task, state: State, times: Mapping[str, Any], flags: list[dict[str, Any]],
               wave: int | None, on_path: bool, gates: tuple[int, int]) -> dict[str, Any]:
    """One task's entry as a dict: what :func:`task_lines` writes as text."""
    doc = task.to_json(state)
    doc.update(times)
    doc["flags"] = flags
    doc["wave"] = wave
    doc["onCriticalPath"] = on_path
    doc["gates"] = {"direct": gates[0], "all": gates[1]}
    return doc


def flag_texts(flag_json: Callable[[Flag], dict[str, Any]]) -> Callable[[Flag], str]:
    """A flag's entry as JSON text (not yet made inert), encoded once per flag."""
    done: dict[Flag, str] = {}

    def flag_text(flag: Flag) -> str:
        text = done.get(flag)
        if text is None:
            text = done[flag] = encode_value(flag_json(flag))
        return text

    return flag_text


def _ids(ids: tuple[str, ...], es: Callable[[str], str] = encode_basestring) -> str:
    return "[" + ", ".join(map(es, ids)) + "]" if ids else "[]"


def task_lines(order: Iterable[str], tasks: Mapping[str, Task], states: Mapping[str, State],
               times: Mapping[str, Mapping[str, Any]], flagged: Mapping[str, list[Flag]],
               flag_json: Callable[[Flag], dict[str, Any]], work: Plan,
               flag_text: Callable[[Flag], str] | None = None) -> list[Encoded]:
    """Each task's entry in ``order``, as an inert line of JSON (see the module's doc);
    ``flag_json``: a flag's entry, ``flag_text``: the same as JSON text (by default
    encoded here, once per flag)."""
    from taskboard.board.model import State

    if flag_text is None:
        flag_text = flag_texts(flag_json)
    es = encode_basestring
    unknown = State.UNKNOWN
    state_texts: dict[Any, str] = {}
    dict_texts: dict[tuple[tuple[Any, Any], ...], str] = {}
    gate_texts: dict[tuple[int, int], str] = {}
    wave_of, direct, gates = work.wave_of, work.gates_direct, work.gates_all
    on_path = frozenset(work.critical_path)
    no_times: Mapping[str, Any] = {}
    last_float: Any = None
    last_text = ""
    lines: list[Encoded] = []
    for tid in order:
        task = tasks[tid]
        state = states.get(tid, unknown)
        times_of = times.get(tid, no_times)
        task_flags = flagged.get(tid, ())
        wave = wave_of.get(tid)
        gate = (direct.get(tid, 0), gates.get(tid, 0))
        try:
            owner, form, metadata = task.owner, task.active_form, task.metadata
            meta_text = ("{}" if not metadata and type(metadata) is dict
                         else encode_value(metadata))
            state_text = state_texts.get(state)
            if state_text is None:
                state_text = state_texts[state] = encode_value(str(state))
            line = (f'{{"id": {es(tid)}, "subject": {es(task.subject)}, '
                    f'"description": {es(task.description)}, "status": {es(task.status)}, '
                    f'"owner": {"null" if owner is None else es(owner)}, '
                    f'"activeForm": {"null" if form is None else es(form)}, '
                    f'"blocks": {_ids(task.blocks)}, "blockedBy": {_ids(task.blocked_by)}, '
                    f'"metadata": {meta_text}, "state": {state_text}')
            parts = [line]
            if task.path is not None:
                parts.append(f', "path": {es(str(task.path))}')
            if task.stale:
                parts.append(', "stale": true')
            if times_of:
                if not _FIELDS.isdisjoint(times_of):
                    raise TypeError("a time under a field's name")
                for key, value in times_of.items():
                    if type(value) is float:
                        if value is not last_float:
                            # JSON has no NaN or Infinity: null, as encode_value writes them
                            last_text = repr(value) if value - value == 0 else "null"
                            last_float = value
                        text = last_text
                    elif type(value) is dict:
                        items = tuple(value.items())
                        text = dict_texts.get(items)  # type: ignore[assignment]
                        if text is None:
                            text = dict_texts[items] = encode_value(value)
                    else:
                        text = encode_value(value)
                    parts.append(f", {es(key)}: {text}")
            gate_text = gate_texts.get(gate)
            if gate_text is None:
                if type(gate[0]) is not int or type(gate[1]) is not int:
                    raise TypeError("a gate count that is not a number")
                gate_text = gate_texts[gate] = f'{{"direct": {gate[0]}, "all": {gate[1]}}}'
            flags_text = ("[" + ", ".join(map(flag_text, task_flags)) + "]"
                          if task_flags else "[]")
            if wave is None:
                wave_text = "null"
            elif type(wave) is int:
                wave_text = str(wave)
            else:
                raise TypeError("a wave that is not a number")
            parts.append(f', "flags": {flags_text}, "wave": {wave_text}, "onCriticalPath": '
                         f'{"true" if tid in on_path else "false"}, "gates": {gate_text}}}')
            text = "".join(parts)
        except (TypeError, ValueError, AttributeError):
            # Not a task as files make them: the dict's way, whatever it holds.
            text = encode_value(task_entry(task, state, times_of,
                                           [flag_json(f) for f in task_flags],
                                           wave, tid in on_path, gate))
        lines.append(Encoded(escape_invisible(text)))
    return lines
