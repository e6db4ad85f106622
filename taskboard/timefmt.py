"""Short human times for the console: ``12s``, ``4m``, ``2h``, and a clock time."""

from __future__ import annotations

import time


def ago(stamp: float | None, now: float) -> str:
    """``12s ago`` for a past epoch time; ``-`` when unknown."""
    if not stamp:
        return "-"
    seconds = max(now - stamp, 0.0)
    if seconds < 60:
        return f"{int(seconds)}s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h ago"
    return f"{int(seconds // 86400)}d ago"


def clock_time(stamp: float | None) -> str:
    """``10:41:09`` in local time; ``-`` when unknown."""
    if not stamp:
        return "-"
    return time.strftime("%H:%M:%S", time.localtime(stamp))


def duration(seconds: float) -> str:
    """``42 s``, ``6 min``, ``3 h``, ``2 d``: how long a state has lasted."""
    seconds = max(seconds, 0.0)
    if seconds < 60:
        return f"{int(seconds)} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} d"


def day_time(stamp: float | None) -> str:
    """``2026-12-02 10:41`` in local time; ``-`` when unknown."""
    if not stamp:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))
