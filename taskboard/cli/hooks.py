"""``taskboard hooks``: Claude Code hooks that keep a journal of every session by themselves.

``taskboard hooks`` prints a ``settings.json`` fragment; ``--install`` merges it into a
settings file (diff shown first, a backup kept, every existing hook kept, idempotent).
The hooks run ``taskboard hook``, which reads Claude Code's hook payload on stdin:

- ``SessionStart`` starts ``taskboard record`` in the background (one per Claude home: a
  second one sees the first's lock and exits at once), so no session goes unrecorded;
- ``SessionEnd``, ``TeammateIdle``, ``TaskCreated`` and ``TaskCompleted`` are journalled as
  ``hook`` events with their payloads.

``taskboard hook`` always exits 0 and never writes to stdout: Claude Code reads a hook's exit
code 2 as "block this" and its stdout as instructions for the model.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskboard.claude.paths import claude_home
from taskboard.cli.common import Refused

if TYPE_CHECKING:
    from rich.console import Console

ORDER = 70
"""Where this module's commands come in ``taskboard --help``."""

EVENTS = ("SessionStart", "SessionEnd", "TeammateIdle", "TaskCreated", "TaskCompleted")
"""The Claude Code 2.1.3xx hook events taskboard listens to."""
MARK = " hook"
"""What marks a hook command as taskboard's (``... taskboard hook`` / ``-m taskboard hook``)."""
MAX_PAYLOAD = 1 << 20

EXAMPLE = """examples:
  taskboard hooks                        # print the settings.json fragment
  taskboard hooks --install --user       # merge it into ~/.claude/settings.json
  taskboard hooks --install --project .  # merge it into ./.claude/settings.local.json"""


def hook_command() -> str:
    """How Claude Code runs us: the installed script when it is on PATH, else this Python."""
    import shlex
    import shutil

    script = shutil.which("taskboard")
    if script:
        return f"{shlex.quote(os.path.abspath(script))} hook"
    return f"{shlex.quote(sys.executable)} -m taskboard hook"


def fragment(command: str | None = None) -> dict[str, Any]:
    """The settings.json fragment: one command hook per event."""
    command = command or hook_command()
    return {"hooks": {event: [{"hooks": [{"type": "command", "command": command,
                                           "timeout": 10}]}]
                      for event in EVENTS}}


def _is_ours(entry: Any) -> bool:
    return isinstance(entry, dict) and any(
        isinstance(h, dict) and "taskboard" in str(h.get("command", ""))
        and str(h.get("command", "")).endswith(MARK)
        for h in entry.get("hooks", []) or [])


def merge(settings: dict[str, Any], command: str | None = None) -> dict[str, Any]:
    """``settings`` with taskboard's hooks added where missing; every other hook kept."""
    merged = json.loads(json.dumps(settings))
    hooks = merged.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise Refused("the settings file's 'hooks' is not an object; fix it by hand first")
    for event, entries in fragment(command)["hooks"].items():
        existing = hooks.setdefault(event, [])
        if not isinstance(existing, list):
            raise Refused(f"the settings file's hooks.{event} is not a list; fix it by hand")
        if not any(_is_ours(e) for e in existing):
            existing.extend(entries)
    return merged


def settings_path(args: argparse.Namespace) -> Path:
    if args.project is not None:
        return Path(args.project).expanduser().resolve() / ".claude" / "settings.local.json"
    return claude_home(args.claude_dir) / "settings.json"


