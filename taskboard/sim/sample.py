"""Deterministic fixture teams on disk, for tests, snapshots, screenshots and the README.

Every file is written exactly as Claude Code would leave it (FORMAT.md) and every
mtime is set relative to ``now``, so two runs with the same ``now`` give the same
board down to the "last seen" times. These writers go straight to the files, not
through the locked store: they build a world from nothing, nobody else is writing.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from taskboard.board.model import dump_json
from taskboard.claude.paths import TeamPaths, team_dir_name
from taskboard.claude.team import iso_now

SAMPLE_NOW = 1763719200.0
"""2025-11-21T10:00:00Z: the default 'now' of every fixture."""

MINUTE = 60.0


# -- writing helpers -----------------------------------------------------------


def _write(path: Path, text: str, mtime: float) -> None:
    """Write ``text`` and set the file's access and modification times to ``mtime``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))


def _stamp(at: float) -> str:
    return iso_now(datetime.fromtimestamp(at, UTC))


def _member(team: str, name: str, *, agent_type: str = "general-purpose",
            model: str = "claude-sonnet-4-5", color: str | None = None,
            pane: str = "", joined: float, active: bool | None = None,
            backend: str | None = "tmux") -> dict[str, Any]:
    """A ``members`` entry in the key order Claude Code writes."""
    out: dict[str, Any] = {"agentId": f"{name}@{team}", "name": name, "agentType": agent_type,
                           "model": model}
    if color is not None:
        out["color"] = color
        out["planModeRequired"] = False
    out["joinedAt"] = int(joined * 1000)
    out["tmuxPaneId"] = pane
    out["cwd"] = "/src/app"
    out["subscriptions"] = []
    if backend is not None and color is not None:
        out["backendType"] = backend
    if active is not None:
        out["isActive"] = active
    return out


def _config(team: str, description: str, created: float,
            members: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": team,
        "description": description,
        "createdAt": int(created * 1000),
        "leadAgentId": f"team-lead@{team}",
        "leadSessionId": "0b7c3e0e-6a7f-4f55-9d0a-3d2f5a1c9e11",
        "members": list(members),
    }


def _task(task_id: str, subject: str, description: str, status: str = "pending", *,
          owner: str | None = None, active_form: str | None = None,
          blocked_by: Iterable[str] = (), metadata: dict[str, Any] | None = None
          ) -> dict[str, Any]:
    """A task object in Claude Code's key order; ``blocks`` is filled in by :func:`_link`."""
    obj: dict[str, Any] = {"id": task_id, "subject": subject, "description": description}
    if active_form is not None:
        obj["activeForm"] = active_form
    obj["status"] = status
    if owner is not None:
        obj["owner"] = owner
    obj["blocks"] = []
    obj["blockedBy"] = list(blocked_by)
    if metadata is not None:
        obj["metadata"] = metadata
    return obj


def _link(tasks: Sequence[dict[str, Any]]) -> None:
    """Fill every task's ``blocks`` from the others' ``blockedBy`` (both sides in step)."""
    by_id = {t["id"]: t for t in tasks}
    for task in tasks:
        for blocker in task["blockedBy"]:
            by_id[blocker]["blocks"].append(task["id"])
    for task in tasks:
        task["blocks"].sort(key=int)


def _message(sender: str, text: str, at: float, *, summary: str | None = None,
             color: str | None = None, read: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"from": sender, "text": text}
    if summary is not None:
        out["summary"] = summary
    out["timestamp"] = _stamp(at)
    if color is not None:
        out["color"] = color
    out["read"] = read
    return out


def _protocol(**fields: Any) -> str:
    """A protocol message, encoded as a string the way Claude Code puts it in ``text``."""
    return json.dumps(fields, separators=(",", ":"))


def _assignment(task: dict[str, Any], at: float) -> dict[str, Any]:
    text = _protocol(type="task_assignment", taskId=task["id"], subject=task["subject"],
                     description=task["description"], assignedBy="team-lead",
                     timestamp=_stamp(at))
    return _message("team-lead", text, at)


def _idle(sender: str, color: str, at: float, *, completed: str | None = None,
          read: bool = True) -> dict[str, Any]:
    fields: dict[str, Any] = {"type": "idle_notification", "from": sender,
                              "timestamp": _stamp(at), "idleReason": "available"}
    if completed is not None:
        fields["completedTaskId"] = completed
        fields["completedStatus"] = "completed"
    return _message(sender, _protocol(**fields), at, color=color, read=read)


def _write_inboxes(paths: TeamPaths, inboxes: dict[str, list[dict[str, Any]]]) -> None:
    for agent, messages in inboxes.items():
        newest = max(parse_stamp(m["timestamp"]) for m in messages)
        _write(paths.inbox_path(agent), dump_json(messages), newest)


def parse_stamp(stamp: str) -> float:
    """Epoch seconds of a ``2025-11-21T10:00:00.000Z`` timestamp."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


# -- the sample team -------------------------------------------------------------


def _sample_tasks() -> list[tuple[dict[str, Any], float]]:
    """The sample team's tasks, each with its age in minutes."""
    rows = [
        (_task("1", "Survey the existing header parser",
               "Read parse_header and list every behaviour the rewrite must keep.",
               "completed", owner="parser"), 110),
        (_task("2", "Design the new header grammar",
               "Write the grammar down as EBNF, folded headers included.",
               "completed", owner="parser", blocked_by=["1"]), 86),
        (_task("3", "Implement the tokenizer",
               "Split raw header bytes into tokens; keep byte offsets for error messages.",
               "in_progress", owner="parser", active_form="Implementing the tokenizer",
               blocked_by=["2"]), 4),
        (_task("4", "Write the grammar fixtures",
               "One fixture file per grammar rule, valid and invalid cases.",
               "completed", owner="tester", blocked_by=["2"]), 50),
        (_task("5", "Implement parse_header",
               "Build parse_header on the tokenizer, driven by the fixtures.",
               blocked_by=["3", "4"]), 85),
        (_task("6", "Write the parser tests",
               "Cover every branch of parse_header, including the error paths.",
               blocked_by=["5"]), 84),
        (_task("7", "Fuzz the parser",
               "Run the fuzzer for an hour against parse_header and file what it finds.",
               blocked_by=["6"]), 84),
        (_task("8", "Document the header format",
               "Describe the accepted syntax in docs/headers.md with examples.",
               "in_progress", owner="docs", active_form="Documenting the header format"), 30),
        (_task("9", "Review the grammar design",
               "Check the EBNF against RFC 5322 and note every deviation.",
               "in_progress", owner="reviewer", active_form="Reviewing the grammar design",
               blocked_by=["2"]), 47),
        (_task("10", "Benchmark the tokenizer",
               "Compare throughput with the old parser on the 10 MB corpus."), 60),
        (_task("11", "Port the CLI to the new parser",
               "Switch the CLI's --headers flag to parse_header.",
               owner="migrator", blocked_by=["5"]), 70),
        (_task("12", "Update the changelog",
               "Summarise the parser rewrite for the 2.0 release notes.",
               blocked_by=["7", "8"]), 80),
        (_task("13", "tester", "", "in_progress", owner="tester",
               metadata={"_internal": True}), 50),
        (_task("14", "Release parser 2.0",
               "Tag, build and publish once everything above is done.",
               blocked_by=["7", "11", "12"]), 80),
    ]
    _link([task for task, _ in rows])
    return rows


