"""Faults (issue 14): torn reads under tight-loop rewriters, locks that must or must not be
taken, taskboard writers killed with SIGKILL at random moments, directories removed and
created again while watching, the Claude home appearing late."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from taskboard.claude.errors import LockTimeout, StoreError
from taskboard.claude.files import STALE_TEMP, sweep_temp_files
from taskboard.claude.lock import lock_path, locked
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import BoardReader, load_board
from taskboard.claude.tasks import create_task, remove_task_file, update_task
from taskboard.claude.team import send_message
from tests.conftest import make_task, make_team, member_json
from tests.hostile.helpers import run_cli, strict_json

IDS = [str(i) for i in range(1, 6)]
SUBJECTS = ("short", "a much longer subject that makes the file grow and then shrink " * 3)
MEMBERS = ("team-lead", "alice", "bob")


def _config(variant: int) -> bytes:
    members = [member_json("torn", name, cwd="/src/" + "x" * (variant * 200))
               for name in MEMBERS]
    return json.dumps({"name": "torn", "members": members}, indent=2).encode()


def _task(task_id: str, variant: int) -> bytes:
    return json.dumps({"id": task_id, "subject": SUBJECTS[variant], "description": "",
                       "status": "pending", "blocks": [], "blockedBy": []}, indent=2).encode()


def _write_in_pieces(path: Path, data: bytes, in_place_config: bool) -> None:
    """Claude Code's in-place writes: truncate then write (tasks, inboxes), or ``r+``,
    write, truncate (config.json in 2.1.3xx), each in two pieces."""
    half = len(data) // 2
    with open(path, "r+b") as handle:
        if in_place_config:
            handle.write(data[:half])
            handle.flush()
            handle.write(data[half:])
            handle.flush()
            handle.truncate()
        else:
            handle.truncate(0)
            handle.write(data[:half])
            handle.flush()
            handle.write(data[half:])
            handle.flush()


def _rewriter(home: str, seconds: float) -> None:
    paths = TeamPaths(Path(home), "torn")
    end = time.monotonic() + seconds
    variant = 0
    while time.monotonic() < end:
        variant ^= 1
        for task_id in IDS:
            _write_in_pieces(paths.task_path(task_id), _task(task_id, variant), False)
        _write_in_pieces(paths.config_path, _config(variant), True)
        inbox = [{"from": "team-lead", "text": "t" * (1 + 300 * variant), "read": False,
                  "timestamp": "2026-11-20T10:15:02.114Z"}]
        _write_in_pieces(paths.inbox_path("alice"), json.dumps(inbox).encode(), False)


def _torn_team(home: Path) -> TeamPaths:
    team = make_team(home, "torn", list(MEMBERS))
    team.config_path.write_bytes(_config(0))
    for task_id in IDS:
        team.task_path(task_id).write_bytes(_task(task_id, 0))
    team.inbox_path("alice").write_text("[]")
    return team


def test_one_shot_reads_never_show_a_torn_write(home: Path) -> None:
    team = _torn_team(home)
    ctx = multiprocessing.get_context("fork")
    writer = ctx.Process(target=_rewriter, args=(str(home), 60.0), daemon=True)
    writer.start()
    try:
        reads = 0
        deadline = time.monotonic() + 8
        while reads < 40 and time.monotonic() < deadline:
            board = load_board(team)
            reads += 1
            assert sorted(board.tasks) == IDS, board.problems()
            assert {t.subject for t in board.tasks.values()} <= set(SUBJECTS)
            assert [m.name for m in board.members] == list(MEMBERS)
            assert board.file_problems == {}, board.file_problems
        assert reads >= 10
        for _ in range(3):
            result = run_cli("show", "torn", "--json", home=home)
            doc = strict_json(result.stdout.decode())
            assert [t["id"] for t in doc["tasks"]] == IDS
            assert [m["name"] for m in doc["members"]] == list(MEMBERS)
            assert doc["problems"] == []
    finally:
        writer.kill()
        writer.join(10)


def test_the_live_reader_never_shows_a_state_that_was_never_written(home: Path) -> None:
    team = _torn_team(home)
    reader = BoardReader(team)
    reader.rescan()
    ctx = multiprocessing.get_context("fork")
    writer = ctx.Process(target=_rewriter, args=(str(home), 60.0), daemon=True)
    writer.start()
    try:
        stale_seen = 0
        for _ in range(300):
            reader.rescan()
            board = reader.board
            assert sorted(board.tasks) == IDS
            assert {t.subject for t in board.tasks.values()} <= set(SUBJECTS)
            assert [m.name for m in board.members] == list(MEMBERS)
            stale_seen += sum(t.stale for t in board.tasks.values())
    finally:
        writer.kill()
        writer.join(10)
    for task_id in IDS:  # the writer was killed mid-way: its last write, finished
        team.task_path(task_id).write_bytes(_task(task_id, 1))
    reader.rescan()
    assert not any(t.stale for t in reader.board.tasks.values())
    assert {t.subject for t in reader.board.tasks.values()} == {SUBJECTS[1]}


# -- locks ----------------------------------------------------------------------------------

@pytest.mark.parametrize("ahead", [1.005, 30.0, 3600.0])
def test_a_lock_with_an_mtime_in_the_future_is_never_stolen(tmp_path: Path,
                                                            ahead: float) -> None:
    target = tmp_path / "1.json"
    target.write_text("{}")
    lock = lock_path(target)
    lock.mkdir()
    future = time.time() + ahead
    os.utime(lock, (future, future))
    with pytest.raises(LockTimeout), locked(target, timeout=0.3, stale=0.1):
        pass
    assert lock.is_dir() and abs(lock.stat().st_mtime - future) < 0.01


def _hold_and_refresh(target: str, seconds: float) -> None:
    lock = lock_path(Path(target))
    lock.mkdir()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        os.utime(lock)
        time.sleep(0.05)
    os.rmdir(lock)


def test_a_live_refreshed_lock_is_never_stolen_even_with_a_short_stale_time(
        tmp_path: Path) -> None:
    target = tmp_path / "1.json"
    target.write_text("{}")
    ctx = multiprocessing.get_context("fork")
    holder = ctx.Process(target=_hold_and_refresh, args=(str(target), 3.0), daemon=True)
    holder.start()
    try:
        deadline = time.monotonic() + 5
        while not lock_path(target).exists():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        with pytest.raises(LockTimeout), locked(target, timeout=1.0, stale=0.5):
            pass
        holder.join(10)
        with locked(target, timeout=2.0) as info:  # released: ours at once
            assert info.target == target
    finally:
        holder.kill()


def test_a_stale_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    target = tmp_path / "1.json"
    target.write_text("{}")
    lock = lock_path(target)
    lock.mkdir()
    past = time.time() - 11
    os.utime(lock, (past, past))
    with locked(target, timeout=0.5) as info:
        assert info.waited < 0.5
    assert not lock.exists()


# -- SIGKILL at random moments ----------------------------------------------------------

def _writer_forever(home: str, seed: int) -> None:
    rng = random.Random(seed)
    paths = TeamPaths(Path(home), "kill")

    def bump(obj: dict[str, Any]) -> dict[str, Any]:
        meta = obj.setdefault("metadata", {})
        meta["n"] = meta.get("n", 0) + 1
        meta["pad"] = "p" * rng.randrange(0, 20_000)
        return obj

    while True:
        choice = rng.random()
        try:
            if choice < 0.5:
                update_task(paths.tasks_dir, "1", bump, timeout=0.5)
            elif choice < 0.7:
                create_task(paths.tasks_dir, "made", timeout=0.5)
            elif choice < 0.85:
                send_message(paths, "alice", "x" * rng.randrange(0, 5000), sender="taskboard",
                             timeout=0.5)
            else:
                ids = sorted((int(p.stem) for p in paths.tasks_dir.glob("*.json")
                              if p.stem.isdigit() and p.stem != "1"), reverse=True)
                if ids:
                    remove_task_file(paths.tasks_dir, str(ids[0]), timeout=0.5)
        except (StoreError, FileNotFoundError):
            pass


def _check_whole(team: TeamPaths, last_n: int, gone: set[str], seen: set[str]) -> int:
    names = [p.name for p in team.tasks_dir.iterdir()]
    for name in names:
        if name.endswith(".json"):
            assert name[:-5].isdigit(), f"a non-task *.json was left: {name}"
    ids = {n[:-5] for n in names if n.endswith(".json")}
    assert "1" in ids, "the task file went missing"
    assert not (ids & gone), f"an id was reused: {ids & gone}"
    gone |= seen - ids
    seen |= ids
    for task_id in ids:
        obj = strict_json(team.task_path(task_id).read_text())
        assert obj["id"] == task_id
    n = strict_json(team.task_path("1").read_text()).get("metadata", {}).get("n", 0)
    assert n >= last_n, "the task went back to an older version"
    if team.inbox_path("alice").exists():
        assert isinstance(strict_json(team.inbox_path("alice").read_text()), list)
    return n


def _age_leftovers(team: TeamPaths) -> int:
    """Make leftover locks and temp files look as old as the stale time: what waiting that
    long would do, without the wait. Returns how many the last kill left."""
    old = time.time() - max(11.0, STALE_TEMP + 1)
    count = 0
    for directory in (team.tasks_dir, team.inboxes_dir):
        for entry in directory.iterdir():
            if entry.name.endswith(".lock") and entry.is_dir() or entry.suffix == ".tmp":
                if entry.stat().st_mtime > old + 1:
                    count += 1  # new since the last kill
                os.utime(entry, (old, old))
    return count


def test_writers_killed_at_random_moments_never_tear_or_lose_a_file(home: Path) -> None:
    team = make_team(home, "kill", ["team-lead", "alice"])
    make_task(team.tasks_dir, "1", subject="counted")
    rng = random.Random(1414)
    last_n, gone, seen = 0, set(), {"1"}
    leftovers = 0
    kills = 200
    for index in range(kills):
        pid = os.fork()
        if pid == 0:  # the child: write until killed
            try:
                _writer_forever(str(home), index)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        last_n = _check_whole(team, last_n, gone, seen)
        leftovers += _age_leftovers(team)
    # Whatever the kills left (aged past the stale time) is taken over or swept by the
    # next writer of each file, at once.
    create_task(team.tasks_dir, "after", timeout=1.0)
    for task_id in sorted(p.stem for p in team.tasks_dir.glob("*.json")):
        update_task(team.tasks_dir, task_id, lambda o: {**o, "subject": "after"}, timeout=1.0)
    send_message(team, "alice", "after", sender="taskboard", timeout=1.0)
    sweep_temp_files(team.tasks_dir, force=True)
    sweep_temp_files(team.inboxes_dir, force=True)
    temps = [p.name for d in (team.tasks_dir, team.inboxes_dir) for p in d.iterdir()
             if p.suffix == ".tmp"]
    assert temps == []
    locks = [p for d in (team.tasks_dir, team.inboxes_dir) for p in d.iterdir()
             if p.name.endswith(".lock") and p.is_dir()]
    # Only the lock directories of files deleted since remain (nobody writes them again).
    assert all(not p.with_name(p.name[:-5]).exists() for p in locks), locks
    assert last_n > 0
    print(f"\n{kills} kills: task #1 at n={last_n}, {len(seen)} ids seen, "
          f"{len(gone)} deleted and never reused, {leftovers} leftover locks/temp files aged")


# -- directories removed and created again -------------------------------------------------

def test_list_and_team_removed_and_created_again_many_times(home: Path) -> None:
    reader: BoardReader | None = None
    team = TeamPaths(home, "again")
    for round_ in range(15):
        make_team(home, "again", ["team-lead", f"agent{round_}"])
        make_task(team.tasks_dir, "1", subject=f"round {round_}")
        if reader is None:
            reader = BoardReader(team)
        reader.rescan()
        assert reader.board.tasks["1"].subject == f"round {round_}"
        assert [m.name for m in reader.board.members] == ["team-lead", f"agent{round_}"]
        shutil.rmtree(team.tasks_dir)
        shutil.rmtree(team.team_dir)
        reader.rescan()
        assert not reader.board.list_exists and not reader.board.team_exists


def test_the_home_missing_at_start_and_appearing_later(tmp_path: Path) -> None:
    home = tmp_path / "not-yet"
    team = TeamPaths(home, "late")
    reader = BoardReader(team)
    reader.rescan()
    assert not reader.board.list_exists and reader.board.tasks == {}
    make_team(home, "late", ["team-lead"])
    make_task(team.tasks_dir, "1", subject="arrived")
    reader.rescan()
    assert reader.board.tasks["1"].subject == "arrived"


def test_an_mtime_or_timestamp_far_in_the_future_does_not_hide_a_stall(home: Path) -> None:
    from taskboard.board.health import check
    from tests.conftest import message, write_inbox

    team = make_team(home, "future", ["team-lead", "alice"])
    path = make_task(team.tasks_dir, "1", owner="alice", status="in_progress")
    write_inbox(team, "team-lead", [message("alice", "still on it",
                                            timestamp="2099-01-01T00:00:00.000Z")])
    far = time.time() + 10 * 365 * 86400
    os.utime(path, (far, far))
    board = load_board(team, settle=0.0)
    later = time.time() + 3600  # an hour on, nothing changed
    # (an hour of silence also makes the whole team idle: that flag is not the point here)
    assert [a.kind for a in check(board, later) if a.kind != "team_idle"] == ["stalled"]


def _subjects_whole(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tasks = [e for e in events if e["kind"].startswith("task.")]
    for event in tasks:
        subject = (event.get("after") or {}).get("subject")
        assert subject is None or subject in SUBJECTS, event
    return tasks


def test_record_and_events_never_journal_a_torn_write(home: Path, tmp_path: Path) -> None:
    """``taskboard record`` and ``taskboard events`` read while files are rewritten in
    place in pieces: every task state they report is one that was fully written."""
    import subprocess
    import sys

    _torn_team(home)
    data = tmp_path / "data"
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(home)}
    root = Path(__file__).resolve().parents[2]
    recorder = subprocess.Popen([sys.executable, "-m", "taskboard", "record", "torn",
                                 "--data-dir", str(data)], env=env, cwd=root, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ctx = multiprocessing.get_context("fork")
    writer = None
    try:
        assert recorder.stdout is not None
        deadline = time.monotonic() + 30
        for line in recorder.stdout:  # wait until it watches
            if line.startswith("ready") or time.monotonic() > deadline:
                break
        writer = ctx.Process(target=_rewriter, args=(str(home), 4.0), daemon=True)
        writer.start()
        for _ in range(2):  # one-shot readers of their own, while the writer runs
            once = run_cli("events", "--once", "--data-dir", str(tmp_path / "other"),
                           home=home)
            assert once.returncode == 0, once.stderr
            assert len(_subjects_whole([strict_json(line) for line in
                                        once.stdout.decode().splitlines()])) == len(IDS)
        writer.join(30)
    finally:
        if writer is not None and writer.is_alive():
            writer.kill()
        recorder.send_signal(signal.SIGTERM)
        _, err = recorder.communicate(timeout=30)
    assert recorder.returncode == 0, err
    assert "Traceback" not in err
    result = run_cli("history", "torn", "--json", "--data-dir", str(data), home=home)
    assert result.returncode == 0, result.stderr
    tasks = _subjects_whole(strict_json(result.stdout.decode())["events"])
    assert any(e["kind"] == "task.changed" for e in tasks)  # it saw the writer at work


def test_recording_while_the_directories_are_removed_and_created_again(
        home: Path, tmp_path: Path) -> None:
    """``taskboard record`` watches while the list and team directories are removed and
    created again many times: it keeps going, logs no error, and ends with the disk."""
    import subprocess
    import sys

    team = TeamPaths(home, "again")
    make_team(home, "again", ["team-lead"])
    make_task(team.tasks_dir, "1", subject="round start")
    data = tmp_path / "data"
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(home)}
    root = Path(__file__).resolve().parents[2]
    recorder = subprocess.Popen([sys.executable, "-m", "taskboard", "record", "again",
                                 "--data-dir", str(data)], env=env, cwd=root, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert recorder.stdout is not None
        for line in recorder.stdout:
            if line.startswith("ready"):
                break
        for round_ in range(10):
            shutil.rmtree(team.tasks_dir)
            shutil.rmtree(team.team_dir)
            time.sleep(0.05)  # let the watcher see the gap (not an assertion on time)
            make_team(home, "again", ["team-lead", f"agent{round_}"])
            make_task(team.tasks_dir, "1", subject=f"round {round_}")
            time.sleep(0.05)
        make_task(team.tasks_dir, "1", subject="the end")
        deadline = time.monotonic() + 30
        while True:  # the journal catches up with the disk
            result = run_cli("history", "again", "--json", "--data-dir", str(data), home=home)
            doc = strict_json(result.stdout.decode()) if result.returncode == 0 else None
            subjects = [(e.get("after") or {}).get("subject") for e in (doc or {}).get(
                "events", []) if e.get("task") == "1"] if doc else []
            if subjects and subjects[-1] == "the end":
                break
            assert time.monotonic() < deadline, subjects[-3:]
            time.sleep(0.2)
    finally:
        recorder.send_signal(signal.SIGTERM)
        _, err = recorder.communicate(timeout=30)
    assert recorder.returncode == 0, err
    assert "Traceback" not in err and "WARNING" not in err.upper(), err


async def test_the_console_waits_for_a_home_that_appears_later(tmp_path: Path) -> None:
    from taskboard.ui.app import TaskboardApp

    home = tmp_path / "claude-later"
    app = TaskboardApp(home, "late", watch=True, rescan_seconds=0.3)
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + 10
        while not getattr(app.screen, "loaded", False):
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        team = make_team(home, "late", ["team-lead"])
        make_task(team.tasks_dir, "1", subject="arrived late")
        deadline = time.monotonic() + 30
        while "1" not in app.screen.board.tasks:
            assert time.monotonic() < deadline, "the console never saw the new home"
            await pilot.pause(0.1)
        assert app.screen.board.tasks["1"].subject == "arrived late"
