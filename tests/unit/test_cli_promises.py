"""The command line keeps the README's word (issue 12): options anywhere, mistyped commands,
a missing Claude home, piped output whole and quiet, one wording for an unknown team."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from taskboard.claude.paths import TeamPaths
from taskboard.cli import _unknown_command, _with_default_command, build_parser, main
from taskboard.config import load_settings
from tests.conftest import make_task, make_team

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def team(home: Path) -> TeamPaths:
    paths = make_team(home, "my-team", ["team-lead", "alice"])
    make_task(paths.tasks_dir, "1", subject="Lex", status="completed", owner="alice",
              blocks=["2"])
    make_task(paths.tasks_dir, "2", subject="Parse", blockedBy=["1"])
    make_task(paths.tasks_dir, "3", subject="Ship")
    return paths


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def parsed(*argv: str):
    return build_parser().parse_args(_with_default_command(list(argv)))


def taskboard(*argv: str, env: dict[str, str] | None = None,
              shell: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``taskboard`` in a subprocess, stdout a pipe (never a terminal)."""
    command = [sys.executable, "-m", "taskboard", *argv]
    full_env = {**os.environ, **(env or {})}
    if shell is not None:
        command = ["bash", "-o", "pipefail", "-c",
                   f"{shlex.join(command)} {shell}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False,
                          env=full_env)


# -- options before or after the team name -----------------------------------------------------


@pytest.mark.parametrize("argv", [
    ("--read-only", "my-team"), ("my-team", "--read-only"),
    ("--config", "x.toml", "--read-only", "my-team"), ("my-team", "--config", "x.toml"),
    ("--claude-dir", "/h", "--read-only", "my-team"),
])
def test_console_options_work_before_or_after_the_team(argv: tuple[str, ...]) -> None:
    args = parsed(*argv)
    assert (args.command, args.team) == ("open", "my-team")
    assert args.read_only == ("--read-only" in argv)
    assert args.config == ("x.toml" if "--config" in argv else None)


