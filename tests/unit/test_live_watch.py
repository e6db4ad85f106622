"""The transcripts watched by inotify: a write to a transcript is a batch that names it, a
teammate spawned later (its session and subagents directories created after the watch
started) is found, and where inotify cannot be had the watch says so and ends.

Real files in a copy of the recorded Claude Code home, the real kernel interface; every wait
has a deadline and waits for a condition.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from taskboard.claude import inotify
from taskboard.claude.live import TeamActivity
from taskboard.claude.live_watch import ActivityWatch
from tests.realcc import ALICE_FILE, LEAD_SID, PROJECT, TEAM, TEAM_RUN, copy_home

DEADLINE = 10.0
NOW = 1796178250.0

needs_inotify = pytest.mark.skipif(not inotify.available(), reason="inotify is Linux only")


def _alive(_pid: int, _start: str | None) -> bool:
    return True


def live_home(tmp_path: Path) -> Path:
    home = copy_home(TEAM_RUN / "live", tmp_path / "claude")
    for session in (home / "sessions").glob("*.json"):
        session.unlink()  # the recorded pid belongs to the recording machine
    return home


def append(path: Path, line: dict) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


@needs_inotify
async def test_a_transcript_write_is_a_batch_that_names_it(tmp_path: Path) -> None:
    home = live_home(tmp_path)
    activity = TeamActivity(home, TEAM, clock=lambda: NOW, alive=_alive)
    activity.refresh()  # as the console does before watching
    stop = asyncio.Event()
    watch = ActivityWatch(activity, stop=stop)
    alice = home / ALICE_FILE
    batches: list[set[str] | None] = []

    async def consume() -> None:
        async for paths in watch:
            batches.append(paths)
            activity.refresh(paths, discover=paths is None)
            if paths is None:  # the watches are in place: Alice sends a request
                append(alice, {"type": "api-request", "id": "x", "agentId": "aalice",
                               "timestamp": "2026-12-02T02:24:08.000Z", "params": {}})
            elif activity.agents["alice"].state == "thinking":
                assert home / PROJECT / LEAD_SID / "subagents" in set(watch.roots)
                return

    await asyncio.wait_for(consume(), DEADLINE)
    stop.set()
    assert batches[0] is None  # first: look at everything
    assert str(alice) in set().union(*(b for b in batches[1:] if b))
    assert watch.starts == 1 and not watch.failed


@needs_inotify
async def test_a_teammate_spawned_after_the_watch_started_is_found(tmp_path: Path) -> None:
    home = live_home(tmp_path)
    session_dir = home / PROJECT / LEAD_SID
    kept = tmp_path / "subagents"
    shutil.move(session_dir / "subagents", kept)
    session_dir.rmdir()  # the lead alone, as before the team had teammates
    activity = TeamActivity(home, TEAM, clock=lambda: NOW, alive=_alive)
    activity.refresh()
    stop = asyncio.Event()
    watch = ActivityWatch(activity, stop=stop)
    alice = Path(ALICE_FILE).name

    later = session_dir / "subagents" / alice
    batches: list[set[str] | None] = []

    async def consume() -> None:
        async for paths in watch:
            batches.append(paths)
            activity.refresh(paths, discover=paths is None)
            if paths is None and watch.starts == 1:
                assert "alice" not in activity.agents
                # The lead spawns alice: her session directory, sidecar and transcript.
                later.parent.mkdir(parents=True)
                for name in (alice.replace(".jsonl", ".meta.json"), alice):
                    shutil.copy(kept / name, later.parent / name)
            elif "alice" in activity.agents and activity.agents["alice"].lines \
                    and not batches.count("sent"):
                assert activity.agents["alice"].state == "idle"
                assert watch.starts >= 2  # the new directories are watched now
                assert later.parent in set(watch.roots)
                batches.append("sent")  # type: ignore[arg-type]
                # Her next line arrives through the new watch.
                append(later, {"type": "api-request", "id": "y", "agentId": "aalice",
                               "timestamp": "2026-12-02T02:24:09.000Z", "params": {}})
            elif activity.agents.get("alice") and activity.agents["alice"].state == "thinking":
                return

    await asyncio.wait_for(consume(), DEADLINE)
    stop.set()
    after = batches[batches.index("sent") + 1:]  # type: ignore[arg-type]
    assert str(later) in set().union(*(b for b in after if b))


async def test_without_inotify_the_watch_says_so_and_ends(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inotify, "available", lambda: False)
    activity = TeamActivity(live_home(tmp_path), TEAM, clock=lambda: NOW, alive=_alive)
    watch = ActivityWatch(activity, stop=asyncio.Event())
    batches = [paths async for paths in watch]
    assert watch.failed and batches == [] and watch.starts == 0
