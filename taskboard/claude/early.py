"""A task list's files read by a child process while the console imports Textual.

At a cold start the console imports Textual (0.4-0.6 s on a small 2-core machine), then
reads every task file: at 10,000 tasks, ~0.2 s of that reading is the system calls that
list, open, stat and read the files, on the same core. :func:`begin` forks a child first,
before any thread exists, that reads the list's task files on the other core as
:func:`~taskboard.claude.files.read_bytes` does (regular files only, never blocking, up to
the limit) and sends back their bytes and stamps through a pipe, in one ``marshal``
record. The reader's first look at the list (``BoardReader._read_list``) takes them with
:func:`claim` and reads itself only what the child did not send.

Nothing is lost to the head start: the stamps sent are those of the bytes read, so a file
that changed after the child read it differs from its stamp, and the console's first
sweep, right after the load, reads it again (as it does for any change during a load).
A child that failed, or sent what cannot be read back, leaves the reading as it was.
"""

from __future__ import annotations

import marshal
import os
import threading
from typing import Any

from taskboard.claude.files import TASK_LIMIT, read_bytes
from taskboard.claude.paths import task_id_from_name

Files = dict[str, tuple[bytes, float, int, int]]
"""Task file name -> its bytes, ``st_mtime``, ``st_mtime_ns`` and ``st_size`` when read."""


def read_list(tasks_dir: str) -> Files:
    """The list's task files as the reader's first look reads them; a file that could not
    be read is left out (the reader reads it again and says why)."""
    files: Files = {}
    prefix = os.path.join(tasks_dir, "")
    try:
        names = os.listdir(tasks_dir)
    except OSError:
        return files
    for name in names:
        if task_id_from_name(name) is None:
            continue
        try:
            data, st = read_bytes(prefix + name, TASK_LIMIT)
        except OSError:
            continue
        files[name] = (data, st.st_mtime, st.st_mtime_ns, st.st_size)
    return files


class EarlyRead:
    """A child process reading a task list; :meth:`wait` gives what it read."""

    def __init__(self, tasks_dir: str, pid: int, pipe: int) -> None:
        self.tasks_dir = tasks_dir
        self._pid = pid
        self._pipe: int | None = pipe
        self._files: Files | None = None
        self._lock = threading.Lock()

    @classmethod
    def start(cls, tasks_dir: str) -> EarlyRead | None:
        """Fork the child; None where that is not safe (no ``fork``, threads running)."""
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the child: read, send, and end without running the parent's exit
            code = 1
            try:
                os.close(read_end)
                record = memoryview(marshal.dumps(read_list(tasks_dir)))
                while record:
                    record = record[os.write(write_end, record):]
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        return cls(tasks_dir, pid, read_end)

    def wait(self) -> Files | None:
        """What the child read (None: it failed). Blocks until it has sent it all."""
        with self._lock:
            if self._pipe is not None:
                chunks: list[bytes] = []
                try:
                    while chunk := os.read(self._pipe, 1 << 20):
                        chunks.append(chunk)
                    files = marshal.loads(b"".join(chunks))
                    self._files = files if type(files) is dict else None
                except (OSError, ValueError, EOFError, TypeError):
                    self._files = None
                finally:
                    os.close(self._pipe)
                    self._pipe = None
                    self._reap()
            return self._files

    def _reap(self) -> None:
        try:
            _, status = os.waitpid(self._pid, 0)
        except ChildProcessError:
            return
        if os.waitstatus_to_exitcode(status) != 0:
            self._files = None


_pending: dict[str, Any] = {"read": None}


def begin(tasks_dir: str) -> None:
    """Start reading ``tasks_dir`` in a child, for the first reader of that list."""
    if _pending["read"] is None:
        _pending["read"] = EarlyRead.start(tasks_dir)


def claim(tasks_dir: str) -> Files | None:
    """What the child read of ``tasks_dir``, once (None: nothing was read early)."""
    early: EarlyRead | None = _pending["read"]
    if early is None or early.tasks_dir != tasks_dir:
        return None
    _pending["read"] = None
    return early.wait()


def pending(tasks_dir: str) -> EarlyRead | None:
    """The child reading ``tasks_dir``, not claimed yet."""
    early: EarlyRead | None = _pending["read"]
    return early if early is not None and early.tasks_dir == tasks_dir else None