def write_sample_team(home: Path, name: str = "parser-team", *,
                      now: float = SAMPLE_NOW) -> TeamPaths:
    """Write a realistic team of a lead and four members, with fourteen tasks.

    What it shows: a diamond (2 -> 3, 4 -> 5), a chain (5 -> 6 -> 7), a task with
    two blockers (5), completed blockers still listed in ``blockedBy`` (2, 3, 4),
    a running task with its ``activeForm`` (3), an idle member holding a running
    task it reported finished (docs, #8), a stalled member (reviewer, #9, silent
    for 47 minutes), a ready unowned task (10), a task owned by someone not on
    the team (11, ``migrator``) and a bookkeeping ``_internal`` task (13).
    The board has no problems.
    """
    paths = TeamPaths(home, team_dir_name(name))
    created = now - 120 * MINUTE
    members = [
        _member(paths.name, "team-lead", agent_type="team-lead", model="claude-opus-4-6",
                joined=created),
        _member(paths.name, "parser", color="blue", pane="%12", joined=created + 60,
                active=True),
        _member(paths.name, "tester", color="green", pane="%13", joined=created + 75,
                active=False),
        _member(paths.name, "docs", color="yellow", model="claude-haiku-4-5", pane="%14",
                joined=created + 90, active=False),
        _member(paths.name, "reviewer", agent_type="code-reviewer", color="purple",
                pane="%15", joined=created + 105, active=True),
    ]
    config = _config(paths.name, "Rewrite the header parser", created, members)
    _write(paths.config_path, dump_json(config), now - 30 * MINUTE)

    paths.tasks_dir.mkdir(parents=True, exist_ok=True)
    _write(paths.tasks_dir / ".lock", "", created)
    tasks = _sample_tasks()
    for task, age in tasks:
        _write(paths.task_path(task["id"]), dump_json(task), now - age * MINUTE)

    by_id = {task["id"]: task for task, _ in tasks}

    def ago(minutes: float) -> float:
        return now - minutes * MINUTE

    _write_inboxes(paths, {
        "team-lead": [
            _idle("tester", "green", ago(50), completed="4"),
            _message("reviewer", "Starting the grammar review (#9). The EBNF looks close to "
                     "RFC 5322; I will list the deviations.", ago(46),
                     summary="Starting the grammar review", color="purple"),
            _idle("docs", "yellow", ago(28), completed="8", read=False),
            _message("parser", "The tokenizer handles folded headers now; obs-fold and "
                     "quoted-pairs are next.", ago(4), summary="Tokenizer: folded headers done",
                     color="blue", read=False),
        ],
        "parser": [
            _assignment(by_id["3"], ago(85)),
            _message("team-lead", "Start with the tokenizer; keep folded headers in mind.",
                     ago(85), summary="Start with the tokenizer"),
        ],
        "tester": [
            _assignment(by_id["4"], ago(84)),
            _message("team-lead", "Once #5 lands, pick up the parser tests (#6).", ago(20),
                     summary="Next: the parser tests", read=False),
        ],
        "docs": [_assignment(by_id["8"], ago(60))],
        "reviewer": [
            _assignment(by_id["9"], ago(48)),
            _message("team-lead", "How is the grammar review going?", ago(15),
                     summary="How is the review going?", read=False),
        ],
    })
    return paths


# -- the problem team ------------------------------------------------------------

MARKUP_SUBJECT = "[bold red]boom[/] and an escape \x1b[31m"
"""A subject that must be shown literally: Rich markup and a terminal escape sequence."""

PROBLEM_KINDS = ("invalid_json", "torn", "numeric_id", "id_mismatch", "missing_key",
                 "unknown_status", "dangling_ref", "asymmetric", "cycle")
"""Every problem kind :func:`write_problem_team` produces."""


def _problem_files() -> dict[str, str]:
    """File name -> exact text for the problem team's task list."""
    def valid(task: dict[str, Any]) -> str:
        return dump_json(task)

    missing = _task("6", "Lost its blocks", "The 'blocks' key is missing.")
    del missing["blocks"]
    numeric = _task("4", "A numeric id", "Claude Code ignores this task.")
    numeric["id"] = 4
    return {
        "1.json": '{\n  "id": "1",\n  "subject": oops,\n  "status": "pending"\n}',
        "2.json": "",
        "3.json": '{\n  "id": "3",\n  "subject": "Half written",\n',
        "4.json": valid(numeric),
        "5.json": valid(_task("50", "Wrong file", "The id says 50 but the file is 5.json.")),
        "6.json": valid(missing),
        "7.json": valid(_task("7", "Unknown status", "'blocked' is not a status.",
                              "blocked")),
        "8.json": valid(_task("8", "Waits on a ghost", "#99 does not exist.",
                              blocked_by=["99"])),
        "9.json": valid(_task("9", "One-sided link", "#10 does not list #9 in blocks.",
                              blocked_by=["10"])),
        "10.json": valid(_task("10", "The other side", "Forgot to list #9.")),
        "11.json": valid({**_task("11", "Chicken", "Waits on #12.", blocked_by=["12"]),
                          "blocks": ["12"]}),
        "12.json": valid({**_task("12", "Egg", "Waits on #11.", blocked_by=["11"]),
                          "blocks": ["11"]}),
        "13.json": valid(_task("13", MARKUP_SUBJECT,
                               "[link=https://example.com]not a link[/link] \x1b[2J\x07",
                               "in_progress", owner="lead", active_form=MARKUP_SUBJECT)),
        "14.json": valid(_task("14", "A healthy task", "Nothing wrong here.")),
        "notes.txt": "not a task: ignored",
    }