def _dump(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def install(path: Path, *, yes: bool, out: Console) -> int:
    import difflib
    import shutil

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as err:
        raise Refused(f"cannot read {path}: {err.strerror}") from None
    try:
        current = json.loads(text) if text.strip() else {}
    except ValueError as err:
        raise Refused(f"{path} is not valid JSON ({err}); fix it by hand first") from None
    if not isinstance(current, dict):
        raise Refused(f"{path} does not hold a JSON object; fix it by hand first")
    updated = merge(current)
    if updated == current:
        print(f"taskboard's hooks are already in {path}; nothing to do.")
        return 0
    before = _dump(current) if text.strip() else ""
    diff = difflib.unified_diff(before.splitlines(keepends=True),
                                _dump(updated).splitlines(keepends=True),
                                fromfile=f"{path} (now)", tofile=f"{path} (with taskboard)")
    sys.stdout.writelines(diff)
    if not yes:
        if not sys.stdin.isatty():
            raise Refused("not applied: run again with --yes to write this change")
        answer = input(f"Write this to {path}? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing written.")
            return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        backup = path.with_name(f"{path.name}.bak-{time.strftime('%Y%m%d-%H%M%S')}")
        shutil.copy2(path, backup)
        print(f"Backed up {path} to {backup}")
    _write_atomically(path, _dump(updated))
    print(f"Installed taskboard's hooks in {path}.")
    return 0


def _write_atomically(path: Path, text: str) -> None:
    import shutil
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def cmd_hooks(args: argparse.Namespace, out: Console) -> int:
    if not args.install:
        if args.project is not None or args.user:
            raise Refused("--project and --user go with --install")
        print(_dump(fragment()), end="")
        return 0
    if args.project is None and not args.user:
        raise Refused("--install needs --user or --project DIR (where to install)")
    return install(settings_path(args), yes=args.yes, out=out)


# -- the hook itself ---------------------------------------------------------------


def team_of(payload: dict[str, Any]) -> str | None:
    """The team a hook payload concerns: ``team_name``, else the session's own team
    (Claude Code 2.1.3xx names it ``session-`` and the session id's first 8 characters)."""
    team = payload.get("team_name")
    if isinstance(team, str) and team:
        return team
    session = payload.get("session_id")
    if isinstance(session, str) and len(session) >= 8:
        return f"session-{session[:8]}"
    return None


def start_recorder(args: argparse.Namespace) -> None:
    """``taskboard record`` in the background, detached from Claude Code's process."""
    import subprocess

    argv = [sys.executable, "-m", "taskboard", "--claude-dir",
            str(claude_home(args.claude_dir))]
    if getattr(args, "data_dir", None):
        argv += ["--data-dir", str(args.data_dir)]
    argv.append("record")
    subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)


def record_hook(args: argparse.Namespace, payload: dict[str, Any], now: float) -> None:
    from taskboard.journal.events import HOOK, Event
    from taskboard.journal.store import Journal, data_dir

    team = team_of(payload)
    if team is None:
        return
    name = str(payload.get("hook_event_name") or "")
    task = payload.get("task_id")
    agent = payload.get("teammate_name") or payload.get("agent_type")
    event = Event(time=now, team=team, kind=HOOK, source="hook",
                  task=str(task) if task is not None else None,
                  agent=str(agent) if agent else None,
                  detail={"event": name, "payload": payload})
    journal = Journal.open(data_dir(getattr(args, "data_dir", None)))
    try:
        latest = journal.latest_session(team)
        session = latest.id if latest else journal.session_for(team, now=now)
        journal.record([event.with_session(session)])
    finally:
        journal.close()


def cmd_hook(args: argparse.Namespace, out: Console) -> int:
    """Run as a Claude Code hook: journal the payload; never fail, never print to stdout."""
    try:
        raw = sys.stdin.read(MAX_PAYLOAD)
        payload = json.loads(raw) if raw.strip() else {}
        if not isinstance(payload, dict):
            return 0
        if payload.get("hook_event_name") == "SessionStart":
            start_recorder(args)
        record_hook(args, payload, time.time())
    except Exception as err:  # a hook must never break the session it watches
        print(f"taskboard hook: {type(err).__name__}: {err}", file=sys.stderr)
    return 0


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add ``hooks`` and ``hook`` to the parser."""
    hooks = sub.add_parser(
        "hooks", parents=[common], help="Claude Code hooks that record every session",
        description="Print, or install into a Claude Code settings file, hooks that start "
                    "'taskboard record' when a session starts and journal idle and "
                    "completion events with their payloads.",
        epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    hooks.set_defaults(handler=cmd_hooks)
    hooks.add_argument("--install", action="store_true",
                       help="merge the hooks into a settings file (shows the diff first)")
    where = hooks.add_mutually_exclusive_group()
    where.add_argument("--project", metavar="DIR",
                       help="install into DIR/.claude/settings.local.json")
    where.add_argument("--user", action="store_true",
                       help="install into the Claude home's settings.json")
    hooks.add_argument("--yes", action="store_true", help="write without asking")

    hook = sub.add_parser(
        "hook", parents=[common], help="run as a Claude Code hook (reads its payload on stdin)",
        description="What the installed hooks run: reads Claude Code's hook payload on stdin "
                    "and journals it; on SessionStart also starts 'taskboard record'. "
                    "Always exits 0.",
        epilog="example:\n  echo '{\"hook_event_name\":\"TeammateIdle\",\"team_name\":\"t\","
               "\"teammate_name\":\"alice\"}' | taskboard hook",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    hook.set_defaults(handler=cmd_hook, needs_home=False)  # a hook always exits 0
