"""Where Claude Code keeps its task lists and teams, and how names become paths.

Every name that reaches a path goes through Claude Code's own sanitising rules
(see FORMAT.md), so a name from the command line can never leave the Claude home:
``/`` and ``.`` are replaced, so ``..`` cannot survive.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

_TEAM_UNSAFE = re.compile(r"[^a-z0-9]")
_LIST_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
TASK_FILE = re.compile(r"^([0-9]+)\.json$")


def claude_home(explicit: str | os.PathLike[str] | None = None,
                env: Mapping[str, str] | None = None) -> Path:
    """The Claude home: ``explicit`` if given, else ``$CLAUDE_CONFIG_DIR``, else ``~/.claude``."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit).expanduser()
    configured = env.get("CLAUDE_CONFIG_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".claude"


def team_dir_name(name: str) -> str:
    """A team's directory name: lowercased, every character outside ``[a-z0-9]`` becomes ``-``."""
    return _TEAM_UNSAFE.sub("-", name.lower())


def list_dir_name(name: str) -> str:
    """A task list's directory name: characters outside ``[A-Za-z0-9_-]`` become ``-``."""
    return _LIST_UNSAFE.sub("-", name)


def task_id_from_name(filename: str) -> str | None:
    """The task id of a file name such as ``12.json``; None for anything that is not a task."""
    match = TASK_FILE.match(filename)
    return match.group(1) if match else None


@dataclass(frozen=True)
class TeamPaths:
    """The paths of one team: its task list directory and its team directory."""

    home: Path
    name: str
    typed: str = field(default="", compare=False)
    """The name as the user typed it, before sanitising ("" when it came from disk)."""

    @property
    def tasks_dir(self) -> Path:
        return self.home / "tasks" / self.name

    @property
    def team_dir(self) -> Path:
        return self.home / "teams" / self.name

    @property
    def config_path(self) -> Path:
        return self.team_dir / "config.json"

    @property
    def inboxes_dir(self) -> Path:
        return self.team_dir / "inboxes"

    @property
    def exists(self) -> bool:
        """True when the task list or the team directory is there."""
        return self.tasks_dir.is_dir() or self.team_dir.is_dir()

    def unknown(self) -> str:
        """The one wording for a team or list that is not there, everywhere."""
        return f"no task list or team named {self.described()} in {self.home}"

    def described(self) -> str:
        """``'my-team'``, or ``'My Team' (read as 'my-team')`` when sanitising changed it."""
        if self.typed and self.typed != self.name:
            return f"'{self.typed}' (read as '{self.name}')"
        return f"'{self.name}'"

    def task_path(self, task_id: str) -> Path:
        return self.tasks_dir / f"{task_id}.json"

    def inbox_path(self, agent: str) -> Path:
        return self.inboxes_dir / f"{list_dir_name(agent)}.json"


def resolve(home: Path, name: str) -> TeamPaths:
    """The paths for a list or team named on the command line.

    The name is first taken as a list name (Claude Code's list rule keeps case and
    underscores); if no such list or team exists it is taken as a team name, which
    is how Claude Code names a team's list. Raises ValueError for an empty name.
    """
    if not name or not name.strip():
        raise ValueError("a team or list name cannot be empty")
    as_list = list_dir_name(name)
    as_team = team_dir_name(name)
    for candidate in (as_list, as_team):
        paths = TeamPaths(home, candidate, name)
        if paths.exists:
            return paths
    return TeamPaths(home, as_team, name)


def missing_home(home: Path) -> str | None:
    """Why ``home`` cannot be a Claude home (with a hint), or None when it can."""
    if home.is_dir():
        return None
    what = "is not a directory" if home.exists() else "does not exist"
    return (f"the Claude home {home} {what}; name it with --claude-dir DIR "
            "or $CLAUDE_CONFIG_DIR")


def known_names(home: Path) -> list[str]:
    """Every task list and team directory name under the home, sorted."""
    names: set[str] = set()
    for sub in ("tasks", "teams"):
        base = home / sub
        try:
            names.update(entry.name for entry in os.scandir(base) if entry.is_dir())
        except (FileNotFoundError, NotADirectoryError):
            continue
    return sorted(names)
