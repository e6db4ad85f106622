"""Low-level file reads and atomic writes, shared by the task and team stores.

Reads never block and never explode: a file is opened with ``O_NONBLOCK`` (a FIFO
opens at once instead of waiting for a writer), checked to be a regular file with
``fstat`` on the open descriptor (no FIFO, socket or device is ever read), and
read up to a size cap (a link to ``/dev/zero`` or a sparse multi-GB file is
refused, not loaded). Each refusal is an ``OSError``, which readers already turn
into a problem entry.

Writes go through a temp file in the same directory, created with ``O_EXCL`` and
``O_NOFOLLOW``, whose name never ends in ``.json`` (Claude Code lists every
``*.json`` as a task), then ``fsync`` and ``rename``. The temp files of a writer
that was killed are removed by the next writer in that directory once they are
older than :data:`STALE_TEMP`. Any OS error (full disk, read-only file system,
permission, file-size limit, name too long) becomes a :class:`WriteFailed`
refusal with the original file intact.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

from taskboard.board.jsontext import find_non_finite, loads
from taskboard.board.model import dump_json
from taskboard.claude.errors import NotFound, Unreadable, WriteFailed

MiB = 1 << 20
TASK_LIMIT = 16 * MiB
"""The largest task file read (5 MB descriptions are fine)."""
CONFIG_LIMIT = 16 * MiB
INBOX_LIMIT = 64 * MiB
SIDECAR_LIMIT = MiB
"""``.meta.json`` sidecars and session files: a few hundred bytes when real."""
TRANSCRIPT_READ = 64 * MiB
"""The most a transcript tail reads at once (the rest comes on the next read)."""
TRANSCRIPT_LINE = 16 * MiB
"""A partial transcript line longer than this is dropped, not kept growing."""
SMALL_LIMIT = 4096
"""``.highwatermark`` and other one-number files."""
DEFAULT_LIMIT = 16 * MiB

STALE_TEMP = 30.0
"""Seconds after which a temp file of ours is taken to be left by a killed writer."""
_TEMP_NAME = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$")
_SWEEP_EVERY = 10.0
_last_sweep: dict[str, float] = {}

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bytes(path: Path | str, limit: int = DEFAULT_LIMIT, *,
               follow: bool = True) -> tuple[bytes, os.stat_result]:
    """A regular file's bytes and its ``fstat``, taken from the same open file.

    Never blocks (``O_NONBLOCK``), never reads what is not a regular file, never
    more than ``limit`` bytes; ``follow=False`` refuses a symlink (``O_NOFOLLOW``).
    Raises FileNotFoundError when the file is missing, another OSError otherwise.
    """
    fd, st = _open_regular_fd(path, follow)
    try:
        if st.st_size > limit:
            raise OSError(errno.EFBIG, f"too large ({st.st_size} bytes; the limit is {limit})",
                          str(path))
        first = os.read(fd, min(st.st_size + 65536, limit + 1))
        if len(first) == st.st_size:
            # All of it, as fstat saw it, in one read: the file ended there when read (a
            # regular file reads short only at its end), so no second read to find it.
            return first, st
        chunks: list[bytes] = [first] if first else []
        total = len(first)
        if total > limit:
            raise OSError(errno.EFBIG, f"too large (over {limit} bytes)", str(path))
        while first:
            chunk = os.read(fd, min(max(st.st_size - total, 0) + 65536, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise OSError(errno.EFBIG, f"too large (over {limit} bytes)", str(path))
        return b"".join(chunks), st
    finally:
        os.close(fd)


def open_regular(path: Path | str, *, follow: bool = True) -> BinaryIO:
    """Open a file for reading only if it is a regular file, without ever blocking (a FIFO
    opens at once, and is then refused). The caller bounds how much it reads."""
    fd, _st = _open_regular_fd(path, follow)
    return os.fdopen(fd, "rb")


def _open_regular_fd(path: Path | str, follow: bool) -> tuple[int, os.stat_result]:
    """An open descriptor of a regular file and its ``fstat``; never blocks (a FIFO opens at
    once and is then refused), never follows a symlink when ``follow`` is off."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= os.O_NOFOLLOW
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            code = errno.EISDIR if stat.S_ISDIR(st.st_mode) else errno.EINVAL
            raise OSError(code, f"not a regular file ({_kind(st.st_mode)})", str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_text(path: Path, limit: int = DEFAULT_LIMIT) -> tuple[str, float]:
    """A file's text and its mtime, taken from the same open file. Raises FileNotFoundError
    when missing, another OSError when it is not a regular file or too large."""
    data, st = read_bytes(path, limit)
    return data.decode("utf-8", errors="replace"), st.st_mtime


def read_json(path: Path, what: str, limit: int = DEFAULT_LIMIT) -> Any:
    """Strictly read a JSON file for an update: missing or invalid is a refusal."""
    try:
        text, _ = read_text(path, limit)
    except FileNotFoundError:
        raise NotFound(f"{what} does not exist ({path})") from None
    except OSError as err:
        raise Unreadable(f"{what} cannot be read ({path}: {err.strerror}); "
                         "nothing was written") from None
    try:
        return loads(text)
    except ValueError as err:  # JSONDecodeError, JSONLimit
        reason = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
        raise Unreadable(f"{what} is not valid JSON ({path}: {reason}); "
                         "nothing was written") from None


@contextmanager
def refusing_os_errors(what: str) -> Iterator[None]:
    """Turn any OSError inside the block into a :class:`WriteFailed` naming ``what``."""
    try:
        yield
    except OSError as err:
        raise WriteFailed.from_os_error(what, err) from err


def sweep_temp_files(directory: Path, *, older_than: float = STALE_TEMP,
                     force: bool = False) -> list[str]:
    """Remove temp files of ours (``.<name>.<pid>.<8 hex>.tmp``) left by killed writers.

    Only files older than ``older_than`` seconds go, so a live writer's temp file is
    never touched. At most once per :data:`_SWEEP_EVERY` seconds per directory unless
    ``force``. Returns the names removed.
    """
    key = str(directory)
    now = time.monotonic()
    if not force and now - _last_sweep.get(key, -_SWEEP_EVERY) < _SWEEP_EVERY:
        return []
    _last_sweep[key] = now
    removed: list[str] = []
    cutoff = time.time() - older_than
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if not entry.name.startswith(".") or not _TEMP_NAME.match(entry.name):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                        os.unlink(entry.path)
                        removed.append(entry.name)
                except OSError:
                    continue
    except OSError:
        return removed
    return removed


def write_atomic(path: Path, text: str) -> None:
    """Write through a temp file in the same directory, fsync, then rename over ``path``.

    The temp name does not end in ``.json`` so Claude Code never lists it as a task.
    Raises :class:`WriteFailed` on any OS error; ``path`` is then as it was.
    """
    import secrets  # here: it loads random and hashlib, which no read needs

    tmp = path.with_name(f".{path.name[:180]}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    with refusing_os_errors(f"could not write {path.name}"):
        sweep_temp_files(path.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                     | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write ``obj`` in Claude Code's JSON style, atomically.

    A NaN or infinite number (``1e400`` read back) is refused: Claude Code's
    ``JSON.parse`` rejects ``Infinity``, so writing it would hide the file from it.
    """
    where = find_non_finite(obj)
    if where is not None:
        raise Unreadable(f"{path.name} holds a number JSON cannot carry at {where} "
                         "(too large, read as Infinity); Claude Code could not read it back, "
                         "so nothing was written")
    write_atomic(path, dump_json(obj))
