"""A program under a real pseudo-terminal, its output read continuously and time-stamped.

:class:`Terminal` starts a command on a pty of a fixed size, and a thread reads
every byte it writes as soon as it is written, noting when each chunk arrived.
:meth:`Terminal.wait_for` answers "when did these bytes first appear after that
offset": the arrival time of the chunk that completed them. So a latency is
measured from a write on disk to the moment the program handed the terminal the
changed text, which is what a user's terminal then paints.

Also here: CPU time (utime + stime) and peak RSS of the process, from /proc.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import threading
import time
from collections.abc import Sequence

CLK_TCK = os.sysconf("SC_CLK_TCK")


class Terminal:
    """``argv`` running on a ``columns`` x ``lines`` pty."""

    def __init__(self, argv: Sequence[str], *, columns: int = 160, lines: int = 50,
                 env: dict[str, str] | None = None) -> None:
        self.argv = list(argv)
        self.buffer = bytearray()
        self.arrivals: list[tuple[int, float]] = []
        """(end offset, perf_counter time) of each chunk read."""
        self._cond = threading.Condition()
        self._done = False
        environ = dict(os.environ if env is None else env)
        environ.setdefault("TERM", "xterm-256color")
        environ["COLUMNS"], environ["LINES"] = str(columns), str(lines)
        self.columns, self.lines = columns, lines
        self._screen = None
        self._stream = None
        self._fed = 0
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child
            try:
                os.execvpe(self.argv[0], self.argv, environ)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
                if not ready:
                    if self._done:
                        break
                    continue
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                break
            now = time.perf_counter()
            if not chunk:
                break
            with self._cond:
                self.buffer += chunk
                self.arrivals.append((len(self.buffer), now))
                self._cond.notify_all()
        with self._cond:
            self._done = True
            self._cond.notify_all()

    @property
    def offset(self) -> int:
        """How many bytes were read so far."""
        with self._cond:
            return len(self.buffer)

    def _arrival(self, end: int) -> float:
        """When the byte just before ``end`` arrived."""
        lo, hi = 0, len(self.arrivals) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.arrivals[mid][0] >= end:
                hi = mid
            else:
                lo = mid + 1
        return self.arrivals[lo][1]

    def wait_for(self, needle: bytes, since: int, timeout: float) -> float | None:
        """The arrival time of the first ``needle`` at or after byte ``since``; None on time-out."""
        deadline = time.perf_counter() + timeout
        with self._cond:
            while True:
                found = self.buffer.find(needle, since)
                if found >= 0:
                    return self._arrival(found + len(needle))
                left = deadline - time.perf_counter()
                if left <= 0 or self._done:
                    return None
                self._cond.wait(min(left, 0.05))

    def wait_any(self, needles: Sequence[bytes], since: int, timeout: float) -> float | None:
        """Like :meth:`wait_for`, for the first of several needles."""
        deadline = time.perf_counter() + timeout
        with self._cond:
            while True:
                hits = [f + len(n) for n in needles if (f := self.buffer.find(n, since)) >= 0]
                if hits:
                    return self._arrival(min(hits))
                left = deadline - time.perf_counter()
                if left <= 0 or self._done:
                    return None
                self._cond.wait(min(left, 0.05))

    def quiet(self, seconds: float) -> None:
        """Wait until no byte arrived for ``seconds``."""
        while True:
            with self._cond:
                last = self.arrivals[-1][1] if self.arrivals else self.started
            wait = last + seconds - time.perf_counter()
            if wait <= 0:
                return
            time.sleep(wait)

    def display(self) -> list[str]:
        """The screen as a terminal shows it now: every byte so far fed to a VT emulator
        (``pyte``), one string per line."""
        import pyte  # the benchmarks' only extra dependency: pip install -e '.[bench]'

        if self._screen is None:
            self._screen = pyte.Screen(self.columns, self.lines)
            self._stream = pyte.ByteStream(self._screen)
        with self._cond:
            data = bytes(self.buffer[self._fed:])
            self._fed = len(self.buffer)
        self._stream.feed(data)
        return list(self._screen.display)

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    # -- the process, from /proc -------------------------------------------------

    def cpu(self) -> float:
        """Seconds of CPU (user + system) the process used so far."""
        return cpu_seconds(self.pid)

    def status(self, key: str) -> int:
        """A ``/proc/PID/status`` figure in kB (``VmRSS``, ``VmHWM``)."""
        with open(f"/proc/{self.pid}/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def close(self, timeout: float = 5.0) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.time() + timeout
        while time.time() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        self._done = True
        self._thread.join(2.0)
        os.close(self.fd)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its reaped threads), in seconds."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK
