"""Keeps a :class:`~taskboard.board.model.Board` in step with the files, reading only what changed.

Three calls, split so the expensive part can run off the UI's event loop:

- :meth:`BoardReader.changed_paths` stats every task file, ``config.json`` and
  every inbox (one ``os.scandir`` sweep per directory, no file is opened) and
  returns the paths whose mtime or size differ from the last read, plus the
  paths of files that vanished. It only reads the reader's state through
  snapshots, so a worker thread may call it while the loop keeps refreshing.
- :meth:`BoardReader.refresh` re-reads just the named paths (a watcher batch, or
  what ``changed_paths`` found) and updates the board. Call it from one thread
  only (the UI's loop).
- :meth:`BoardReader.rescan` is ``refresh(changed_paths())``: the full check.

What a reader must survive (FORMAT.md):

- Claude Code writes in place, so a file can be caught empty or half written. A
  torn or invalid file keeps its last good version on the board, marked
  ``stale``, with the problem in ``board.file_problems``, until a good read.
  The stamp is taken with ``fstat`` on the open file *before* reading, so a
  write that lands during the read always looks like a change to the next sweep.
- When a team ends, Claude Code removes its task list and team directory. The
  board then keeps the last known tasks, config and inboxes, with
  ``board.list_exists`` / ``board.team_exists`` false and ``delta.structure``
  set. A removal is seen file by file (``rm -rf``), possibly over more than one
  watcher batch, so anything removed within :data:`RESTORE_WINDOW` seconds before
  its directory went is put back. When the directory comes back, it is read
  afresh.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from taskboard.board.agents import CLOCK_SKEW
from taskboard.board.jsontext import loads
from taskboard.board.model import (
    Board,
    Inbox,
    Problem,
    Task,
    TeamConfig,
    parse_config,
    parse_inbox,
    parse_task,
    task_from_object,
)
from taskboard.claude.early import claim
from taskboard.claude.files import CONFIG_LIMIT, INBOX_LIMIT, TASK_LIMIT, read_bytes
from taskboard.claude.paths import TeamPaths, task_id_from_name
from taskboard.textsafe import clean, one_line

Stamp = tuple[int, int]
"""A file's ``(st_mtime_ns, st_size)`` when it was last read."""

RESTORE_WINDOW = 2.0
"""Seconds: what was removed this shortly before its directory vanished is restored."""
SETTLE = 1.0
"""Seconds a one-shot read waits at most for torn files to be whole."""
QUIET = 0.05
"""Seconds a torn file must stay unchanged to be taken as really broken."""
_TORN_KINDS = frozenset({"torn", "invalid_json"})
FUTURE_SLACK = 60.0
"""Seconds an mtime may be ahead of the clock before it is taken as the time of reading."""

NO_STAMP: Stamp = (-1, -1)
"""The stamp of a file not statted (no file has it)."""

_MISSING = (FileNotFoundError, NotADirectoryError)


@dataclass
class BoardDelta:
    """What one refresh changed on the board."""

    tasks: set[str] = field(default_factory=set)
    inboxes: set[str] = field(default_factory=set)
    team: bool = False
    structure: bool = False
    """The task list or team directory appeared or disappeared."""

    def __bool__(self) -> bool:
        return bool(self.tasks or self.inboxes or self.team or self.structure)

    def merge(self, other: BoardDelta) -> None:
        self.tasks |= other.tasks
        self.inboxes |= other.inboxes
        self.team = self.team or other.team
        self.structure = self.structure or other.structure


def _scan(directory: str, want: str, *, stamps: bool = True,
          pace: Callable[[], object] | None = None) -> dict[str, Stamp] | None:
    """The stamp of every entry of ``directory`` that is a task or inbox file, by name.

    ``want`` is ``"task"`` (``<n>.json``) or ``"inbox"`` (``<agent>.json``, not
    hidden). None when the directory does not exist. ``entry.stat()`` costs one
    ``stat`` per entry and no ``Path`` objects are built: this is the hot loop
    of the periodic sweep (10,000 entries). ``stamps=False``: the names only (each
    stamp is ``NO_STAMP``), for a reader that has read nothing yet and reads them all.
    ``pace``: called after every :data:`SLICE` entries (see :class:`Pace`).
    """
    found: dict[str, Stamp] = {}
    count = 0
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if pace is not None:
                    count += 1
                    if count % SLICE == 0:
                        pace()
                name = entry.name
                if not name.endswith(".json"):
                    continue
                if want == "task":
                    stem = name[:-5]
                    # isdigit() is a superset of the regex's \d: the regex decides the rest.
                    if not stem.isdigit() or (
                            not stem.isascii() and task_id_from_name(name) is None):
                        continue
                elif name.startswith("."):
                    continue
                if not stamps:
                    # Whatever a stat would say (a dangling link, a loop), the read says it too.
                    found[name] = NO_STAMP
                    continue
                try:
                    st = entry.stat()
                except FileNotFoundError:
                    continue  # removed between the listing and the stat (or dangling)
                except OSError:
                    try:  # a symlink loop, say: still listed, so it shows as a problem
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                found[name] = (st.st_mtime_ns, st.st_size)
    except _MISSING:
        return None
    return found


SLICE = 256
"""Entries a paced sweep stats between two pauses (about a millisecond or two)."""


class SweepStopped(Exception):
    """A paced sweep was told to stop (its console closed) before it was done."""


class Pace:
    """Spreads a stat sweep so that it never uses more than ``budget`` of a core.

    After each slice of a sweep (:data:`SLICE` entries), a sleep as long as the slice
    took divided by ``budget``: a 10,000-file list is stat'ed in ~40 slices of ~1.5 ms
    over a couple of minutes, where one ~60 ms burst every couple of minutes made the
    idle CPU of some 30-second windows twice that of the others. :meth:`rest`: what the
    sweep cost since its last pause, which the next sweep waits for in turn. A set
    ``stop`` ends the sweep at its next pause (:class:`SweepStopped`). For a worker
    thread: the pauses block it.
    """

    def __init__(self, budget: float, stop: threading.Event) -> None:
        self.budget = budget
        self._stop = stop
        self._since = time.perf_counter()
        self.pauses = 0

    def __call__(self) -> None:
        if self._stop.wait(self.rest() / self.budget):
            raise SweepStopped
        self.pauses += 1
        self._since = time.perf_counter()

    def rest(self) -> float:
        """Seconds of the sweep since its last pause (or its start)."""
        return time.perf_counter() - self._since


def _is_dir(path: str) -> bool:
    return os.path.isdir(path)


class BoardReader:
    """Reads one team's files into a Board and keeps it current."""

    def __init__(self, paths: TeamPaths) -> None:
        self.paths = paths
        self.board = Board(name=paths.name)
        self.reads = 0
        """How many files were opened and read so far (a benchmark and test figure)."""
        self.sweeps = 0
        """How many stat sweeps (:meth:`changed_paths`) ran."""
        self._tasks_dir = str(paths.tasks_dir)
        self._team_dir = str(paths.team_dir)
        self._inboxes_dir = str(paths.inboxes_dir)
        self._config = str(paths.config_path)
        # Stamps of the last read, by file name inside each directory.
        self._task_stamps: dict[str, Stamp] = {}
        self._inbox_stamps: dict[str, Stamp] = {}
        self._config_stamp: Stamp | None = None
        # What was removed recently, in case its directory is about to go too.
        self._gone_tasks: dict[str, tuple[float, Task]] = {}
        self._gone_inboxes: dict[str, tuple[float, Inbox]] = {}
        self._gone_team: tuple[float, TeamConfig] | None = None
        self.structural: frozenset[Path] = frozenset(
            {paths.tasks_dir, paths.team_dir, paths.inboxes_dir, *paths.tasks_dir.parents,
             *paths.team_dir.parents})
        """Directories whose appearance or removal calls for a sweep (the watcher's too)."""

    # -- the stat sweep (thread-safe) ----------------------------------------

    def changed_paths(self, *, tasks: bool = True,
                      pace: Callable[[], object] | None = None) -> set[Path]:
        """Paths whose mtime or size changed since they were read, or that vanished.

        Stats only: no file is opened. A directory that appeared or vanished since
        the last refresh is reported itself. Safe to call from a worker thread
        while the loop calls :meth:`refresh`: it works on snapshots (an unlucky
        interleaving costs one extra read, never a missed change). ``tasks=False``:
        the team's files only (the task list was just read whole). ``pace``: called
        every :data:`SLICE` task files (:class:`Pace`, which may block).
        """
        self.sweeps += 1
        board = self.board
        list_existed, team_existed = board.list_exists, board.team_exists
        out: set[Path] = set()
        tasks_dir, inboxes_dir = self.paths.tasks_dir, self.paths.inboxes_dir

        # A reader that has read nothing reads every file: no stat needed to say which.
        fresh = not self._task_stamps and not board.tasks and not board.file_problems
        on_disk = _scan(self._tasks_dir, "task", stamps=not fresh, pace=pace) if tasks else None
        # The snapshots after the task files' scan, which a pace may spread over minutes:
        # a file the loop read meanwhile is compared with what it read, not reported again.
        task_stamps = self._task_stamps.copy()
        inbox_stamps = self._inbox_stamps.copy()
        config_stamp = self._config_stamp
        known_tasks = list(board.tasks)
        known_inboxes = list(board.inboxes)
        problem_keys = list(board.file_problems)
        had_team = board.team is not None
        if tasks and (on_disk is not None) != list_existed:
            out.add(tasks_dir)
        if on_disk is not None:
            for name, stamp in on_disk.items():
                if stamp is NO_STAMP or task_stamps.get(name) != stamp:
                    out.add(tasks_dir / name)
            gone = task_stamps.keys() - on_disk.keys()
            gone.update(f"{task_id}.json" for task_id in known_tasks)
            gone.difference_update(on_disk)
            out.update(tasks_dir / name for name in gone)

        team_exists = _is_dir(self._team_dir)
        if team_exists != team_existed:
            out.add(self.paths.team_dir)
        if team_exists:
            try:
                st = os.stat(self._config)
            except _MISSING:
                if had_team or config_stamp is not None or self._config in problem_keys:
                    out.add(self.paths.config_path)
            except OSError:  # a symlink loop, say: read it, so it shows as a problem
                if self._config not in problem_keys:
                    out.add(self.paths.config_path)
            else:
                if (st.st_mtime_ns, st.st_size) != config_stamp:
                    out.add(self.paths.config_path)
            inboxes = _scan(self._inboxes_dir, "inbox") or {}
            for name, stamp in inboxes.items():
                if inbox_stamps.get(name) != stamp:
                    out.add(inboxes_dir / name)
            gone = inbox_stamps.keys() - inboxes.keys()
            gone.update(f"{agent}.json" for agent in known_inboxes)
            gone.difference_update(inboxes)
            out.update(inboxes_dir / name for name in gone)

        # Files that never read well (unreadable, invalid from the start) and vanished.
        for key in problem_keys:
            path = Path(key)
            if (path.parent == tasks_dir and on_disk is not None
                    and path.name not in on_disk) or (
                    path.parent == inboxes_dir and team_exists and not path.exists()):
                out.add(path)
        return out

    # -- reading one file ----------------------------------------------------

    def _read(self, path: Path, limit: int = TASK_LIMIT, key: str | None = None
              ) -> tuple[str, float, Stamp] | OSError | None:
        """The text, mtime and stamp of one file; None if it is gone, the error if unreadable.

        Never blocks and never loads more than ``limit`` bytes: a FIFO, socket, device
        or oversized file is an error (a problem entry), see :func:`read_bytes`.
        ``key``: the path as text, when the caller has it.
        """
        try:
            data, st = read_bytes(key or path, limit)
        except _MISSING:
            return None
        except OSError as err:
            return err
        self.reads += 1
        mtime = st.st_mtime
        now = time.time()
        if mtime > now + FUTURE_SLACK:
            # A clock set far ahead (or a touch -d 2099) would make the file look alive for
            # ever and hide a stalled agent: it counts as seen now, and ages from here.
            mtime = now
        if mtime > self.board.last_change:
            self.board.last_change = mtime
        return data.decode("utf-8", errors="replace"), mtime, (st.st_mtime_ns, st.st_size)

    @staticmethod
    def _unreadable(err: OSError, path: Path, task: str | None = None) -> tuple[Problem, ...]:
        reason = clean(err.strerror or type(err).__name__)
        return (Problem("unreadable", f"the file cannot be read: {reason}", task, str(path)),)

    def _task(self, task_id: str, path: Path, delta: BoardDelta, key: str | None = None,
              name: str | None = None) -> None:
        """Read one task file; ``key`` and ``name``: its path as text and its file name,
        when the caller has them."""
        board = self.board
        key = key or str(path)
        name = name or path.name
        read = self._read(path, TASK_LIMIT, key)
        if read is None:
            self._task_stamps.pop(name, None)
            if not board.list_exists:
                return  # the whole list is gone: keep the last known task
            previous = board.tasks.pop(task_id, None)
            if previous is not None:
                self._gone_tasks[task_id] = (time.monotonic(), previous)
                delta.tasks.add(task_id)
            if board.file_problems.pop(key, None) is not None:
                delta.tasks.add(task_id)
            return
        previous = board.tasks.get(task_id)
        if isinstance(read, OSError):
            task, problems = None, list(self._unreadable(read, path, task_id))
        else:
            text, mtime, stamp = read
            self._task_stamps[name] = stamp
            task, problems = parse_task(text, task_id, path, mtime)
        self._gone_tasks.pop(task_id, None)
        if task is None:
            # Torn, invalid or unreadable: keep the last good version, marked stale.
            if board.file_problems.get(key) != tuple(problems):
                board.file_problems[key] = tuple(problems)
                delta.tasks.add(task_id)
            if previous is not None and not previous.stale:
                board.tasks[task_id] = replace(previous, stale=True)
                delta.tasks.add(task_id)
            return
        if board.file_problems.pop(key, None) is not None:
            delta.tasks.add(task_id)
        if (previous is None or not task.same_content(previous)
                or previous.mtime != task.mtime):
            board.tasks[task_id] = task
            delta.tasks.add(task_id)

    def _team_config(self, delta: BoardDelta) -> None:
        board = self.board
        path = self.paths.config_path
        key = self._config
        read = self._read(path, CONFIG_LIMIT)
        if read is None:
            self._config_stamp = None
            if not board.team_exists:
                return  # the team directory is gone: keep the last known config
            if board.team is not None:
                self._gone_team = (time.monotonic(), board.team)
                board.team = None
                delta.team = True
            if board.file_problems.pop(key, None) is not None:
                delta.team = True
            return
        if isinstance(read, OSError):
            config, problems = None, list(self._unreadable(read, path))
        else:
            text, mtime, stamp = read
            self._config_stamp = stamp
            board.team_mtime = mtime
            config, problems = parse_config(text, path)
            if config is not None:
                config = replace(config, mtime=mtime)
        self._gone_team = None
        if config is None:
            # Keep the last good config on screen; report the bad read.
            if board.file_problems.get(key) != tuple(problems):
                board.file_problems[key] = tuple(problems)
                delta.team = True
            return
        if problems:
            if board.file_problems.get(key) != tuple(problems):
                board.file_problems[key] = tuple(problems)
                delta.team = True
        elif board.file_problems.pop(key, None) is not None:
            delta.team = True
        if config != board.team:
            board.team = config
            delta.team = True

    def _inbox(self, agent: str, path: Path, delta: BoardDelta) -> None:
        board = self.board
        key = str(path)
        read = self._read(path, INBOX_LIMIT)
        if read is None:
            self._inbox_stamps.pop(path.name, None)
            if not board.team_exists:
                return
            previous = board.inboxes.pop(agent, None)
            if previous is not None:
                self._gone_inboxes[agent] = (time.monotonic(), previous)
                delta.inboxes.add(agent)
            if board.file_problems.pop(key, None) is not None:
                delta.inboxes.add(agent)
            return
        if isinstance(read, OSError):
            inbox, problems = None, list(self._unreadable(read, path))
        else:
            text, mtime, stamp = read
            self._inbox_stamps[path.name] = stamp
            inbox, problems = parse_inbox(agent, text, path, mtime)
        self._gone_inboxes.pop(agent, None)
        if inbox is None:
            if board.file_problems.get(key) != tuple(problems):
                board.file_problems[key] = tuple(problems)
                delta.inboxes.add(agent)
            return
        if problems:
            if board.file_problems.get(key) != tuple(problems):
                board.file_problems[key] = tuple(problems)
                delta.inboxes.add(agent)
        elif board.file_problems.pop(key, None) is not None:
            delta.inboxes.add(agent)
        if inbox != board.inboxes.get(agent):
            board.inboxes[agent] = inbox
            delta.inboxes.add(agent)
            _remember_senders(board, inbox)

    # -- directories ---------------------------------------------------------

    def _existence(self, delta: BoardDelta) -> bool:
        """Note whether the list and team directories exist; True if one appeared."""
        board = self.board
        list_exists = _is_dir(self._tasks_dir)
        team_exists = _is_dir(self._team_dir)
        appeared = (list_exists and not board.list_exists) or (
            team_exists and not board.team_exists)
        if list_exists != board.list_exists:
            delta.structure = True
            if not list_exists:
                self._restore_tasks(delta)
            self._gone_tasks.clear()
        if team_exists != board.team_exists:
            delta.structure = True
            if not team_exists:
                self._restore_team(delta)
            self._gone_inboxes.clear()
            self._gone_team = None
        board.list_exists, board.team_exists = list_exists, team_exists
        return appeared

    def _restore_tasks(self, delta: BoardDelta) -> None:
        since = time.monotonic() - RESTORE_WINDOW
        for task_id, (when, task) in self._gone_tasks.items():
            if when >= since and task_id not in self.board.tasks:
                self.board.tasks[task_id] = task
                delta.tasks.add(task_id)

    def _restore_team(self, delta: BoardDelta) -> None:
        since = time.monotonic() - RESTORE_WINDOW
        board = self.board
        if self._gone_team is not None and self._gone_team[0] >= since and board.team is None:
            board.team = self._gone_team[1]
            delta.team = True
        for agent, (when, inbox) in self._gone_inboxes.items():
            if when >= since and agent not in board.inboxes:
                board.inboxes[agent] = inbox
                delta.inboxes.add(agent)

    def _prune_gone(self) -> None:
        since = time.monotonic() - RESTORE_WINDOW
        for gone in (self._gone_tasks, self._gone_inboxes):
            for key in [k for k, (when, _) in gone.items() if when < since]:
                del gone[key]
        if self._gone_team is not None and self._gone_team[0] < since:
            self._gone_team = None

    # -- whole board -----------------------------------------------------------

    def needs_sweep(self, changed: Iterable[Path]) -> bool:
        """True when a batch calls for a full stat sweep: it names one of the team's
        directories (or an ancestor), or the list or team directory appeared since
        the last refresh. Cheap (two stats) and safe from any thread."""
        if not self.structural.isdisjoint(changed):
            return True
        board = self.board
        return ((not board.list_exists and _is_dir(self._tasks_dir))
                or (not board.team_exists and _is_dir(self._team_dir)))

    def refresh(self, changed: Iterable[Path | str], *, sweep: bool = True) -> BoardDelta:
        """Re-read just these paths (a batch of watcher events). Unknown paths are ignored.

        A path that is one of the team's directories (or an ancestor) means the
        structure may have changed: every file is then compared by stamp (a
        sweep) and the differing ones are read. So does a directory found to
        have appeared since the last refresh. ``sweep=False`` skips that sweep,
        for a caller that already merged :meth:`changed_paths` into the batch
        (off the loop, see :meth:`needs_sweep`).
        """
        delta = BoardDelta()
        appeared = self._existence(delta)
        batch = {p if isinstance(p, Path) else Path(p) for p in changed}
        if sweep and (appeared or not batch.isdisjoint(self.structural)):
            batch |= self.changed_paths()
        # Compared as strings: a first load passes 10,000 paths through here.
        tasks_dir, inboxes_dir, config = self._tasks_dir, self._inboxes_dir, self._config
        split = os.path.split
        for path in batch:
            try:
                text = str(path)
                parent, name = split(text)
                if parent == tasks_dir:
                    task_id = task_id_from_name(name)
                    if task_id is not None:
                        self._task(task_id, path, delta)
                elif text == config:
                    self._team_config(delta)
                elif (parent == inboxes_dir and name.endswith(".json")
                        and not name.startswith(".")):
                    self._inbox(name[: -len(".json")], path, delta)
            except Exception as err:  # noqa: BLE001 - one bad file must not stop the rest
                self._failed(path, err, delta)
        self._prune_gone()
        if delta:
            # Only the named tasks changed: the analysis is brought up to date incrementally.
            self.board.invalidate(set(delta.tasks))
        return delta

    def _failed(self, path: Path, err: Exception, delta: BoardDelta) -> None:
        """A file whose reading raised something unforeseen: a problem entry, and the
        rest of the batch is still read (the watcher lives on)."""
        import logging  # here: a one-shot reader never needs the logging machinery

        logging.getLogger(__name__).warning("reading %s failed: %r", path, err)
        task_id = task_id_from_name(path.name) if path.parent == self.paths.tasks_dir else None
        problem = Problem("unreadable", f"the file could not be read: "
                          f"{clean(type(err).__name__)}: {one_line(err, 200)}",
                          task_id, str(path))
        if self.board.file_problems.get(str(path)) != (problem,):
            self.board.file_problems[str(path)] = (problem,)
            if task_id is not None:
                delta.tasks.add(task_id)
            else:
                delta.team = True

    def rescan(self) -> BoardDelta:
        """Compare every file with what was last read; re-read only the ones that differ.

        When the list or team directory is gone, the last known tasks stay on the
        board (Claude Code deletes the files when a team ends).
        """
        delta = BoardDelta()
        # Note the directories first, so that the sweep below is the only one: a list that
        # "appeared" (a fresh reader's first look) would otherwise sweep again in refresh.
        self._existence(delta)
        board = self.board
        if not self._task_stamps and not board.tasks and not board.file_problems:
            delta.merge(self._read_list())
            delta.merge(self.refresh(self.changed_paths(tasks=False), sweep=False))
        else:
            delta.merge(self.refresh(self.changed_paths(), sweep=False))
        return delta

    def _read_list(self) -> BoardDelta:
        """A fresh reader's first look at the task list: every task file, read straight
        from the directory's listing (no stat, no set of paths to build and take apart:
        10,000 files at a cold start). What :meth:`refresh` would do with them."""
        delta = BoardDelta()
        prefix = os.path.join(self._tasks_dir, "")
        # What a child read of the list while the console imported Textual (see
        # ``taskboard.claude.early``), taken as if read here, with the stamps it read.
        early = claim(self._tasks_dir) or {}
        try:  # iterdir's Paths cost a third of joining each name (no parsing)
            paths = list(self.paths.tasks_dir.iterdir())
        except _MISSING:
            paths = []
        board = self.board
        tasks, stamps, gone, changed = board.tasks, self._task_stamps, self._gone_tasks, delta.tasks
        clock = time.time
        for path in paths:
            name = path.name
            try:
                task_id = task_id_from_name(name)
                if task_id is None:
                    continue
                key = prefix + name
                # What _task and _read do for a file of a list read for the first time (no
                # task, stamp or problem known yet), without their two calls per file.
                read = early.get(name)
                if read is not None:
                    data, mtime, mtime_ns, size = read
                else:
                    try:
                        data, st = read_bytes(key, TASK_LIMIT)
                    except OSError:  # gone or unreadable: as any read says it
                        self._task(task_id, path, delta, key, name)
                        continue
                    mtime, mtime_ns, size = st.st_mtime, st.st_mtime_ns, st.st_size
                self.reads += 1
                now = clock()
                if mtime > now + FUTURE_SLACK:
                    mtime = now  # see _read
                if mtime > board.last_change:
                    board.last_change = mtime
                stamps[name] = (mtime_ns, size)
                text = data.decode("utf-8", errors="replace")
                try:
                    obj = loads(text)
                except ValueError:  # not JSON: parse_task says how (torn, invalid...)
                    obj = None
                if type(obj) is dict:  # parse_task's own way, without its two calls
                    task, problems = task_from_object(obj, task_id, path, mtime)
                else:
                    task, problems = parse_task(text, task_id, path, mtime)
                if gone:
                    gone.pop(task_id, None)
                if task is None:
                    board.file_problems[key] = tuple(problems)
                else:
                    tasks[task_id] = task
                changed.add(task_id)
            except Exception as err:  # noqa: BLE001 - one bad file must not stop the rest
                self._failed(path, err, delta)
        if delta:
            self.board.invalidate(set(delta.tasks))
        return delta


    def settle(self, seconds: float = SETTLE, quiet: float = QUIET) -> None:
        """Re-read files caught torn (or invalid) until they read whole, for up to
        ``seconds``; a file left unchanged for ``quiet`` seconds is taken as it is.

        For one-shot readers (``show``, ``tree``, ``ls``): a live console keeps the last
        good version and reads again on the next change, but a one-shot read has no next
        change, so it must not print a half-written file as the board.
        """
        deadline = time.monotonic() + seconds
        last_seen: dict[str, tuple[object, float]] = {}
        delay = 0.002
        while True:
            now = time.monotonic()
            waiting: list[Path] = []
            for key, problems in list(self.board.file_problems.items()):
                if not any(p.kind in _TORN_KINDS for p in problems):
                    continue
                try:
                    st = os.stat(key)
                    stamp: object = (st.st_mtime_ns, st.st_size, st.st_ino)
                except OSError:
                    stamp = None
                seen = last_seen.get(key)
                if seen is None or seen[0] != stamp:
                    last_seen[key] = (stamp, now)
                    waiting.append(Path(key))
                elif now - seen[1] < quiet:
                    waiting.append(Path(key))
            if not waiting or now >= deadline:
                return
            time.sleep(delay)
            delay = min(delay * 2, 0.02)
            self.refresh(waiting, sweep=False)


def _remember_senders(board: Board, inbox: Inbox) -> None:
    """Keep the newest message each sender was seen sending (see ``Board.sent``)."""
    for message in inbox.messages:
        when = message.when
        stamp = when.timestamp() if when else inbox.mtime
        if inbox.mtime and stamp > inbox.mtime + CLOCK_SKEW:
            stamp = inbox.mtime  # a date far in the future must not hide a stall
        seen = board.sent.get(message.sender)
        if seen is None or stamp >= seen[0]:
            board.sent[message.sender] = (stamp, message)


def load_board(paths: TeamPaths, *, settle: float = SETTLE) -> Board:
    """Read a whole team from disk once, re-reading files caught mid-write (see
    :meth:`BoardReader.settle`) so a one-shot reader never shows a torn write."""
    reader = BoardReader(paths)
    reader.rescan()
    if settle > 0:
        reader.settle(settle)
    return reader.board


__all__ = ["RESTORE_WINDOW", "BoardDelta", "BoardReader", "Problem", "Stamp", "load_board"]
