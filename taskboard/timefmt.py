"""Short human times for the console: ``12s``, ``4m``, ``2h``, and a clock time."""

from __future__ import annotations

import time


def ago(stamp: float | None, now: float, *, seconds: bool = True) -> str:
    """``12s ago`` for a past epoch time; ``-`` when unknown.

    ``seconds=False``: ``just now`` for anything under a minute. The console's live
    texts (an agent last seen, the list last changed, the task shown) use it: a count of
    seconds would change at every clock tick, and each change repaints a whole agent
    panel (~3 ms of Textual's rendering on a small 2-core machine) for a number the
    operator does not act on; the stall rules work in minutes."""
    if not stamp:
        return "-"
    elapsed = max(now - stamp, 0.0)
    if elapsed < 60:
        return f"{int(elapsed)}s ago" if seconds else "just now"
    if elapsed < 3600:
        return f"{int(elapsed // 60)}m ago"
    if elapsed < 86400:
        return f"{int(elapsed // 3600)}h ago"
    return f"{int(elapsed // 86400)}d ago"


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
