"""The real Claude Code CLI in taskboard's test suite: a reusable fixture.

Every test in this folder is marked ``claude_code`` (``pytest -m 'not claude_code'`` leaves them
out). They run the real binary that users have, fetched from the npm registry at a pinned version
into ``<repo>/.cache/claude/`` (git-ignored, about 170 MB to download once), against the scripted
Messages API of ``fake_api.py`` on 127.0.0.1. No account, no network after the first fetch.

Environment:

- ``TASKBOARD_CLAUDE_VERSION``: the version to fetch instead of the pinned one; ``latest`` asks the
  registry for the newest.
- ``TASKBOARD_CLAUDE_BIN``: use this binary and fetch nothing.
- ``CI``: when the binary cannot be had (no npm, no registry) or tmux is missing, the tests FAIL
  instead of skipping.

Fixtures:

- ``claude_bin`` (session): the path of the binary.
- ``claude_code`` (per test): a :class:`ClaudeCode` bound to the test's ``tmp_path``. Use it to
  make a private Claude home (:meth:`ClaudeCode.env`), run ``claude -p`` on a script
  (:meth:`ClaudeCode.print`), start an interactive team under tmux (:meth:`ClaudeCode.team`),
  and run taskboard's CLI against that home as a real subprocess (:meth:`ClaudeCode.taskboard`).
  A test of Claude Code hooks would pass ``settings={"hooks": {...}}`` to ``env()``.

The script format (what the fake model answers, per agent and per trigger) is in ``script.py``;
the harness (``ClaudeEnv``, ``run_print``, ``Team``) in ``harness.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest

from taskboard.cli import main as taskboard_main
from tests.claude_code.harness import ClaudeEnv, PrintResult, Team, run_print

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CACHE = REPO / ".cache" / "claude"
PINNED_VERSION = "2.1.332"
"""The Claude Code version the suite is pinned to (README: versions it passed on)."""
FETCH_TIMEOUT = 900.0

SEARCH = {"tool": "ToolSearch",
          "input": {"query": "select:TaskCreate,TaskGet,TaskList,TaskUpdate,SendMessage",
                    "max_results": 10}}
"""The first turn of every agent: Claude Code 2.1.3xx defers its task tools until searched."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder ``claude_code``."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.claude_code)


def unavailable(reason: str) -> NoReturn:
    """Skip with the reason; under CI, fail: there these tests must run."""
    if os.environ.get("CI"):
        pytest.fail(f"the real-Claude-Code tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def wanted_version() -> str:
    return os.environ.get("TASKBOARD_CLAUDE_VERSION") or PINNED_VERSION


@pytest.fixture(scope="session")
def claude_bin() -> str:
    """The real Claude Code binary: TASKBOARD_CLAUDE_BIN, else fetched (and cached) from npm."""
    given = os.environ.get("TASKBOARD_CLAUDE_BIN")
    if given:
        return given
    version = wanted_version()
    if not shutil.which("npm") and not any(CACHE.glob(f"claude-{version}-*/package/claude")):
        unavailable(f"npm is needed to fetch Claude Code {version} from the npm registry")
    try:
        done = subprocess.run(["bash", str(HERE / "fetch_claude.sh"), version, str(CACHE)],
                              capture_output=True, text=True, timeout=FETCH_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        unavailable(f"could not fetch Claude Code {version}: {exc}")
    if done.returncode != 0:
        unavailable(f"could not fetch Claude Code {version}: {done.stderr.strip()[-400:]}")
    return done.stdout.strip().splitlines()[-1]


@dataclass
class ClaudeCode:
    """The real Claude Code, run against the scripted model in a test's own folders."""

    bin: str
    root: Path
    runs: int = 0
    teams: list[Team] = field(default_factory=list)

    def env(self, **options: Any) -> ClaudeEnv:
        """A fresh private Claude home, HOME and project folder (see ``ClaudeEnv`` for the
        options: model, extra_env, todo_tools, pane, allow, settings)."""
        self.runs += 1
        return ClaudeEnv(self.bin, self.root / f"run{self.runs}", **options)

    def print(self, env: ClaudeEnv, script: Any, *, task_list: str | None = None,
              **options: Any) -> PrintResult:
        """``claude -p`` on ``script``; asserts that it exited 0."""
        result = run_print(env, script, task_list=task_list, **options)
        assert result.returncode == 0, result.stderr[-2000:]
        return result

    def team(self, env: ClaudeEnv, script: Any, **options: Any) -> Team:
        """An interactive session (agent teams on) in tmux; use as a context manager."""
        if not shutil.which("tmux"):
            unavailable("tmux is needed for an interactive Claude Code team")
        team = Team(env, script, **options)
        self.teams.append(team)
        return team

    def taskboard(self, env: ClaudeEnv, *args: str, check: bool = True,
                  process: bool = False) -> subprocess.CompletedProcess[str]:
        """The taskboard CLI on ``env.home``: in this process (fast), or with ``process`` as a
        real subprocess of this Python."""
        # taskboard's own data (its journal) stays in the test's folder, never ~/.local/share.
        argv = ["--claude-dir", str(env.home), "--data-dir", str(env.work / "taskboard-data"),
                *args]
        if process:
            child_env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE")}
            child_env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(REPO), child_env.get("PYTHONPATH")]))
            done = subprocess.run([sys.executable, "-m", "taskboard", *argv],
                                  capture_output=True, text=True, timeout=60, env=child_env,
                                  cwd=env.work)
        else:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = taskboard_main(argv)
            done = subprocess.CompletedProcess(["taskboard", *argv], code, out.getvalue(),
                                               err.getvalue())
        if check:
            assert done.returncode == 0, done.stderr
        return done

    def show(self, env: ClaudeEnv, name: str) -> dict[str, Any]:
        """``taskboard show NAME --json``."""
        return json.loads(self.taskboard(env, "show", name, "--json").stdout)


@pytest.fixture
def claude_code(claude_bin: str, tmp_path: Path) -> Iterator[ClaudeCode]:
    """The real Claude Code, ready to run in this test's tmp_path (see the module docstring)."""
    helper = ClaudeCode(claude_bin, tmp_path)
    yield helper
    for team in helper.teams:
        team.stop()
