"""Every command's --help is complete: a description or help line, and an example."""

from __future__ import annotations

import argparse

import pytest

from taskboard.cli import build_parser, main


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
