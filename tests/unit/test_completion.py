"""Shell completion: the candidates, and the scripts run by real shells."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from taskboard.cli import build_parser
from taskboard.cli.completion import SCRIPTS, candidates
from tests.conftest import make_task, make_team


@pytest.fixture
def teams(home: Path) -> Path:
    team = make_team(home, "alpha", ["team-lead", "alice"])
    make_task(team.tasks_dir, "1", subject="One")
    make_task(team.tasks_dir, "12", subject="Twelve")
    make_task(home / "tasks" / "beta", "3", subject="Three")
    return home


def test_commands_teams_task_ids_and_members_are_completed(teams: Path) -> None:
    parser = build_parser()
    assert "assign" in candidates(parser, [], "as")
    assert candidates(parser, [], "al") == ["alpha"]
    assert candidates(parser, ["show"]) == ["alpha", "beta"]
    assert candidates(parser, ["complete", "alpha"]) == ["1", "12"]
    assert candidates(parser, ["assign", "alpha", "12"]) == ["team-lead", "alice"]
    assert candidates(parser, ["completion"]) == ["bash", "fish", "zsh"]


def test_options_only_when_a_dash_is_typed_and_option_values_are_skipped(teams: Path) -> None:
    parser = build_parser()
    assert not any(c.startswith("-") for c in candidates(parser, ["assign", "alpha"]))
    assert "--no-notify" in candidates(parser, ["assign", "alpha", "1"], "--")
    # --if-status takes a value: the word after it is not the team.
    assert candidates(parser, ["complete", "--if-status", "pending"]) == ["alpha", "beta"]
    assert candidates(parser, ["complete", "--if-status"]) == ["pending", "in_progress",
                                                               "completed"]


def test_a_claude_dir_on_the_line_is_where_teams_come_from(tmp_path: Path, teams: Path) -> None:
    other = tmp_path / "other"
    make_task(other / "tasks" / "gamma", "1")
    assert candidates(build_parser(), ["--claude-dir", str(other), "show"]) == ["gamma"]


def run_bash(line: str, home: Path) -> list[str]:
    bin_dir = Path(sys.executable).parent
    script = subprocess.run([sys.executable, "-m", "taskboard", "completion", "bash"],
                            capture_output=True, text=True, check=True).stdout
    words = line.split(" ")
    program = (script + "\nCOMP_WORDS=(" + " ".join(f"'{w}'" for w in words) + ")\n"
               f"COMP_CWORD={len(words) - 1}\n_taskboard\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    env = dict(os.environ, CLAUDE_CONFIG_DIR=str(home),
               PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True,
                          env=env, timeout=60, check=True)
    return [w for w in done.stdout.splitlines() if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_runs_the_script_and_completes_from_the_home(teams: Path) -> None:
    if not (Path(sys.executable).parent / "taskboard").exists():
        pytest.skip("the taskboard script is not installed next to this Python")
    assert run_bash("taskboard assi", teams) == ["assign"]
    assert run_bash("taskboard complete alpha ", teams) == ["1", "12"]
    assert run_bash("taskboard assign alpha 1 --no", teams) == ["--no-notify"]


@pytest.mark.parametrize("shell,check", [("zsh", ["zsh", "-n"]), ("fish", ["fish", "-n"])])
def test_the_zsh_and_fish_scripts_parse(shell: str, check: list[str], tmp_path: Path) -> None:
    if shutil.which(check[0]) is None:
        pytest.skip(f"{shell} is not installed")
    path = tmp_path / f"taskboard.{shell}"
    path.write_text(SCRIPTS[shell])
    done = subprocess.run([*check, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
