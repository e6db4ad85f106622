"""taskboard's lock against the real npm ``proper-lockfile`` that Claude Code uses.

Every wait has a deadline and every child process is killed in ``finally``. Nothing here asserts
how long something took, only what happened and in which order.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from taskboard.claude.lock import LockTimeout, locked

if TYPE_CHECKING:
    from conftest import NodeEnv  # the session fixture's type, from this folder's conftest

HERE = Path(__file__).resolve().parent

DEADLINE = 30.0
RACE_SECONDS = 3.0
IDS = ("1", "2", "3")

# node -e snippet: one attempt at proper-lockfile's lock (retries: 0), prints OK or the error code.
TRY_LOCK_JS = r"""
const lockfile = require('proper-lockfile');
const [target, stale] = process.argv.slice(1);
lockfile.lock(target, { retries: 0, stale: Number(stale) })
    .then((release) => release().then(() => console.log('OK')))
    .catch((err) => console.log(err.code || String(err)));
"""


class Child:
    """A child process whose stdout lines are collected by a thread, read with deadlines."""

    def __init__(self, command: list[str], env: dict[str, str], stdin: bool = False) -> None:
        self.command = command
        self.proc = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, deadline: float = DEADLINE) -> str:
        try:
            return self.lines.get(timeout=deadline)
        except queue.Empty:
            pytest.fail(f"{self.command[:2]} printed nothing within {deadline} s; {self.stderr()}")

    def expect(self, word: str) -> None:
        line = self.next_line()
        assert line == word, f"expected {word!r}, got {line!r}; {self.stderr()}"

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def finish(self, deadline: float = DEADLINE) -> int:
        try:
            return self.proc.wait(deadline)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{self.command[:2]} did not exit within {deadline} s")

    def stderr(self) -> str:
        if self.proc.poll() is None or self.proc.stderr is None:
            return "stderr: (still running)"
        return f"stderr: {self.proc.stderr.read()}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(DEADLINE)
        finally:
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()


def make_task(list_dir: Path, task_id: str) -> Path:
    path = list_dir / f"{task_id}.json"
    task = {
        "id": task_id,
        "subject": f"Task {task_id}",
        "description": "Counted by every incrementer.",
        "activeForm": f"Doing task {task_id}",
        "status": "in_progress",
        "owner": "tester",
        "blocks": [],
        "blockedBy": [],
        "metadata": {"priority": "P1"},
    }
    path.write_text(json.dumps(task, indent=2))
    return path


def lock_dir(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


def make_stale(path: Path) -> None:
    path.mkdir()
    old = time.time() - 20
    os.utime(path, (old, old))


def node_try_lock(node_env: NodeEnv, target: Path, stale_ms: int = 10000) -> str:
    """One proper-lockfile lock attempt in a fresh Node process: 'OK' or the error code."""
    done = subprocess.run(
        [node_env.node, "-e", TRY_LOCK_JS, str(target), str(stale_ms)],
        env=node_env.env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def start_holder(node_env: NodeEnv, target: Path, hold_ms: int) -> Child:
    command = [node_env.node, str(node_env.helpers / "holder.js"), str(target)]
    return Child([*command, "--hold-ms", str(hold_ms)], node_env.env, stdin=True)


def test_node_and_taskboard_incrementers_lose_no_update(node_env: NodeEnv, tmp_path: Path) -> None:
    list_dir = tmp_path / "team"
    list_dir.mkdir()
    for task_id in IDS:
        make_task(list_dir, task_id)

    tail = [*IDS, "--seconds", str(RACE_SECONDS)]
    node = [node_env.node, str(node_env.helpers / "incrementer.js"), str(list_dir)]
    python = [node_env.python, str(HERE / "py_incrementer.py"), str(list_dir)]
    commands = {
        **{f"node-{i}": [*node, *tail, "--name", f"node-{i}"] for i in range(3)},
        **{f"py-{i}": [*python, *tail, "--name", f"py-{i}"] for i in range(3)},
    }
    children: dict[str, Child] = {}
    try:
        for name, command in commands.items():
            children[name] = Child(command, node_env.env)
        reports = {}
        for name, child in children.items():
            assert child.finish(RACE_SECONDS + DEADLINE) == 0, child.stderr()
            reports[name] = json.loads(child.next_line())
    finally:
        for child in children.values():
            child.kill()

    for task_id in IDS:
        path = list_dir / f"{task_id}.json"
        task = json.loads(path.read_text())
        assert task["id"] == task_id
        assert task["subject"] == f"Task {task_id}"
        assert task["activeForm"] == f"Doing task {task_id}"
        assert task["metadata"]["priority"] == "P1"
        counters = task["metadata"]["counters"]
        expected = {name: report["increments"][task_id] for name, report in reports.items()}
        expected = {name: n for name, n in expected.items() if n}
        assert counters == expected, f"task {task_id}: lost updates"

    for name, report in reports.items():
        assert sum(report["increments"].values()) > 0, f"{name} never got a lock: {report}"
    task_names = {f"{task_id}.json" for task_id in IDS}
    leftovers = sorted(p.name for p in list_dir.iterdir() if p.name not in task_names)
    assert leftovers == [], "lock directories or temp files were left behind"


def test_taskboard_waits_while_node_holds_the_lock(node_env: NodeEnv, tmp_path: Path) -> None:
    target = make_task(tmp_path, "1")
    holder = start_holder(node_env, target, hold_ms=int(DEADLINE * 1000))
    try:
        holder.expect("LOCKED")
        assert lock_dir(target).is_dir()
        with pytest.raises(LockTimeout), locked(target, timeout=0.2):
            pytest.fail("taskboard took a lock that Node holds")

        got = threading.Event()
        errors: list[BaseException] = []

        def writer() -> None:
            try:
                with locked(target, timeout=DEADLINE):
                    got.set()
            except BaseException as exc:  # reported to the test thread
                errors.append(exc)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        assert not got.wait(0.3), "taskboard took a lock that Node holds"
        assert holder.proc.poll() is None
        holder.send("release\n")
        holder.expect("RELEASED")
        assert got.wait(DEADLINE), errors
        thread.join(DEADLINE)
        assert not errors
        assert holder.finish() == 0
    finally:
        holder.kill()
    assert not lock_dir(target).exists()


def test_taskboard_gets_the_lock_after_a_timed_node_hold(node_env: NodeEnv, tmp_path: Path) -> None:
    target = make_task(tmp_path, "1")
    holder = start_holder(node_env, target, hold_ms=300)
    try:
        holder.expect("LOCKED")
        with locked(target, timeout=DEADLINE) as info:
            assert info.waited > 0
            holder.expect("RELEASED")  # Node prints it right after its rmdir
        assert holder.finish() == 0
    finally:
        holder.kill()
    assert not lock_dir(target).exists()


def test_node_cannot_lock_while_taskboard_holds(node_env: NodeEnv, tmp_path: Path) -> None:
    target = make_task(tmp_path, "1")
    with locked(target):
        assert node_try_lock(node_env, target) == "ELOCKED"
    assert node_try_lock(node_env, target) == "OK"
    assert not lock_dir(target).exists()


def test_taskboard_does_not_take_a_lock_node_left_fresh(node_env: NodeEnv, tmp_path: Path) -> None:
    target = make_task(tmp_path, "1")
    lock_dir(target).mkdir()
    assert node_try_lock(node_env, target) == "ELOCKED"
    with pytest.raises(LockTimeout), locked(target, timeout=0.3):
        pytest.fail("taskboard took a fresh lock")
    assert lock_dir(target).is_dir()


def test_a_stale_lock_is_taken_over_by_node_and_by_taskboard(
    node_env: NodeEnv, tmp_path: Path
) -> None:
    target = make_task(tmp_path, "1")

    make_stale(lock_dir(target))
    assert node_try_lock(node_env, target) == "OK"
    assert not lock_dir(target).exists()

    make_stale(lock_dir(target))
    with locked(target, timeout=0.3):
        assert lock_dir(target).stat().st_mtime > time.time() - 10
        assert node_try_lock(node_env, target) == "ELOCKED"
    assert not lock_dir(target).exists()
