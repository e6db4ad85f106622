"""``taskboard doctor`` on real and broken Claude homes: what it finds, and its exit code."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from taskboard.claude.doctor import check_home, model_lacks_task_tools
from taskboard.cli import main
from tests.conftest import make_task, make_team
from tests.realcc import TEAM, TEAM_RUN, copy_home


def doctor(capsys: pytest.CaptureFixture[str], home: Path, *extra: str) -> tuple[int, str]:
    code = main(["doctor", "--claude-dir", str(home), *extra])
    return code, capsys.readouterr().out.replace("\n", " ")


def levels(home: Path, env: dict[str, str] | None = None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for finding in check_home(home, env or {}):
        out.setdefault(finding.level, []).append(finding.text)
    return out


def test_a_healthy_real_home_passes_and_says_what_it_found(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = copy_home(TEAM_RUN / "live", tmp_path / "live")
    code, out = doctor(capsys, home)
    assert code == 0, out
    assert "written by Claude Code 2.1.332" in out
    assert f"team {TEAM}: 2 member(s) (team-lead, alice), 7 task(s)" in out
    assert "transcripts found for 2 of 2 member(s)" in out
    assert "'bob', who is not a member" in out, "bob left with an undelivered message"
    code, out = doctor(capsys, home, "--json")
    doc = json.loads(out)
    assert (code, doc["problems"]) == (0, 0)


def test_no_home_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [finding] = check_home(tmp_path / "nothing", {})
    assert finding.level == "problem" and "there is no Claude home" in finding.text
    code = main(["doctor", "--claude-dir", str(tmp_path / "nothing")])
    assert code == 1 and "--claude-dir" in capsys.readouterr().err


def test_files_that_are_not_valid_tasks_are_problems(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "claude"
    paths = make_team(home, "alpha", ["team-lead", "alice"])
    make_task(paths.tasks_dir, "1")
    (paths.tasks_dir / "notes.json").write_text("{}")
    (paths.tasks_dir / "2.json").write_text('{"id": "2"')
    code, out = doctor(capsys, home)
    assert code == 1
    assert "tasks/alpha/notes.json is not a task file" in out
    assert "#2" in out and "2.json" in out


def test_locks_held_and_stale_locks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "claude"
    paths = make_team(home, "alpha", ["team-lead"])
    make_task(paths.tasks_dir, "1")
    make_task(paths.tasks_dir, "2")
    fresh = paths.tasks_dir / "1.json.lock"
    stale = paths.tasks_dir / "2.json.lock"
    fresh.mkdir()
    stale.mkdir()
    old = time.time() - 60
    os.utime(stale, (old, old))
    found = levels(home)
    assert any("2.json.lock is a stale lock" in t for t in found["warning"])
    assert any("1.json.lock is held" in t for t in found["info"])
    code, out = doctor(capsys, home, "--verbose")
    assert code == 0 and "rmdir" in out and "1.json.lock is held" in out


@pytest.mark.parametrize(("model", "lacks"), [
    ("claude-opus-4-8", True), ("claude-sonnet-4-7", True), ("claude-opus-5-0", True),
    ("claude-opus-4-7", False), ("claude-sonnet-4-5", False), ("claude-haiku-4-5", False),
    ("claude-3-7-sonnet-20250219", False), ("my-proxy-model", False), ("", False)])
def test_which_models_get_no_task_tools(model: str, lacks: bool) -> None:
    assert model_lacks_task_tools(model) is lacks


def test_settings_that_keep_tasks_off(tmp_path: Path) -> None:
    home = tmp_path / "claude"
    home.mkdir()
    settings = home / "settings.json"
    settings.write_text(json.dumps({"model": "claude-opus-4-8",
                                    "env": {"CLAUDE_CODE_ENABLE_TASKS": "false"}}))
    problems = levels(home).get("problem", [])
    assert any("CLAUDE_CODE_ENABLE_TASKS=false" in t for t in problems)
    assert any("claude-opus-4-8" in t for t in problems)
    settings.write_text(json.dumps({"model": "claude-opus-4-8",
                                    "env": {"CLAUDE_CODE_ENABLE_TODO_TOOLS": "1"}}))
    assert "problem" not in levels(home)
    assert "problem" in levels(home, {"CLAUDE_CODE_ENABLE_TASKS": "0"})


def test_a_team_of_new_models_with_no_tasks_is_a_problem_with_the_fix(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "claude"
    make_team(home, "session-1234abcd", ["team-lead", {"name": "alice",
                                                       "model": "claude-opus-4-8"}])
    code, out = doctor(capsys, home)
    assert code == 1
    assert "has no tasks" in out and "claude-opus-4-8" in out
    assert "CLAUDE_CODE_ENABLE_TODO_TOOLS=1" in out
