"""A simulated agent team that writes through the real store, for the demo and benchmarks.

The agents behave the way Claude Code's teammates do, through the same files and
the same locks: they claim ready tasks (owner, ``in_progress``, ``activeForm``),
the lead sends the ``task_assignment``, they work, complete, send an
``idle_notification`` and flip ``isActive`` in ``config.json``. Now and then one
of them misbehaves so the console has something to show: it stalls silently, goes
idle while holding its task, or reports a task finished without marking it
completed (the lead tidies that up after a while, unless the operator did).

Every task change goes through :func:`taskboard.claude.tasks.update_task` or
:func:`~taskboard.claude.tasks.create_task` and every message through
:func:`taskboard.claude.team.send_message`, so the simulation also exercises the
locks against the console's own writes. A lock that cannot be had is retried on
the next tick. Given a seed and a frozen clock, a run is deterministic.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
from collections import Counter, deque
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from taskboard.board.model import Task, dump_json, parse_inbox, parse_task
from taskboard.claude.errors import LockTimeout, NotFound, PreconditionFailed, StoreError
from taskboard.claude.files import read_json, read_text, write_json_atomic
from taskboard.claude.lock import locked
from taskboard.claude.paths import TeamPaths
from taskboard.claude.tasks import create_task, task_files, update_task
from taskboard.claude.team import iso_now, send_message
from taskboard.clock import Clock

log = logging.getLogger(__name__)

LEAD = "team-lead"
LOCK_TIMEOUT = 1.0
"""The simulation gives up on a lock sooner than the console and retries next tick."""

# Durations in seconds at speed 1.0; every one is divided by ``speed``.
TICK = 0.5
WORK = (6.0, 20.0)
RESUME = (3.0, 8.0)
REST = (1.0, 4.0)
STALL = (660.0, 840.0)
"""Longer than the console's default stall threshold (10 minutes), so it gets flagged."""
IDLE_HOLD = (40.0, 90.0)
LEAD_FIX = (45.0, 90.0)
LEAD_READS_EVERY = 5.0
LINGER = (15.0, 30.0)

P_STALL = 0.08
P_IDLE_HOLD = 0.10
P_FORGET = 0.10
P_CROSS_LINK = 0.25


@dataclass(frozen=True)
class AgentSpec:
    """A simulated teammate as it appears in ``config.json``."""

    name: str
    color: str
    model: str
    agent_type: str = "general-purpose"


AGENTS = (
    AgentSpec("parser", "blue", "claude-sonnet-4-5"),
    AgentSpec("tester", "green", "claude-sonnet-4-5"),
    AgentSpec("docs", "yellow", "claude-haiku-4-5"),
    AgentSpec("reviewer", "purple", "claude-opus-4-6", "code-reviewer"),
    AgentSpec("ops", "orange", "claude-sonnet-4-5"),
)

COMPONENTS = (
    "header tokenizer", "header parser", "config loader", "retry policy", "HTTP client",
    "schema validator", "cache layer", "CLI flags", "error messages", "log formatter",
    "metrics exporter", "migration script", "auth middleware", "rate limiter",
    "plugin loader", "date parser",
)

# phase: (subject, activeForm, description, role)
PHASES = {
    "design": ("Design the {c}", "Designing the {c}",
               "Sketch the {c}'s interface and write the decisions down.", "reviewer"),
    "implement": ("Implement the {c}", "Implementing the {c}",
                  "Build the {c} to the agreed design.", "parser"),
    "test": ("Write tests for the {c}", "Writing tests for the {c}",
             "Cover the {c}'s normal and error paths.", "tester"),
    "document": ("Document the {c}", "Documenting the {c}",
                 "Describe the {c} for users, with examples.", "docs"),
    "review": ("Review the {c} changes", "Reviewing the {c} changes",
               "Read the {c} diff and its tests; approve or ask for changes.", "reviewer"),
}


@dataclass(frozen=True)
class TaskSpec:
    """A task the lead means to create; ``after`` names earlier specs it waits on."""

    key: str
    subject: str
    description: str
    active_form: str
    role: str
    after: tuple[str, ...] = ()


def plan_wave(rng: random.Random, wave: int) -> list[TaskSpec]:
    """A wave of 27-37 tasks: per component design -> implement -> (test, document) ->
    review (a diamond), some implementations waiting on other components' designs,
    then an integration run and a release that wait on everything."""
    components = rng.sample(COMPONENTS, rng.randint(5, 7))
    specs: list[TaskSpec] = []

    def add(phase: str, comp: str, after: tuple[str, ...]) -> None:
        subject, form, description, role = PHASES[phase]
        specs.append(TaskSpec(f"{phase}:{comp}", subject.format(c=comp), description.format(c=comp),
                              form.format(c=comp), role, after))

    for index, comp in enumerate(components):
        add("design", comp, ())
        cross = tuple(f"design:{other}" for other in components[:index]
                      if rng.random() < P_CROSS_LINK)
        add("implement", comp, (f"design:{comp}", *cross))
        add("test", comp, (f"implement:{comp}",))
        add("document", comp, (f"implement:{comp}",))
        add("review", comp, (f"test:{comp}", f"document:{comp}"))
    specs.append(TaskSpec("integration", "Run the integration suite",
                          "Run the whole suite against every new component together.",
                          "Running the integration suite", "ops",
                          tuple(f"test:{c}" for c in components)))
    specs.append(TaskSpec("release", f"Cut release 1.{wave}",
                          "Tag, build and publish once everything above is done.",
                          f"Cutting release 1.{wave}", "ops",
                          ("integration", *(f"review:{c}" for c in components))))
    return specs


class Mode(StrEnum):
    """What a simulated agent is doing."""

    FREE = "free"
    WORKING = "working"
    STALLED = "stalled"
    """Holds its task, says nothing, touches nothing."""
    IDLE_HOLDING = "idle_holding"
    """Went idle (``isActive`` false) while its task is still in progress."""


@dataclass
class AgentState:
    """One simulated agent's private state; the files are the truth for everything else."""

    spec: AgentSpec
    mode: Mode = Mode.FREE
    task: str | None = None
    until: float = 0.0
    """When the current phase ends (a free agent rests until then)."""
    will_idle: bool = False
    """Go idle holding the task when the current stretch of work ends."""

    @property
    def name(self) -> str:
        return self.spec.name


def _ready(task: Task, tasks: dict[str, Task]) -> bool:
    """Pending, not bookkeeping, and every blocker exists and is completed."""
    return task.status == "pending" and not task.internal and all(
        b in tasks and tasks[b].status == "completed" for b in task.blocked_by)


class Simulation:
    """A lead and five agents working through waves of tasks in one team's files."""

    def __init__(self, paths: TeamPaths, *, speed: float = 1.0, seed: int | None = None,
                 clock: Clock | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.paths = paths
        self.speed = speed
        self.rng = random.Random(seed)
        self.clock = clock or Clock()
        self.agents = [AgentState(spec) for spec in AGENTS]
        self.stats: Counter[str] = Counter()
        """What happened so far: claimed, completed, stalled, forgot, waves, lock_timeouts ..."""
        self.wave = 0
        self._plan: deque[TaskSpec] = deque()
        self._links: deque[tuple[str, str]] = deque()
        self._keys: dict[str, str] = {}
        self._roles: dict[str, str] = {}
        self._forms: dict[str, str] = {}
        self._forgotten: dict[str, tuple[str, float]] = {}
        self._wave_done_at: float | None = None
        self._lead_reads_at = 0.0
        self._config: dict[str, Any] = {}
        self._seen: dict[str, tuple[tuple[int, ...], Task]] = {}

    # -- setup ---------------------------------------------------------------

    def _seconds(self, span: tuple[float, float]) -> float:
        return self.rng.uniform(*span) / self.speed

    def setup(self) -> None:
        """Create the team directory, ``config.json``, and the first wave of tasks."""
        now = self.clock.time()
        self.paths.tasks_dir.mkdir(parents=True, exist_ok=True)
        self.paths.inboxes_dir.mkdir(parents=True, exist_ok=True)
        name = self.paths.name
        joined = int(now * 1000)
        members: list[dict[str, Any]] = [{
            "agentId": f"{LEAD}@{name}", "name": LEAD, "agentType": LEAD,
            "model": "claude-opus-4-6", "joinedAt": joined, "tmuxPaneId": "",
            "cwd": "/src/app", "subscriptions": [],
        }]
        for index, spec in enumerate(AGENTS, start=1):
            members.append({
                "agentId": f"{spec.name}@{name}", "name": spec.name, "agentType": spec.agent_type,
                "model": spec.model, "color": spec.color, "planModeRequired": False,
                "joinedAt": joined + index * 1000, "tmuxPaneId": "in-process",
                "cwd": "/src/app", "subscriptions": [], "backendType": "in-process",
                "isActive": False,
            })
        self._config = {
            "name": name, "description": "A simulated team (taskboard demo)",
            "createdAt": joined, "leadAgentId": f"{LEAD}@{name}",
            "leadSessionId": "00000000-0000-4000-8000-000000000000", "members": members,
        }
        self._write_config(self._config)
        self._start_wave()
        if not self._flush_plan():
            raise LockTimeout(self.paths.tasks_dir, LOCK_TIMEOUT)

    def _start_wave(self) -> None:
        self.wave += 1
        self.stats["waves"] += 1
        self._keys = {}
        self._plan.extend(plan_wave(self.rng, self.wave))

    def _flush_plan(self) -> bool:
        """Create the planned tasks and link both sides; False if a lock was busy."""
        list_dir = self.paths.tasks_dir
        try:
            while self._plan:
                spec = self._plan[0]
                blockers = [self._keys[k] for k in spec.after if k in self._keys]
                created = create_task(list_dir, spec.subject, spec.description,
                                      blocked_by=blockers, timeout=LOCK_TIMEOUT)
                self._plan.popleft()
                task_id = created.task_id
                self._keys[spec.key] = task_id
                self._roles[task_id] = spec.role
                self._forms[task_id] = spec.active_form
                self._links.extend((blocker, task_id) for blocker in blockers)
                self._flush_links()
            self._flush_links()
        except LockTimeout:
            self.stats["lock_timeouts"] += 1
            return False
        return True

    def _flush_links(self) -> None:
        while self._links:
            blocker, task_id = self._links[0]
            with suppress(NotFound):  # the blocker was deleted meanwhile: nothing to link
                update_task(self.paths.tasks_dir, blocker, _add_block(task_id),
                            timeout=LOCK_TIMEOUT)
            self._links.popleft()

    # -- reading ---------------------------------------------------------------

    def read_tasks(self) -> dict[str, Task]:
        """Every task on disk that parses (as an agent sees the list: no lock).

        A file whose mtime and size are unchanged since the last tick is not read again.
        """
        tasks: dict[str, Task] = {}
        seen: dict[str, tuple[tuple[int, ...], Task]] = {}
        for task_id, path in task_files(self.paths.tasks_dir).items():
            try:
                st = os.stat(path)
                stamp = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)
                cached = self._seen.get(task_id)
                if cached is not None and cached[0] == stamp:
                    task: Task | None = cached[1]
                else:
                    text, mtime = read_text(path)
                    task, _ = parse_task(text, task_id, path, mtime)
            except FileNotFoundError:
                continue
            if task is not None:
                tasks[task_id] = task
                seen[task_id] = (stamp, task)
        self._seen = seen
        return tasks

    def _unread(self, agent: str) -> int:
        path = self.paths.inbox_path(agent)
        try:
            text, _ = read_text(path)
        except FileNotFoundError:
            return 0
        inbox, _ = parse_inbox(agent, text, path)
        return inbox.unread if inbox is not None else 0

    # -- writing ----------------------------------------------------------------

    def _write_config(self, config: dict[str, Any]) -> None:
        """Write ``config.json`` in place, without a lock, as Claude Code does."""
        with open(self.paths.config_path, "w", encoding="utf-8") as handle:
            handle.write(dump_json(config))

    def _set_active(self, agent: str, active: bool) -> None:
        try:
            config = json.loads(read_text(self.paths.config_path)[0])
        except (OSError, ValueError):
            config = self._config
        if not isinstance(config, dict) or not isinstance(config.get("members"), list):
            config = self._config
        for member in config["members"]:
            if isinstance(member, dict) and member.get("name") == agent:
                if member.get("isActive") is active:
                    return
                member["isActive"] = active
                self._config = config
                self._write_config(config)
                return

    def _send(self, to: str, payload: dict[str, Any] | str, *, sender: str,
              summary: str | None = None) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload,
                                                                   separators=(",", ":"))
        color = next((a.color for a in AGENTS if a.name == sender), None)
        send_message(self.paths, to, text, sender=sender, summary=summary, color=color,
                     now=self.clock.now(), timeout=LOCK_TIMEOUT)
        self.stats["messages"] += 1

    def _idle_notification(self, agent: str, completed: str | None = None) -> None:
        payload: dict[str, Any] = {"type": "idle_notification", "from": agent,
                                   "timestamp": iso_now(self.clock.now()),
                                   "idleReason": "available"}
        if completed is not None:
            payload["completedTaskId"] = completed
            payload["completedStatus"] = "completed"
        self._send(LEAD, payload, sender=agent)

    def _mark_read(self, agent: str) -> int:
        """Mark every message in the agent's inbox read, under the inbox lock."""
        path = self.paths.inbox_path(agent)
        if not path.exists():
            return 0
        with locked(path, timeout=LOCK_TIMEOUT):
            messages = read_json(path, f"the inbox of {agent}")
            if not isinstance(messages, list):
                return 0
            fresh = [m for m in messages if isinstance(m, dict) and m.get("read") is False]
            for message in fresh:
                message["read"] = True
            if fresh:
                write_json_atomic(path, messages)
        return len(fresh)

    # -- the lead ----------------------------------------------------------------

    def _lead(self, tasks: dict[str, Task], now: float) -> None:
        """Tidy forgotten tasks, read the lead's inbox, start a new wave when all is done."""
        for task_id, (agent, due) in list(self._forgotten.items()):
            if now < due:
                continue
            task = tasks.get(task_id)
            if task is not None and task.status == "in_progress" and task.owner == agent:
                try:
                    change = update_task(self.paths.tasks_dir, task_id,
                                         _complete_if_owned(agent), timeout=LOCK_TIMEOUT)
                except (PreconditionFailed, NotFound):
                    del self._forgotten[task_id]
                    continue
                _remember(tasks, change.after, task_id)
                self._send(agent, f"You reported #{task_id} finished but left it open; "
                           "I marked it completed.", sender=LEAD,
                           summary=f"Closed #{task_id} for you")
                self.stats["lead_fixed"] += 1
            del self._forgotten[task_id]
        if now >= self._lead_reads_at:
            self._lead_reads_at = now + LEAD_READS_EVERY / self.speed
            self._mark_read(LEAD)
        visible = [t for t in tasks.values() if not t.internal]
        if self._plan or any(t.status != "completed" for t in visible):
            self._wave_done_at = None
        elif self._wave_done_at is None:
            self._wave_done_at = now + self._seconds(LINGER)
        elif now >= self._wave_done_at:
            self._wave_done_at = None
            self._start_wave()

    # -- the agents ----------------------------------------------------------------

    def _troubled(self) -> bool:
        """Whether some agent is already stalled or idle with work (one at a time)."""
        return any(a.mode in (Mode.STALLED, Mode.IDLE_HOLDING) or a.will_idle
                   for a in self.agents) or bool(self._forgotten)

    def _holds(self, agent: AgentState, tasks: dict[str, Task]) -> bool:
        task = tasks.get(agent.task or "")
        return task is not None and task.owner == agent.name and task.status == "in_progress"

    def _drop(self, agent: AgentState) -> None:
        """The task was taken away (by the operator): go back to looking for work."""
        agent.mode, agent.task, agent.will_idle = Mode.FREE, None, False
        self.stats["dropped"] += 1
        self._set_active(agent.name, False)

    def _begin(self, agent: AgentState, task_id: str, now: float) -> None:
        agent.task, agent.mode, agent.will_idle = task_id, Mode.WORKING, False
        agent.until = now + self._seconds(WORK)
        if not self._troubled():
            roll = self.rng.random()
            if roll < P_STALL:
                agent.mode = Mode.STALLED
                agent.until = now + self._seconds(STALL)
                self.stats["stalled"] += 1
            elif roll < P_STALL + P_IDLE_HOLD:
                agent.will_idle = True
        self._set_active(agent.name, True)

    def _choose(self, agent: AgentState, tasks: dict[str, Task]) -> tuple[str, Task] | None:
        """What a free agent takes up: work handed to it first, then ready unowned work
        of its own kind, then any ready unowned work."""
        mine = [t for t in tasks.values() if t.owner == agent.name and t.id not in
                self._forgotten and (t.status == "in_progress" or _ready(t, tasks))]
        if mine:
            return "adopt", min(mine, key=lambda t: int(t.id))
        free = [t for t in tasks.values() if not t.owner and _ready(t, tasks)]
        own_kind = [t for t in free if self._roles.get(t.id) == agent.name]
        pool = own_kind or free
        return ("claim", min(pool, key=lambda t: int(t.id))) if pool else None

    def _start_work(self, agent: AgentState, tasks: dict[str, Task], now: float) -> None:
        choice = self._choose(agent, tasks)
        if choice is None:
            return
        how, task = choice
        form = task.active_form or self._forms.get(task.id) or f"Working on {task.subject}"
        try:
            change = update_task(self.paths.tasks_dir, task.id,
                                 _claim(agent.name, form, adopt=how == "adopt"),
                                 timeout=LOCK_TIMEOUT)
        except (PreconditionFailed, NotFound):
            return
        _remember(tasks, change.after, task.id)
        self._begin(agent, task.id, now)
        self.stats["claimed" if how == "claim" else "adopted"] += 1
        if how == "claim":
            after = change.after or {}
            self._send(agent.name, {
                "type": "task_assignment", "taskId": task.id,
                "subject": after.get("subject", ""), "description": after.get("description", ""),
                "assignedBy": LEAD, "timestamp": iso_now(self.clock.now()),
            }, sender=LEAD)

    def _finish(self, agent: AgentState, tasks: dict[str, Task], now: float) -> None:
        task_id = agent.task or ""
        if not self._troubled() and self.rng.random() < P_FORGET:
            self._forgotten[task_id] = (agent.name, now + self._seconds(LEAD_FIX))
            self.stats["forgot"] += 1
        else:
            try:
                change = update_task(self.paths.tasks_dir, task_id,
                                     _complete_if_owned(agent.name), timeout=LOCK_TIMEOUT)
            except (PreconditionFailed, NotFound):
                self._drop(agent)
                return
            _remember(tasks, change.after, task_id)
            self.stats["completed"] += 1
        agent.mode, agent.task = Mode.FREE, None
        agent.until = now + self._seconds(REST)
        self._idle_notification(agent.name, completed=task_id)
        self._set_active(agent.name, False)

    def _tick(self, agent: AgentState, tasks: dict[str, Task], now: float) -> None:
        if agent.mode is Mode.STALLED:
            if now >= agent.until:
                agent.mode, agent.until = Mode.WORKING, now + self._seconds(RESUME)
            return
        woken = self._unread(agent.name) > 0 and self._mark_read(agent.name) > 0
        if agent.mode is Mode.FREE:
            if now >= agent.until:
                self._start_work(agent, tasks, now)
            return
        if not self._holds(agent, tasks):
            self._drop(agent)
            return
        if agent.mode is Mode.IDLE_HOLDING:
            if woken or now >= agent.until:
                agent.mode, agent.until = Mode.WORKING, now + self._seconds(RESUME)
                self._set_active(agent.name, True)
            return
        if now < agent.until:
            return
        if agent.will_idle:
            agent.will_idle = False
            agent.mode, agent.until = Mode.IDLE_HOLDING, now + self._seconds(IDLE_HOLD)
            self.stats["idle_holding"] += 1
            self._idle_notification(agent.name)
            self._set_active(agent.name, False)
            return
        self._finish(agent, tasks, now)

    # -- driving -------------------------------------------------------------------

    def step(self) -> None:
        """One tick: finish creating planned tasks, let the lead act, then each agent."""
        now = self.clock.time()
        self.stats["steps"] += 1
        if not self._flush_plan():
            return
        tasks = self.read_tasks()
        self._guarded(self._lead, tasks, now)
        order = list(self.agents)
        self.rng.shuffle(order)
        for agent in order:
            self._guarded(self._tick, agent, tasks, now)

    def _guarded(self, action: Any, *args: Any) -> None:
        """Run one actor's turn; a refused write is retried on a later tick."""
        try:
            action(*args)
        except LockTimeout:
            self.stats["lock_timeouts"] += 1
        except StoreError as err:
            self.stats["refused"] += 1
            log.info("simulated write refused: %s", err)

    def run(self, stop: threading.Event) -> None:
        """Step until ``stop`` is set, sleeping ``TICK / speed`` between steps."""
        while not stop.is_set():
            try:
                self.step()
            except (StoreError, OSError) as err:
                self.stats["errors"] += 1
                log.warning("simulation step failed: %s", err)
            except Exception:  # keep the demo alive; a bug here must not kill the thread
                self.stats["errors"] += 1
                log.exception("simulation step crashed")
            stop.wait(TICK / self.speed)