def write_problem_team(home: Path, name: str = "broken-team", *,
                       now: float = SAMPLE_NOW) -> TeamPaths:
    """Write a team whose list has one file for each problem kind in :data:`PROBLEM_KINDS`.

    Also a task whose subject and description hold Rich markup and escape
    sequences (#13), which must appear literally, and a healthy task (#14).
    """
    paths = TeamPaths(home, team_dir_name(name))
    created = now - 30 * MINUTE
    members = [
        _member(paths.name, "team-lead", agent_type="team-lead", model="claude-opus-4-6",
                joined=created),
        _member(paths.name, "lead", color="red", pane="in-process", joined=created + 30,
                active=True, backend="in-process"),
    ]
    _write(paths.config_path, dump_json(_config(paths.name, "Everything that can go wrong",
                                                created, members)), created)
    for offset, (filename, text) in enumerate(_problem_files().items()):
        _write(paths.tasks_dir / filename, text, created + offset * MINUTE)
    _write_inboxes(paths, {
        "lead": [_message("team-lead", "[red]not markup[/red]\x1b[0m", now - 5 * MINUTE,
                          summary="[b]literal[/b]", read=False)],
    })
    return paths


# -- large lists -------------------------------------------------------------------

_LARGE_AGENTS = ("alpha", "bravo", "charlie", "delta")
_LARGE_COLORS = ("blue", "green", "orange", "cyan")


def _large_tasks(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` tasks in layers: each blocked by 0-3 tasks of the two layers above it.

    The first 40% are completed; of the rest, a task whose blockers are all
    completed is in progress one time in three, everything else is pending.
    """
    width = max(10, count // 20)
    done_below = int(count * 0.4)
    tasks: list[dict[str, Any]] = []
    status: dict[int, str] = {}
    for n in range(1, count + 1):
        layer = (n - 1) // width
        blockers: list[int] = []
        if layer > 0:
            low = max(1, (layer - 2) * width + 1)
            high = layer * width
            blockers = sorted(rng.sample(range(low, high + 1), rng.randint(0, 3)))
        if n <= done_below:
            state = "completed"
        elif all(status[b] == "completed" for b in blockers) and rng.random() < 1 / 3:
            state = "in_progress"
        else:
            state = "pending"
        status[n] = state
        owner = _LARGE_AGENTS[n % len(_LARGE_AGENTS)] if state != "pending" else None
        tasks.append(_task(str(n), f"Task {n}: step {n % 97} of layer {layer}",
                           f"Generated task {n} in layer {layer}.", state, owner=owner,
                           active_form=f"Working on task {n}" if state == "in_progress" else None,
                           blocked_by=[str(b) for b in blockers]))
    _link(tasks)
    return tasks


def generate_large_list(home: Path, name: str, count: int, *, seed: int = 0,
                        now: float | None = None) -> TeamPaths:
    """Write ``count`` tasks with layered, symmetric dependencies and a small team.

    Files are written directly (no locks, no fsync) so 10,000 tasks take
    about a second. With ``now`` given, task mtimes step back one second per task
    from it (the config is an hour older), so the result is fully deterministic.
    """
    paths = TeamPaths(home, team_dir_name(name))
    created = (now if now is not None else SAMPLE_NOW) - 3600.0
    members = [_member(paths.name, "team-lead", agent_type="team-lead",
                       model="claude-opus-4-6", joined=created)]
    members += [_member(paths.name, agent, color=color, pane="in-process", joined=created,
                        active=True, backend="in-process")
                for agent, color in zip(_LARGE_AGENTS, _LARGE_COLORS, strict=True)]
    paths.inboxes_dir.mkdir(parents=True, exist_ok=True)
    paths.config_path.write_text(dump_json(_config(paths.name, f"{count} generated tasks",
                                                   created, members)), encoding="utf-8")
    paths.tasks_dir.mkdir(parents=True, exist_ok=True)
    (paths.tasks_dir / ".lock").touch()
    if now is not None:
        for path in (paths.config_path, paths.tasks_dir / ".lock"):
            os.utime(path, (created, created))
    base = str(paths.tasks_dir)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    for task in _large_tasks(count, random.Random(seed)):
        path = f"{base}/{task['id']}.json"
        fd = os.open(path, flags, 0o644)
        try:
            os.write(fd, dump_json(task).encode("utf-8"))
        finally:
            os.close(fd)
        if now is not None:
            stamp = now - (count - int(task["id"]))
            os.utime(path, (stamp, stamp))
    return paths


__all__ = ["MARKUP_SUBJECT", "PROBLEM_KINDS", "SAMPLE_NOW", "generate_large_list",
           "write_problem_team", "write_sample_team"]
