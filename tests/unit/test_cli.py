"""The headless command line: what each command prints, writes, and exits with."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from taskboard.claude.paths import TeamPaths
from taskboard.cli import main
from tests.conftest import make_task, make_team, message, read_json, snapshot, write_inbox


@pytest.fixture
def team(home: Path) -> TeamPaths:
    """``alpha``: #1 done, #2 running (after #1), #3 waiting on #2 and a missing #9, #4 free."""
    paths = make_team(home, "alpha", ["team-lead", {"name": "alice", "color": "green"}, "bob"])
    tasks = paths.tasks_dir
    make_task(tasks, "1", subject="Lex", status="completed", owner="alice", blocks=["2"])
    make_task(tasks, "2", subject="Parse", activeForm="Parsing", status="in_progress",
              owner="alice", blocks=["3"], blockedBy=["1"])
    make_task(tasks, "3", subject="Ship \x1b[31mred\x1b[0m", blockedBy=["2", "9"])
    make_task(tasks, "4", subject="Document")
    make_task(tasks, "5", subject="bookkeeping", owner="alice", metadata={"_internal": True})
    write_inbox(paths, "alice", [message("team-lead", "one"), message("team-lead", "two"),
                                 message("team-lead", "old", read=True)])
    return paths


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, ""), err
    return json.loads(out)


def task(team: TeamPaths, task_id: str) -> dict[str, Any]:
    return read_json(team.task_path(task_id))


# -- reading commands --------------------------------------------------------------------------


