"""Where the journal lives, without loading the journal (or SQLite): a command that only
looks whether there is a journal (``show``, ``check``) asks here first."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

FILE_NAME = "journal.db"


def data_dir(explicit: str | os.PathLike[str] | None = None,
             env: Mapping[str, str] | None = None) -> Path:
    """taskboard's data directory: ``explicit``, else ``$XDG_DATA_HOME/taskboard``, else
    ``~/.local/share/taskboard``."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit).expanduser()
    xdg = env.get("XDG_DATA_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "taskboard"
    return Path.home() / ".local" / "share" / "taskboard"
