"""The watcher's fallback where inotify cannot be read directly: ``watchfiles.awatch``.

Used off Linux (FSEvents, kqueue, ReadDirectoryChanges through watchfiles' Rust
``notify``), and on Linux when an inotify instance or watch cannot be had (then
watchfiles tries inotify itself, and polls if that fails too). Its Rust thread
wakes every ``step`` ms even when nothing happens (0.4-0.5 % of a core at step
10 ms), which is why it is not the first choice. :class:`FilesBatches` has the
same face as :class:`taskboard.claude.inotify.InotifyBatches`: ``await next()``
gives a set of path strings or None once ended or stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable, Iterable
from pathlib import Path

from watchfiles import Change, awatch


class _StopFlag:
    """The stop event handed to one ``awatch``: set by the watcher's stop, or to restart.

    awatch's thread polls ``is_set()`` every step, so setting it ends that
    ``awatch`` within one step; the outer stop event is left alone.
    """

    def __init__(self, outer: asyncio.Event) -> None:
        self._outer = outer
        self._set = False

    def is_set(self) -> bool:
        return self._set or self._outer.is_set()

    def set(self) -> None:
        self._set = True


def _retrieve(future: asyncio.Future[object]) -> None:
    if not future.cancelled():
        future.exception()


class FilesBatches:
    """One running ``awatch`` over a fixed set of roots, non-recursive."""

    def __init__(self, roots: Iterable[Path], keep: Callable[[str], bool], *,
                 stop: asyncio.Event, step_ms: int, debounce_ms: int,
                 force_polling: bool | None = None,
                 rust_timeout_ms: int | None = None) -> None:
        self.roots = tuple(roots)
        self._flag = _StopFlag(stop)
        self._changes: AsyncGenerator[set[tuple[Change, str]], None] = awatch(
            *self.roots, watch_filter=lambda _change, path: keep(path), step=step_ms,
            debounce=debounce_ms, stop_event=self._flag, recursive=False,
            force_polling=force_polling, rust_timeout=rust_timeout_ms)
        self._pending: asyncio.Future[set[tuple[Change, str]]] | None = None

    @property
    def ended(self) -> bool:
        return self._flag.is_set()

    def _advance(self) -> None:
        self._pending = asyncio.ensure_future(anext(self._changes))
        # When the app exits before close() (its worker cancelled), the awatch's end
        # (StopAsyncIteration) must not be reported as a "never retrieved" exception.
        self._pending.add_done_callback(_retrieve)

    async def open(self) -> None:
        """Start the awatch with its watches in place; raises what placing them raised."""
        self._advance()
        # awatch builds its RustNotify (which places the watches) in its first
        # step, before it first suspends; two loop turns let that step run.
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert self._pending is not None
        if self._pending.done() and self._pending.exception() is not None:
            err = self._pending.exception()
            await self.aclose()
            if isinstance(err, StopAsyncIteration):
                self._flag.set()
                return
            raise err  # type: ignore[misc]

    async def next(self) -> set[str] | None:
        """The next batch, or None when ended or stopped."""
        pending = self._pending
        if pending is None:
            return None
        try:
            # shield: a cancelled consumer must not cancel awatch's thread wait,
            # which would block until the thread returns (rust_timeout).
            raw = await asyncio.shield(pending)
        except StopAsyncIteration:
            self._flag.set()
            return None
        self._advance()  # gather the next batch while the consumer works on this one
        return {path for _change, path in raw}

    def end(self) -> None:
        self._flag.set()

    async def aclose(self) -> None:
        self._flag.set()
        pending = self._pending
        if pending is not None:
            if not pending.done():
                # The thread sees the flag within one step and the awatch returns.
                await asyncio.wait([pending])
            if not pending.cancelled():
                pending.exception()  # retrieved: a batch or error here no longer matters
        with contextlib.suppress(Exception):
            await self._changes.aclose()


__all__ = ["FilesBatches"]
