"""Rules about one task and its owner: stalled, idle while holding, failed, reported done
but not closed, owner gone, started while blocked, completed with open blockers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from taskboard.board.model import Board, Message, State, Task
from taskboard.board.rules.flags import Flag, Thresholds, duration
from taskboard.board.rules.signals import Life, Signals
from taskboard.textsafe import one_line

FAILURE_WORDS = re.compile(
    r"\b(failed|gave up|giving up|(?:can ?not|can't|could not|couldn't|unable to) "
    r"(?:finish|complete|do|fix|proceed))\b", re.IGNORECASE)
"""Last words that say the work failed; narrow on purpose (false alarms cost trust)."""
DONE_WORDS = re.compile(
    r"\b(?:finished|completed|done with|closed|wrapped up)\s+(?:task\s+)?#(\d+)", re.IGNORECASE)


def message_time(message: Message, fallback: float) -> float:
    when = message.when
    return when.timestamp() if when is not None else fallback


def _started(task: Task, signals: Signals) -> float:
    return signals.task_since.get(task.id, task.mtime)


def running_rules(board: Board, task: Task, life: Life | None, now: float,
                  limits: Thresholds, signals: Signals) -> Iterator[Flag]:
    """Stalled or idle while holding, for one running task."""
    owner = task.owner
    if owner is None:
        yield Flag("unowned_running", "warning", f"#{task.id} is in progress but nobody "
                   "owns it", _started(task, signals), task.id)
        return
    if life is None:
        return
    if life.working is False:
        began = _started(task, signals)
        since = max(s for s in (life.idle_since, began) if s is not None)
        if now - since > limits.idle:
            yield Flag("idle_holding", "warning",
                       f"{owner} is idle ({life.evidence}) but holds #{task.id} in progress, "
                       f"for {duration(now - since)}", since, task.id, owner)
        return
    act = life.activity
    if act is not None and act.state == "thinking" and act.since is not None \
            and now - act.since <= limits.thinking:
        return  # a long model response: the transcript lags, this is not a stall
    if act is not None and act.state == "tool" and life.working:
        return  # running a tool (a long build, a sleep): alive by its transcript
    sign = max(task.mtime, life.last_seen or 0.0)
    if sign and now - sign > limits.stall:
        yield Flag("stalled", "critical",
                   f"#{task.id} is in progress, but {owner} has shown no sign of life for "
                   f"{duration(now - sign)} (no task file change, message or transcript line)",
                   sign, task.id, owner)


def link_rules(board: Board, task: Task, state: State, signals: Signals) -> Iterator[Flag]:
    """Started while blocked; completed while a blocker is still open."""
    if state is State.IN_PROGRESS:
        unmet = board.analysis.unmet_blockers(task, board.tasks)
        if unmet:
            refs = ", ".join(f"#{b}" for b in unmet)
            yield Flag("started_while_blocked", "warning",
                       f"#{task.id} is in progress but waits on {refs}, not completed",
                       _started(task, signals), task.id, task.owner)
    elif state is State.COMPLETED:
        done_at = _started(task, signals)
        open_before: list[str] = []
        for blocker in board.analysis.unmet_blockers(task, board.tasks):
            other = board.tasks.get(blocker)
            # A blocker reopened after this task was completed is not this task's fault.
            if other is None or _started(other, signals) <= done_at:
                open_before.append(blocker)
        if open_before:
            refs = ", ".join(f"#{b}" for b in open_before)
            yield Flag("completed_with_open_blockers", "warning",
                       f"#{task.id} is completed but its blocker {refs} is not", done_at,
                       task.id, task.owner)


def owner_rule(board: Board, task: Task, state: State, life: Life | None) -> Iterator[Flag]:
    """Open work whose owner left the team (shut down or removed)."""
    owner = task.owner
    if owner is None or state is State.COMPLETED or board.team is None:
        return
    # Membership is the evidence: a transcript's "gone" may only mean the session ended.
    if board.team.member(owner) is None:
        severity = "critical" if state is State.IN_PROGRESS else "warning"
        yield Flag("owner_gone", severity,
                   f"#{task.id} is owned by {one_line(owner, 24)}, who is not on the team "
                   "(shut down or removed)", max(task.mtime, board.team_mtime) or None,
                   task.id, owner)


def report_rules(board: Board, messages: list[tuple[str, Message]], lives: dict[str, Life],
                 running: dict[str, list[Task]], now: float,
                 signals: Signals) -> Iterator[Flag]:
    """What agents said: a task failed, or finished while it is still open."""
    for _recipient, message in messages:
        proto = message.protocol or {}
        sender = message.sender
        said = message_time(message, now)
        if message.kind == "idle_notification":
            done = proto.get("completedTaskId")
            status = proto.get("completedStatus")
            failure = proto.get("failureReason")
            task = board.tasks.get(str(done)) if done is not None else None
            if task is None and (failure or status not in (None, "completed")):
                held = running.get(sender, [])
                task = held[0] if len(held) == 1 else None
            if task is None or board.state(task.id) is State.COMPLETED:
                continue
            if signals.task_since.get(task.id, 0.0) > said:
                continue  # the task changed status after the report
            if failure or status not in (None, "completed"):
                why = one_line(str(failure or status), 100)
                yield Flag("failed", "critical", f"{sender} reported #{task.id} failed: {why}",
                           said, task.id, sender)
            elif task.owner == sender:
                yield Flag("not_closed", "warning", f"{sender} reported #{task.id} finished "
                           "(idle notification), but it is not marked completed", said,
                           task.id, sender)
        elif message.kind == "text":
            for found in DONE_WORDS.finditer(message.text):
                task = board.tasks.get(found.group(1))
                if task is not None and task.owner == sender and \
                        board.state(task.id) is not State.COMPLETED and \
                        signals.task_since.get(task.id, 0.0) <= said:
                    yield Flag("not_closed", "warning",
                               f"{sender} said \"{one_line(found.group(0), 40)}\", but "
                               f"#{task.id} is not marked completed", said, task.id, sender)
    for name, life in lives.items():
        act = life.activity
        if act is None or not act.last_words or life.working is not False:
            continue
        held = running.get(name, [])
        if not held:
            continue
        words = one_line(act.last_words, 80)
        if FAILURE_WORDS.search(act.last_words):
            for task in held:
                yield Flag("failed", "warning", f"{name}'s last words before going idle "
                           f"holding #{task.id}: \"{words}\"", life.idle_since, task.id, name)
        else:
            for found in DONE_WORDS.finditer(act.last_words):
                task = board.tasks.get(found.group(1))
                if task in held:
                    yield Flag("not_closed", "warning", f"{name}'s last words: \"{words}\", "
                               f"but #{task.id} is not marked completed", life.idle_since,
                               task.id, name)
