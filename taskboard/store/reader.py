"""Keeps a :class:`~taskboard.model.Board` in step with the files, reading only what changed.

``refresh(paths)`` re-reads just the named files (what the watcher reports);
``rescan()`` compares every file's mtime and size with what was last read and
re-reads only those that differ, catching what events miss. A torn or invalid
file keeps its last good version on the board, marked stale, until a good read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from taskboard.model import Board, Problem, parse_config, parse_inbox, parse_task
from taskboard.paths import TeamPaths, task_id_from_name
from taskboard.store.files import read_text
from taskboard.store.team import inbox_files
from taskboard.store.tasks import task_files

Stamp = tuple[int, int]


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


def _stamp(path: Path) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


class BoardReader:
    """Reads one team's files into a Board and keeps it current."""

    def __init__(self, paths: TeamPaths) -> None:
        self.paths = paths
        self.board = Board(name=paths.name)
        self.reads = 0
        """How many files were read so far (a benchmark and test figure)."""
        self._stamps: dict[Path, Stamp] = {}

    # -- one file ---------------------------------------------------------

    def _read(self, path: Path) -> tuple[str, float] | None:
        try:
            result = read_text(path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            self._stamps.pop(path, None)
            return None
        self.reads += 1
        return result

    def _note(self, path: Path, mtime: float) -> None:
        stamp = _stamp(path)
        if stamp is not None:
            self._stamps[path] = stamp
        self.board.last_change = max(self.board.last_change, mtime)

    def _task(self, task_id: str, path: Path, delta: BoardDelta) -> None:
        board = self.board
        read = self._read(path)
        key = str(path)
        if read is None:
            if board.tasks.pop(task_id, None) is not None:
                delta.tasks.add(task_id)
            if board.file_problems.pop(key, None) is not None:
                delta.tasks.add(task_id)
            return
        text, mtime = read
        self._note(path, mtime)
        task, problems = parse_task(text, task_id, path, mtime)
        previous = board.tasks.get(task_id)
        if task is None:
            old = board.file_problems.get(key)
            board.file_problems[key] = tuple(problems)
            if previous is not None and not previous.stale:
                board.tasks[task_id] = replace(previous, stale=True)
                delta.tasks.add(task_id)
            elif old != tuple(problems):
                delta.tasks.add(task_id)
            return
        if board.file_problems.pop(key, None) is not None:
            delta.tasks.add(task_id)
        if previous is None or not task.same_content(previous) or previous.mtime != mtime:
            board.tasks[task_id] = task
            delta.tasks.add(task_id)

    def _config(self, delta: BoardDelta) -> None:
        board = self.board
        path = self.paths.config_path
        key = str(path)
        read = self._read(path)
        if read is None:
            if board.team is not None or key in board.file_problems:
                board.team = None
                board.file_problems.pop(key, None)
                delta.team = True
            return
        text, mtime = read
        self._note(path, mtime)
        config, problems = parse_config(text, path)
        if config is None:
            # Keep the last good config on screen; report the bad read.
            if board.file_problems.get(key) != tuple(problems):
                board.file_problems[key] = tuple(problems)
                delta.team = True
            return
        if problems:
            board.file_problems[key] = tuple(problems)
        else:
            board.file_problems.pop(key, None)
        if config != board.team:
            board.team = config
            delta.team = True

    def _inbox(self, agent: str, path: Path, delta: BoardDelta) -> None:
        board = self.board
        key = str(path)
        read = self._read(path)
        if read is None:
            if board.inboxes.pop(agent, None) is not None:
                delta.inboxes.add(agent)
            board.file_problems.pop(key, None)
            return
        text, mtime = read
        self._note(path, mtime)
        inbox, problems = parse_inbox(agent, text, path, mtime)
        if inbox is None:
            if board.file_problems.get(key) != tuple(problems):
                board.file_problems[key] = tuple(problems)
                delta.inboxes.add(agent)
            return
        if problems:
            board.file_problems[key] = tuple(problems)
        else:
            board.file_problems.pop(key, None)
        if inbox != board.inboxes.get(agent):
            board.inboxes[agent] = inbox
            delta.inboxes.add(agent)

    # -- whole board -------------------------------------------------------

    def _existence(self, delta: BoardDelta) -> None:
        board = self.board
        list_exists = self.paths.tasks_dir.is_dir()
        team_exists = self.paths.team_dir.is_dir()
        if (list_exists, team_exists) != (board.list_exists, board.team_exists):
            delta.structure = True
        board.list_exists, board.team_exists = list_exists, team_exists

    def rescan(self) -> BoardDelta:
        """Compare every file with what was last read; re-read only the ones that differ.

        When the list or team directory is gone, the last known tasks stay on the
        board (Claude Code deletes the files when a team ends).
        """
        delta = BoardDelta()
        self._existence(delta)
        board = self.board
        if board.list_exists:
            on_disk = task_files(self.paths.tasks_dir)
            for task_id, path in on_disk.items():
                if path not in self._stamps or self._stamps[path] != _stamp(path):
                    self._task(task_id, path, delta)
            for task_id in [t for t in board.tasks if t not in on_disk]:
                self._task(task_id, self.paths.task_path(task_id), delta)
            for key in [k for k in board.file_problems if self._is_task_path(Path(k))]:
                path = Path(key)
                if task_id_from_name(path.name) not in on_disk:
                    self._task(task_id_from_name(path.name) or "", path, delta)
        if board.team_exists:
            config = self.paths.config_path
            if config not in self._stamps or self._stamps[config] != _stamp(config):
                self._config(delta)
            on_disk_inboxes = inbox_files(self.paths)
            for agent, path in on_disk_inboxes.items():
                if path not in self._stamps or self._stamps[path] != _stamp(path):
                    self._inbox(agent, path, delta)
            for agent in [a for a in board.inboxes if a not in on_disk_inboxes]:
                self._inbox(agent, self.paths.inbox_path(agent), delta)
        if delta:
            board.invalidate()
        return delta

    def _is_task_path(self, path: Path) -> bool:
        return path.parent == self.paths.tasks_dir and task_id_from_name(path.name) is not None

    def refresh(self, changed: Iterable[Path]) -> BoardDelta:
        """Re-read just these paths (a batch of watcher events). Unknown paths are ignored.

        An event on a directory itself (created or removed) triggers a rescan.
        """
        delta = BoardDelta()
        paths = self.paths
        rescan = False
        for path in set(changed):
            path = Path(path)
            if path.parent == paths.tasks_dir:
                task_id = task_id_from_name(path.name)
                if task_id is not None:
                    self._task(task_id, path, delta)
            elif path == paths.config_path:
                self._config(delta)
            elif path.parent == paths.inboxes_dir and path.name.endswith(".json"):
                if not path.name.startswith("."):
                    self._inbox(path.name[: -len(".json")], path, delta)
            elif path in (paths.tasks_dir, paths.team_dir, paths.inboxes_dir,
                          paths.tasks_dir.parent, paths.team_dir.parent):
                rescan = True
        if rescan:
            delta.merge(self.rescan())
        elif delta:
            self.board.invalidate()
        return delta


def load_board(paths: TeamPaths) -> Board:
    """Read a whole team from disk once."""
    reader = BoardReader(paths)
    reader.rescan()
    return reader.board


__all__ = ["BoardDelta", "BoardReader", "Problem", "load_board"]
