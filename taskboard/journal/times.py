"""When each task was created, last changed and started running: from the journal when it
saw it happen, else from the task file's mtime (the only clock Claude Code's files have),
always saying which. What ``show --json`` prints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from taskboard.board.model import Board
from taskboard.journal import events as ev
from taskboard.journal.events import Event

SLACK = 1.0
"""Seconds: a file changed later than the journal's last record of it was changed while
nobody recorded, so its mtime is the better answer."""


def task_times(board: Board, events: Iterable[Event]) -> dict[str, dict[str, Any]]:
    """Per task id: ``created``, ``lastChange``, ``runningSince`` (running tasks only) and
    ``timesFrom`` (``journal`` or ``mtime`` for each)."""
    created: dict[str, float] = {}
    changed: dict[str, float] = {}
    running: dict[str, float | None] = {}
    for event in events:
        tid = event.task
        if tid is None or event.kind not in (ev.TASK_CREATED, ev.TASK_CHANGED,
                                             ev.TASK_REMOVED):
            continue
        if event.kind == ev.TASK_REMOVED:
            created.pop(tid, None)
            changed.pop(tid, None)
            running.pop(tid, None)
            continue
        initial = bool(event.detail.get("initial"))
        if event.kind == ev.TASK_CREATED and not initial:
            created[tid] = event.time
        changed[tid] = event.time
        status = (event.after or {}).get("status")
        if status == "in_progress":
            running[tid] = None if initial else event.time
        elif status is not None:
            running.pop(tid, None)
    out: dict[str, dict[str, Any]] = {}
    if not created and not changed and not running:
        # Nothing recorded (no journal, the usual case): every time is the file's mtime,
        # what the loop below makes, without a choice per key.
        for tid, task in board.tasks.items():
            mtime = task.mtime or None
            if task.status == "in_progress":
                out[tid] = {"created": mtime, "lastChange": mtime, "runningSince": mtime,
                            "timesFrom": {"created": "mtime", "lastChange": "mtime",
                                          "runningSince": "mtime"}}
            else:
                out[tid] = {"created": mtime, "lastChange": mtime,
                            "timesFrom": {"created": "mtime", "lastChange": "mtime"}}
        return out
    for tid, task in board.tasks.items():
        mtime = task.mtime or None
        last = changed.get(tid)
        if last is not None and mtime and mtime > last + SLACK:
            last = None  # changed while nobody recorded: the file knows better
        picks: dict[str, float | None] = {"created": created.get(tid), "lastChange": last}
        if task.status == "in_progress":
            picks["runningSince"] = running.get(tid)
        times: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for key, known in picks.items():
            times[key] = known if known is not None else mtime
            sources[key] = "journal" if known is not None else "mtime"
        times["timesFrom"] = sources
        out[tid] = times
    return out


__all__ = ["task_times"]