def test_ls_lists_every_list_and_team_with_counts(team: TeamPaths, home: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    make_task(home / "tasks" / "solo-list", "1")
    doc = run_json(capsys, "ls", "--json")
    assert doc["home"] == str(home)
    rows = {row["name"]: row for row in doc["lists"]}
    assert set(rows) == {"alpha", "solo-list"}
    alpha = rows["alpha"]
    assert alpha["tasks"] == 4  # the internal task is not counted
    assert alpha["counts"] == {"ready": 1, "blocked": 1, "in_progress": 1, "completed": 1,
                               "unknown": 0}
    assert (alpha["members"], alpha["hasList"], alpha["hasTeam"]) == (3, True, True)
    assert alpha["problems"] == 1
    assert (rows["solo-list"]["hasTeam"], rows["solo-list"]["members"]) == (False, 0)


def test_ls_as_text_shows_a_row_per_list(team: TeamPaths,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ls")
    assert (code, err) == (0, "")
    assert "alpha" in out and "blocked" in out


def test_ls_of_an_empty_home_says_so(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ls")
    assert code == 0
    assert "No task lists or teams" in out
    assert run_json(capsys, "ls", "--json")["lists"] == []


def test_claude_dir_option_works_before_and_after_the_command(
        team: TeamPaths, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "elsewhere"))
    before = run_json(capsys, "--claude-dir", str(home), "ls", "--json")
    after = run_json(capsys, "ls", "--json", "--claude-dir", str(home))
    assert before["home"] == after["home"] == str(home)
    assert [r["name"] for r in before["lists"]] == ["alpha"]


def test_show_json_describes_tasks_members_problems_and_alerts(
        team: TeamPaths, capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "show", "alpha", "--json")
    assert doc["name"] == "alpha"
    assert (doc["listExists"], doc["teamExists"]) == (True, True)
    tasks = {t["id"]: t for t in doc["tasks"]}
    assert [t["id"] for t in doc["tasks"]] == ["1", "2", "3", "4", "5"]
    for entry in doc["tasks"]:
        assert {"id", "subject", "status", "owner", "blocks", "blockedBy", "state"} <= set(entry)
    assert (tasks["1"]["state"], tasks["2"]["state"], tasks["3"]["state"],
            tasks["4"]["state"]) == ("completed", "in_progress", "blocked", "ready")
    assert tasks["4"]["owner"] is None
    assert tasks["2"]["owner"] == "alice"
    assert tasks["3"]["blockedBy"] == ["2", "9"] and tasks["2"]["blocks"] == ["3"]
    members = {m["name"]: m for m in doc["members"]}
    assert list(members) == ["team-lead", "alice", "bob"]
    assert (members["alice"]["active"], members["alice"]["unread"]) == (True, 2)
    assert (members["bob"]["active"], members["bob"]["unread"]) == (None, 0)
    assert members["alice"]["running"] == ["2"]
    assert members["alice"]["color"] == "green"
    [problem] = doc["problems"]
    assert problem["kind"] == "dangling_ref" and problem["task"] == "3"
    assert "#9" in problem["detail"]
    assert doc["counts"]["blocked"] == 1
    assert isinstance(doc["alerts"], list)


def test_show_json_alerts_are_what_check_says_beside_the_files_problems(
        team: TeamPaths) -> None:
    """``show --json`` takes its alerts from its flags, less the files' problems, instead of
    running the rules again: on a board with problems, trouble and idle agents (an hour on),
    they are exactly what ``check`` (the rules without the problems) returns."""
    from taskboard.board.health import check
    from taskboard.board.model import Board
    from taskboard.claude.reader import load_board
    from taskboard.cli.read import board_json, json_document

    tasks = team.tasks_dir
    make_task(tasks, "6", subject="Loop a", blocks=["7"], blockedBy=["7"])
    make_task(tasks, "7", subject="Loop b", blocks=["6"], blockedBy=["6"])
    make_task(tasks, "8", subject="One-sided", blockedBy=["4"])
    make_task(tasks, "10", subject="Gone owner", status="in_progress", owner="carol",
              blocks=["11"])
    make_task(tasks, "11", subject="Waits on trouble", blockedBy=["10"])
    (tasks / "12.json").write_text("[1, 2]", encoding="utf-8")
    board: Board = load_board(team, settle=0)
    now = board.last_change + 3600
    doc = json.loads(json_document(board_json(board, now)))
    kinds = {f["kind"] for f in doc["flags"]}
    assert {"cycle", "dangling_ref", "asymmetric", "not_an_object"} <= kinds
    assert {"owner_gone", "waiting_on_trouble", "stalled"} <= kinds
    assert doc["alerts"] == [a.to_json() for a in check(board, now)]
    assert len(doc["alerts"]) < len(doc["flags"])


def test_show_json_reports_an_unreadable_file_with_its_path(
        team: TeamPaths, capsys: pytest.CaptureFixture[str]) -> None:
    (team.tasks_dir / "6.json").write_text("not json")
    doc = run_json(capsys, "show", "alpha", "--json")
    broken = [p for p in doc["problems"] if p["kind"] == "invalid_json"]
    assert [p["path"] for p in broken] == [str(team.task_path("6"))]


def test_show_prints_each_task_with_escape_sequences_removed(
        team: TeamPaths, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "alpha")
    assert (code, err) == (0, "")
    for text in ("#1", "Lex", "running", "blocked", "Ship red", "dangling_ref"):
        assert text in out
    assert "\x1b" not in out


def test_show_of_an_unknown_team_is_refused_on_one_line(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "nope")
    assert code == 1
    assert out == ""
    assert err.startswith("taskboard: ") and err.count("\n") == 1
    assert "nope" in err


def test_tree_prints_the_outline_with_dependants_under_blockers(
        team: TeamPaths, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tree", "alpha")
    assert code == 0
    lines = out.splitlines()
    order = [next(i for i, line in enumerate(lines) if f"#{tid} " in line) for tid in "123"]
    assert order == sorted(order)
    depth = {tid: lines[i].index(f"#{tid}") for tid, i in zip("123", order, strict=True)}
    assert depth["1"] < depth["2"] < depth["3"]
    assert "bookkeeping" not in out
    assert "\x1b" not in out


def test_tree_reverse_starts_from_the_last_tasks(team: TeamPaths,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tree", "alpha", "--reverse")
    assert code == 0
    lines = out.splitlines()
    first = {tid: next(i for i, line in enumerate(lines) if f"#{tid} " in line) for tid in "123"}
    assert first["3"] < first["2"] < first["1"]


# -- writing commands --------------------------------------------------------------------------


def test_complete_writes_and_prints_a_summary(team: TeamPaths,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "complete", "alpha", "2")
    assert (code, err) == (0, "")
    assert out.strip() == "completed #2"
    assert task(team, "2")["status"] == "completed"


def test_complete_json_prints_the_change(team: TeamPaths,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "complete", "alpha", "2", "--json")
    assert (doc["verb"], doc["team"], doc["target"]) == ("complete", "alpha", "#2")
    [change] = doc["changes"]
    assert change["task"] == "2"
    assert (change["before"]["status"], change["after"]["status"]) == ("in_progress",
                                                                       "completed")


def test_reopen_and_release(team: TeamPaths, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "reopen", "alpha", "1")[0] == 0
    assert task(team, "1")["status"] == "pending"
    assert run(capsys, "release", "alpha", "2")[0] == 0
    assert task(team, "2")["status"] == "pending" and "owner" not in task(team, "2")


def test_assign_notifies_the_agent_by_default(team: TeamPaths,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "assign", "alpha", "4", "bob", "--json", "--sender", "operator")
    assert task(team, "4")["owner"] == "bob"
    [sent] = read_json(team.inbox_path("bob"))
    payload = json.loads(sent["text"])
    assert (sent["from"], sent["read"]) == ("operator", False)
    assert (payload["type"], payload["taskId"], payload["assignedBy"]) == (
        "task_assignment", "4", "operator")
    assert [m["agent"] for m in doc["messages"]] == ["bob"]


def test_messages_default_to_taskboards_own_name(team: TeamPaths,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "assign", "alpha", "4", "bob")[0] == 0
    assert run(capsys, "send", "alpha", "bob", "hello")[0] == 0
    first, second = read_json(team.inbox_path("bob"))
    assert (first["from"], json.loads(first["text"])["assignedBy"]) == ("taskboard", "taskboard")
    assert (second["from"], second["type"], second["msgV"]) == ("taskboard", "message", 1)


@pytest.mark.parametrize("command", [["assign", "alpha", "4", "bob"],
                                     ["send", "alpha", "bob", "hi"]])
def test_a_lead_name_as_sender_is_refused(team: TeamPaths, home: Path, command: list[str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(home)
    code, _, err = run(capsys, *command, "--sender", "team-lead")
    assert code == 1 and "lead name" in err and "forged" in err
    assert snapshot(home) == before


@pytest.mark.parametrize("command", [["assign", "alpha", "4", "dave"],
                                     ["send", "alpha", "dave", "hi"]])
def test_a_name_that_is_not_a_member_is_refused_unless_forced(
        team: TeamPaths, home: Path, command: list[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(home)
    code, _, err = run(capsys, *command)
    assert code == 1 and "'dave' is not a member" in err and "--force" in err
    assert snapshot(home) == before, "no stray dave.json"
    assert run(capsys, *command, "--force")[0] == 0
    assert len(read_json(team.inbox_path("dave"))) == 1


def test_send_to_a_list_with_no_team_delivers(home: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    make_task(home / "tasks" / "printlist", "1")
    assert run(capsys, "assign", "printlist", "1", "bob")[0] == 0
    assert run(capsys, "send", "printlist", "bob", "hi")[0] == 0
    paths = TeamPaths(home, "printlist")
    assert [m["from"] for m in read_json(paths.inbox_path("bob"))] == ["taskboard", "taskboard"]


def test_assign_no_notify_writes_no_message(team: TeamPaths,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "assign", "alpha", "4", "bob", "--no-notify")[0] == 0
    assert task(team, "4")["owner"] == "bob"
    assert not team.inbox_path("bob").exists()


def test_unblock_from_named_blockers_and_all_unmet(team: TeamPaths,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "unblock", "alpha", "3", "--from", "9")[0] == 0
    assert task(team, "3")["blockedBy"] == ["2"]
    assert run(capsys, "unblock", "alpha", "3")[0] == 0
    assert task(team, "3")["blockedBy"] == []
    assert task(team, "2")["blocks"] == []


def test_unblock_from_is_repeatable(team: TeamPaths, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "unblock", "alpha", "3", "--from", "2", "--from", "9")[0] == 0
    assert task(team, "3")["blockedBy"] == []


def test_block_links_both_sides_and_refuses_a_cycle(team: TeamPaths, home: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "block", "alpha", "4", "--by", "3")[0] == 0
    assert task(team, "4")["blockedBy"] == ["3"] and task(team, "3")["blocks"] == ["4"]
    before = snapshot(home)
    code, _, err = run(capsys, "block", "alpha", "1", "--by", "4")
    assert code == 1 and "cycle" in err and err.count("\n") == 1
    assert snapshot(home) == before


def test_create_prints_the_new_task_and_links_blockers(team: TeamPaths,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    doc = run_json(capsys, "create", "alpha", "Release notes", "--description", "For 1.0",
                   "--blocked-by", "4", "--blocked-by", "2", "--json")
    assert doc["target"] == "#6"
    assert task(team, "6")["blockedBy"] == ["4", "2"]
    assert task(team, "6")["description"] == "For 1.0"
    assert task(team, "4")["blocks"] == ["6"]


def test_delete_removes_the_task_everywhere(team: TeamPaths,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "delete", "alpha", "2")[0] == 0
    assert not team.task_path("2").exists()
    assert task(team, "1")["blocks"] == [] and task(team, "3")["blockedBy"] == ["9"]
    assert (team.tasks_dir / ".highwatermark").read_text() == "2"


def test_send_appends_to_the_inbox(team: TeamPaths, capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "send", "alpha", "bob", "Please start #4", "--summary", "start #4",
                   "--json")
    [sent] = read_json(team.inbox_path("bob"))
    assert (sent["text"], sent["summary"], sent["read"]) == ("Please start #4", "start #4",
                                                             False)
    assert doc["verb"] == "send" and doc["messages"][0]["agent"] == "bob"


@pytest.mark.parametrize("argv", [
    ("complete", "alpha", "2"),
    ("reopen", "alpha", "1"),
    ("release", "alpha", "2"),
    ("assign", "alpha", "4", "bob", "--no-notify"),
    ("unblock", "alpha", "3"),
    ("block", "alpha", "4", "--by", "1"),
    ("create", "alpha", "New"),
    ("delete", "alpha", "4"),
    ("send", "alpha", "bob", "hi"),
])
def test_every_write_command_prints_its_record_as_json(team: TeamPaths,
                                                       capsys: pytest.CaptureFixture[str],
                                                       argv: tuple[str, ...]) -> None:
    doc = run_json(capsys, *argv, "--json")
    assert doc["verb"] == argv[0]
    assert doc["team"] == "alpha"
    assert doc["summary"]
    assert doc["changes"] or doc["messages"]
    for change in doc["changes"]:
        assert change["before"] != change["after"]


# -- preconditions and refusals ----------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ("complete", "alpha", "2", "--if-status", "pending"),
    ("complete", "alpha", "2", "--if-owner", "bob"),
    ("complete", "alpha", "2", "--if-owner", ""),
    ("assign", "alpha", "2", "bob", "--if-owner", ""),
    ("release", "alpha", "2", "--if-status", "completed", "--if-owner", "alice"),
    ("delete", "alpha", "4", "--if-owner", "alice"),
    ("unblock", "alpha", "3", "--if-status", "in_progress"),
    ("block", "alpha", "4", "--by", "1", "--if-owner", "bob"),
    ("reopen", "alpha", "1", "--if-owner", "bob"),
])
def test_a_precondition_that_fails_writes_nothing_and_exits_1(
        team: TeamPaths, home: Path, capsys: pytest.CaptureFixture[str],
        argv: tuple[str, ...]) -> None:
    before = snapshot(home)
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert err.startswith("taskboard: task #") and err.count("\n") == 1
    assert "nothing was written" in err
    assert snapshot(home) == before


def test_preconditions_that_hold_let_the_write_through(team: TeamPaths,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    assert run(capsys, "assign", "alpha", "4", "bob", "--if-owner", "", "--if-status",
               "pending", "--no-notify")[0] == 0
    assert run(capsys, "complete", "alpha", "2", "--if-owner", "alice")[0] == 0
    assert task(team, "4")["owner"] == "bob" and task(team, "2")["status"] == "completed"


@pytest.mark.parametrize("argv", [
    ("complete", "alpha", "1"),
    ("complete", "alpha", "77"),
    ("complete", "alpha", "abc"),
    ("complete", "nope", "1"),
    ("complete", "../alpha", "1"),
    ("unblock", "alpha", "4"),
    ("create", "alpha", "x", "--blocked-by", "77"),
    ("send", "alpha", "bob", "  "),
])
def test_a_refusal_exits_1_with_one_line_and_writes_nothing(
        team: TeamPaths, home: Path, capsys: pytest.CaptureFixture[str],
        argv: tuple[str, ...]) -> None:
    before = snapshot(home)
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert err.startswith("taskboard: ") and err.count("\n") == 1
    assert snapshot(home) == before


@pytest.mark.parametrize("argv", [
    ("show",),
    ("complete", "alpha"),
    ("complete", "alpha", "2", "--if-status", "bogus"),
    ("block", "alpha", "4"),
    ("ls", "--frobnicate"),
])
def test_usage_errors_exit_2_and_write_nothing(team: TeamPaths, home: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               argv: tuple[str, ...]) -> None:
    before = snapshot(home)
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "usage:" in err
    assert snapshot(home) == before


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "usage: taskboard" in out
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("taskboard ")
    code, out, _ = run(capsys, "complete", "--help")
    assert code == 0 and "--if-owner" in out


def test_python_dash_m_taskboard_help_works() -> None:
    done = subprocess.run([sys.executable, "-m", "taskboard", "--help"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "usage: taskboard" in done.stdout
    for command in ("ls", "show", "tree", "assign", "unblock"):
        assert command in done.stdout