def test_options_before_a_command_reach_it(team: TeamPaths,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--json", "show", "my-team")
    assert (code, err) == (0, "")
    assert json.loads(out)["name"] == "my-team"
    assert parsed("--read-only").command == "open"
    assert parsed("--speed", "4", "demo").speed == 4


def _readme_commands() -> list[str]:
    """Every ``taskboard ...`` line in the code blocks of the README's "Using it" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using it", 1)[1].split("\n## ", 1)[0]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        for line in block.splitlines():
            command = line.split("  #", 1)[0].strip()
            if command.startswith("taskboard"):
                lines.append(command)
    return lines


def _concrete(line: str) -> list[list[str]]:
    """The README's placeholders filled in for the fixture home; ``a|b`` expands to each."""
    words = shlex.split(re.sub(r"\[(--[a-z-]+)( [A-Z]+)?( \.\.\.)?\]", r"\1\2", line))[1:]
    fill = {"TEAM": "my-team", "ID": "3", "AGENT": "alice", "SUBJECT": "Write docs",
            "TEXT": "hello", "S": "pending", "NAME": "alice", "FILE": "config.toml",
            "DIR": "", "LEVEL": "critical"}
    out: list[list[str]] = [[]]
    for word in words:
        choices = word.split("|") if "|" in word else [fill.get(word, word)]
        out = [[*argv, choice] for argv in out for choice in choices if choice]
    return out


def test_every_command_of_the_readme_usage_section_runs(
        team: TeamPaths, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _readme_commands()
    assert len(lines) >= 14, lines
    ran = 0
    for line in lines:
        for argv in _concrete(line):
            args = parsed(*argv)  # SystemExit (a usage error) fails the test here
            if args.command in ("open", "demo"):
                assert args.handler is not None
                continue
            make_task(team.tasks_dir, "3", subject="Ship", owner="alice")  # fresh each time
            code, _, err = run(capsys, *argv)
            assert code != 2, f"{line!r} as {argv} was refused as usage: {err}"
            ran += 1
    assert ran >= 12


def test_the_readme_states_its_requirements_and_every_confirm_value() -> None:
    text = README.read_text(encoding="utf-8")
    assert "Python 3.11" in text and "python3-venv" in text
    from taskboard.config import CONFIRM_POLICIES

    config = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for policy in CONFIRM_POLICIES:
        assert f'"{policy}"' in config, policy


def test_the_readme_binding_ids_exist() -> None:
    from taskboard.ui.keys import known_binding_ids

    text = README.read_text(encoding="utf-8")
    config = text.split("[keymap]", 1)[1].split("```", 1)[0]
    ids = re.findall(r'^"([^"]+)"\s*=', config, re.M)
    assert ids and set(ids) <= known_binding_ids()
    listed = text.split("binding ids:", 1)[1].split("\n\n", 1)[0]
    named = re.findall(r"`([a-z_]+\.[a-z_]+)`", listed)
    assert len(named) >= 30 and set(named) <= known_binding_ids()


# -- mistyped commands, unknown teams ----------------------------------------------------------


@pytest.mark.parametrize(("argv", "suggestion"), [
    (("lss",), "'ls'"), (("shwo", "my-team"), "'show'"), (("tre", "my-team"), "'tree'"),
])
def test_a_mistyped_command_is_named_with_a_suggestion(
        team: TeamPaths, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...],
        suggestion: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert f"unknown command '{argv[0]}', did you mean {suggestion}" in err


def test_a_team_named_like_a_command_is_not_taken_for_a_typo(home: Path) -> None:
    assert _unknown_command(["lss"], build_parser())
    make_team(home, "lss")
    assert _unknown_command(["lss"], build_parser()) is None
    assert _unknown_command(["--read-only", "bogus"], build_parser()) is None


def test_an_unknown_team_under_a_pipe_exits_with_a_clear_message(home: Path) -> None:
    done = taskboard("bogus", env={"CLAUDE_CONFIG_DIR": str(home)})
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (f"taskboard: no task list or team named 'bogus' in {home}; "
                           "the console waits for a team to appear only on a terminal\n")


def test_the_picker_under_a_pipe_exits_with_a_clear_message(home: Path) -> None:
    make_team(home, "alpha")
    done = taskboard(env={"CLAUDE_CONFIG_DIR": str(home)})
    assert done.returncode == 1 and done.stdout == ""
    assert "needs a terminal" in done.stderr and "taskboard ls" in done.stderr


@pytest.mark.parametrize("argv", [
    ("show", "My Team"), ("tree", "My Team"), ("complete", "My Team", "1"),
    ("create", "My Team", "x"), ("send", "My Team", "alice", "hi"),
])
def test_one_wording_for_an_unknown_team(home: Path, capsys: pytest.CaptureFixture[str],
                                         argv: tuple[str, ...]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert err == f"taskboard: no task list or team named 'My Team' (read as 'my-team') in {home}\n"


@pytest.mark.parametrize("argv", [
    ("ls",), ("show", "my-team"), ("tree", "my-team"), ("complete", "my-team", "1"),
    ("create", "my-team", "x"), ("my-team",), (),
])
def test_a_missing_claude_home_is_named_with_a_hint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        argv: tuple[str, ...]) -> None:
    missing = tmp_path / "no-such-home"
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(missing))
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert f"the Claude home {missing} does not exist" in err
    assert "--claude-dir" in err and "$CLAUDE_CONFIG_DIR" in err
    code, _, err = run(capsys, "--claude-dir", str(missing / "x"), *argv)
    assert code == 1 and f"{missing / 'x'} does not exist" in err


# -- usage errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ("create", "my-team", ""), ("create", "my-team", "  "),
    ("demo", "--speed", "0"), ("demo", "--speed", "-1"), ("demo", "--speed", "nan"),
])
def test_empty_subjects_and_non_positive_speeds_are_usage_errors(
        team: TeamPaths, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    before = sorted(p.name for p in team.tasks_dir.iterdir())
    code, _, err = run(capsys, *argv)
    assert code == 2 and "usage:" in err
    assert sorted(p.name for p in team.tasks_dir.iterdir()) == before


# -- piped output ------------------------------------------------------------------------------


def test_piped_output_is_never_cut_or_wrapped(home: Path) -> None:
    name = "0b7c3e0e-6aaa-4bbb-8ccc-1234567890ab-a-long-list-name"
    subject = "A subject long enough to be cut at eighty columns " * 3
    make_task(home / "tasks" / name, "1", subject=subject.strip(), blockedBy=["99"])
    env = {"CLAUDE_CONFIG_DIR": str(home), "COLUMNS": "80"}
    listing = taskboard("ls", env=env)
    assert listing.returncode == 0
    assert name in listing.stdout.splitlines()[1]
    shown = taskboard("show", name, env=env)
    assert subject.strip() in shown.stdout
    [problem] = [line for line in shown.stdout.splitlines() if "dangling_ref" in line]
    assert "#99, which does not exist" in problem


@pytest.mark.parametrize("json_flag", [(), ("--json",)])
def test_show_into_head_ends_quietly(home: Path, json_flag: tuple[str, ...]) -> None:
    paths = make_team(home, "big")
    for number in range(1, 400):
        make_task(paths.tasks_dir, str(number), subject=f"Task number {number} " * 4)
    done = taskboard("show", "big", *json_flag, env={"CLAUDE_CONFIG_DIR": str(home)},
                     shell="| head -n 2")
    assert len(done.stdout.splitlines()) == 2
    assert done.stderr == "", done.stderr


def test_show_names_the_task_and_file_of_every_problem(
        team: TeamPaths, capsys: pytest.CaptureFixture[str]) -> None:
    (team.tasks_dir / "7.json").write_text("")
    (team.tasks_dir / "8.json").write_text('{"id": "8", "subject": "cut')
    make_task(team.tasks_dir, "4", blockedBy=["42"])
    code, out, _ = run(capsys, "show", "my-team")
    assert code == 0
    lines = out.split("problem(s):", 1)[1].strip().splitlines()
    assert len(lines) == 3
    assert any(line.strip().startswith("#7 (") and str(team.task_path("7")) in line
               and "torn" in line for line in lines)
    assert any(line.strip().startswith("#8 (") and str(team.task_path("8")) in line
               for line in lines)
    assert any(line.strip().startswith("#4") and "#42" in line for line in lines)


def test_json_error_details_read_once(team: TeamPaths,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    (team.tasks_dir / "8.json").write_text('{"id": "8", "subject": "cut')
    code, out, _ = run(capsys, "show", "my-team", "--json")
    [problem] = [p for p in json.loads(out)["problems"] if p.get("task") == "8"]
    assert " at at " not in problem["detail"]
    assert "line 1 column" in problem["detail"]


# -- configuration -----------------------------------------------------------------------------


def test_bad_config_values_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "textual-dark"\n\nstall_minutes = -3\n[keymap]\n'
                    '"console.pause" = "ctrl+s"\n')
    settings, warnings = load_settings(path)
    assert settings.stall_minutes == 10
    assert warnings == [f"{path}, line 3: 'stall_minutes' should be a positive number of "
                        "minutes, not -3; default used"]
    assert settings.where("keymap.console.pause") == f"{path}, line 5"


@pytest.mark.parametrize("name", ["console.svg", "console-narrow.svg"])
def test_the_readme_screenshots_show_the_current_footer(name: str) -> None:
    """Regenerate with ``python scripts/screenshots.py`` when the footer changes."""
    import html

    svg = (README.parent / "screenshots" / name).read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
    assert name in README.read_text(encoding="utf-8")
    assert " ? Help  q Quit  p Pause" in text



def test_a_served_console_may_still_wait_for_its_team(home: Path) -> None:
    """``serve`` runs the console over a pipe with Textual's web driver: it is not refused
    there (the browser tab has a screen to wait on)."""
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(home),
           "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver"}
    process = subprocess.Popen([sys.executable, "-m", "taskboard", "bogus"], env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        first = process.stdout.read(1)  # the web driver speaks as soon as the app runs
        assert first, process.stderr.read().decode()
        assert process.poll() is None, "the served console was refused"
    finally:
        process.kill()
        process.communicate(timeout=30)


def test_a_hook_exits_0_even_without_a_claude_home(tmp_path: Path) -> None:
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(tmp_path / "no-such-home"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "taskboard", "hook"], input="{}",
                          capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr
