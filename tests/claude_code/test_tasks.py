"""Task lists shared with the real Claude Code (print mode): each side reads what the other wrote.

One ``claude -p`` run per test (a few seconds each), on a list named with
``CLAUDE_CODE_TASK_LIST_ID``. What Claude Code *read* is its tool results, as sent back to the
scripted model (``tool_calls``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from taskboard.board.model import State
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import load_board
from tests.claude_code.conftest import SEARCH, ClaudeCode


def results(res: Any) -> dict[str, str]:
    """Each tool call's result, keyed ``Name#n`` (``TaskGet#1``: the first TaskGet)."""
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for call in res.tool_calls:
        seen[call["name"]] = seen.get(call["name"], 0) + 1
        out[f"{call['name']}#{seen[call['name']]}"] = call.get("result", "")
    return out


def task_list_lines(text: str) -> dict[str, tuple[str, str | None, list[str]]]:
    """Claude Code's TaskList output: id -> (status, owner, open blockers)."""
    line = re.compile(r"^#(\d+) \[(\w+)\] .*?(?: \(([^)]*)\))?(?: \[blocked by ([^\]]*)\])?$")
    out = {}
    for raw in text.splitlines():
        match = line.match(raw.strip())
        if match:
            blockers = [b.strip().lstrip("#") for b in (match[4] or "").split(",") if b.strip()]
            out[match[1]] = (match[2], match[3], blockers)
    return out


def task_get_text(task: dict[str, Any], open_ids: set[str]) -> str:
    """What Claude Code 2.1.3xx's TaskGet shows of a task (only open blockers are listed)."""
    lines = [f"Task #{task['id']}: {task['subject']}", f"Status: {task['status']}",
             f"Description: {task['description']}"]
    blocked_by = [b for b in task["blockedBy"] if b in open_ids]
    if blocked_by:
        lines.append("Blocked by: " + ", ".join(f"#{b}" for b in blocked_by))
    if task["blocks"]:
        lines.append("Blocks: " + ", ".join(f"#{b}" for b in task["blocks"]))
    return "\n".join(lines)


def test_claude_code_writes_and_taskboard_reads_the_same_list(claude_code: ClaudeCode) -> None:
    """Claude Code creates, updates, links and deletes; taskboard's show --json, its board and
    Claude Code's own TaskList agree on every task."""
    env = claude_code.env()
    res = claude_code.print(env, [
        SEARCH,
        {"tool": "TaskCreate", "input": {"subject": "Write the parser",
                                         "description": "Parse the header",
                                         "activeForm": "Writing the parser"}},
        {"tool": "TaskCreate", "input": {"subject": "Test the parser",
                                         "description": "Every branch"}},
        {"tool": "TaskCreate", "input": {"subject": "Scratch", "description": "tmp"}},
        {"tool": "TaskCreate", "input": {"subject": "Write docs", "description": "All of it"}},
        {"tool": "TaskUpdate", "input": {"taskId": "2", "addBlockedBy": ["1"],
                                         "metadata": {"priority": "P1"}}},
        {"tool": "TaskUpdate", "input": {"taskId": "1", "addBlocks": ["4"]}},
        {"tool": "TaskUpdate", "input": {"taskId": "1", "status": "in_progress", "owner": "me"}},
        {"tool": "TaskUpdate", "input": {"taskId": "4", "subject": "Write the docs",
                                         "status": "completed"}},
        {"tool": "TaskUpdate", "input": {"taskId": "3", "status": "deleted"}},
        {"tool": "TaskList", "input": {}},
        {"text": "Done."},
    ], task_list="cc-list")
    said = results(res)
    assert said["TaskUpdate#5"] == "Updated task #3 deleted"
    claude_sees = task_list_lines(said["TaskList#1"])
    assert set(claude_sees) == {"1", "2", "4"}

    shown = claude_code.show(env, "cc-list")
    tasks = {t["id"]: t for t in shown["tasks"]}
    assert shown["problems"] == []
    assert set(tasks) == {"1", "2", "4"}, "the deleted task is gone"
    status_of = {str(State.IN_PROGRESS): "in_progress", str(State.COMPLETED): "completed",
                 str(State.READY): "pending", str(State.BLOCKED): "pending"}
    for tid, (status, owner, open_blockers) in claude_sees.items():
        mine = tasks[tid]
        assert status_of[mine["state"]] == status == mine["status"], tid
        assert mine.get("owner") == owner, tid
        open_ids = {i for i, t in tasks.items() if t["status"] != "completed"}
        assert [b for b in mine["blockedBy"] if b in open_ids] == open_blockers, tid
    assert tasks["2"]["state"] == str(State.BLOCKED)
    assert (tasks["1"]["blocks"], tasks["2"]["blockedBy"]) == (["2", "4"], ["1"])
    assert tasks["1"]["activeForm"] == "Writing the parser"
    assert tasks["2"]["metadata"] == {"priority": "P1"}
    assert tasks["4"]["subject"] == "Write the docs"

    board = load_board(TeamPaths(env.home, "cc-list"))
    assert {tid: str(board.state(tid)) for tid in board.tasks} == {
        tid: t["state"] for tid, t in tasks.items()}
    assert (env.home / "tasks" / "cc-list" / ".highwatermark").read_text() == "3"


