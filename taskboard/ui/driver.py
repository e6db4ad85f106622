"""A terminal driver whose input thread sleeps until there is something to read.

Textual's ``LinuxDriver`` reads the keyboard in a thread that wakes every 0.1 s
(``select`` with a timeout) to see whether the app is exiting and whether a lone
escape has waited long enough to be a key: ten wake-ups a second, 0.13-0.17 % of
a core while the console idles at 10,000 tasks (about half its idle budget).

:class:`QuietLinuxDriver` runs the same loop, but ``select`` waits without a timeout
unless the parser holds a partial sequence (then until that sequence's deadline),
and the exit is signalled through a pipe the thread also waits on. Keys, mouse,
paste and resize go through Textual's own parser and handlers, unchanged.

When the terminal goes away (its window closed with the hang-up signal ignored, as
under ``nohup``), reading it gives end-of-file or EIO at once, for ever: Textual's
loop then spins a core. This one asks the app to quit (see ``_hung_up``).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import threading
from codecs import getincrementaldecoder

from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.messages import ExitApp

from .splash import handed_over

HANGUP_GRACE = 5.0
"""Seconds the console has to quit after its terminal went away."""


class _WakingEvent(threading.Event):
    """The driver's exit event: setting it also wakes the input thread's ``select``."""

    def __init__(self, wake_fd: int) -> None:
        super().__init__()
        self._wake_fd = wake_fd

    def set(self) -> None:
        super().set()
        with contextlib.suppress(OSError):  # closed after the app ended, or full: awake
            os.write(self._wake_fd, b"x")


class QuietLinuxDriver(LinuxDriver):
    """``LinuxDriver`` without the input thread's ten wake-ups a second."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self.exit_event = _WakingEvent(self._wake_write)

    def start_application_mode(self) -> None:
        super().start_application_mode()
        handed_over()  # the splash, if one was drawn, is Textual's to paint over now

    def run_input_thread(self) -> None:
        """Wait for input (or the exit) and dispatch events: LinuxDriver's loop with a
        timeout only while the parser waits on a partial escape sequence."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        fileno, wake = self.fileno, self._wake_read
        terminal = os.isatty(fileno)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def timeout() -> float | None:
            deadline = getattr(parser, "_timeout_time", 0.0)
            if deadline is None:
                return None  # nothing pending: sleep until a key or the exit
            return max(0.0, min(0.1, deadline - get_time()))

        def process(events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            for key, mask in events:
                if key.fd == wake:
                    with contextlib.suppress(OSError):
                        while os.read(wake, 512):
                            pass
                    continue
                if mask & selectors.EVENT_READ:
                    try:
                        raw = os.read(fileno, 1024 * 4)
                    except OSError:  # EIO: the terminal is gone
                        raw = b""
                    if not raw:  # nothing will ever come (Textual's loop spun on it)
                        selector.unregister(fileno)
                        if terminal:
                            self._hung_up()
                        break  # else a pipe or file that ended: watch on, without keys
                    for event in parser.feed(decode(raw, final=final)):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process(selector.select(timeout()))
            if fileno in selector.get_map():
                selector.unregister(fileno)
                process(selector.select(0.1), final=True)
        finally:
            selector.close()

    def _hung_up(self) -> None:
        """The terminal closed (its window, an ssh link): the console quits. If it cannot
        (its output thread stuck on the dead terminal holds the app), the process ends
        after ``HANGUP_GRACE`` seconds, as the hang-up signal would have ended it."""
        self._app.post_message(ExitApp())

        def end_if_stuck() -> None:
            if not self.exit_event.wait(HANGUP_GRACE):
                os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=end_if_stuck, name="taskboard-hangup", daemon=True).start()

    def close(self) -> None:
        super().close()
        for fd in (self._wake_read, self._wake_write):
            with contextlib.suppress(OSError):
                os.close(fd)
