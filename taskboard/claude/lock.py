"""The lock Claude Code honours: a ``mkdir`` lock compatible with npm's ``proper-lockfile``.

Why ``mkdir`` and not ``flock``: Claude Code locks a file ``P`` by creating the *directory*
``P.lock`` (``mkdir`` is atomic and fails with EEXIST while someone else holds it). It never calls
``flock`` or ``fcntl``, so an flock keeps nobody out but other flock users. To exclude Claude Code
we must play its game exactly:

- acquire: ``mkdir P.lock``; if it exists and its mtime is older than ``stale`` seconds, the
  holder died: remove the directory and take the lock;
- hold: touch the directory's mtime every ``refresh`` seconds so nobody thinks *we* died;
- release: ``rmdir P.lock``.

Other writers in the same world (the Go agent SDK's file store) keep a *regular file* at
``P.lock`` and take an ``flock`` on it. When we find a regular file there we take an exclusive
flock on that file instead (through portalocker), and leave the file in place on release.

Locks are meant to be held for milliseconds, so the hot path is one ``mkdir``, one ``lstat``
and one ``rmdir``. Refreshing is done by a single shared daemon thread that only wakes up for
locks held longer than ``refresh`` seconds.
"""

from __future__ import annotations

import errno
import logging
import os
import random
import shutil
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from taskboard.claude.errors import LockTimeout

__all__ = ["LockInfo", "LockTimeout", "is_locked", "lock_path", "locked"]

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"
"""proper-lockfile's default: the lock for ``P`` is ``P.lock``."""

_FIRST_DELAY = 0.005
_MAX_DELAY = 0.100
_JITTER = 0.2  # each wait is scaled by a random factor in [1 - _JITTER, 1 + _JITTER]


@dataclass
class LockInfo:
    """What :func:`locked` hands to the body of the ``with`` block."""

    target: Path
    """The file that is locked (as given by the caller)."""
    waited: float
    """Seconds spent waiting before the lock was obtained (``time.monotonic``)."""


def lock_path(target: Path) -> Path:
    """Return the lock path for ``target``: ``<realpath of target>.lock``.

    proper-lockfile resolves symlinks (its ``realpath`` option is on by default), so a task file
    that is a symlink is locked next to the file it points to. Non-existent targets are fine.
    """
    real = Path(os.path.realpath(target))
    return real.with_name(real.name + LOCK_SUFFIX)


@contextmanager
def locked(
    target: Path,
    *,
    timeout: float = 3.0,
    stale: float = 10.0,
    refresh: float = 5.0,
) -> Iterator[LockInfo]:
    """Hold Claude Code's lock on ``target`` for the duration of the ``with`` block.

    Retries with exponential backoff (5 ms doubling up to 100 ms, with jitter) until ``timeout``
    seconds have passed, then raises :class:`LockTimeout`. A lock directory whose mtime is more
    than ``stale`` seconds old is taken over. While held, the directory's mtime is touched every
    ``refresh`` seconds. Errors other than contention (for example a missing parent directory)
    propagate as ``OSError``.
    """
    path = lock_path(target)
    start = time.monotonic()
    delay = _FIRST_DELAY
    while True:
        held = _try_acquire(path, stale)
        if held is not None:
            break
        elapsed = time.monotonic() - start
        remaining = timeout - elapsed
        if remaining <= 0:
            raise LockTimeout(Path(target), elapsed)
        time.sleep(min(remaining, delay * random.uniform(1 - _JITTER, 1 + _JITTER)))
        delay = min(delay * 2, _MAX_DELAY)

    info = LockInfo(target=Path(target), waited=time.monotonic() - start)
    token: int | None = None
    try:
        if isinstance(held, _DirLock):
            token = _refresher.add(held, refresh)
        yield info
    finally:
        if token is not None:
            _refresher.remove(token)
        held.release()


def is_locked(target: Path, *, stale: float = 10.0) -> bool:
    """Tell whether someone holds the lock on ``target`` right now.

    True when the lock directory exists and is not stale, or when the lock is a regular file
    that another process holds an flock on. A snapshot: the answer may be outdated at once.
    """
    path = lock_path(target)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(st.st_mode):
        return not _is_stale(st, stale)
    if stat.S_ISREG(st.st_mode):
        try:
            flock = _FileLock.try_acquire(path)
        except (FileNotFoundError, IsADirectoryError):
            return is_locked(target, stale=stale)  # it changed under us: look again
        if flock is None:
            return True
        flock.release()
        return False
    return True  # something odd sits there; a writer would wait on it


# --------------------------------------------------------------------------------------------
# acquiring


@dataclass
class _DirLock:
    """A held ``mkdir`` lock. ``ino``/``mtime_ns`` identify *our* directory."""

    path: Path
    ino: int
    mtime_ns: int
    lost: bool = False

    def is_ours(self) -> bool:
        """True while the directory at ``path`` is still the one we created."""
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return False
        return st.st_ino == self.ino and st.st_mtime_ns == self.mtime_ns

    def touch(self) -> None:
        """Refresh the mtime, unless the lock was taken from us (then mark it lost)."""
        if self.lost:
            return
        if not self.is_ours():
            self.lost = True
            log.warning("lock %s was taken over by another writer while we held it", self.path)
            return
        try:
            os.utime(self.path)
            self.mtime_ns = os.lstat(self.path).st_mtime_ns
        except FileNotFoundError:
            self.lost = True

    def release(self) -> None:
        """Remove the directory, unless it is no longer ours (taken over as stale)."""
        if not self.lost and not self.is_ours():
            self.lost = True
        if self.lost:
            log.warning("lock %s was lost before release; leaving it alone", self.path)
            return
        with suppress(FileNotFoundError):
            os.rmdir(self.path)


@dataclass
class _FileLock:
    """A held flock on a regular ``P.lock`` file (the Go agent SDK's convention)."""

    path: Path
    handle: BinaryIO

    @classmethod
    def try_acquire(cls, path: Path) -> _FileLock | None:
        """Take an exclusive flock without blocking; None while another process holds it.

        Raises FileNotFoundError when the file is gone or was replaced while we locked it (the
        Go writer removes it after unlocking), so the caller goes back to ``mkdir``.
        """
        import portalocker  # here, not at the top: commands that only read never need it
        import portalocker.exceptions

        # O_NONBLOCK: if a FIFO was swapped in since the lstat, the open must not hang.
        handle = os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb")
        try:
            portalocker.lock(handle, portalocker.LOCK_EX | portalocker.LOCK_NB)
        except portalocker.exceptions.AlreadyLocked:
            handle.close()
            return None
        except BaseException:
            handle.close()
            raise
        # Locked an inode that may have been unlinked (and re-created) meanwhile: only the file
        # that is still at ``path`` counts.
        try:
            same = os.fstat(handle.fileno()).st_ino == os.lstat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            portalocker.unlock(handle)
            handle.close()
            raise FileNotFoundError(errno.ENOENT, "lock file replaced", str(path))
        return cls(path, handle)

    def release(self) -> None:
        """Drop the flock and close the file; the file itself stays."""
        import portalocker

        try:
            portalocker.unlock(self.handle)
        finally:
            self.handle.close()


def _is_stale(st: os.stat_result, stale: float) -> bool:
    return st.st_mtime < time.time() - stale


def _try_acquire(path: Path, stale: float) -> _DirLock | _FileLock | None:
    """One attempt (plus immediate retries where the situation changed). None = held by other."""
    for _ in range(8):  # bounded: each pass needs the lock's state to change under us
        try:
            os.mkdir(path)
        except FileExistsError:
            pass
        else:
            st = os.lstat(path)
            return _DirLock(path, st.st_ino, st.st_mtime_ns)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue  # released between our mkdir and lstat: try again now
        if stat.S_ISDIR(st.st_mode):
            if not _is_stale(st, stale):
                return None
            _remove_stale(path)
            continue
        if stat.S_ISREG(st.st_mode):
            try:
                return _FileLock.try_acquire(path)
            except (FileNotFoundError, IsADirectoryError):
                continue  # the flock writer removed its file: fall back to mkdir
        return None  # a symlink or other oddity: wait for it to go away
    return None


def _remove_stale(path: Path) -> None:
    log.info("removing stale lock %s", path)
    try:
        os.rmdir(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# refreshing


class _Refresher:
    """One daemon thread that touches every held lock directory that is due.

    Registering a lock is a dict insert; a lock released before its first refresh is due never
    costs the thread a wake-up. ``os.utime`` runs under the registry's lock, so once
    :meth:`remove` has returned the directory is never touched again (we must not touch a
    directory that someone else created after our release).
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._cond = threading.Condition()
        self._due: dict[int, tuple[float, float, _DirLock]] = {}  # token -> (due, every, lock)
        self._next_token = 0
        self._thread: threading.Thread | None = None

    def add(self, lock: _DirLock, every: float) -> int:
        """Start refreshing ``lock`` every ``every`` seconds; return a token for :meth:`remove`."""
        with self._cond:
            self._next_token += 1
            token = self._next_token
            due = time.monotonic() + every
            wake = not self._due or due < min(d for d, _, _ in self._due.values())
            self._due[token] = (due, every, lock)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="taskboard-lock-refresher", daemon=True
                )
                self._thread.start()
            elif wake:
                self._cond.notify()
            return token

    def remove(self, token: int) -> None:
        """Stop refreshing; after this returns the directory is not touched again."""
        with self._cond:
            self._due.pop(token, None)

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for token, (due, every, lock) in list(self._due.items()):
                    if due <= now:
                        lock.touch()
                        self._due[token] = (now + every, every, lock)
                if self._due:
                    nearest = min(d for d, _, _ in self._due.values())
                    self._cond.wait(max(0.0, nearest - time.monotonic()))
                else:
                    self._cond.wait()

    def after_fork(self) -> None:
        """In a forked child the thread is gone and the condition may be held: start afresh.

        Locks inherited from the parent are the parent's to refresh and release.
        """
        self._reset()


_refresher = _Refresher()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_refresher.after_fork)
