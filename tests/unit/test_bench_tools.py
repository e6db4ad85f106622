"""The benchmarks' own tools: the generated homes and the pty reader they measure with."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from taskboard.board.model import State
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import load_board

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from homes import AGENTS, RUNNING, make_home  # noqa: E402
from terminal import Terminal  # noqa: E402


def test_a_generated_home_has_a_team_inboxes_and_eight_running_tasks(tmp_path: Path) -> None:
    home = make_home(tmp_path, 300)
    board = load_board(TeamPaths(tmp_path, home.team))
    assert len(board.tasks) == 300
    assert board.problems() == []  # every link is kept on both sides, no cycle
    counts = board.visible_counts()
    assert counts[State.IN_PROGRESS] == RUNNING
    assert counts[State.BLOCKED] > 0 and counts[State.COMPLETED] > 0
    assert {m.name for m in board.members} == {"team-lead", *AGENTS}
    assert set(board.inboxes) == {"team-lead", *AGENTS}
    owners = {board.tasks[t].owner for t in home.running}
    assert owners == set(AGENTS)


def test_the_terminal_reader_times_bytes_as_they_arrive(tmp_path: Path) -> None:
    script = "import time; print('first', flush=True); time.sleep(0.3); print('second-marker')"
    term = Terminal([sys.executable, "-c", script], columns=80, lines=24)
    try:
        first = term.wait_for(b"first", 0, 10)
        second = term.wait_for(b"second-marker", 0, 10)
        assert first is not None and second is not None
        assert second > first  # each chunk keeps its own arrival time
        assert term.wait_for(b"never printed", 0, 0.2) is None
        offset = term.offset
        assert term.wait_for(b"first", offset, 0.2) is None  # only bytes after the offset
    finally:
        term.close()
    assert time.perf_counter() >= second
