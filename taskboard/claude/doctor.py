"""``taskboard doctor``: check a Claude home and say what is wrong and what to do.

Each check yields :class:`Finding` values. A ``problem`` is something that breaks teamwork or
taskboard's view of it now (a file Claude Code ignores or would delete, a team that cannot keep
tasks, no Claude home at all); the command exits non-zero when there is one. ``warning`` is worth
a look; ``info`` is what was found.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from taskboard.claude.lists import NO_TASKS_HINT, summarize_lists
from taskboard.claude.paths import TASK_FILE, TeamPaths
from taskboard.claude.reader import load_board
from taskboard.claude.transcripts import find_team_transcripts
from taskboard.timefmt import day_time, duration

Level = Literal["info", "warning", "problem"]
STALE_SECONDS = 10.0
"""A lock directory untouched this long belongs to a writer that died (proper-lockfile's rule)."""
VERSION = re.compile(rb'"version"\s*:\s*"(\d+\.\d+\.\d+)"')
TASK_TOOL_MODELS = re.compile(r"claude-(opus|sonnet|haiku)-(\d+)-(\d+)")
NEWEST_WITH_TASK_TOOLS = {"opus": (4, 7), "sonnet": (4, 6), "haiku": (4, 5)}
"""Claude Code 2.1.3xx offers the task tools to these families up to these versions (and to
claude-3.x, unknown names and inference profiles); newer models need the setting below."""
TODO_SETTING = "CLAUDE_CODE_ENABLE_TODO_TOOLS"


@dataclass(frozen=True)
class Finding:
    level: Level
    topic: str
    text: str
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "topic": self.topic, "text": self.text,
                "fix": self.fix or None}


def model_lacks_task_tools(model: str) -> bool:
    """True for a model Claude Code 2.1.3xx gives no task tools without ``TODO_SETTING``."""
    match = TASK_TOOL_MODELS.search(model or "")
    if not match:
        return False
    family, major, minor = match[1], int(match[2]), int(match[3])
    return (major, minor) > NEWEST_WITH_TASK_TOOLS[family]


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _falsy(value: object) -> bool:
    return str(value).strip().lower() in ("0", "false", "no", "off")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def versions(home: Path, limit: int = 30) -> dict[str, list[str]]:
    """Claude Code versions that wrote this home: version -> where it was seen (the newest
    ``sessions/*.json`` and transcripts, each read only at its start)."""
    found: dict[str, list[str]] = {}
    candidates: list[Path] = []
    for pattern in ("sessions/*.json", "projects/*/*.jsonl"):
        candidates.extend(home.glob(pattern))
    candidates.sort(key=lambda p: p.stat().st_mtime if p.exists() else 0, reverse=True)
    for path in candidates[:limit]:
        try:
            with open(path, "rb") as handle:
                head = handle.read(65536)
        except OSError:
            continue
        for match in VERSION.finditer(head):
            where = found.setdefault(match[1].decode(), [])
            rel = str(path.relative_to(home))
            if rel not in where:
                where.append(rel)
            break
    return found


def check_home(home: Path, env: Mapping[str, str] | None = None,
               now: float | None = None) -> list[Finding]:
    """Every finding for the Claude home ``home``."""
    env = os.environ if env is None else env
    now = time.time() if now is None else now
    if not home.is_dir():
        return [Finding("problem", "home", f"there is no Claude home at {home}",
                        "run Claude Code once, or name the home with --claude-dir or "
                        "CLAUDE_CONFIG_DIR")]
    findings = [Finding("info", "home", f"Claude home: {home}")]
    findings.extend(_version(home))
    findings.extend(_settings(home, env))
    findings.extend(_lists(home))
    findings.extend(_stray_files(home))
    findings.extend(_locks(home, now))
    return findings


def _version(home: Path) -> Iterator[Finding]:
    seen = versions(home)
    if not seen:
        yield Finding("info", "version", "Claude Code version: unknown (no sessions/ entry or "
                      "transcript names one)")
        return
    for version, where in sorted(seen.items()):
        yield Finding("info", "version", f"written by Claude Code {version} "
                      f"(seen in {', '.join(where[:2])}{', ...' if len(where) > 2 else ''})")


def _settings(home: Path, env: Mapping[str, str]) -> Iterator[Finding]:
    """Settings that keep the task list off."""
    values: dict[str, tuple[str, str]] = {}
    model = ("", "")
    for name in ("settings.json", "settings.local.json"):
        data = _read_json(home / name)
        if not isinstance(data, dict):
            continue
        for key, value in (data.get("env") or {}).items() if isinstance(data.get("env"),
                                                                         dict) else []:
            values[key] = (str(value), f"{name} env")
        if isinstance(data.get("model"), str):
            model = (data["model"], name)
    for key in ("CLAUDE_CODE_ENABLE_TASKS", TODO_SETTING, "ANTHROPIC_MODEL"):
        if key in env:
            values[key] = (env[key], "this shell's environment")
    if "ANTHROPIC_MODEL" in values:
        model = values["ANTHROPIC_MODEL"]
    tasks = values.get("CLAUDE_CODE_ENABLE_TASKS")
    if tasks and _falsy(tasks[0]):
        yield Finding("problem", "settings", f"CLAUDE_CODE_ENABLE_TASKS={tasks[0]} "
                      f"(in {tasks[1]}) turns Claude Code's task tools off: no task list",
                      "remove it, or set it to 1")
    todo = values.get(TODO_SETTING)
    if model[0] and model_lacks_task_tools(model[0]) and not (todo and _truthy(todo[0])):
        yield Finding("problem", "settings", f"the model {model[0]} (in {model[1]}) gets no "
                      f"task tools from Claude Code 2.1.3xx: no task list",
                      f"set {TODO_SETTING}=1 in the env of {home / 'settings.json'}")


