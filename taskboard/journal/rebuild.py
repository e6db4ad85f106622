"""A team's task history rebuilt from its transcripts: tool calls in, events out
(TRANSCRIPTS.md, "A team's task history", step 3). Pure: no I/O.

Every event is ``source="import"`` and carries ``detail.tool_use_id`` (or the delivered
message) it came from, and a ``key`` made of it, so importing twice records nothing new.
What the transcripts cannot show (writes by taskboard, hand edits, auto-clear) is found by
:func:`disagreements`, which compares the rebuilt tasks with another source and names
which source said what.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from taskboard.claude.history import Delivered, Extracted, ToolCall
from taskboard.journal import events as ev
from taskboard.journal.events import Event, digest

CREATED = re.compile(r"^Task #(\S+) created successfully: ")
UPDATED = re.compile(r"^Updated task #(\S+)")
TERMINATED = re.compile(r'#(\d+) "')
ORDER = ("id", "subject", "description", "activeForm", "owner", "status", "blocks",
         "blockedBy", "metadata")
COMPARED = ORDER
"""The task fields compared with other sources."""


@dataclass
class Rebuilt:
    """The replay's result: the events, the tasks at the end, and what could not be applied."""

    events: list[Event] = field(default_factory=list)
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def _ordered(task: dict[str, Any]) -> dict[str, Any]:
    out = {k: task[k] for k in ORDER if task.get(k) not in (None, "")}
    out["blocks"] = list(task.get("blocks") or [])
    out["blockedBy"] = list(task.get("blockedBy") or [])
    out["status"] = task.get("status") or "pending"
    if not task.get("metadata"):
        out.pop("metadata", None)
    return {k: out[k] for k in ORDER if k in out}


def normalise(task: Mapping[str, Any]) -> dict[str, Any]:
    """A task's comparable fields: empty owner, metadata and activeForm left out."""
    return _ordered(dict(task))


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any],
                                                                   dict[str, Any]]:
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


class _Replay:
    def __init__(self, team: str, session: str | None) -> None:
        self.team, self.session = team, session
        self.tasks: dict[str, dict[str, Any]] = {}
        self.out = Rebuilt()

    def event(self, kind: str, when: float, key: list[Any], *, task: str | None = None,
              agent: str | None = None, before: dict[str, Any] | None = None,
              after: dict[str, Any] | None = None, detail: dict[str, Any] | None = None
              ) -> None:
        self.out.events.append(Event(
            time=when, team=self.team, kind=kind, source="import", session=self.session,
            task=task, agent=agent, before=before, after=after, detail=detail or {},
            key=digest(["import", *key])))

    def changed(self, call: ToolCall | Delivered, touched: dict[str, dict[str, Any]],
                actor: str, detail: dict[str, Any], key: str) -> None:
        for tid, old in touched.items():
            new = self.tasks.get(tid)
            if new is None:
                continue
            before, after = _diff(_ordered(old), _ordered(new))
            if after:
                self.event(ev.TASK_CHANGED, call.time, [key, tid], task=tid, agent=actor,
                           before=before, after=after, detail=detail)

    # -- tools -------------------------------------------------------------------------

    def create(self, call: ToolCall) -> None:
        data, tur = call.input, call.structured
        tid = None
        if isinstance(tur, dict) and isinstance(tur.get("task"), dict):
            tid = tur["task"].get("id")
        match = CREATED.match(call.result)
        tid = str(tid) if tid is not None else (match.group(1) if match else None)
        if tid is None:
            self.out.failures.append(f"{call.stamp} {call.actor}: create failed: "
                                     f"{call.result[:80]}")
            return
        metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else None
        task = {"id": tid, "subject": data.get("subject"), "description":
                data.get("description") or "", "activeForm": data.get("activeForm"),
                "status": "pending", "blocks": [], "blockedBy": [],
                "metadata": {k: v for k, v in (metadata or {}).items() if v is not None}}
        self.tasks[tid] = task
        self.event(ev.TASK_CREATED, call.time, [call.tool_use_id], task=tid, agent=call.actor,
                   after=_ordered(task), detail={"tool": "TaskCreate",
                                                 "tool_use_id": call.tool_use_id})

    def update(self, call: ToolCall) -> None:
        data, tur = call.input, call.structured
        tid = str(data.get("taskId"))
        ok = (isinstance(tur, dict) and tur.get("success") is True) or (
            not isinstance(tur, dict) and UPDATED.match(call.result) is not None)
        detail: dict[str, Any] = {"tool": "TaskUpdate", "tool_use_id": call.tool_use_id}
        if not ok:
            self.out.failures.append(f"{call.stamp} {call.actor}: #{tid} update failed: "
                                     f"{call.result[:80]}")
            return
        fields = (tur or {}).get("updatedFields") if isinstance(tur, dict) else None
        fields = fields if isinstance(fields, list) else []
        if isinstance(tur, dict) and isinstance(tur.get("statusChange"), dict):
            detail["statusChange"] = tur["statusChange"]
        if tid not in self.tasks:
            detail["unknown_origin"] = True  # created before the transcripts begin
            self.tasks[tid] = {"id": tid, "subject": "", "description": "",
                               "status": "pending", "blocks": [], "blockedBy": []}
        if data.get("status") == "deleted":
            removed = self.tasks.pop(tid)
            touched = {o: copy.deepcopy(t) for o, t in self.tasks.items()
                       if tid in t["blocks"] or tid in t["blockedBy"]}
            for other in self.tasks.values():
                other["blocks"] = [x for x in other["blocks"] if x != tid]
                other["blockedBy"] = [x for x in other["blockedBy"] if x != tid]
            self.event(ev.TASK_REMOVED, call.time, [call.tool_use_id], task=tid,
                       agent=call.actor, before=_ordered(removed), detail=detail)
            self.changed(call, touched, call.actor, detail, call.tool_use_id)
            return
        others = [str(x) for x in [*(data.get("addBlocks") or []),
                                   *(data.get("addBlockedBy") or [])]]
        touched = {t: copy.deepcopy(self.tasks[t]) for t in [tid, *others] if t in self.tasks}
        task = self.tasks[tid]
        for key in ("subject", "description", "activeForm"):
            if key in data:
                task[key] = data[key]
        if "owner" in data:
            task["owner"] = data["owner"] or None
        elif "owner" in fields:
            task["owner"] = call.actor  # in_progress without an owner: the caller owns it
            detail["owner_implied"] = True
        if "status" in data:
            task["status"] = data["status"]
        if isinstance(data.get("metadata"), dict):
            merged = dict(task.get("metadata") or {})
            for key, value in data["metadata"].items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            task["metadata"] = merged
        for other in (str(x) for x in data.get("addBlockedBy") or []):
            if other not in task["blockedBy"]:
                task["blockedBy"].append(other)
            if other in self.tasks and tid not in self.tasks[other]["blocks"]:
                self.tasks[other]["blocks"].append(tid)
        for other in (str(x) for x in data.get("addBlocks") or []):
            if other not in task["blocks"]:
                task["blocks"].append(other)
            if other in self.tasks and tid not in self.tasks[other]["blockedBy"]:
                self.tasks[other]["blockedBy"].append(tid)
        self.changed(call, touched, call.actor, detail, call.tool_use_id)

    def message(self, item: Delivered) -> None:
        payload = item.payload or {}
        task = payload.get("taskId") or payload.get("completedTaskId")
        detail: dict[str, Any] = {"from": item.sender, "to": item.recipient, "type": item.kind,
                                  "summary": item.summary or "", "text": item.text}
        if isinstance(payload.get("timestamp"), str):
            detail["timestamp"] = payload["timestamp"]
        key = ["message", item.recipient, item.sender, item.stamp, digest(item.text)]
        self.event(ev.MESSAGE, item.time, key, task=str(task) if task is not None else None,
                   agent=item.recipient, detail=detail)
        if item.kind == "teammate_terminated":
            touched = {}
            for tid in TERMINATED.findall(str(payload.get("message", ""))):
                if tid in self.tasks:
                    touched[tid] = copy.deepcopy(self.tasks[tid])
                    self.tasks[tid]["owner"] = None
                    if self.tasks[tid]["status"] == "in_progress":
                        self.tasks[tid]["status"] = "pending"
            self.changed(item, touched, "system", {"cause": "teammate_terminated"},
                         digest(key))


