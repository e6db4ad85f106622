"""The watcher, and its batches applied by the reader as the console does.

Real directories, real events (no mocked events): every watcher test runs on both
ways of watching, inotify read on the loop (Linux) and the watchfiles fallback.

Every wait has a deadline (``asyncio.wait_for``) and waits for a condition, never
for luck: the deadlines are generous upper bounds, not timings under test.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from watchfiles import Change

from taskboard.board.model import dump_json
from taskboard.claude import inotify
from taskboard.claude.files import write_json_atomic
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import BoardDelta, BoardReader
from taskboard.claude.watch import TeamFilter, TeamWatcher, watch_paths, watch_roots
from tests.conftest import make_task, make_team, task_json

DEADLINE = 10.0


async def until(condition: Callable[[], bool], changed: asyncio.Event | None = None) -> None:
    """Wait until ``condition()`` holds, failing after DEADLINE seconds.

    Woken by ``changed`` (a new batch or delta) and also every 20 ms, for
    conditions that change without one (a watcher restarting).
    """
    wake = changed if changed is not None else asyncio.Event()

    async def wait() -> None:
        while not condition():
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), 0.02)
    await asyncio.wait_for(wait(), DEADLINE)


class Batches:
    """Runs a watcher in a task and records every batch it yields."""

    def __init__(self, watcher: TeamWatcher) -> None:
        self.watcher = watcher
        self.batches: list[set[Path]] = []
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def seen(self) -> set[Path]:
        return set().union(*self.batches)

    async def start(self) -> Batches:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.watcher.ready.wait(), DEADLINE)
        return self

    async def _run(self) -> None:
        async for batch in self.watcher:
            self.batches.append(batch)
            self._changed.set()

    async def until(self, condition: Callable[[], bool]) -> None:
        await until(condition, self._changed)

    async def until_seen(self, *paths: Path) -> None:
        await self.until(lambda: set(paths) <= self.seen)

    async def stop(self) -> None:
        self.watcher.stop()
        assert self._task is not None
        await asyncio.wait_for(self._task, DEADLINE)


class Applied:
    """The console's path: the watcher's batches re-read by the reader, one delta each."""

    def __init__(self, reader: BoardReader, use_inotify: bool) -> None:
        self.reader = reader
        self.watcher = TeamWatcher(reader.paths, use_inotify=use_inotify)
        self.deltas: list[BoardDelta] = []
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> Applied:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.watcher.ready.wait(), DEADLINE)
        return self

    async def _run(self) -> None:
        async for batch in self.watcher:
            delta = self.reader.refresh(batch)
            if delta:
                self.deltas.append(delta)
            self._changed.set()

    async def until(self, condition: Callable[[], bool]) -> None:
        await until(condition, self._changed)

    async def stop(self) -> None:
        self.watcher.stop()
        assert self._task is not None
        await asyncio.wait_for(self._task, DEADLINE)


def write_in_place(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


@pytest.fixture(params=["inotify", "watchfiles"])
def use_inotify(request: pytest.FixtureRequest) -> bool:
    """Which way to watch: each watcher test runs on both."""
    if request.param == "inotify" and not inotify.available():
        pytest.skip("inotify is Linux only")
    return request.param == "inotify"


@pytest.fixture
def team(home: Path) -> TeamPaths:
    paths = make_team(home, "alpha", ["team-lead", "alice"])
    make_task(paths.tasks_dir, "1")
    return paths


# -- the filter and the roots (pure) --------------------------------------------------


def test_filter_keeps_team_files_and_directories_only(home: Path) -> None:
    paths = TeamPaths(home, "alpha")
    keep = TeamFilter(paths)
    tasks, inboxes = str(paths.tasks_dir), str(paths.inboxes_dir)
    kept = [f"{tasks}/12.json", str(paths.config_path), f"{inboxes}/alice.json",
            tasks, str(paths.team_dir), inboxes, str(home / "tasks"), str(home)]
    dropped = [f"{tasks}/.lock", f"{tasks}/.lock.lock", f"{tasks}/12.json.lock",
               f"{tasks}/12.json.lock/inner", f"{tasks}/.highwatermark",
               f"{tasks}/.12.json.77.ab12.tmp", f"{tasks}/notes.txt", f"{tasks}/a.json",
               f"{inboxes}/alice.json.lock", f"{inboxes}/.alice.json.1.tmp",
               f"{paths.team_dir}/other.json", str(home / "tasks" / "beta"),
               str(home / "tasks" / "beta" / "1.json")]
    assert [p for p in kept if not keep(Change.modified, p)] == []
    assert [p for p in dropped if keep(Change.added, p)] == []


def test_roots_are_the_nearest_existing_directories(home: Path) -> None:
    paths = TeamPaths(home, "alpha")
    assert watch_roots(paths) == (home,)
    (home / "tasks").mkdir()
    assert watch_roots(paths) == (home / "tasks", home)
    make_team(home, "alpha")
    assert watch_roots(paths) == (paths.tasks_dir, paths.team_dir, paths.inboxes_dir)


# -- the watcher -------------------------------------------------------------------------


async def test_a_written_task_file_arrives_in_a_batch(team: TeamPaths, use_inotify: bool) -> None:
    batches = await Batches(TeamWatcher(team, use_inotify=use_inotify)).start()
    write_in_place(team.task_path("1"), dump_json(task_json("1", subject="Changed")))
    await batches.until_seen(team.task_path("1"))
    await batches.stop()


async def test_config_and_inbox_writes_arrive(team: TeamPaths, use_inotify: bool) -> None:
    batches = await Batches(TeamWatcher(team, use_inotify=use_inotify)).start()
    write_in_place(team.config_path, '{"name": "alpha", "members": []}')
    write_in_place(team.inbox_path("alice"), "[]")
    await batches.until_seen(team.config_path, team.inbox_path("alice"))
    await batches.stop()


async def test_a_burst_of_200_writes_is_delivered_whole_in_few_batches(team: TeamPaths,
        use_inotify: bool) -> None:
    batches = await Batches(TeamWatcher(team, use_inotify=use_inotify)).start()
    wanted = {team.task_path(str(n)) for n in range(1, 201)}
    for n in range(1, 201):
        write_in_place(team.task_path(str(n)), dump_json(task_json(str(n))))
    await batches.until(lambda: wanted <= batches.seen)
    assert len(batches.batches) < 20  # coalesced: typically one or two
    await batches.stop()


async def test_lock_dirs_temp_files_and_highwatermark_are_filtered(team: TeamPaths,
        use_inotify: bool) -> None:
    batches = await Batches(TeamWatcher(team, use_inotify=use_inotify)).start()
    lock_dir = team.tasks_dir / "1.json.lock"
    lock_dir.mkdir()
    os.utime(lock_dir)  # proper-lockfile refreshes the lock's mtime
    (team.tasks_dir / ".lock.lock").mkdir()
    (team.tasks_dir / ".highwatermark").write_text("7")
    write_json_atomic(team.task_path("2"), task_json("2"))  # temp file, then rename
    (team.inboxes_dir / "alice.json.lock").mkdir()
    lock_dir.rmdir()
    sentinel = team.task_path("3")
    write_in_place(sentinel, dump_json(task_json("3")))
    await batches.until_seen(sentinel, team.task_path("2"))
    assert batches.seen == {team.task_path("2"), sentinel}
    await batches.stop()


async def test_directories_created_after_the_start_are_picked_up(home: Path,
        use_inotify: bool) -> None:
    paths = TeamPaths(home, "late")
    batches = await Batches(TeamWatcher(paths, use_inotify=use_inotify)).start()
    assert batches.watcher.roots == (home,)

    paths.tasks_dir.mkdir(parents=True)
    await batches.until(lambda: paths.tasks_dir in batches.watcher.roots)
    write_in_place(paths.task_path("1"), dump_json(task_json("1")))
    await batches.until_seen(paths.task_path("1"))

    paths.inboxes_dir.mkdir(parents=True)
    await batches.until(lambda: paths.inboxes_dir in batches.watcher.roots)
    write_in_place(paths.inbox_path("alice"), "[]")
    await batches.until_seen(paths.inbox_path("alice"))
    await batches.stop()


async def test_list_removed_and_recreated_keeps_being_watched(team: TeamPaths,
        use_inotify: bool) -> None:
    batches = await Batches(TeamWatcher(team, use_inotify=use_inotify)).start()
    shutil.rmtree(team.tasks_dir)
    await batches.until_seen(team.tasks_dir)
    await batches.until(lambda: team.tasks_dir not in batches.watcher.roots)

    team.tasks_dir.mkdir()
    await batches.until(lambda: team.tasks_dir in batches.watcher.roots)
    count = len(batches.batches)
    write_in_place(team.task_path("5"), dump_json(task_json("5")))
    await batches.until(lambda: any(team.task_path("5") in b for b in batches.batches[count:]))
    await batches.stop()


async def test_check_roots_restarts_only_when_a_root_was_replaced(team: TeamPaths,
        use_inotify: bool) -> None:
    batches = await Batches(TeamWatcher(team, use_inotify=use_inotify)).start()
    assert not batches.watcher.check_roots()
    starts = batches.watcher.starts
    # Replace the list directory behind the watcher's back (events or not).
    shutil.rmtree(team.tasks_dir)
    team.tasks_dir.mkdir()
    await batches.until(lambda: batches.watcher.starts > starts
                        and batches.watcher.roots[0] == team.tasks_dir)
    batches.watcher.check_roots()
    await batches.until(lambda: not batches.watcher.check_roots())
    write_in_place(team.task_path("6"), dump_json(task_json("6")))
    await batches.until_seen(team.task_path("6"))
    await batches.stop()


async def test_watch_paths_ends_when_stop_is_set(team: TeamPaths, use_inotify: bool) -> None:
    stop = asyncio.Event()
    seen: list[set[Path]] = []

    async def run() -> None:
        async for batch in watch_paths(team, stop=stop, step_ms=10, debounce_ms=100,
                                     use_inotify=use_inotify):
            seen.append(batch)
            stop.set()

    task = asyncio.create_task(run())
    # Write until the watcher (which starts inside the task) reports something.
    async def poke() -> None:
        while not seen:
            write_in_place(team.task_path("1"), dump_json(task_json("1")))
            await asyncio.sleep(0.05)
    await asyncio.wait_for(poke(), DEADLINE)
    await asyncio.wait_for(task, DEADLINE)
    assert team.task_path("1") in seen[0]


async def test_cancelling_the_consumer_ends_the_watcher(team: TeamPaths, use_inotify: bool) -> None:
    watcher = TeamWatcher(team, use_inotify=use_inotify)
    batches = await Batches(watcher).start()
    assert batches._task is not None
    batches._task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(batches._task, DEADLINE)
    assert watcher.roots == ()


# -- batches applied by the reader (the console's path) ------------------------------------


async def test_one_write_costs_one_read(team: TeamPaths, use_inotify: bool) -> None:
    reader = BoardReader(team)
    reader.rescan()
    feed = await Applied(reader, use_inotify).start()
    before = reader.reads
    write_json_atomic(team.task_path("1"), task_json("1", subject="Renamed"))
    await feed.until(lambda: reader.board.tasks["1"].subject == "Renamed")
    assert reader.reads - before == 1
    assert feed.deltas[-1].tasks == {"1"}
    await feed.stop()


async def test_a_team_that_starts_ends_and_starts_again_is_followed(home: Path,
        use_inotify: bool) -> None:
    paths = TeamPaths(home, "alpha")
    reader = BoardReader(paths)
    feed = await Applied(reader, use_inotify).start()

    make_team(home, "alpha", ["team-lead"])
    make_task(paths.tasks_dir, "1", subject="First")  # right after the mkdir: a sweep finds it
    await feed.until(lambda: "1" in reader.board.tasks and reader.board.team is not None)

    shutil.rmtree(paths.tasks_dir)
    shutil.rmtree(paths.team_dir)
    await feed.until(lambda: not reader.board.list_exists and not reader.board.team_exists)
    assert set(reader.board.tasks) == {"1"}  # the last known board stays
    assert reader.board.team is not None
    assert any(d.structure for d in feed.deltas)

    make_task(paths.tasks_dir, "1", subject="Second life")
    await feed.until(lambda: reader.board.list_exists
                     and reader.board.tasks["1"].subject == "Second life")
    await feed.stop()