def _lists(home: Path) -> Iterator[Finding]:
    rows = summarize_lists(home)
    if not rows:
        yield Finding("info", "teams", "no task lists or teams yet")
    for row in rows:
        paths = TeamPaths(home, row.name)
        board = load_board(paths)
        if row.has_team:
            names = [m.name for m in board.members]
            where = (f", lead in {row.lead_cwd}, started {day_time(row.started)}"
                     if row.lead_cwd or row.started else "")
            yield Finding("info", "team", f"team {row.name}: {len(names)} member(s) "
                          f"({', '.join(names) or 'none'}), {row.tasks} task(s){where}")
            yield from _transcripts(home, paths, board)
        else:
            yield Finding("info", "list", f"list {row.name}: {row.tasks} task(s), no team "
                          "directory (claude -p or CLAUDE_CODE_TASK_LIST_ID)")
        if row.note:
            slow = [m.model for m in board.members if model_lacks_task_tools(m.model)]
            level: Level = "problem" if slow else "warning"
            why = (f"its member(s) run {', '.join(sorted(set(slow)))}, which get no task tools"
                   if slow else NO_TASKS_HINT)
            yield Finding(level, "team", f"team {row.name} has no tasks: {why}",
                          f"start its agents with {TODO_SETTING}=1 (in the env of "
                          f"{home / 'settings.json'})")
        for problem in board.problems():
            where = f"#{problem.task} " if problem.task else ""
            yield Finding("problem", "file", f"{row.name}: {where}{problem.detail}"
                          + (f" ({problem.path})" if problem.path else ""),
                          f"see 'taskboard show {row.name}'; Claude Code ignores a task file "
                          "it cannot parse")


def _transcripts(home: Path, paths: TeamPaths, board: Any) -> Iterator[Finding]:
    config = _read_json(paths.config_path)
    found = find_team_transcripts(home, paths.name, config if isinstance(config, dict) else None)
    have = sum(1 for m in board.members if m.name in found.files)
    yield Finding("info", "team", f"{paths.name}: transcripts found for {have} of "
                  f"{len(board.members)} member(s)")
    for member in board.members:
        path = found.files.get(member.name)
        if path is None:
            yield Finding("warning", "transcripts", f"{paths.name}: no transcript found for "
                          f"{member.name}", "its activity is known only from the task files "
                          "and inboxes")
        else:
            yield Finding("info", "transcripts", f"{paths.name}: {member.name}'s transcript "
                          f"is {path.relative_to(home)}")


def _stray_files(home: Path) -> Iterator[Finding]:
    """``*.json`` in a task list that is not a task: Claude Code lists it, and deletes it when it
    clears the list."""
    tasks = home / "tasks"
    for path in sorted(tasks.glob("*/*.json")) if tasks.is_dir() else []:
        if not TASK_FILE.match(path.name):
            yield Finding("problem", "file", f"{path.relative_to(home)} is not a task file "
                          "(only <number>.json are tasks)",
                          "move it out of the task list: Claude Code treats every *.json there "
                          "as a task and deletes it when it clears the list")
    teams = home / "teams"
    for path in sorted(teams.glob("*/inboxes/*.json")) if teams.is_dir() else []:
        config = _read_json(path.parent.parent / "config.json")
        if not isinstance(config, dict) or not isinstance(config.get("members"), list):
            continue
        names = {m.get("name") for m in config["members"] if isinstance(m, dict)}
        agent = path.name[: -len(".json")]
        if agent not in names and _read_json(path) not in ([], None):
            yield Finding("warning", "inbox", f"{path.relative_to(home)}: unread messages for "
                          f"'{agent}', who is not a member of the team",
                          "a typo or a member who left; remove the file if nobody will read it")


def _locks(home: Path, now: float) -> Iterator[Finding]:
    patterns = ("tasks/*/*.lock", "teams/*/*.lock", "teams/*/inboxes/*.lock")
    for pattern in patterns:
        for path in sorted(home.glob(pattern)):
            try:
                st = path.stat()
            except OSError:
                continue
            age = now - st.st_mtime
            rel = path.relative_to(home)
            if path.is_dir() and age > STALE_SECONDS:
                yield Finding("warning", "lock", f"{rel} is a stale lock (untouched for "
                              f"{duration(age)}): its holder died",
                              "Claude Code and taskboard take it over by themselves; if no "
                              f"agent runs, remove it with: rmdir '{path}'")
            elif path.is_dir():
                yield Finding("info", "lock", f"{rel} is held (for {duration(max(age, 0))} "
                              "so far)")
            # a regular file named *.lock is the Go SDK's flock target, or .lock itself: fine