# -- change functions for update_task ------------------------------------------------


def _add_block(task_id: str) -> Any:
    def change(obj: dict[str, Any]) -> dict[str, Any]:
        blocks = [str(b) for b in obj.get("blocks") or []]
        if task_id not in blocks:
            obj["blocks"] = [*blocks, task_id]
        return obj
    return change


def _claim(agent: str, active_form: str, *, adopt: bool) -> Any:
    """Take a task: unowned and pending to claim it, or already ours to adopt it."""
    def change(obj: dict[str, Any]) -> dict[str, Any]:
        owner = obj.get("owner") or None
        status = obj.get("status")
        if adopt:
            if owner != agent or status not in ("pending", "in_progress"):
                raise PreconditionFailed("the task is no longer handed to this agent")
        elif owner is not None or status != "pending":
            raise PreconditionFailed("someone else took the task first")
        obj["owner"] = agent
        obj["status"] = "in_progress"
        obj.setdefault("activeForm", active_form)
        return obj
    return change


def _complete_if_owned(agent: str) -> Any:
    def change(obj: dict[str, Any]) -> dict[str, Any] | None:
        if obj.get("owner") != agent or obj.get("status") not in ("in_progress", "completed"):
            raise PreconditionFailed("the task is no longer this agent's")
        obj["status"] = "completed"
        return obj
    return change


def _remember(tasks: dict[str, Task], after: dict[str, Any] | None, task_id: str) -> None:
    """Keep the tick's snapshot in step with what was just written."""
    if after is None:
        tasks.pop(task_id, None)
        return
    previous = tasks.get(task_id)
    task, _ = parse_task(dump_json(after), task_id, previous.path if previous else None)
    if task is not None:
        tasks[task_id] = task


__all__ = ["AGENTS", "LEAD", "AgentSpec", "Mode", "Simulation", "TaskSpec", "plan_wave"]
