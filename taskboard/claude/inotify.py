"""Linux inotify through ctypes, read on the asyncio event loop: nothing wakes when nothing happens.

:class:`Inotify` is the bare kernel interface (an ``inotify_init1`` descriptor,
``inotify_add_watch``, the event structs parsed). :class:`InotifyBatches` puts
watches on a few directories (non-recursive for the console's team watcher;
recursive for ``taskboard record``, a watch added for each subdirectory as it
appears), reads their events with ``loop.add_reader`` (no thread, no timer while
idle), keeps the paths a filter accepts, and hands them out in batches:

- a batch is complete after ``quiet_ms`` without a new accepted event once every
  file modified in it was closed (Claude Code's in-place write is an open that
  truncates, a write and a close: one batch, one read, even when the writer is
  slow between them), or ``debounce_ms`` after its first event if events keep
  coming or a file stays open (a storm still gets a batch at least every
  ``debounce_ms``);
- while the consumer is busy, new events join the waiting batch: coalesced,
  never dropped. A root directory removed, moved or unwatched
  (``IN_DELETE_SELF``, ``IN_MOVE_SELF``, ``IN_IGNORED``) puts that root itself in
  the batch, and a kernel queue overflow all of them: "the structure changed,
  compare everything".

:func:`available` says whether this can work here (Linux, and a libc that has
inotify). Errors from the kernel are raised as ``OSError`` with its errno
(``EMFILE`` out of instances, ``ENOSPC`` out of watches, ``ENOENT`` a directory gone):
the caller decides to retry or to fall back to another watcher.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import errno
import functools
import logging
import os
import struct
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_UNMOUNT = 0x00002000
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_ISDIR = 0x40000000

log = logging.getLogger(__name__)

# inotify_init1's flags are O_NONBLOCK and O_CLOEXEC (whose values vary by architecture);
# the fallbacks only let this module import where os lacks them (Windows).
IN_NONBLOCK = getattr(os, "O_NONBLOCK", 0o4000)
IN_CLOEXEC = getattr(os, "O_CLOEXEC", 0o2000000)

DIRECTORY_MASK = (IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM
                  | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
"""What a watched directory reports: its entries written, created, removed or renamed, and
itself removed or renamed. Attribute changes (``IN_ATTRIB``) are left out: a touch or a
lock's mtime refresh changes no content."""
SELF_GONE = IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT
"""Events about the watched directory itself that end its watch's usefulness."""

_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of NUL-padded name
_READ_SIZE = 64 * 1024


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        init, add, rm = libc.inotify_init1, libc.inotify_add_watch, libc.inotify_rm_watch
    except (OSError, AttributeError):
        return None
    init.argtypes, init.restype = [ctypes.c_int], ctypes.c_int
    add.argtypes, add.restype = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32], ctypes.c_int
    rm.argtypes, rm.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return libc


def available() -> bool:
    """True where inotify can be asked for (Linux with a libc that has it)."""
    return _libc() is not None


def _error(what: str, path: str | None = None) -> OSError:
    code = ctypes.get_errno()
    return OSError(code, f"{what}: {os.strerror(code)}", path)


class Inotify:
    """One inotify instance: a non-blocking, close-on-exec descriptor and its watches."""

    def __init__(self) -> None:
        libc = _libc()
        if libc is None:
            raise OSError(errno.ENOSYS, "inotify is not available here")
        self._libc = libc
        fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            raise _error("inotify_init1")
        self.fd: int = fd

    def add_watch(self, path: str, mask: int) -> int:
        """Watch ``path``; returns the watch descriptor, or raises ``OSError``."""
        wd = self._libc.inotify_add_watch(self.fd, os.fsencode(path), mask)
        if wd < 0:
            raise _error("inotify_add_watch", path)
        return int(wd)

    def rm_watch(self, wd: int) -> None:
        """Stop watching (the kernel then sends ``IN_IGNORED``); a watch already gone is
        no error."""
        self._libc.inotify_rm_watch(self.fd, wd)

    def read(self) -> list[tuple[int, int, int, str]]:
        """The events waiting now, as ``(wd, mask, cookie, name)``; empty when none."""
        events: list[tuple[int, int, int, str]] = []
        while True:
            try:
                data = os.read(self.fd, _READ_SIZE)
            except BlockingIOError:
                return events
            except InterruptedError:
                continue
            events.extend(parse_events(data))
            if len(data) < _READ_SIZE - 4096:
                return events  # the queue is drained (a full buffer may leave more)

    def close(self) -> None:
        """Close the descriptor (which removes every watch)."""
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)