def rebuild(team: str, extracted: Extracted | Iterable[ToolCall | Delivered], *,
            session: str | None = None) -> Rebuilt:
    """Replay the calls and messages into events; the tasks as the transcripts leave them."""
    items = extracted.items if isinstance(extracted, Extracted) else list(extracted)
    replay = _Replay(team, session)
    for item in items:
        if isinstance(item, Delivered):
            replay.message(item)
        elif item.tool == "TaskCreate":
            replay.create(item)
        elif item.tool == "TaskUpdate":
            replay.update(item)
    replay.out.tasks = {tid: _ordered(t) for tid, t in replay.tasks.items()}
    return replay.out


def disagreements(team: str, rebuilt: Mapping[str, Mapping[str, Any]],
                  other: Mapping[str, Mapping[str, Any]], *, source: str, when: float,
                  session: str | None = None) -> list[Event]:
    """A ``flag.raised`` event for each task field where the transcripts and ``source``
    (``"the task files"``, ``"the journal"``) differ, saying which said what."""
    out: list[Event] = []
    for tid in sorted(set(rebuilt) | set(other), key=lambda t: (len(t), t)):
        mine = normalise(rebuilt[tid]) if tid in rebuilt else None
        theirs = normalise(other[tid]) if tid in other else None
        if mine == theirs:
            continue
        if mine is None or theirs is None:
            said = ("no such task" if mine is None else "exists")
            text = (f"#{tid}: the transcripts say {said}; {source} "
                    f"{'have no such task' if theirs is None else 'have it'}")
            fields: dict[str, Any] = {"transcripts": mine, "other": theirs}
        else:
            keys = [k for k in COMPARED if mine.get(k) != theirs.get(k)]
            fields = {k: {"transcripts": mine.get(k), "other": theirs.get(k)} for k in keys}
            text = f"#{tid}: " + "; ".join(
                f"{k}: the transcripts say {mine.get(k)!r}, {source} say {theirs.get(k)!r}"
                for k in keys)
        out.append(Event(time=when, team=team, kind=ev.FLAG_RAISED, source="import",
                         session=session, task=tid,
                         detail={"flag": "import_disagreement", "other": source,
                                 "fields": fields, "text": text},
                         key=digest(["import-disagreement", source, tid, fields])))
    return out
