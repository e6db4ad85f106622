"""The proper-lockfile compatible lock, on real files: mkdir, stale takeover, refresh, flock."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from taskboard.claude.errors import StoreError
from taskboard.claude.lock import LockInfo, LockTimeout, is_locked, lock_path, locked

DEADLINE = 10.0  # generous upper bound for anything that should happen "soon"

FLOCK_HOLDER = r"""
import sys
import portalocker

with open(sys.argv[1], "rb") as handle:
    portalocker.lock(handle, portalocker.LOCK_EX)
    print("LOCKED", flush=True)
    sys.stdin.readline()
    portalocker.unlock(handle)
    print("RELEASED", flush=True)
"""


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "1.json"
    path.write_text("{}")
    return path


def lock_dir(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


def wait_until(condition, deadline: float = DEADLINE) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_lock_path_is_target_name_plus_lock(target: Path) -> None:
    assert lock_path(target) == Path(os.path.realpath(target)).with_name("1.json.lock")


def test_acquire_creates_the_directory_and_release_removes_it(target: Path) -> None:
    with locked(target) as info:
        assert isinstance(info, LockInfo)
        assert info.target == target
        assert info.waited >= 0
        assert lock_dir(target).is_dir()
        assert is_locked(target)
    assert not lock_dir(target).exists()
    assert not is_locked(target)


def test_lock_is_released_when_the_body_raises(target: Path) -> None:
    with pytest.raises(RuntimeError), locked(target):
        raise RuntimeError("boom")
    assert not lock_dir(target).exists()


def test_second_acquirer_waits_and_gets_the_lock_after_release(target: Path) -> None:
    got = threading.Event()
    result: list[LockInfo] = []

    def second() -> None:
        with locked(target, timeout=DEADLINE) as info:
            result.append(info)
            got.set()

    with locked(target):
        thread = threading.Thread(target=second)
        thread.start()
        assert not got.wait(0.2), "second writer got the lock while the first held it"
    assert got.wait(DEADLINE)
    thread.join(DEADLINE)
    assert result[0].waited > 0
    assert not lock_dir(target).exists()


def test_a_fresh_lock_held_by_nobody_times_out_and_is_left_alone(target: Path) -> None:
    lock_dir(target).mkdir()
    before = lock_dir(target).stat()

    with pytest.raises(LockTimeout) as caught, locked(target, timeout=0.3):
        pytest.fail("took a fresh lock")

    assert caught.value.path == target
    assert caught.value.waited >= 0.3
    assert isinstance(caught.value, StoreError)
    assert str(caught.value).startswith(f"'{target}' is locked by another writer (waited ")
    after = lock_dir(target).stat()
    assert lock_dir(target).is_dir()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_timeout_zero_tries_once(target: Path) -> None:
    lock_dir(target).mkdir()
    with pytest.raises(LockTimeout), locked(target, timeout=0):
        pass


def test_a_stale_lock_directory_is_taken_over(target: Path) -> None:
    lock_dir(target).mkdir()
    old = time.time() - 20
    os.utime(lock_dir(target), (old, old))

    with locked(target, timeout=0.3):
        assert lock_dir(target).stat().st_mtime > old + 10
    assert not lock_dir(target).exists()


def test_a_stale_lock_directory_with_contents_is_taken_over(target: Path) -> None:
    (lock_dir(target) / "junk").mkdir(parents=True)
    old = time.time() - 20
    os.utime(lock_dir(target), (old, old))

    with locked(target, timeout=0.3):
        assert list(lock_dir(target).iterdir()) == []
    assert not lock_dir(target).exists()


def test_stale_threshold_is_configurable(target: Path) -> None:
    lock_dir(target).mkdir()
    old = time.time() - 3
    os.utime(lock_dir(target), (old, old))

    with pytest.raises(LockTimeout), locked(target, timeout=0.1):
        pass
    with locked(target, timeout=0.3, stale=2.0):
        pass
    assert not is_locked(target)


def test_a_held_lock_has_its_mtime_refreshed(target: Path) -> None:
    with locked(target, refresh=0.05):
        first = lock_dir(target).stat().st_mtime_ns
        assert wait_until(lambda: lock_dir(target).stat().st_mtime_ns != first)
        second = lock_dir(target).stat().st_mtime_ns
        assert wait_until(lambda: lock_dir(target).stat().st_mtime_ns != second)
    assert not lock_dir(target).exists()


def test_refresh_stops_after_release(tmp_path: Path) -> None:
    target = tmp_path / "2.json"
    with locked(target, refresh=0.01):
        pass
    # Somebody else takes the lock right after us: our refresher must never touch it.
    lock_dir(target).mkdir()
    os.utime(lock_dir(target), ns=(1_000_000_000, 1_000_000_000))
    other = tmp_path / "4.json"
    with locked(other, refresh=0.01):
        # the refresher runs several rounds for 4.json while 2.json's new lock sits there
        first = lock_dir(other).stat().st_mtime_ns
        assert wait_until(lambda: lock_dir(other).stat().st_mtime_ns != first)
        second = lock_dir(other).stat().st_mtime_ns
        assert wait_until(lambda: lock_dir(other).stat().st_mtime_ns != second)
    assert lock_dir(target).stat().st_mtime_ns == 1_000_000_000


def test_a_lock_taken_over_while_held_is_not_removed_on_release(target: Path) -> None:
    with locked(target, refresh=3600):
        # Another writer judged us stale, removed our directory and made its own.
        lock_dir(target).rmdir()
        lock_dir(target).mkdir()
        os.utime(lock_dir(target), ns=(1_000_000_000, 1_000_000_000))
    assert lock_dir(target).is_dir(), "we removed another writer's lock"


def test_missing_parent_directory_is_an_error_not_a_timeout(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), locked(tmp_path / "nope" / "1.json", timeout=0.1):
        pass


def test_an_unheld_regular_lock_file_is_flocked_and_kept(target: Path) -> None:
    lock_dir(target).write_text("")
    with locked(target, timeout=0.3):
        assert lock_dir(target).is_file()
    assert lock_dir(target).is_file()
    assert not is_locked(target)


class FlockHolder:
    """Another process that holds an flock on a regular file until told to let go."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", FLOCK_HOLDER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def expect(self, word: str) -> None:
        try:
            line = self.lines.get(timeout=DEADLINE)
        except queue.Empty:
            pytest.fail(f"holder did not print {word} in time")
        assert line == word

    def release(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(DEADLINE)


def test_a_regular_lock_file_flocked_by_another_process_is_waited_for(target: Path) -> None:
    lock_dir(target).write_text("")
    holder = FlockHolder(lock_dir(target))
    try:
        holder.expect("LOCKED")
        assert is_locked(target)
        with pytest.raises(LockTimeout), locked(target, timeout=0.3):
            pass

        got = threading.Event()
        errors: list[BaseException] = []

        def writer() -> None:
            try:
                with locked(target, timeout=DEADLINE):
                    assert lock_dir(target).is_file()
                    got.set()
            except BaseException as exc:  # reported to the test thread
                errors.append(exc)

        thread = threading.Thread(target=writer)
        thread.start()
        assert not got.wait(0.2), "got the lock while the other process held its flock"
        holder.release()
        holder.expect("RELEASED")
        assert got.wait(DEADLINE), errors
        thread.join(DEADLINE)
        assert not errors
    finally:
        holder.kill()
    assert lock_dir(target).is_file(), "the regular lock file must stay a regular file"
    assert not is_locked(target)


def test_a_regular_lock_file_that_disappears_falls_back_to_mkdir(target: Path) -> None:
    lock_dir(target).write_text("")
    holder = FlockHolder(lock_dir(target))
    try:
        holder.expect("LOCKED")
        got = threading.Event()

        def writer() -> None:
            with locked(target, timeout=DEADLINE):
                got.set()

        thread = threading.Thread(target=writer)
        thread.start()
        assert not got.wait(0.2)
        # The Go writer's way: unlink the file, then release.
        lock_dir(target).unlink()
        holder.release()
        holder.expect("RELEASED")
        assert got.wait(DEADLINE)
        thread.join(DEADLINE)
    finally:
        holder.kill()
    assert not lock_dir(target).exists()
