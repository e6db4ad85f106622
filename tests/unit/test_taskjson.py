"""``show --json`` writes each task's line directly: the same text as the entry's dict
encoded, for whatever a task, its times, flags and plan hold."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

from taskboard.board.graph import id_key
from taskboard.board.jsontext import Encoded, encode_value, escape_invisible
from taskboard.board.model import Board, State, Task
from taskboard.board.rules import Flag, by_task, evaluate
from taskboard.board.taskjson import task_entry, task_lines
from taskboard.board.waves import plan
from taskboard.claude.reader import load_board
from taskboard.journal.times import task_times
from taskboard.sim.sample import SAMPLE_NOW, write_problem_team, write_sample_team
from tests.conftest import make_task, make_team
from tests.hostile.helpers import PAYLOADS


def lines_both_ways(board: Board, times: dict[str, dict[str, Any]], now: float
                    ) -> tuple[list[Encoded], list[str]]:
    """The task lines as ``show --json`` writes them, and its entries' dicts encoded."""
    states = board.analysis.states
    work = plan(board.tasks, states)
    flags = evaluate(board, now, work_plan=work)
    flagged = by_task(flags)

    def flag_json(flag: Flag) -> dict[str, Any]:
        return flag.to_json()

    order = sorted(board.tasks, key=id_key)
    lines = task_lines(order, board.tasks, states, times, flagged, flag_json, work)
    on_path = set(work.critical_path)
    expected = [escape_invisible(encode_value(task_entry(
        board.tasks[tid], states.get(tid, State.UNKNOWN), times.get(tid, {}),
        [flag_json(f) for f in flagged.get(tid, ())], work.wave_of.get(tid), tid in on_path,
        (work.gates_direct.get(tid, 0), work.gates_all.get(tid, 0))))) for tid in order]
    return lines, expected


def test_the_lines_are_the_entries_encoded_on_realistic_and_broken_teams(home: Path) -> None:
    for paths in (write_sample_team(home), write_problem_team(home)):
        board = load_board(paths, settle=0)
        lines, expected = lines_both_ways(board, task_times(board, []), SAMPLE_NOW + 3000)
        assert any('"flags": [{' in line for line in lines)  # flags are in the lines
        assert lines == expected
        assert all(type(line) is Encoded for line in lines)


def test_the_lines_are_the_entries_encoded_for_hostile_text_and_odd_values(
        home: Path) -> None:
    paths = make_team(home, "odd", ["team-lead", "alice"])
    for index, payload in enumerate(PAYLOADS.values(), start=1):
        make_task(paths.tasks_dir, str(index), subject=payload, description=payload,
                  activeForm=payload, owner=payload, blockedBy=[payload],
                  metadata={payload[:40]: payload, "n": [0.1, 1e16, -0.0, 10**30, True]})
    (paths.tasks_dir / "40.json").write_text(
        '{"id":"40","subject":"big","description":"","status":"pending","blocks":[],'
        '"blockedBy":[],"metadata":{"x":1e400}}')
    (paths.tasks_dir / "41.json").write_text(
        '{"id":41,"subject":7,"description":"","status":"odd","blocks":[42],"blockedBy":"x",'
        '"owner":3,"metadata":[]}')
    make_task(paths.tasks_dir, "42", subject="é — 解析 \u2028", blocks=["41"])
    board = load_board(paths, settle=0)
    # A stale task, one without a path, times from the journal, a NaN and an infinite
    # time, a time of another type, and a time under a field's name.
    board.tasks["1"] = replace(board.tasks["1"], stale=True)
    board.tasks["2"] = replace(board.tasks["2"], path=None)
    times = task_times(board, [])
    times["3"] = {"created": 12.5, "lastChange": math.nan, "runningSince": math.inf,
                  "timesFrom": {"created": "journal", "lastChange": "mtime"}}
    times["4"] = {"created": None, "lastChange": 3, "timesFrom": {"created": ["x"]}}
    times["5"] = {"state": "overridden", "created": 1.0}
    lines, expected = lines_both_ways(board, times, board.last_change + 3600)
    assert '"state": "overridden"' in lines[4]
    assert '"lastChange": null, "runningSince": null' in lines[2]
    assert lines == expected


def test_a_task_of_unexpected_types_still_writes_the_entry() -> None:
    """Tasks made in code (not parsed from a file) may hold anything: the dict's way."""
    odd = Task(id="1", subject=3, owner=("a",), blocks=(1, "2"),  # type: ignore[arg-type]
               metadata={"k": {1, 2}})  # a set: default=str, as json.dumps writes it
    tasks = {"1": odd}
    board = Board("x", tasks=tasks)
    lines, expected = lines_both_ways(board, {}, 0.0)
    assert lines == expected and '"subject": 3' in lines[0]


def test_without_a_journal_every_time_is_the_files_mtime() -> None:
    """task_times' path for no recorded events: each key from the mtime, and says so."""
    tasks = {"1": Task(id="1", mtime=5.0), "2": Task(id="2", status="in_progress", mtime=7.5),
             "3": Task(id="3", status="completed")}
    times = task_times(Board("x", tasks=tasks), [])
    assert times == {
        "1": {"created": 5.0, "lastChange": 5.0,
              "timesFrom": {"created": "mtime", "lastChange": "mtime"}},
        "2": {"created": 7.5, "lastChange": 7.5, "runningSince": 7.5,
              "timesFrom": {"created": "mtime", "lastChange": "mtime", "runningSince": "mtime"}},
        "3": {"created": None, "lastChange": None,
              "timesFrom": {"created": "mtime", "lastChange": "mtime"}},
    }
    assert [list(t) for t in times.values()] == [
        ["created", "lastChange", "timesFrom"],
        ["created", "lastChange", "runningSince", "timesFrom"],
        ["created", "lastChange", "timesFrom"]]
