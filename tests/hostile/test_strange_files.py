"""Reads never block or explode: FIFOs, sockets, devices, huge and sparse files, deep
JSON, huge numbers and NaN wherever a file is expected (issue 14)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from taskboard.board.jsontext import MAX_DEPTH
from taskboard.claude.files import TASK_LIMIT, read_bytes
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import BoardReader, load_board
from tests.conftest import make_task, make_team, message, snapshot, write_inbox
from tests.hostile.helpers import cli_in_process, run_cli, strict_json


def fifo(path: Path) -> None:
    os.mkfifo(path)


def unix_socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()


def dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def sparse(path: Path) -> None:
    with open(path, "wb") as handle:
        handle.truncate(TASK_LIMIT * 64 + 1)  # 1 GB of holes: nothing to allocate


def directory(path: Path) -> None:
    path.mkdir()


def self_link(path: Path) -> None:
    path.symlink_to(path.name)


STRANGE: dict[str, Callable[[Path], None]] = {
    "fifo": fifo, "socket": unix_socket, "dev_zero": dev_zero, "sparse": sparse,
    "directory": directory, "symlink_loop": self_link,
}


@pytest.mark.parametrize("kind", list(STRANGE))
def test_read_bytes_refuses_what_is_not_a_small_regular_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x.json"
    STRANGE[kind](path)
    with pytest.raises(OSError):
        read_bytes(path, TASK_LIMIT)


@pytest.mark.parametrize("kind", list(STRANGE))
@pytest.mark.parametrize("where", ["task", "config", "inbox"])
def test_a_strange_file_is_a_problem_and_the_rest_of_the_board_shows(
        home: Path, kind: str, where: str) -> None:
    team = make_team(home, "odd", ["team-lead", "alice"])
    make_task(team.tasks_dir, "1", subject="still here")
    write_inbox(team, "bob", [message("team-lead", "hello")])
    target = {"task": team.tasks_dir / "2.json", "config": team.config_path,
              "inbox": team.inbox_path("alice")}[where]
    target.unlink(missing_ok=True)
    STRANGE[kind](target)
    board = load_board(team, settle=0.2)
    assert board.tasks["1"].subject == "still here"
    assert "bob" in board.inboxes
    assert any(p.path == str(target) for p in board.problems()), board.problems()


@pytest.mark.parametrize("command", [["show", "odd"], ["tree", "odd"], ["ls"],
                                     ["show", "odd", "--json"]])
def test_reading_commands_finish_beside_every_strange_file(home: Path,
                                                           command: list[str]) -> None:
    team = make_team(home, "odd", ["team-lead", "alice"])
    make_task(team.tasks_dir, "1", subject="still here")
    for index, make in enumerate(STRANGE.values(), start=2):
        make(team.tasks_dir / f"{index}.json")
    fifo(team.tasks_dir / ".highwatermark")
    fifo(team.inbox_path("alice"))
    result = run_cli(*command, home=home, timeout=30)
    assert result.returncode == 0, result.stderr
    assert b"still here" in result.stdout or command == ["ls"]


@pytest.mark.parametrize("command", [
    ["complete", "odd", "2"], ["delete", "odd", "2"], ["create", "odd", "new"],
    ["send", "odd", "alice", "hi"], ["assign", "odd", "1", "alice"],
])
def test_writes_next_to_fifos_refuse_without_hanging_or_holding_a_lock(
        home: Path, command: list[str]) -> None:
    team = make_team(home, "odd", ["team-lead", "alice"])
    make_task(team.tasks_dir, "1", subject="still here")
    fifo(team.tasks_dir / "2.json")
    fifo(team.tasks_dir / ".highwatermark")
    fifo(team.inbox_path("alice"))
    result = run_cli(*command, home=home, timeout=30)
    assert result.returncode == 1
    err = result.stderr.decode()
    assert err.startswith("taskboard: ") and "Traceback" not in err
    leftovers = [p.name for p in home.rglob("*.lock") if p.is_dir()]
    assert leftovers == []
    assert (team.tasks_dir / "2.json").exists()  # delete refused before removing anything


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("where", ["task", "config", "inbox", "protocol"])
@pytest.mark.parametrize("payload", ["deep", "deeper_than_limit", "huge_int", "nan", "inf"])
def test_deep_json_huge_numbers_and_nan_never_crash(home: Path, where: str, payload: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    team = make_team(home, "odd", ["team-lead", "alice"])
    make_task(team.tasks_dir, "1", subject="still here")
    value = {"deep": deep(10_000), "deeper_than_limit": deep(MAX_DEPTH + 1),
             "huge_int": "9" * 5000, "nan": "NaN", "inf": "1e400"}[payload]
    task = ('{"id":"2","subject":"s","description":"","status":"pending","blocks":[],'
            f'"blockedBy":[],"metadata":{{"x":{value}}}}}')
    if where == "task":
        (team.tasks_dir / "2.json").write_text(task)
    elif where == "config":
        team.config_path.write_text(f'{{"name":"odd","members":[],"x":{value}}}')
    elif where == "inbox":
        team.inbox_path("alice").write_text(
            f'[{{"from":"a","text":"t","timestamp":{value},"read":false}}]')
    else:
        inner = ('{"type":"idle_notification","x":' + value + '}').replace('"', '\\"')
        team.inbox_path("alice").write_text(f'[{{"from":"a","text":"{inner}","read":false}}]')
    board = load_board(team, settle=0.1)
    assert board.tasks["1"].subject == "still here"
    for command in (["show", "odd"], ["show", "odd", "--json"], ["tree", "odd"]):
        code, out, err = cli_in_process(capsys, *command)
        assert code == 0, (command, err[-2000:])
        assert "still here" in out
        if "--json" in command:
            strict_json(out)


def test_a_number_too_large_is_never_written_back_as_infinity(home: Path) -> None:
    team = make_team(home, "odd")
    path = team.tasks_dir / "1.json"
    path.write_text('{"id":"1","subject":"s","description":"","status":"pending",'
                    '"blocks":[],"blockedBy":[],"metadata":{"big":1e400}}')
    before = snapshot(home)
    result = run_cli("complete", "odd", "1", home=home)
    assert result.returncode == 1
    assert b"Infinity" in result.stderr and b"nothing was written" in result.stderr
    assert snapshot(home) == before


def test_nan_in_a_task_file_is_a_problem_as_claude_code_would_ignore_it(home: Path) -> None:
    team = make_team(home, "odd")
    (team.tasks_dir / "1.json").write_text(
        '{"id":"1","subject":"s","description":"","status":"pending","blocks":[],'
        '"blockedBy":[],"metadata":{"x":NaN}}')
    board = load_board(team, settle=0.1)
    assert "1" not in board.tasks
    assert [p.kind for p in board.problems()] == ["invalid_json"]


def test_the_watcher_survives_a_hostile_file_appearing_live(home: Path) -> None:
    team = make_team(home, "odd")
    make_task(team.tasks_dir, "1", subject="one")
    reader = BoardReader(team)
    reader.rescan()
    (team.tasks_dir / "2.json").write_text(deep(10_000))
    fifo(team.tasks_dir / "3.json")
    dev_zero(team.tasks_dir / "4.json")
    make_task(team.tasks_dir, "1", subject="changed")
    reader.rescan()
    assert reader.board.tasks["1"].subject == "changed"
    problem_paths = {p.path for p in reader.board.problems()}
    assert {str(team.tasks_dir / f"{n}.json") for n in (2, 3, 4)} <= problem_paths


def test_odd_highwatermark_contents_never_crash_create(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    team: TeamPaths = make_team(home, "odd")
    mark = team.tasks_dir / ".highwatermark"
    created = []
    for content in ("²", "12abc", "", "0042", "abc"):
        mark.write_text(content)
        code, out, err = cli_in_process(capsys, "create", "odd", "x", "--json")
        assert code == 0, (content, err)
        created.append(strict_json(out)["target"])
    # parseInt's reading: "12abc" counts as 12, "0042" as 42; ids are never reused.
    assert created == ["#1", "#13", "#14", "#43", "#44"]
    for content in ("9" * 5000, "9" * 300):
        mark.write_text(content)
        before = snapshot(home)
        code, _, err = cli_in_process(capsys, "create", "odd", "x")
        assert code == 1, content
        assert "too large" in err
        assert snapshot(home) == before


def test_a_regular_lock_file_swapped_for_a_fifo_never_hangs_the_lock(tmp_path: Path) -> None:
    from taskboard.claude.lock import _FileLock

    lock = tmp_path / "1.json.lock"
    fifo(lock)
    held = _FileLock.try_acquire(lock)  # opened without blocking
    assert held is not None
    held.release()
