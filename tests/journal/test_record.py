"""``taskboard record`` as a real process against real files: the demo team recorded end to
end and wiped the way Claude Code wipes it, a message that lives one second, SIGKILL,
two recorders, a reused team name."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from taskboard.claude.paths import TeamPaths
from taskboard.claude.tasks import create_task, task_files, update_task
from taskboard.clock import FrozenClock
from taskboard.journal import events as ev
from taskboard.journal.store import Journal
from taskboard.sim.simulator import Simulation
from tests.conftest import make_task, make_team, message
from tests.journal.helpers import (
    RecordProcess,
    caught_up,
    disk_tasks,
    journal_tasks,
    wait_for,
)


def cli(home: Path, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CLAUDE_CONFIG_DIR=str(home))
    return subprocess.run([sys.executable, "-m", "taskboard", *args, "--data-dir", str(data)],
                          capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_the_demo_team_recorded_then_wiped_still_has_its_whole_history(
        home: Path, data: Path) -> None:
    recorder = RecordProcess(home, data).ready()
    try:
        paths = TeamPaths(home, "demo-team")
        clock = FrozenClock(1_763_719_200.0)
        sim = Simulation(paths, speed=8.0, seed=3, clock=clock)
        sim.setup()
        wait_for(lambda: caught_up(data, paths), "the first wave")
        for _ in range(30):
            sim.step()
            clock.advance(1.0)
            wait_for(lambda: caught_up(data, paths), "the recorder to catch up")
        assert sim.stats["completed"] > 0
        # The lead finishes the rest, then Claude Code's auto-clear and the team's end.
        for tid in task_files(paths.tasks_dir):
            update_task(paths.tasks_dir, tid, lambda o: {**o, "status": "completed"})
        wait_for(lambda: caught_up(data, paths), "every task completed")
        every = disk_tasks(paths)
        (paths.tasks_dir / ".highwatermark").write_text(str(max(map(int, every))))
        for path in task_files(paths.tasks_dir).values():
            path.unlink()
        wait_for(lambda: journal_tasks(data, "demo-team") == {}, "the auto-clear")
        gone = paths.team_dir.with_name("demo-team.deleted-1a2b")
        paths.team_dir.rename(gone)
        shutil.rmtree(gone)

        def vanished() -> bool:
            with Journal.open(data) as journal:
                latest = journal.latest_session("demo-team")
                return bool(latest and journal.events(latest.id, kinds=[ev.TEAM_VANISHED]))
        wait_for(vanished, "the team directory's removal")
    finally:
        assert recorder.stop(signal.SIGINT) == 0
    assert recorder.lines[-1].startswith("Stopped:")
    assert not any("deleted" in line for line in recorder.lines)

    done = cli(home, data, "history", "demo-team", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    events = [ev.Event.from_json(e) for e in doc["events"]]
    created = {e.task for e in events if e.kind == ev.TASK_CREATED}
    assert created == set(every)
    removed = [e for e in events if e.kind == ev.TASK_REMOVED]
    assert {e.task for e in removed} == set(every) and all(e.detail["auto_clear"]
                                                           for e in removed)
    # Every task's own history runs from creation to completed.
    some = sorted(every, key=int)[0]
    done = cli(home, data, "history", "demo-team", "--task", some, "--json")
    statuses = [e["after"].get("status") for e in json.loads(done.stdout)["events"]
                if e["kind"] in (ev.TASK_CREATED, ev.TASK_CHANGED) and "status" in e["after"]]
    assert statuses[0] == "pending" and statuses[-1] == "completed"
    text = cli(home, data, "history", "demo-team", "--task", some)
    assert f"#{some} removed by auto-clear" in text.stdout
    sessions = json.loads(cli(home, data, "sessions", "--json").stdout)["sessions"]
    assert [(s["team"], s["tasksCreated"], s["tasksCompleted"]) for s in sessions] == [
        ("demo-team", len(every), len(every))]
    assert "parser" in sessions[0]["agents"]


def test_a_message_that_lives_one_second_is_recorded(home: Path, data: Path) -> None:
    paths = make_team(home, "session-1a2b3c4d", ["team-lead", "alice"])
    recorder = RecordProcess(home, data).ready()
    try:
        inbox = paths.inbox_path("alice")
        tmp = inbox.with_name("alice.json.tmp.0badf00d")
        tmp.write_text(json.dumps([message("team-lead", "Only here for a second",
                                           summary="brief")]))
        os.rename(tmp, inbox)  # 2.1.3xx writes the inbox by a rename...
        time.sleep(1.0)        # ...the message lives one second (the scenario, not a wait)
        inbox.write_text("[]")  # ...and is pruned once delivered

        def seen() -> list[ev.Event]:
            with Journal.open(data) as journal:
                latest = journal.latest_session("session-1a2b3c4d")
                return journal.events(latest.id, kinds=[ev.MESSAGE]) if latest else []
        (recorded,) = wait_for(seen, "the message in the journal")
        assert recorded.detail["text"] == "Only here for a second"
        assert recorded.detail["from"] == "team-lead" and recorded.agent == "alice"
    finally:
        assert recorder.stop() == 0


def test_a_second_recorder_says_one_is_running_and_exits_0(home: Path, data: Path) -> None:
    first = RecordProcess(home, data).ready()
    try:
        done = cli(home, data, "record")
        assert done.returncode == 0
        assert "already running" in done.stdout and str(first.proc.pid) in done.stdout
    finally:
        assert first.stop() == 0
    again = RecordProcess(home, data).ready()  # the lock went with the first one
    assert again.stop() == 0


def test_sigkill_mid_stream_keeps_everything_committed(home: Path, data: Path) -> None:
    paths = make_team(home, "alpha", ["team-lead"])
    make_task(paths.tasks_dir, "1")
    recorder = RecordProcess(home, data).ready()
    stop = threading.Event()

    def churn() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            update_task(paths.tasks_dir, "1", lambda o, n=n: {**o, "subject": f"v{n}"})
            time.sleep(0.005)
    writer = threading.Thread(target=churn)
    writer.start()
    try:
        def committed() -> int:
            with Journal.open(data) as journal:
                latest = journal.latest_session("alpha")
                return journal.count(latest.id) if latest else 0
        before = wait_for(lambda: (n := committed()) > 20 and n, "events to stream in")
        recorder.proc.send_signal(signal.SIGKILL)
        recorder.proc.wait(timeout=10)
    finally:
        stop.set()
        writer.join()
    with Journal.open(data) as journal:
        assert journal.notices == []
        assert journal.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        latest = journal.latest_session("alpha")
        assert latest is not None and journal.count(latest.id) >= before
    # A new recorder picks up where the killed one stopped: the last state, one session.
    again = RecordProcess(home, data).ready()
    try:
        wait_for(lambda: caught_up(data, paths), "the restarted recorder")
    finally:
        assert again.stop() == 0
    with Journal.open(data) as journal:
        assert len(journal.sessions("alpha")) == 1
        assert len(journal.events(journal.sessions("alpha")[0].id,
                                  kinds=[ev.TASK_CREATED])) == 1


def test_two_recorders_at_once_never_double_an_event(home: Path, data: Path) -> None:
    import asyncio

    from taskboard.journal.recording import HomeRecorder

    paths = make_team(home, "alpha", ["team-lead", "alice"])
    make_task(paths.tasks_dir, "1")
    process = RecordProcess(home, data).ready()
    stop_loop = threading.Event()
    ready = threading.Event()

    def in_process() -> None:  # a second recorder (as a console would be), same journal
        async def main() -> None:
            with Journal.open(data) as journal:
                rec = HomeRecorder(home, journal, ["alpha"])
                stop = asyncio.Event()
                ready_evt = asyncio.Event()
                task = asyncio.create_task(rec.run(stop, ready_evt))
                await ready_evt.wait()
                ready.set()
                while not stop_loop.is_set():
                    await asyncio.sleep(0.05)
                stop.set()
                await task
        asyncio.run(main())
    def messages() -> int:
        with Journal.open(data) as journal:
            latest = journal.latest_session("alpha")
            return len(journal.events(latest.id, kinds=[ev.MESSAGE])) if latest else 0

    def vanished() -> bool:
        with Journal.open(data) as journal:
            latest = journal.latest_session("alpha")
            return bool(latest and journal.events(latest.id, kinds=[ev.TEAM_VANISHED]))
    thread = threading.Thread(target=in_process)
    thread.start()
    try:
        assert ready.wait(20)
        for n in range(2, 12):
            create_task(paths.tasks_dir, f"Task {n}")
            update_task(paths.tasks_dir, "1", lambda o, n=n: {**o, "subject": f"v{n}"})
            inbox = paths.inbox_path("alice")
            inbox.write_text(json.dumps([message("team-lead", f"note {n}")]))
            wait_for(lambda: caught_up(data, paths), "both recorders")
            wait_for(lambda n=n: messages() == n - 1, "the message")
        shutil.rmtree(paths.team_dir)
        wait_for(vanished, "the removal")  # the other recorder's final sweep sees it too
    finally:
        stop_loop.set()
        thread.join(timeout=30)
        assert process.stop() == 0
    with Journal.open(data) as journal:
        (session,) = journal.sessions("alpha")
        rows = journal.events(session.id)
    seen = [(e.kind, e.task, e.agent, json.dumps(e.before, sort_keys=True),
             json.dumps(e.after, sort_keys=True), e.detail.get("text")) for e in rows]
    assert len(seen) == len(set(seen)), "an event was recorded twice"
    assert sum(1 for e in rows if e.kind == ev.MESSAGE) == 10
    assert sum(1 for e in rows if e.kind == ev.TEAM_VANISHED) == 1


def test_a_reused_team_name_starts_a_new_session(home: Path, data: Path) -> None:
    paths = make_team(home, "alpha", ["team-lead"])
    config = json.loads(paths.config_path.read_text())
    paths.config_path.write_text(json.dumps({**config, "leadSessionId": "first"}))
    make_task(paths.tasks_dir, "1", subject="Old work", status="completed")
    recorder = RecordProcess(home, data).ready()
    try:
        wait_for(lambda: caught_up(data, paths), "the first session")
        shutil.rmtree(paths.team_dir)
        shutil.rmtree(paths.tasks_dir)
        wait_for(lambda: "vanished" in cli(home, data, "history", "alpha").stdout,
                 "the end of the first session")
        paths = make_team(home, "alpha", ["team-lead"])
        paths.config_path.write_text(json.dumps({**config, "leadSessionId": "second"}))
        make_task(paths.tasks_dir, "1", subject="New work")
        wait_for(lambda: "New work" in cli(home, data, "history", "alpha").stdout,
                 "the second session")
    finally:
        assert recorder.stop() == 0
    sessions = json.loads(cli(home, data, "sessions", "alpha", "--json").stdout)["sessions"]
    assert [s["leadSessionId"] for s in sessions] == ["second", "first"]
    old = cli(home, data, "history", "alpha", "--session", sessions[1]["id"])
    assert "Old work" in old.stdout and "New work" not in old.stdout
    assert "Old work" not in cli(home, data, "history", "alpha").stdout


def test_a_list_emptied_and_refilled_without_a_team_is_a_new_session(
        home: Path, data: Path) -> None:
    from taskboard.journal.recording import HomeRecorder

    paths = TeamPaths(home, "my-list")
    make_task(paths.tasks_dir, "1", status="completed")
    with Journal.open(data) as journal:
        rec = HomeRecorder(home, journal)
        rec.discover()
        (paths.tasks_dir / "1.json").unlink()
        rec.sweep()
        make_task(paths.tasks_dir, "2", subject="Refilled")
        rec.sweep()
        first, second = journal.sessions("my-list")[::-1]
        assert [e.task for e in journal.events(first.id, kinds=[ev.TASK_CREATED])] == ["1"]
        assert [e.task for e in journal.events(second.id, kinds=[ev.TASK_CREATED])] == ["2"]


def test_record_waits_for_a_named_team_and_survives_it_coming_and_going(
        home: Path, data: Path) -> None:
    recorder = RecordProcess(home, data, "later").ready()
    try:
        assert "watching 0" in recorder.wait_line("ready:")
        make_team(home, "other")
        paths = make_team(home, "later", ["team-lead"])
        make_task(paths.tasks_dir, "1", subject="First life")
        wait_for(lambda: caught_up(data, paths), "the team to appear")
        shutil.rmtree(paths.team_dir)
        shutil.rmtree(paths.tasks_dir)
        wait_for(lambda: "team directory vanished" in cli(home, data, "history",
                                                           "later").stdout, "the removal")
        paths = make_team(home, "later", ["team-lead"])
        make_task(paths.tasks_dir, "1", subject="Second life")
        wait_for(lambda: caught_up(data, paths), "the team to come back")
    finally:
        assert recorder.stop() == 0
    assert cli(home, data, "sessions", "other").returncode == 1


def test_a_corrupt_journal_is_named_with_where_it_went(home: Path, data: Path) -> None:
    data.mkdir()
    (data / "journal.db").write_bytes(b"garbage" * 1000)
    done = cli(home, data, "sessions")
    assert done.returncode == 0
    assert str(data / "journal.db") in done.stderr and "journal.db.corrupt-" in done.stderr
    assert "No recorded sessions" in done.stdout


async def test_a_team_made_after_the_start_is_followed_by_its_events(
        home: Path, data: Path) -> None:
    """The recursive watch (inotify on Linux) adds the new directories: with no sweep
    due for an hour, a message written into a new team's inbox is recorded from events."""
    import asyncio

    from taskboard.journal.recording import HomeRecorder

    (home / "tasks").mkdir()
    (home / "teams").mkdir()
    with Journal.open(data) as journal:
        rec = HomeRecorder(home, journal, sweep_interval=3600.0)
        stop, ready = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(rec.run(stop, ready))
        await asyncio.wait_for(ready.wait(), 20)

        async def until(condition: Callable[[], object], what: str) -> None:
            async def poll() -> None:
                while not condition():
                    await asyncio.sleep(0.02)
            try:
                await asyncio.wait_for(poll(), 20)
            except TimeoutError:
                raise AssertionError(f"timed out waiting for {what}") from None

        paths = make_team(home, "session-5e6f7a8b", ["team-lead", "alice"])
        await until(lambda: paths.name in rec.teams, "the new team")
        batches = rec.batches
        paths.inbox_path("alice").write_text(json.dumps([message("team-lead", "from events")]))

        def recorded() -> list[ev.Event]:
            latest = journal.latest_session(paths.name)
            return journal.events(latest.id, kinds=[ev.MESSAGE]) if latest else []
        await until(recorded, "the message")
        assert rec.batches > batches
        assert recorded()[0].detail["text"] == "from events"
        stop.set()
        await asyncio.wait_for(task, 20)