def test_taskboard_writes_a_task_assignment_in_claude_codes_own_shape(
        claude_code: ClaudeCode) -> None:
    """Print mode has no team: Claude Code still writes the new owner's inbox, in a team
    directory with no config.json. taskboard's assign on that list writes the same shape."""
    env = claude_code.env()
    claude_code.print(env, [
        SEARCH,
        {"tool": "TaskCreate", "input": {"subject": "One", "description": "first"}},
        {"tool": "TaskCreate", "input": {"subject": "Two", "description": "second"}},
        {"tool": "TaskUpdate", "input": {"taskId": "1", "owner": "me"}},
        {"text": "Done."},
    ], task_list="shapes")
    inbox = env.home / "teams" / "shapes" / "inboxes" / "me.json"
    assert not (inbox.parent.parent / "config.json").exists()
    claude_code.taskboard(env, "assign", "shapes", "2", "me")
    theirs, mine = json.loads(inbox.read_text())
    assert list(mine) == list(theirs), (theirs, mine)
    assert (mine["msgV"], mine["type"], mine["read"]) == (theirs["msgV"], theirs["type"], False)
    their_payload, my_payload = json.loads(theirs["text"]), json.loads(mine["text"])
    assert list(my_payload) == list(their_payload)
    assert (their_payload["assignedBy"], my_payload["assignedBy"]) == ("team-lead", "taskboard")
    assert mine["from"] == "taskboard" and my_payload["taskId"] == "2"
    assert " " not in mine["text"].replace("Two", "").replace("second", ""), "compact JSON"


def test_taskboard_writes_and_claude_code_reads_them_back_exactly(
        claude_code: ClaudeCode) -> None:
    """Every taskboard verb, then Claude Code's TaskList and TaskGet; a delete by taskboard
    followed by a TaskCreate by Claude Code does not reuse the id."""
    env = claude_code.env()
    tb = claude_code.taskboard
    home_list = env.home / "tasks" / "tb-list"
    home_list.mkdir(parents=True)
    tb(env, "create", "tb-list", "Write the parser", "--description", "Parse the header")
    tb(env, "create", "tb-list", "Test the parser", "--description", "Every branch",
       "--blocked-by", "1")
    tb(env, "create", "tb-list", "Write docs", "--description", "Document \"it\" — all")
    tb(env, "create", "tb-list", "Scratch")
    tb(env, "create", "tb-list", "Release", "--description", "Tag it", "--blocked-by", "2")
    tb(env, "block", "tb-list", "3", "--by", "2")
    tb(env, "unblock", "tb-list", "3", "--from", "2")
    tb(env, "complete", "tb-list", "3")
    tb(env, "assign", "tb-list", "1", "alice")
    tb(env, "complete", "tb-list", "1")
    tb(env, "reopen", "tb-list", "1")
    tb(env, "assign", "tb-list", "2", "bob", "--no-notify")
    tb(env, "release", "tb-list", "2")
    tb(env, "delete", "tb-list", "4")
    written = {t["id"]: t for t in claude_code.show(env, "tb-list")["tasks"]}
    assert set(written) == {"1", "2", "3", "5"}

    res = claude_code.print(env, [
        SEARCH,
        {"tool": "TaskList", "input": {}},
        *[{"tool": "TaskGet", "input": {"taskId": tid}} for tid in ("1", "2", "3", "5")],
        {"tool": "TaskCreate", "input": {"subject": "After the delete", "description": "x"}},
        {"tool": "TaskUpdate", "input": {"taskId": "2", "status": "in_progress"}},
        {"text": "Done."},
    ], task_list="tb-list")
    said = results(res)

    open_ids = {i for i, t in written.items() if t["status"] != "completed"}
    claude_sees = task_list_lines(said["TaskList#1"])
    assert claude_sees == {
        tid: (t["status"], t.get("owner"), [b for b in t["blockedBy"] if b in open_ids])
        for tid, t in written.items()}
    for n, tid in enumerate(("1", "2", "3", "5"), start=1):
        assert said[f"TaskGet#{n}"] == task_get_text(written[tid], open_ids), tid

    assert said["TaskCreate#1"] == "Task #6 created successfully: After the delete", \
        "the id taskboard deleted (#4) and the next (#5, taskboard's) are not reused"
    assert said["TaskUpdate#1"].startswith("Updated task #2")
    after = {t["id"]: t for t in claude_code.show(env, "tb-list")["tasks"]}
    assert set(after) == {"1", "2", "3", "5", "6"}
    assert after["2"]["status"] == "in_progress"
    assert after["3"]["description"] == "Document \"it\" — all"
