"""What the console remembers between runs (today: the theme chosen in the palette).

Kept as ``state.json`` in taskboard's data directory, written atomically (temp file, fsync,
rename) so a crash never leaves half a file; a missing or unreadable file is an empty state.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from taskboard.claude.files import read_text

FILE = "state.json"


def load_state(data_dir: Path) -> dict[str, Any]:
    try:
        text, _mtime = read_text(data_dir / FILE, 1 << 20)  # never a FIFO, never huge
        value = json.loads(text)
    except (OSError, ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def save_state(data_dir: Path, **changes: Any) -> None:
    """Merge ``changes`` into the state file. Errors are raised (the caller reports them)."""
    state = load_state(data_dir)
    state.update(changes)
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, data_dir / FILE)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
