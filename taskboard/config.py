"""User settings from a TOML file (``~/.config/taskboard/config.toml`` or ``--config``).

A bad file never stops the console: every error becomes a readable warning
(with the line, when TOML gives one) and the defaults are used for what was bad.

```toml
theme = "textual-dark"      # else the theme last chosen in the palette (ctrl+p, Theme)
read_only = false
confirm = "always"          # "always", "destructive" (skip for harmless verbs) or "never"
notify_on_assign = true
sender = "taskboard"        # the "from" of messages the console sends (never a lead name)
stall_minutes = 10         # running, no sign of life from the task or its owner
idle_minutes = 2           # the owner idle while it holds running work
unclaimed_minutes = 2      # ready, nobody owns it, while an agent is idle
team_idle_minutes = 5      # open work and no agent working
thinking_minutes = 30      # a model request in flight hides a stall this long
bell = false               # ring the terminal bell on a new critical flag
notify_command = ""        # run this (with the reason as its last argument) on one

[keymap]                    # binding id = keys
"console.pause" = "ctrl+s"
```
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from taskboard.board.rules.flags import Thresholds
from taskboard.claude.errors import InvalidSender
from taskboard.claude.files import read_text
from taskboard.claude.sender import DEFAULT_SENDER, check_sender

CONFIRM_POLICIES = ("always", "destructive", "never")
DEFAULT_THEME = "textual-dark"
SMALL_CONFIG = 1 << 20
"""The most of a config file taskboard reads (1 MiB)."""


@dataclass(frozen=True)
class Settings:
    """Everything a user can set; the defaults are what you get without a file."""

    theme: str | None = None
    """None: the theme last chosen in the palette, else :data:`DEFAULT_THEME`."""
    read_only: bool = False
    confirm: str = "always"
    notify_on_assign: bool = True
    sender: str = DEFAULT_SENDER
    stall_minutes: float = 10.0
    idle_minutes: float = 2.0
    unclaimed_minutes: float = 2.0
    team_idle_minutes: float = 5.0
    thinking_minutes: float = 30.0
    bell: bool = False
    notify_command: str = ""
    keymap: dict[str, str] = field(default_factory=dict)
    source: str = field(default="", compare=False)
    """The file the settings came from ("" for the defaults)."""
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    """The line of each setting in that file: ``"stall_minutes"``, ``"keymap.console.pause"``."""

    def where(self, key: str) -> str:
        """``/path/config.toml, line 7`` for a setting, for warnings about it."""
        line = self.lines.get(key)
        return f"{self.source}, line {line}" if line else self.source


def thresholds(settings: Settings) -> Thresholds:
    """The rules' thresholds (seconds) from the settings (minutes)."""
    return Thresholds(stall=settings.stall_minutes * 60, idle=settings.idle_minutes * 60,
                      unclaimed=settings.unclaimed_minutes * 60,
                      team_idle=settings.team_idle_minutes * 60,
                      thinking=settings.thinking_minutes * 60)


def with_overrides(settings: Settings, values: dict[str, Any]) -> Settings:
    """``settings`` with the thresholds given on the command line (None: not given)."""
    given = {key: values[key] for key in THRESHOLD_SETTINGS if values.get(key) is not None}
    return replace(settings, **given) if given else settings


def default_config_path(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "taskboard" / "config.toml"


_TYPES: dict[str, tuple[type, ...]] = {
    "theme": (str,),
    "read_only": (bool,),
    "confirm": (str,),
    "notify_on_assign": (bool,),
    "sender": (str,),
    "stall_minutes": (int, float),
    "idle_minutes": (int, float),
    "unclaimed_minutes": (int, float),
    "team_idle_minutes": (int, float),
    "thinking_minutes": (int, float),
    "bell": (bool,),
    "notify_command": (str,),
}
THRESHOLD_SETTINGS = ("stall_minutes", "idle_minutes", "unclaimed_minutes",
                      "team_idle_minutes", "thinking_minutes")
"""The settings that are rule thresholds, each also a command-line flag (``--stall-minutes``)."""


def load_settings(path: str | os.PathLike[str] | None = None,
                  *, required: bool = False) -> tuple[Settings, list[str]]:
    """Read settings; returns them and the warnings to show. ``required``: the user named
    the file, so a missing file is worth a warning."""
    config_path = Path(path) if path else default_config_path()
    try:
        text, _mtime = read_text(config_path, SMALL_CONFIG)  # a FIFO or a huge file is refused
    except FileNotFoundError:
        warnings = [f"config file {config_path} not found; using defaults"] if required else []
        return Settings(), warnings
    except OSError as err:
        return Settings(), [f"config file {config_path} cannot be read "
                            f"({err.strerror or err}); using defaults"]
    import tomllib  # here: only when there is a config file to parse

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return Settings(), [f"config file {config_path}: {err}; using defaults"]
    return _from_dict(data, config_path, _key_lines(text))


_SECTION = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
_KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_.-]+))\s*=""")


def _key_lines(text: str) -> dict[str, int]:
    """The line (1-based) of each ``key = ...``, as ``key`` or ``section.key``."""
    lines: dict[str, int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _SECTION.match(line)
        if header:
            section = header.group(1).strip().strip('"')
            lines.setdefault(section, number)
            continue
        key = _KEY.match(line)
        if key:
            name = next(group for group in key.groups() if group is not None)
            lines.setdefault(f"{section}.{name}" if section else name, number)
    return lines


def _from_dict(data: dict[str, Any], where: Path,
               lines: dict[str, int] | None = None) -> tuple[Settings, list[str]]:
    lines = lines or {}
    values: dict[str, Any] = {}
    warnings: list[str] = []

    def at(key: str) -> str:
        return f"{where}, line {lines[key]}" if key in lines else str(where)

    for key, value in data.items():
        if key == "keymap":
            if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
                values["keymap"] = dict(value)
            else:
                warnings.append(f"{at(key)}: [keymap] maps binding ids to key strings; ignored")
            continue
        expected = _TYPES.get(key)
        if expected is None:
            warnings.append(f"{at(key)}: unknown setting '{key}' ignored")
        elif isinstance(value, bool) and bool not in expected or not isinstance(value, expected):
            warnings.append(f"{at(key)}: '{key}' should be {expected[0].__name__}; "
                            "default used")
        elif key == "sender" and _bad_sender(value):
            warnings.append(f"{at(key)}: 'sender': {_bad_sender(value)}; "
                            f"'{DEFAULT_SENDER}' used")
        elif key == "confirm" and value not in CONFIRM_POLICIES:
            warnings.append(f"{at(key)}: 'confirm' is one of {', '.join(CONFIRM_POLICIES)}; "
                            "default used")
        elif key in THRESHOLD_SETTINGS and not 0 < value < float("inf"):
            warnings.append(f"{at(key)}: '{key}' should be a positive number of "
                            f"minutes, not {value}; default used")
        elif key == "theme" and not value.strip():
            warnings.append(f"{at(key)}: '{key}' cannot be empty; default used")
        else:
            values[key] = value
    return Settings(**values, source=str(where), lines=lines), warnings


def _bad_sender(name: str) -> str | None:
    """Why taskboard may not send under ``name`` (a lead name), or None."""
    try:
        check_sender(name)
    except InvalidSender as err:
        return str(err)
    return None
