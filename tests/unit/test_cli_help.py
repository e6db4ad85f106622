"""Every command's --help is complete: a description or help line, and an example."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from taskboard.cli import _with_default_command, build_parser, main


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_command_help_ends_with_an_example(name: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: taskboard {name}")
    tail = text.rsplit("\n\n", 1)[-1]
    assert tail.startswith(("example:", "examples:")), f"{name} --help has no example"
    assert "taskboard" in tail


def test_the_top_level_help_lists_every_command_and_examples(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for name in subcommands():
        assert f"    {name}" in text
    assert "examples:" in text


def test_version_names_taskboard_python_and_textual(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("taskboard ") and "Python 3." in out and "Textual " in out


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_command_lines() -> list[str]:
    """Every ``taskboard ...`` command in the README's shell blocks (comments and pipes cut)."""
    lines = []
    text = README.read_text(encoding="utf-8")
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            command = re.split(r"  #| \|\|? | && | > ", line, maxsplit=1)[0].strip()
            if command.startswith("taskboard"):
                lines.append(command)
    return lines


def test_every_command_the_readme_shows_parses() -> None:
    """No line of the README is a usage error (the usage section's lines also run, in
    test_cli_promises): placeholders get values, ``[--opt X]`` is taken as given."""
    lines = readme_command_lines()
    assert any(line.startswith("taskboard serve") for line in lines)
    assert any(line.startswith("taskboard events") for line in lines)
    fill = {"TEAM": "my-team", "ID": "3", "AGENT": "alice", "SUBJECT": "Write docs",
            "TEXT": "hello", "S": "pending", "NAME": "alice", "FILE": "config.toml",
            "DIR": "/tmp", "LEVEL": "critical", "N": "3", "TIME": "1h"}
    for line in lines:
        line = re.sub(r"\[(--[a-z-]+)( [A-Z]+)?( \.\.\.)?\]", r"\1\2", line)
        line = re.sub(r"\[([A-Z]+)( \.\.\.)?\]", r"\1", line)
        for variant in _expand(shlex.split(line)[1:]):
            argv = [fill.get(word, word) for word in variant]
            try:
                build_parser().parse_args(_with_default_command(argv))
            except SystemExit as exit_:
                raise AssertionError(f"README line {line!r} is a usage error") from exit_


def _expand(words: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for word in words:
        choices = word.split("|") if "|" in word and not word.startswith("-") else [word]
        out = [[*argv, choice] for argv in out for choice in choices]
    return out
