"""Agent panels from the transcripts: the live state with its elapsed time, the context bar,
the newest message received, the message history key, and the fallback without transcripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taskboard.claude import inotify
from taskboard.clock import FrozenClock
from taskboard.ui.app import TaskboardApp
from taskboard.ui.screens import console
from taskboard.ui.screens.messages import MessagesScreen
from taskboard.ui.widgets.agents import AgentList, context_bar
from tests.realcc import ALICE_FILE, TEAM, TEAM_RUN, copy_home
from tests.ui.conftest import loaded, make_app, wait_for

NOW = 1796178250.0  # 9 s after alice's last turn ended in the sample


def panel_text(app: TaskboardApp, name: str) -> str:
    panel = app.screen.query_one(AgentList).panels[name]
    return "\n".join(line.plain for line in panel._lines or [])


def live_home(tmp_path: Path) -> Path:
    home = copy_home(TEAM_RUN / "live", tmp_path / "claude")
    for session in (home / "sessions").glob("*.json"):
        session.unlink()  # the recorded pid belongs to the recording machine
    return home


async def test_panels_show_state_elapsed_context_and_newest_message(tmp_path: Path) -> None:
    home = live_home(tmp_path)
    clock = FrozenClock(NOW)
    app = TaskboardApp(home, TEAM, clock=clock, watch=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot)
        alice = panel_text(app, "alice")
        assert "idle 9 s" in alice
        assert "ctx ▰▰▱▱▱▱▱▱▱▱ 19 % · 37k tokens" in alice
        assert "claude-sonnet-4-5" in alice
        assert "✉ operator" in alice and "wrap up #4" in alice
        assert "gone" in panel_text(app, "bob")
        assert "Write changelog" in alice or "#7" in alice  # the task she holds
        # Alice sends a request: the next look at the transcripts shows her thinking.
        line = {"type": "api-request", "id": "x", "timestamp": "2026-12-02T02:24:08.000Z",
                "agentId": "aalice-0e9c73de4e00c008", "params": {}}
        with open(home / ALICE_FILE, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
        clock.advance(12)
        app.screen.poll_activity()
        await wait_for(pilot, lambda: "thinking 14 s" in panel_text(app, "alice"),
                       what="alice thinking")


def append(path: Path, line: dict) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


REQUEST = {"type": "api-request", "id": "x", "timestamp": "2026-12-02T02:24:08.000Z",
           "agentId": "aalice-0e9c73de4e00c008", "params": {}}
TURN_END = {"type": "assistant", "timestamp": "2026-12-02T02:24:20.000Z",
            "agentId": "aalice-0e9c73de4e00c008",
            "message": {"id": "msg_idle_test", "model": "claude-sonnet-4-5", "role": "assistant",
                        "stop_reason": "end_turn", "content": [{"type": "text", "text": "ok"}],
                        "usage": {"input_tokens": 1, "output_tokens": 1}}}


@pytest.mark.skipif(not inotify.available(), reason="inotify is Linux only")
async def test_a_transcript_write_reaches_the_panel_through_the_watch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "TICK_SECONDS", 3600.0)  # only the watch can bring it
    home = live_home(tmp_path)
    clock = FrozenClock(NOW)
    app = TaskboardApp(home, TEAM, clock=clock, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot)
        screen = app.screen
        await wait_for(pilot, lambda: screen.activity_watch is not None
                       and screen.activity_watch.starts > 0, what="the transcripts' watch")
        assert screen._activity_poll is None  # nothing looks at them while nobody writes
        assert screen._elapsed is None  # nobody works: no time moves by the second
        clock.advance(12)
        append(home / ALICE_FILE, REQUEST)
        await wait_for(pilot, lambda: "thinking 14 s" in panel_text(app, "alice"),
                       what="alice thinking")
        assert screen._elapsed is not None  # her elapsed time moves while she works
        append(home / ALICE_FILE, TURN_END)
        await wait_for(pilot, lambda: "idle" in panel_text(app, "alice").splitlines()[1],
                       what="alice idle again")
        await wait_for(pilot, lambda: screen._elapsed is None, what="the second hand stopped")


async def test_without_inotify_the_transcripts_are_polled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inotify, "available", lambda: False)
    monkeypatch.setattr(console, "TICK_SECONDS", 3600.0)
    home = live_home(tmp_path)
    clock = FrozenClock(NOW)
    app = TaskboardApp(home, TEAM, clock=clock, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot)
        screen = app.screen
        await wait_for(pilot, lambda: screen._activity_poll is not None, what="the poll")
        assert screen.activity_watch is None
        clock.advance(12)
        append(home / ALICE_FILE, REQUEST)
        await wait_for(pilot, lambda: "thinking 14 s" in panel_text(app, "alice"),
                       what="alice thinking")


async def test_shift_m_opens_the_focused_agents_messages_newest_last(tmp_path: Path) -> None:
    app = TaskboardApp(live_home(tmp_path), TEAM, clock=FrozenClock(NOW), watch=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot)
        app.screen.query_one(AgentList).panels["alice"].focus()
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen), what="history")
        screen = app.screen
        assert isinstance(screen, MessagesScreen)
        texts = [m.text for m in screen.messages]
        assert "Operator here: wrap up #4 today." in texts
        assert texts.index("Operator here: wrap up #4 today.") > texts.index(
            "Schema is done: 12 fields.")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, MessagesScreen), what="close")


async def test_without_transcripts_the_agents_pane_says_so_once(home: Path) -> None:
    async with make_app(home).run_test(size=(160, 50)) as pilot:
        await loaded(pilot)
        agents = pilot.app.screen.query_one(AgentList)
        assert "no transcripts found" in str(agents.border_subtitle)


def test_the_context_bar_colours_at_70_and_90_percent_and_shows_tokens_alone() -> None:
    assert context_bar(100_000, 50.0).spans[1].style == "green"
    assert context_bar(150_000, 75.0).spans[1].style == "yellow"
    assert context_bar(190_000, 95.0).spans[1].style == "bold red"
    unknown = context_bar(46_129, None).plain
    assert "46k tokens" in unknown and "%" not in unknown
