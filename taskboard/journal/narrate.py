"""One line of plain words per event, for review's timeline, reports and listings.

The words are plain text built from the event's fields, many of them from files (subjects,
agents' names, message texts): callers escape them for their format (``rich.text.Text``
on a terminal, :mod:`html` in a page, :mod:`taskboard.journal.report_text` for Markdown,
Mermaid and DOT).
"""

from __future__ import annotations

from typing import Any

from taskboard.journal import events as ev
from taskboard.journal.events import Event
from taskboard.textsafe import one_line

FIELDS = ("status", "owner", "blockedBy", "blocks", "subject", "activeForm", "description")
"""The task fields worth naming, in the order they are named."""


def _value(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, list):
        return ", ".join(f"#{v}" for v in value) if value else "none"
    return one_line(str(value), 60)


def task_change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """``status pending → in_progress, owner - → ann`` for the fields that moved."""
    before, after = before or {}, after or {}
    keys = [k for k in FIELDS if k in before or k in after]
    keys += [k for k in dict.fromkeys([*before, *after]) if k not in FIELDS]
    parts = [f"{key} {_value(before.get(key))} → {_value(after.get(key))}" for key in keys
             if before.get(key) != after.get(key)]
    return ", ".join(parts) if parts else "no visible change"


def describe(event: Event) -> str:
    """What happened, in a few words (no time, no markup)."""
    kind, detail = event.kind, event.detail or {}
    task = f"#{event.task}" if event.task else ""
    if kind == ev.TASK_CREATED:
        subject = (event.after or {}).get("subject", "")
        return f"{task} created: {one_line(str(subject), 80)}"
    if kind == ev.TASK_CHANGED:
        return f"{task} {task_change(event.before, event.after)}"
    if kind == ev.TASK_REMOVED:
        how = " (auto-clear)" if detail.get("auto_clear") else ""
        return f"{task} removed{how}"
    if kind in (ev.MEMBER_JOINED, ev.MEMBER_LEFT, ev.MEMBER_IDLE, ev.MEMBER_ACTIVE):
        word = {ev.MEMBER_JOINED: "joined", ev.MEMBER_LEFT: "left", ev.MEMBER_IDLE: "went idle",
                ev.MEMBER_ACTIVE: "became active"}[kind]
        return f"{one_line(event.agent or '?', 40)} {word}"
    if kind == ev.MESSAGE:
        sender = one_line(str(detail.get("from") or "?"), 40)
        summary = detail.get("summary") or detail.get("text") or ""
        return (f"message {sender} → {one_line(event.agent or '?', 40)}: "
                f"{one_line(str(summary), 80)}")
    if kind == ev.OPERATOR_WRITE:
        verb = one_line(str(detail.get("verb") or "write"), 30)
        target = one_line(str(detail.get("target") or task or event.agent or ""), 40)
        result = one_line(str(detail.get("result") or ""), 30)
        summary = one_line(str(detail.get("summary") or ""), 80)
        text = f"operator {verb} {target}".rstrip()
        return f"{text}: {result}" + (f" ({summary})" if summary else "") if result else text
    if kind in (ev.LIST_APPEARED, ev.LIST_VANISHED, ev.TEAM_APPEARED, ev.TEAM_VANISHED):
        what = "task list" if kind.startswith("list") else "team directory"
        return f"{what} {'appeared' if kind.endswith('appeared') else 'removed'}"
    return " ".join(p for p in (kind, task, one_line(event.agent or "", 40)) if p)
