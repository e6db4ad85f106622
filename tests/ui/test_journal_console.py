"""The console and the journal: it records what it sees and its writes; the detail pane, the
history dialog, the command log and undo read the journal back, across a restart."""

from __future__ import annotations

import json
from pathlib import Path

from taskboard.journal import events as ev
from taskboard.journal.store import Journal
from taskboard.ui.screens.history import HistoryScreen
from taskboard.ui.widgets.agents import AgentList
from taskboard.ui.widgets.detail import TaskDetail

from .conftest import make_app, wait_for
from .test_operator import TEAM, confirm, log_entries, start, task_json


def journal_events(data: Path, **filters) -> list[ev.Event]:
    with Journal.open(data) as journal:
        latest = journal.latest_session(TEAM)
        return journal.events(latest.id, **filters) if latest else []


def detail_text(screen) -> str:
    body = screen.query_one(TaskDetail)._body
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(body.content)
    return console.export_text()


async def test_the_console_records_what_it_sees_and_shows_a_task_history(
        home: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = make_app(home, journal_dir=data, watch=True)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await start(pilot, "10")
        assert {e.task for e in journal_events(data, kinds=[ev.TASK_CREATED])} >= {"10"}
        path = home / "tasks" / TEAM / "10.json"
        obj = json.loads(path.read_text())
        path.write_text(json.dumps({**obj, "owner": "tester", "status": "in_progress"},
                                   indent=2))
        await wait_for(pilot, lambda: any(
            e.after and e.after.get("owner") == "tester"
            for e in journal_events(data, task="10", kinds=[ev.TASK_CHANGED])),
            what="the change in the journal")
        await wait_for(pilot, lambda: "owner - -> tester" in detail_text(screen),
                       what="the history in the detail pane")
        assert "History" in detail_text(screen)
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert app.screen.title_text == "History of #10"
        await pilot.press("escape")
        screen.query_one(AgentList).panels["tester"].focus()
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        assert history.title_text == "History of tester"
        assert "tasks done" in history.summary.plain and "messages" in history.summary.plain


async def test_the_command_log_and_undo_survive_a_restart(home: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = make_app(home, journal_dir=data)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        await pilot.press("c")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "10")["status"] == "completed")
        await wait_for(pilot, lambda: screen.last_write is not None)
    (write,) = journal_events(data, kinds=[ev.OPERATOR_WRITE])
    assert write.detail["verb"] == "complete" and write.detail["result"] == "ok"
    assert write.source == "operator" and write.task == "10"

    again = make_app(home, journal_dir=data)
    async with again.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        (entry,) = log_entries(screen)
        assert (entry.verb, entry.target, entry.ok, entry.undone) == (
            "complete", "#10", True, False)
        assert screen.last_write is not None
        await pilot.press("z")
        await confirm(pilot)
        await wait_for(pilot, lambda: task_json(home, "10")["status"] == "pending")
        await wait_for(pilot, lambda: log_entries(screen)[0].undone)

    third = make_app(home, journal_dir=data)
    async with third.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        assert [e.undone for e in log_entries(screen)] == [True, False]
        assert screen.last_write is None  # the undo itself is not undone


async def test_undo_after_a_restart_is_refused_if_the_task_changed_since(
        home: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = make_app(home, journal_dir=data)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "10")
        await pilot.press("c")
        await confirm(pilot)
        await wait_for(pilot, lambda: app.screen.last_write is not None)
    path = home / "tasks" / TEAM / "10.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "owner": "docs"}, indent=2))
    again = make_app(home, journal_dir=data)
    async with again.run_test(size=(120, 36)) as pilot:
        screen = await start(pilot, "10")
        assert screen.last_write is not None
        before = path.read_bytes()
        await pilot.press("z")  # the preview (a dry run of the undo) refuses it
        await pilot.pause()
        assert again.screen is screen
        assert path.read_bytes() == before
        assert any("changed" in n.message for n in again._notifications)


async def test_a_paused_console_still_records(home: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = make_app(home, journal_dir=data, watch=True)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await start(pilot, "10")
        await pilot.press("p")
        assert screen.paused
        await wait_for(pilot, lambda: screen._shadow_ready, what="the paused recorder")
        path = home / "tasks" / TEAM / "10.json"
        obj = json.loads(path.read_text())
        path.write_text(json.dumps({**obj, "subject": "Changed while paused"}, indent=2))
        await wait_for(pilot, lambda: any(
            (e.after or {}).get("subject") == "Changed while paused"
            for e in journal_events(data, task="10", kinds=[ev.TASK_CHANGED])),
            what="the change recorded while paused")
        assert "Changed while paused" not in detail_text(screen)  # the screen is frozen
        await pilot.press("p")
        await wait_for(pilot, lambda: "Changed while paused" in detail_text(screen))
    changes = [e for e in journal_events(data, task="10", kinds=[ev.TASK_CHANGED])
               if (e.after or {}).get("subject") == "Changed while paused"]
    assert len(changes) == 1  # resuming did not record it again
