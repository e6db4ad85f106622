"""One line of plain text per event, for ``history``, the console's history panes and
reports. Pure; the text comes from files, so callers render it as ``rich.text.Text``."""

from __future__ import annotations

from typing import Any

from taskboard.journal import events as ev
from taskboard.journal.events import Event
from taskboard.textsafe import one_line


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[" + ", ".join(f"#{v}" for v in value) + "]"
    if isinstance(value, dict):
        return "{…}"
    return one_line(str(value), 60)


def field_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """``status pending -> in_progress, owner - -> alice``."""
    before, after = before or {}, after or {}
    parts = []
    for key in dict.fromkeys([*before, *after]):
        parts.append(f"{key} {_value(before.get(key))} -> {_value(after.get(key))}")
    return ", ".join(parts)


def describe(event: Event) -> str:
    """What happened, in a line: ``#3 status pending -> completed``, ``alice went idle``."""
    kind, d = event.kind, event.detail
    task = f"#{event.task}" if event.task else ""
    if kind == ev.TASK_CREATED:
        after = event.after or {}
        first = " (there when recording began)" if d.get("initial") else ""
        return f"{task} created: {one_line(str(after.get('subject', '')), 60)}{first}"
    if kind == ev.TASK_CHANGED:
        return f"{task} {field_changes(event.before, event.after)}"
    if kind == ev.TASK_REMOVED:
        how = " by auto-clear (every task was completed)" if d.get("auto_clear") else ""
        return f"{task} removed{how}"
    if kind == ev.MEMBER_JOINED:
        return f"{event.agent} joined"
    if kind == ev.MEMBER_LEFT:
        return f"{event.agent} left"
    if kind == ev.MEMBER_IDLE:
        return f"{event.agent} went idle"
    if kind == ev.MEMBER_ACTIVE:
        return f"{event.agent} is active"
    if kind == ev.MESSAGE:
        what = d.get("type", "text")
        summary = one_line(str(d.get("summary") or d.get("text") or ""), 70)
        label = "" if what == "text" else f"[{what}] "
        return f"{d.get('from', '?')} -> {d.get('to', event.agent)}: {label}{summary}"
    if kind == ev.OPERATOR_WRITE:
        result = d.get("result", "ok")
        text = one_line(str(d.get("summary", "")), 80)
        return f"operator {d.get('verb', '?')} {d.get('target', '')}: {result}" + (
            f" ({text})" if text else "")
    if kind in (ev.LIST_APPEARED, ev.LIST_VANISHED, ev.TEAM_APPEARED, ev.TEAM_VANISHED):
        what, _, change = kind.partition(".")
        return f"the {'task list' if what == 'list' else 'team directory'} {change}"
    return one_line(f"{kind} {task or event.agent or ''} {d or ''}".strip(), 100)


def actor(event: Event) -> str:
    """Who made the change, when known: the operator, or the task's owner at the time."""
    if event.source == "operator":
        return str(event.detail.get("by") or "operator")
    if event.kind == ev.MESSAGE:
        return str(event.detail.get("from") or "")
    return event.agent or ""


__all__ = ["actor", "describe", "field_changes"]
