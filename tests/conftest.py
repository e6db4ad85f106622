"""Shared builders: a Claude home in ``tmp_path`` and files written the way Claude Code writes them.

Everything here writes real files; nothing mocks the file system. Task, team and inbox files
are JSON in Claude Code's style (:func:`taskboard.board.model.dump_json`), so tests read like the
files an agent team leaves on disk:

    def test_something(home):
        team = make_team(home, "alpha", ["team-lead", "alice"])
        make_task(team.tasks_dir, "1", subject="Write the parser", owner="alice")
        write_inbox(team, "alice", [message("team-lead", "Start with the header tests.")])
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from taskboard.board.model import dump_json
from taskboard.claude.paths import TeamPaths

CLAUDE_KEYS = ("id", "subject", "description", "activeForm", "owner", "status",
               "blocks", "blockedBy", "metadata")
"""The keys of a task file, in the order Claude Code writes them."""

BASE_MS = 1_763_700_000_000
"""A fixed epoch-milliseconds moment for ``createdAt`` and ``joinedAt``."""


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's ``$XDG_DATA_HOME`` is a tmp dir: nothing writes the real
    ``~/.local/share/taskboard`` (headless writes journal themselves there by default)."""
    path = tmp_path_factory.mktemp("xdg-data")
    monkeypatch.setenv("XDG_DATA_HOME", str(path))
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Claude home; ``$CLAUDE_CONFIG_DIR`` points at it so nothing sees ~/.claude,
    and ``$XDG_DATA_HOME`` at an empty directory so nothing reads the real journal."""
    path = tmp_path / "claude"
    path.mkdir()
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))  # never the real journal
    return path


def task_json(task_id: str, **fields: Any) -> dict[str, Any]:
    """A task object as Claude Code writes it: the required keys with defaults, in its order.

    ``fields`` use the file's own key names (``blockedBy``, ``activeForm``); a field given as
    None is left out, and keys Claude Code does not know go after its own, in the order given.
    """
    values: dict[str, Any] = {"id": task_id, "subject": f"Task {task_id}", "description": "",
                              "status": "pending", "blocks": [], "blockedBy": []}
    values.update(fields)
    out = {k: values[k] for k in CLAUDE_KEYS if values.get(k) is not None}
    out.update((k, v) for k, v in values.items() if k not in CLAUDE_KEYS and v is not None)
    return out


def make_task(list_dir: Path, task_id: str, **fields: Any) -> Path:
    """Write ``<list_dir>/<task_id>.json`` (creating the list directory); return its path."""
    list_dir.mkdir(parents=True, exist_ok=True)
    path = list_dir / f"{task_id}.json"
    path.write_text(dump_json(task_json(task_id, **fields)), encoding="utf-8")
    return path


def member_json(team: str, name: str, **fields: Any) -> dict[str, Any]:
    """One ``members`` entry of a team's ``config.json``; ``fields`` override or add keys."""
    out: dict[str, Any] = {
        "agentId": f"{name}@{team}",
        "name": name,
        "agentType": "team-lead" if name == "team-lead" else "general-purpose",
        "model": "claude-sonnet-4-5",
        "joinedAt": BASE_MS,
        "tmuxPaneId": "",
        "cwd": "/src/app",
        "subscriptions": [],
    }
    out.update(fields)
    return out


def make_team(home: Path, name: str, members: Iterable[str | Mapping[str, Any]] = ("team-lead",),
              *, with_list: bool = True) -> TeamPaths:
    """A team directory with ``config.json`` and an ``inboxes/`` folder, and (unless
    ``with_list`` is off) its task list directory with the empty ``.lock`` Claude Code keeps.

    A member is a name, or a mapping with at least ``name`` whose keys override the defaults
    (for example ``{"name": "alice", "isActive": False, "color": "green"}``).
    """
    paths = TeamPaths(home, name)
    entries = []
    for member in members:
        fields = {"name": member} if isinstance(member, str) else dict(member)
        entries.append(member_json(name, **fields))
    config = {
        "name": name,
        "description": f"The {name} team",
        "createdAt": BASE_MS,
        "leadAgentId": f"team-lead@{name}",
        "members": entries,
    }
    paths.inboxes_dir.mkdir(parents=True)
    paths.config_path.write_text(dump_json(config), encoding="utf-8")
    if with_list:
        paths.tasks_dir.mkdir(parents=True, exist_ok=True)
        (paths.tasks_dir / ".lock").touch()
    return paths


def message(sender: str, text: str | Mapping[str, Any], *, read: bool = False,
            timestamp: str = "2026-11-20T10:15:02.114Z", **fields: Any) -> dict[str, Any]:
    """One inbox message. A mapping ``text`` is a protocol message, encoded into the text."""
    body = json.dumps(dict(text), separators=(",", ":")) if isinstance(text, Mapping) else text
    out: dict[str, Any] = {"from": sender, "text": body}
    out.update(fields)
    out["timestamp"] = timestamp
    out["read"] = read
    return out


def write_inbox(team: TeamPaths, agent: str, messages: Iterable[Mapping[str, Any]]) -> Path:
    """Write ``<team>/inboxes/<agent>.json`` holding these messages, oldest first."""
    path = team.inbox_path(agent)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_json([dict(m) for m in messages]), encoding="utf-8")
    return path


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a directory), to prove that an
    operation left the tree exactly as it was: ``assert snapshot(home) == before``."""
    return {str(p.relative_to(root)): None if p.is_dir() else p.read_bytes()
            for p in sorted(root.rglob("*"))}


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (zombies included: a child not waited for),
    from ``/proc/*/stat``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found
