"""End to end: a simulated team is recorded, Claude Code wipes its files, and review and
report still show every task and every change (the ``history`` half is in the journal's
own tests)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import BoardReader
from taskboard.cli import main
from taskboard.clock import FrozenClock
from taskboard.journal import events as ev
from taskboard.journal.recorder import TeamRecorder
from taskboard.journal.store import Journal
from taskboard.sim.simulator import TICK, Simulation
from taskboard.ui.review_app import ReviewApp
from taskboard.ui.screens.review import ReviewScreen
from taskboard.ui.screens.sessions import SessionPickerScreen
from taskboard.ui.widgets.outline import DependencyOutline

T0 = 1_780_000_000.0
SPEED = 20.0


def record_a_simulated_session(home: Path, data: Path) -> dict[str, dict]:
    """Run the simulator until its first tasks are all done, recording every refresh; then
    wipe the files as Claude Code does. Returns the tasks as they were last on disk."""
    paths = TeamPaths(home, "sim-team")
    clock = FrozenClock(T0)
    sim = Simulation(paths, speed=SPEED, seed=11, clock=clock)
    journal = Journal.open(data)
    recorder = TeamRecorder(journal, "sim-team", clock=clock)
    reader = BoardReader(paths)
    sim.setup()
    recorder.observe(reader.board, reader.rescan())
    last: dict[str, dict] = {}
    for _ in range(4000):
        sim.step()
        clock.advance(TICK / SPEED)
        recorder.observe(reader.board, reader.rescan())
        tasks = reader.board.tasks
        if tasks:
            last = {tid: dict(task.raw) for tid, task in tasks.items()}
        if sim.stats["completed"] >= 12 and tasks and \
                all(t.status == "completed" for t in tasks.values()):
            break
    assert last and all(t["status"] == "completed" for t in last.values()), sim.stats
    # Claude Code's auto-clear: the task files go (the list directory stays, FORMAT.md);
    # then the session ends: the team directory is renamed aside and removed.
    clock.advance(5)
    for path in paths.tasks_dir.glob("*.json"):
        path.unlink()
    recorder.observe(reader.board, reader.rescan())
    clock.advance(2)
    aside = paths.team_dir.with_name(paths.team_dir.name + ".deleted-1a2b3c")
    paths.team_dir.rename(aside)
    shutil.rmtree(aside)
    recorder.observe(reader.board, reader.rescan())
    journal.close()
    assert not list(paths.tasks_dir.glob("*.json")) and not paths.team_dir.exists()
    return last


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, dict]]:
    """One recorded and wiped session, shared by the tests below (they only read it)."""
    base = tmp_path_factory.mktemp("recorded")
    home, data = base / "claude", base / "data"
    return home, data, record_a_simulated_session(home, data)


def test_review_and_report_show_every_task_after_the_files_are_gone(
        recorded, tmp_path: Path, capsys) -> None:
    home, data, last = recorded
    options = ["--claude-dir", str(home), "--data-dir", str(data)]

    assert main(["report", "sim-team", "--format", "json", *options]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {t["id"] for t in report["tasks"]} == set(last)
    assert report["tasksCreated"] == len(last) == report["tasksCompleted"]
    for task in report["tasks"]:
        assert task["subject"] == last[task["id"]]["subject"]
        assert task["state"] == "done" and task["removed"] is not None
        assert task["owner"] == last[task["id"]].get("owner")
    assert sum(a["completed"] for a in report["agents"]) == len(last)
    assert report["keyEvents"][-1]["text"].startswith("task list removed") or any(
        k["text"].startswith("auto-clear removed") for k in report["keyEvents"])

    for fmt in ("md", "html", "mermaid", "dot"):
        out = tmp_path / f"report.{fmt}"
        assert main(["report", "sim-team", "--format", fmt, "-o", str(out), *options]) == 0
        text = out.read_text(encoding="utf-8")
        for tid in last:
            assert f"#{tid}" in text or f"\\#{tid}" in text or f"#35;{tid}" in text, (fmt, tid)

    assert main(["report", "no-such-team", *options]) == 1
    assert "nothing recorded for 'no-such-team'" in capsys.readouterr().err


async def test_review_steps_through_the_recorded_session_after_the_wipe(recorded) -> None:
    home, data, last = recorded
    journal = Journal.open(data)
    try:
        app = ReviewApp(home, journal, None, clock=FrozenClock(T0))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SessionPickerScreen)
            await pilot.press("enter")
            deadline = 200
            while not (isinstance(app.screen, ReviewScreen) and app.screen.loaded):
                deadline -= 1
                assert deadline, "review did not load"
                await pilot.pause(0.05)
            screen = app.screen
            outline = screen.query_one(DependencyOutline)
            shown = {tid: outline.row_text(tid) for tid in outline._task_nodes}
            assert set(shown) == set(last)  # the last full board, before the clear-up
            assert all(text.lstrip("»").startswith(f"#{tid} ✓") for tid, text in shown.items())
            replay = screen.replay
            changes = [i for i, e in enumerate(replay.events) if e.kind == ev.TASK_CHANGED
                       and (e.after or {}).get("status") == "completed"]
            assert len(changes) >= len(last)
            # Step back to just before the last completion: that task is running again.
            target = changes[-1]
            tid = replay.events[target].task
            await pilot.press("0")
            while replay.cursor < target:
                screen.go(replay.cursor + 97 if replay.cursor + 97 < target else target)
                await pilot.pause()
            assert outline.row_text(tid).lstrip("»").startswith(f"#{tid} ●")  # » critical path
            await pilot.press("full_stop")
            assert outline.row_text(tid).lstrip("»").startswith(f"#{tid} ✓")
    finally:
        journal.close()


def test_a_team_never_recorded_is_imported_from_its_transcripts_for_the_report(
        tmp_path: Path, capsys) -> None:
    from tests.realcc import TEAM, gunzip_home

    home = gunzip_home(tmp_path / "claude")
    options = ["--claude-dir", str(home), "--data-dir", str(tmp_path / "data")]
    assert main(["report", TEAM, "--format", "json", *options]) == 0
    captured = capsys.readouterr()
    assert "was never recorded; rebuilt" in captured.err
    report = json.loads(captured.out)
    assert report["tasksCreated"] >= 3 and report["events"] > 50
    # The second time the journal has it: no import.
    assert main(["report", TEAM, "--format", "md", *options]) == 0
    assert "never recorded" not in capsys.readouterr().err