def parse_events(data: bytes) -> Iterable[tuple[int, int, int, str]]:
    """The ``struct inotify_event`` records in ``data``: ``(wd, mask, cookie, name)``."""
    offset, end, size = 0, len(data), _EVENT.size
    while offset + size <= end:
        wd, mask, cookie, length = _EVENT.unpack_from(data, offset)
        offset += size
        name = data[offset:offset + length].rstrip(b"\0")
        offset += length
        yield wd, mask, cookie, os.fsdecode(name)


class InotifyBatches:
    """Batches of accepted paths under a few directories, watched non-recursively or,
    with ``recursive=True``, with every accepted subdirectory watched too (added as
    it appears: what it already holds then is reported, so a file written between
    its ``mkdir`` and the new watch is not missed).

    ``await open()`` places the watches (raising ``OSError`` as the kernel does) and
    starts reading on the running loop; ``await next()`` returns the next batch
    (a set of path strings), or None once :meth:`end` was called or ``stop`` is
    set; ``close()`` removes everything. ``keep(path)`` decides which paths count;
    a watched directory's own removal, renaming or a queue overflow always counts.
    """

    def __init__(self, roots: Iterable[Path], keep: Callable[[str], bool], *,
                 stop: asyncio.Event, quiet_ms: float, debounce_ms: float,
                 recursive: bool = False) -> None:
        self.roots = tuple(roots)
        self.recursive = recursive
        self._root_names = frozenset(str(root) for root in self.roots)
        self._keep = keep
        self._stop = stop
        self._quiet = quiet_ms / 1000
        self._debounce = debounce_ms / 1000
        self._inotify: Inotify | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dirs: dict[int, str] = {}
        self._pending: set[str] = set()
        self._writing: set[str] = set()
        """Kept paths modified (``IN_MODIFY``) and not yet closed (``IN_CLOSE_WRITE``)."""
        self._first = self._last = 0.0
        self._due = False
        self._timer: asyncio.TimerHandle | None = None
        self._wake = asyncio.Event()
        self._stop_waiter: asyncio.Task[None] | None = None
        self.ended = False
        """True once :meth:`end` was called (or the watch was closed)."""

    @property
    def watched(self) -> frozenset[str]:
        """The directories watched right now."""
        return frozenset(self._dirs.values())

    async def open(self) -> None:
        inotify = Inotify()
        try:
            self._inotify = inotify
            for root in self.roots:
                self._dirs[inotify.add_watch(str(root), DIRECTORY_MASK)] = str(root)
                if self.recursive:
                    self._add_tree(str(root), report=False)
            loop = asyncio.get_running_loop()
            loop.add_reader(inotify.fd, self._readable)
        except BaseException:
            self._inotify = None
            inotify.close()
            raise
        self._inotify, self._loop = inotify, loop
        self._stop_waiter = loop.create_task(self._wait_stop())

    async def _wait_stop(self) -> None:
        await self._stop.wait()
        self._wake.set()

    def _readable(self) -> None:
        inotify, loop = self._inotify, self._loop
        if inotify is None or loop is None:
            return
        kept = False
        for wd, mask, _cookie, name in inotify.read():
            if mask & IN_Q_OVERFLOW:
                self._pending.update(self._root_names)  # events lost: compare everything
                kept = True
                continue
            directory = self._dirs.get(wd)
            if directory is None:
                continue
            if not name:
                if mask & IN_IGNORED and directory not in self._root_names:
                    del self._dirs[wd]  # a subdirectory gone: its parent reported it
                elif mask & SELF_GONE and directory in self._root_names:
                    self._pending.add(directory)
                    kept = True
                continue
            path = os.path.join(directory, name)
            if self._keep(path):
                if self.recursive and mask & IN_ISDIR:
                    self._subdirectory(path, mask)
                self._pending.add(path)
                kept = True
                if mask & IN_MODIFY:
                    self._writing.add(path)
                elif mask & (IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM):
                    self._writing.discard(path)
        if not kept or self._due:
            return  # nothing new, or joining a complete batch the consumer has not taken
        now = loop.time()
        if not self._first:
            self._first = now
        self._last = now
        due_at = self._due_at()
        timer = self._timer
        if timer is not None and timer.when() > due_at + 0.0005:
            timer.cancel()  # a write was closed: due sooner than the debounce
            timer = None
        if timer is None:
            self._timer = loop.call_at(due_at, self._check_due)

    def _subdirectory(self, path: str, mask: int) -> None:
        """A subdirectory appeared (watch it and report what it holds) or left."""
        if mask & (IN_CREATE | IN_MOVED_TO):
            self._add_tree(path, report=True)
        elif mask & IN_MOVED_FROM:
            # Moved away: its watches would report under the old name. A move within
            # the tree is an IN_MOVED_TO as well, which watches it again.
            prefix = path + os.sep
            inotify = self._inotify
            for wd, watched in list(self._dirs.items()):
                if watched == path or watched.startswith(prefix):
                    del self._dirs[wd]
                    if inotify is not None:
                        inotify.rm_watch(wd)

    def _add_tree(self, directory: str, *, report: bool) -> None:
        """Watch ``directory``'s accepted subdirectories (and ``directory`` itself when
        ``report``: a new one), reporting what they hold when ``report``."""
        inotify = self._inotify
        if inotify is None:
            return
        if report:
            try:
                self._dirs[inotify.add_watch(directory, DIRECTORY_MASK)] = directory
            except (FileNotFoundError, NotADirectoryError):
                return  # gone again: its parent reports that
            except OSError as err:  # out of watches: the caller's sweep has to do
                log.warning("cannot watch %s: %s", directory, err)
                return
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return
        for entry in entries:
            if not self._keep(entry.path):
                continue
            if report:
                self._pending.add(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if not report:
                    try:
                        self._dirs[inotify.add_watch(entry.path, DIRECTORY_MASK)] = entry.path
                    except (FileNotFoundError, NotADirectoryError):
                        continue
                self._add_tree(entry.path, report=report)

    def _due_at(self) -> float:
        """When the batch is complete: ``quiet_ms`` after its last event once every write
        in it was closed, ``debounce_ms`` after its first event at the latest."""
        cap = self._first + self._debounce
        return cap if self._writing else min(self._last + self._quiet, cap)

    def _check_due(self) -> None:
        self._timer = None
        loop = self._loop
        if loop is None:
            return
        due_at = self._due_at()
        if loop.time() + 0.0005 >= due_at:
            self._due = True
            self._writing.clear()  # delivered: a write still going on sends new events
            self._wake.set()
        else:
            self._timer = loop.call_at(due_at, self._check_due)

    async def next(self) -> set[str] | None:
        """The next complete batch, or None when ended or stopped."""
        while True:
            if self.ended or self._stop.is_set():
                return None
            if self._due and self._pending:
                batch, self._pending = self._pending, set()
                self._due, self._first = False, 0.0
                return batch
            self._wake.clear()
            await self._wake.wait()

    def end(self) -> None:
        """Make the waiting (or next) :meth:`next` return None."""
        self.ended = True
        self._wake.set()

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        self.end()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._stop_waiter is not None:
            self._stop_waiter.cancel()
            self._stop_waiter = None
        inotify, self._inotify = self._inotify, None
        if inotify is not None:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(inotify.fd)
            inotify.close()


__all__ = ["DIRECTORY_MASK", "Inotify", "InotifyBatches", "available", "parse_events"]
