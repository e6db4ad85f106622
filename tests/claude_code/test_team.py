"""An interactive Claude Code team under tmux: a lead and one in-process teammate, alice.

taskboard's ``assign`` (a real subprocess) is what wakes alice: its ``task_assignment`` reaches
her as a message from ``taskboard``, not flagged as forged, and the console (running on the same
Claude home, with its file watcher) shows her working, then idle.
"""

from __future__ import annotations

import asyncio
import json
import re

from taskboard.ui.app import TaskboardApp
from taskboard.ui.widgets.agents import AgentPanel
from tests.claude_code.conftest import SEARCH, ClaudeCode
from tests.ui.conftest import loaded, wait_for


def alice_panel(app: TaskboardApp) -> AgentPanel | None:
    return next((p for p in app.screen.query(AgentPanel) if p.agent_name == "alice"), None)


def alice_text(app: TaskboardApp) -> str:
    panel = alice_panel(app)
    return "\n".join(getattr(line, "plain", str(line)) for line in panel._lines or []) \
        if panel is not None else ""


def alice_is(app: TaskboardApp, active: bool) -> bool:
    panel = alice_panel(app)
    return panel is not None and panel.summary is not None and panel.summary.active is active


async def test_taskboard_assign_wakes_a_teammate_and_the_console_follows_her(
        claude_code: ClaudeCode) -> None:
    env = claude_code.env()
    go = env.work / "go"
    script = {"convs": {
        "lead": {"marker": None, "segments": [
            # alice's idle notification after her work: a thank-you makes her go idle once
            # more, so a console under heavy load gets a second ~1 s look at an idle
            # notification (2.1.3xx deletes delivered messages about a second later).
            {"trigger": "ALICE-DONE", "turns": [
                {"tool": "SendMessage", "input": {"to": "alice", "message": "THANKS-ALICE",
                                                  "summary": "thanks"}},
                {"text": "ok"}]},
            {"trigger": "Follow the plan.", "turns": [
                SEARCH,
                {"tool": "TaskCreate", "input": {"subject": "Write the parser",
                                                 "description": "Parse the header",
                                                 "activeForm": "Writing the parser"}},
                {"tool": "TaskCreate", "input": {"subject": "Write the docs",
                                                 "description": "Later"}},
                {"tool": "Agent", "input": {"name": "alice", "description": "parser work",
                                            "prompt": "ALICE-MARKER: wait for tasks.",
                                            "subagent_type": "general-purpose"}},
                {"text": "LEAD-READY"}]}]},
        "alice": {"marker": "ALICE-MARKER", "segments": [
            {"trigger": '"taskId":"1"', "turns": [  # taskboard's task_assignment
                SEARCH,
                {"tool": "TaskUpdate", "input": {"taskId": "1", "status": "in_progress"}},
                {"tool": "Bash", "input": {"command": f"while [ ! -f '{go}' ]; do sleep 0.1; "
                                                      "done; echo go",
                                           "description": "Work on the parser"}},
                {"tool": "TaskUpdate", "input": {"taskId": "1", "status": "completed"}},
                {"text": "ALICE-DONE"}]},
            {"trigger": "THANKS-ALICE", "turns": [{"text": "ALICE-IDLE-AGAIN"}]},
            {"trigger": "ALICE-MARKER", "turns": [{"text": "ALICE-READY"}]}]},
    }}
    team = claude_code.team(env, script).start()
    wait = asyncio.to_thread
    assert await wait(team.wait, lambda: "alice" in team.members(), 90), team.pane()
    assert await wait(team.wait_answer, "alice", "ALICE-MARKER", None, 60), team.pane()
    assert await wait(team.wait_answer, "lead", "Follow the plan.", 4, 60), team.pane()
    name = team.team_name()
    assert name and name.startswith("session-")
    assert team.tasks()["1"].get("owner") is None

    app = TaskboardApp(env.home, name, watch=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: alice_panel(app) is not None, what="alice's panel")

        assign = await wait(claude_code.taskboard, env, "assign", name, "1", "alice",
                            process=True)
        assert "notified" in assign.stdout

        # Her transcript shows her working (woken by taskboard, thinking, running a tool)
        # as soon as the message arrives, then the task runs.
        await wait_for(pilot, lambda: alice_is(app, True), timeout=90,
                       what=f"alice working\n{team.pane()}")
        await wait_for(pilot, lambda: "Writing the parser" in alice_text(app), timeout=90,
                       what=f"alice running #1\n{team.pane()}")
        # Alice's Bash waits for the go file, so she stays running: wait (with a deadline)
        # for her transcript to be picked up, never take the first frame for the answer.
        def live_state() -> bool:
            text = alice_text(app)
            lines = text.splitlines()
            return len(lines) > 1 and lines[1].startswith(
                ("running ", "thinking ", "woken by taskboard ")) and "ctx " in text

        await wait_for(pilot, live_state, timeout=60,
                       what=f"alice's live state from her transcript\n{alice_text(app)}")
        assert "%" in alice_text(app)

        # What alice's model was sent: taskboard's message, under taskboard's name, not forged.
        request = json.dumps(team.api.last_body["alice"])
        assert 'teammate_id=\\"taskboard\\"' in request, request[-3000:]
        assert "task_assignment" in request
        assert 'verified=\\"false\\"' not in request

        go.write_text("")
        await wait_for(pilot, lambda: alice_is(app, False), timeout=90,
                       what=f"alice idle\n{team.pane()}")
        assert team.tasks()["1"]["status"] == "completed"

    # taskboard doctor on the live home Claude Code keeps.
    doctor = await wait(claude_code.taskboard, env, "doctor", "--json")
    found = json.loads(doctor.stdout)
    texts = [f["text"] for f in found["findings"]]
    assert found["problems"] == 0, texts
    assert any(re.match(r"written by Claude Code \d+\.\d+\.\d+", t) for t in texts), texts
    assert f"{name}: transcripts found for 2 of 2 member(s)" in texts, texts
    assert await wait(team.exit), team.pane()
