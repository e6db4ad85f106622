"""Low-level file reads and atomic writes, shared by the task and team stores."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from taskboard.board.model import dump_json
from taskboard.claude.errors import NotFound, Unreadable


def read_text(path: Path) -> tuple[str, float]:
    """A file's text and its mtime, taken from the same open file. Raises FileNotFoundError."""
    with open(path, "rb") as handle:
        mtime = os.fstat(handle.fileno()).st_mtime
        data = handle.read()
    return data.decode("utf-8", errors="replace"), mtime


def read_json(path: Path, what: str) -> Any:
    """Strictly read a JSON file for an update: missing or invalid is a refusal."""
    try:
        text, _ = read_text(path)
    except FileNotFoundError:
        raise NotFound(f"{what} does not exist ({path})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise Unreadable(f"{what} is not valid JSON ({path}: {err.msg}); "
                         "nothing was written") from None


def write_atomic(path: Path, text: str) -> None:
    """Write through a temp file in the same directory, fsync, then rename over ``path``.

    The temp name does not end in ``.json`` so Claude Code never lists it as a task.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write ``obj`` in Claude Code's JSON style, atomically."""
    write_atomic(path, dump_json(obj))
