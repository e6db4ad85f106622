"""The real Claude Code 2.1.332 samples in ``tests/fixtures/realcc/`` (copied from
``../shared/realcc-samples/``), and a replay of ``team-run`` in the order and at the times its
files reached the disk (``timeline/watch.jsonl``)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "realcc"
TEAM_RUN = FIXTURES / "team-run"
PANE_RUN = FIXTURES / "pane-teammate-run"
TEAM = "session-00c8f52f"
LEAD_SID = "00c8f52f-81e2-4423-a61c-444eec0e747e"
PROJECT = "projects/-home-user-src-parser-app"
LEAD_FILE = f"{PROJECT}/{LEAD_SID}.jsonl"
ALICE_FILE = f"{PROJECT}/{LEAD_SID}/subagents/agent-aalice-0e9c73de4e00c008.jsonl"
BOB_FILE = f"{PROJECT}/{LEAD_SID}/subagents/agent-abob-d7a5d8d4cb78fad8.jsonl"


def copy_home(source: Path, dest: Path) -> Path:
    """A writable copy of a sample Claude home."""
    shutil.copytree(source, dest)
    for root, dirs, files in os.walk(dest):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o755 if name in dirs else 0o644)
    return dest


def full_lines(relative: str) -> list[bytes]:
    """The complete (unfiltered) lines of one after-exit transcript, with their newline."""
    return gunzip(TEAM_RUN / "after-exit" / (relative + ".gz")).splitlines(keepends=True)


def gunzip(path: Path) -> bytes:
    with gzip.open(path) as handle:
        return handle.read()


def gunzip_home(dest: Path) -> Path:
    """``after-exit`` as a Claude home with the full transcripts uncompressed."""
    copy_home(TEAM_RUN / "after-exit", dest)
    for gz in dest.rglob("*.jsonl.gz"):
        gz.with_suffix("").write_bytes(gunzip(gz))
        gz.unlink()
    return dest


@dataclass
class Step:
    """One file event of the recorded run, at the time the watcher saw it."""

    t: float
    path: str
    data: bytes | None
    """Bytes to append (a transcript line) or the whole new content; None: removed."""
    append: bool


def team_run_steps() -> Iterator[Step]:
    """Every change of ``team-run``'s home, in ``watch.jsonl`` order.

    Transcript lines are the full lines of the after-exit files, matched by their position
    in each file (``watch.jsonl`` records each line's type and uuid, which match)."""
    lines: dict[str, list[bytes]] = {}
    used: dict[str, int] = {}
    with open(TEAM_RUN / "timeline" / "watch.jsonl", encoding="utf-8") as handle:
        for raw in handle:
            entry: dict[str, Any] = json.loads(raw)
            path = entry.get("file")
            if not path:
                continue
            if "type" in entry and path.endswith(".jsonl"):
                if path not in lines:
                    lines[path] = full_lines(path)
                index = used.get(path, 0)
                used[path] = index + 1
                line = lines[path][index]
                assert json.loads(line).get("uuid") == entry.get("uuid")
                yield Step(entry["t_seen"], path, line, True)
            elif entry.get("removed"):
                yield Step(entry["t_seen"], path, None, False)
            elif "content" in entry:
                yield Step(entry["t_seen"], path, entry["content"].encode(), False)


def apply(home: Path, step: Step) -> None:
    target = home / step.path
    if step.data is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if step.append:
        with open(target, "ab") as handle:
            handle.write(step.data)
    else:
        target.write_bytes(step.data)


def expected_states() -> list[dict[str, Any]]:
    with open(TEAM_RUN / "timeline" / "states.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]
