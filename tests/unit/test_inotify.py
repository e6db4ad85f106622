"""inotify read on the event loop: the kernel's events parsed, batched, and nothing running idle.

Real directories and the real kernel interface (no mocked events). Every wait has
a deadline and waits for a condition; no timing is asserted: the batching rules
are checked with quiet and debounce values so far apart that only one of them
can have ended a batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import shutil
import threading
import time
from pathlib import Path

import pytest

from taskboard.board.model import dump_json
from taskboard.claude import inotify
from taskboard.claude.inotify import Inotify, InotifyBatches
from taskboard.claude.paths import TeamPaths
from taskboard.claude.watch import TeamWatcher
from tests.conftest import make_task, make_team, task_json

pytestmark = pytest.mark.skipif(not inotify.available(), reason="inotify is Linux only")

DEADLINE = 10.0
HOUR_MS = 3_600_000.0


def write_in_place(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def read_until(watch: Inotify, wanted: set[tuple[str, int]]) -> list[tuple[int, int, int, str]]:
    """Events until every ``(name, flag)`` in ``wanted`` was seen, waiting on the fd."""
    events: list[tuple[int, int, int, str]] = []
    deadline = time.monotonic() + DEADLINE

    def missing() -> set[tuple[str, int]]:
        return {(n, f) for n, f in wanted if not any(e[3] == n and e[1] & f for e in events)}

    while missing():
        left = deadline - time.monotonic()
        assert left > 0, f"no event for {missing()}"
        select.select([watch.fd], [], [], left)
        events.extend(watch.read())
    return events


def batches(root: Path, *, quiet_ms: float, debounce_ms: float,
            stop: asyncio.Event | None = None) -> InotifyBatches:
    return InotifyBatches([root], lambda path: not path.endswith(".tmp"),
                          stop=stop or asyncio.Event(), quiet_ms=quiet_ms,
                          debounce_ms=debounce_ms)


async def next_batch(watch: InotifyBatches) -> set[str] | None:
    return await asyncio.wait_for(watch.next(), DEADLINE)


def test_kernel_events_are_parsed_with_their_names(tmp_path: Path) -> None:
    watch = Inotify()
    try:
        wd = watch.add_watch(str(tmp_path), inotify.DIRECTORY_MASK)
        write_in_place(tmp_path / "1.json", "{}")
        (tmp_path / "2.json.tmp").write_text("{}")
        os.rename(tmp_path / "2.json.tmp", tmp_path / "2.json")
        (tmp_path / "1.json").unlink()
        (tmp_path / "1.json.lock").mkdir()
        events = read_until(watch, {("1.json", inotify.IN_CLOSE_WRITE),
                                    ("2.json.tmp", inotify.IN_MOVED_FROM),
                                    ("2.json", inotify.IN_MOVED_TO),
                                    ("1.json", inotify.IN_DELETE),
                                    ("1.json.lock", inotify.IN_CREATE)})
        assert {e[0] for e in events} == {wd}
        lock = next(e for e in events if e[3] == "1.json.lock")
        assert lock[1] & inotify.IN_ISDIR
        moves = [e for e in events if e[1] & (inotify.IN_MOVED_FROM | inotify.IN_MOVED_TO)]
        assert len({e[2] for e in moves}) == 1 and moves[0][2] != 0  # one rename, one cookie
    finally:
        watch.close()


def test_a_missing_directory_is_a_file_not_found_error(tmp_path: Path) -> None:
    watch = Inotify()
    try:
        with pytest.raises(FileNotFoundError):
            watch.add_watch(str(tmp_path / "absent"), inotify.DIRECTORY_MASK)
        (tmp_path / "file").write_text("")
        with pytest.raises(NotADirectoryError):
            watch.add_watch(str(tmp_path / "file"), inotify.DIRECTORY_MASK)
    finally:
        watch.close()


async def test_a_lone_write_ends_its_batch_after_the_quiet_time(tmp_path: Path) -> None:
    watch = batches(tmp_path, quiet_ms=1, debounce_ms=HOUR_MS)
    await watch.open()
    write_in_place(tmp_path / "1.json", "{}")
    (tmp_path / "x.tmp").write_text("")  # not kept: never in a batch
    assert await next_batch(watch) == {str(tmp_path / "1.json")}
    await watch.aclose()


async def test_events_that_keep_coming_are_cut_by_the_debounce(tmp_path: Path) -> None:
    # An hour of quiet is never reached: only the debounce can end this batch.
    watch = batches(tmp_path, quiet_ms=HOUR_MS, debounce_ms=20)
    await watch.open()
    write_in_place(tmp_path / "1.json", "{}")
    assert await next_batch(watch) == {str(tmp_path / "1.json")}
    write_in_place(tmp_path / "2.json", "{}")
    assert await next_batch(watch) == {str(tmp_path / "2.json")}
    await watch.aclose()


async def test_a_batch_waits_for_its_files_to_be_closed(tmp_path: Path) -> None:
    asked: list[str] = []

    def keep(path: str) -> bool:
        asked.append(path)
        return True

    watch = InotifyBatches([tmp_path], keep, stop=asyncio.Event(), quiet_ms=1,
                           debounce_ms=HOUR_MS)
    await watch.open()
    first, second = tmp_path / "1.json", tmp_path / "2.json"

    async def consume() -> tuple[set[str] | None, str]:
        batch = await watch.next()
        return batch, first.read_text()  # what a reader of this batch would find

    consumer = asyncio.create_task(consume())
    with open(first, "w", encoding="utf-8") as handle:
        handle.write("{")
        handle.flush()  # modified, still open: the batch is not complete
        write_in_place(second, "{}")

        async def second_seen() -> None:
            while str(second) not in asked:
                await asyncio.sleep(0.005)
        await asyncio.wait_for(second_seen(), DEADLINE)
        handle.write("}")
    batch, text = await asyncio.wait_for(consumer, DEADLINE)
    assert batch == {str(first), str(second)}
    assert text == "{}"
    await watch.aclose()


async def test_a_busy_consumer_gets_one_batch_with_everything(tmp_path: Path) -> None:
    watch = batches(tmp_path, quiet_ms=0, debounce_ms=0)
    await watch.open()
    names = [f"{n}.json" for n in range(50)]
    for name in names:  # the loop is not running: the kernel queues the events
        write_in_place(tmp_path / name, "{}")
    assert await next_batch(watch) == {str(tmp_path / n) for n in names}
    await watch.aclose()


async def test_a_removed_directory_is_reported_as_itself(tmp_path: Path) -> None:
    root = tmp_path / "list"
    root.mkdir()
    watch = batches(root, quiet_ms=1, debounce_ms=HOUR_MS)
    await watch.open()
    shutil.rmtree(root)
    seen: set[str] = set()
    while str(root) not in seen:
        seen |= await next_batch(watch) or set()
    await watch.aclose()


async def test_a_queue_overflow_is_reported_as_the_directory(tmp_path: Path) -> None:
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 100_000:
        pytest.skip(f"max_queued_events is {limit}: too many writes to overflow it")
    watch = batches(tmp_path, quiet_ms=1, debounce_ms=HOUR_MS)
    await watch.open()
    # Two alternating files: each write is at least two events the kernel cannot merge.
    for n in range(limit // 2 + 1000):  # the loop is not running: the queue overflows
        write_in_place(tmp_path / f"{n % 2}.json", "{}")
    batch = await next_batch(watch)
    assert batch is not None and str(tmp_path) in batch
    await watch.aclose()


async def test_stop_and_end_make_next_return_none(tmp_path: Path) -> None:
    stop = asyncio.Event()
    watch = batches(tmp_path, quiet_ms=1, debounce_ms=HOUR_MS, stop=stop)
    await watch.open()
    waiting = asyncio.create_task(watch.next())
    await asyncio.sleep(0)
    stop.set()
    assert await asyncio.wait_for(waiting, DEADLINE) is None
    await watch.aclose()

    other = batches(tmp_path, quiet_ms=1, debounce_ms=HOUR_MS)
    await other.open()
    waiting = asyncio.create_task(other.next())
    await asyncio.sleep(0)
    other.end()
    assert await asyncio.wait_for(waiting, DEADLINE) is None
    await other.aclose()


async def test_close_releases_the_inotify_descriptor(tmp_path: Path) -> None:
    def inotify_fds() -> int:
        count = 0
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(FileNotFoundError):  # the listing's own, closed by now
                count += "inotify" in os.readlink(f"/proc/self/fd/{fd}")
        return count

    before = inotify_fds()
    watch = batches(tmp_path, quiet_ms=1, debounce_ms=HOUR_MS)
    await watch.open()
    assert inotify_fds() == before + 1
    await watch.aclose()
    assert inotify_fds() == before


# -- the team watcher on inotify ------------------------------------------------------------


@pytest.fixture
def team(home: Path) -> TeamPaths:
    paths = make_team(home, "alpha", ["team-lead", "alice"])
    make_task(paths.tasks_dir, "1")
    return paths


async def test_the_team_watcher_reads_inotify_on_the_loop_without_a_thread(
        team: TeamPaths) -> None:
    threads = threading.active_count()
    watcher = TeamWatcher(team)
    seen: list[set[Path]] = []

    async def run() -> None:
        async for batch in watcher:
            seen.append(batch)

    task = asyncio.create_task(run())
    await asyncio.wait_for(watcher.ready.wait(), DEADLINE)
    assert watcher.backend == "inotify"
    assert watcher.roots == (team.tasks_dir, team.team_dir, team.inboxes_dir)
    assert threading.active_count() == threads  # nothing runs while nothing happens
    write_in_place(team.task_path("1"), dump_json(task_json("1", subject="Changed")))

    async def arrived() -> None:
        while not any(team.task_path("1") in batch for batch in seen):
            await asyncio.sleep(0.01)
    await asyncio.wait_for(arrived(), DEADLINE)
    assert threading.active_count() == threads
    watcher.stop()
    await asyncio.wait_for(task, DEADLINE)
    assert watcher.roots == ()


def test_the_watchfiles_fallback_is_chosen_when_asked(team: TeamPaths) -> None:
    assert TeamWatcher(team, use_inotify=False).backend == "watchfiles"
    assert TeamWatcher(team, force_polling=True).backend == "watchfiles"
    assert TeamWatcher(team).backend == "inotify"


# -- recursive watches (what `taskboard record` uses) ---------------------------------------


def recursive(root: Path) -> InotifyBatches:
    return InotifyBatches([root], lambda path: ".lock" not in path, stop=asyncio.Event(),
                          quiet_ms=1, debounce_ms=HOUR_MS, recursive=True)


async def until_seen(watch: InotifyBatches, *paths: Path) -> set[str]:
    """Batches until every path was in one; everything seen."""
    seen: set[str] = set()
    while not {str(p) for p in paths} <= seen:
        batch = await next_batch(watch)
        assert batch is not None
        seen |= batch
    return seen


async def test_recursive_watches_follow_subdirectories_as_they_appear(tmp_path: Path) -> None:
    old = tmp_path / "tasks" / "old"
    old.mkdir(parents=True)
    watch = recursive(tmp_path)
    await watch.open()
    write_in_place(old / "1.json", "{}")  # a directory there before the start
    await until_seen(watch, old / "1.json")

    # A new directory, written into at once: what it holds before its watch is in
    # place is reported by the scan that places it, the rest by its events.
    new = tmp_path / "teams" / "alpha" / "inboxes"
    new.mkdir(parents=True)
    write_in_place(new / "alice.json", "[]")
    (tmp_path / "teams" / "alpha" / "1.json.lock").mkdir()  # never watched
    await until_seen(watch, new / "alice.json")
    write_in_place(new / "alice.json", "[1]")
    await until_seen(watch, new / "alice.json")
    assert not any(".lock" in path for path in watch.watched)
    await watch.aclose()


async def test_recursive_watches_of_removed_or_moved_directories_are_dropped(
        tmp_path: Path) -> None:
    team = tmp_path / "teams" / "alpha"
    (team / "inboxes").mkdir(parents=True)
    watch = recursive(tmp_path)
    await watch.open()
    assert str(team / "inboxes") in watch.watched

    moved = tmp_path / "teams" / "alpha.deleted-1"
    os.rename(team, moved)  # Claude Code's way of ending a team
    await until_seen(watch, team, moved)
    write_in_place(moved / "inboxes" / "bob.json", "[]")
    await until_seen(watch, moved / "inboxes" / "bob.json")  # under its new name

    shutil.rmtree(moved)
    await until_seen(watch, moved)

    async def unwatched() -> None:
        while any(p.startswith(str(moved)) for p in watch.watched):
            await asyncio.sleep(0.005)
    await asyncio.wait_for(unwatched(), DEADLINE)
    await watch.aclose()
