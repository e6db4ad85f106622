"""Interop set-up: a real ``proper-lockfile`` from the npm registry, installed once per checkout.

The package goes into ``<repo>/.cache/node/`` (git-ignored). Without node or npm, or when the
install fails, the interop tests are skipped on a developer's machine but FAIL in CI (the ``CI``
environment variable is set): there they must run, never silently skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NODE_PREFIX = REPO / ".cache" / "node"
NODE_MODULES = NODE_PREFIX / "node_modules"
PACKAGE = "proper-lockfile@4"
INSTALL_TIMEOUT = 300.0


@dataclass(frozen=True)
class NodeEnv:
    """How to run the Node helpers in ``tests/interop/node`` and the Python worker."""

    node: str
    helpers: Path
    env: dict[str, str]
    """Environment for child processes: NODE_PATH for Node, PYTHONPATH for taskboard."""
    python: str = sys.executable


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder ``interop`` (``-m 'not interop'`` leaves them out)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.interop)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"interop tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _install(npm: str) -> str | None:
    """Install proper-lockfile into .cache/node; return why it failed, or None."""
    command = [npm, "install", "--prefix", str(NODE_PREFIX), PACKAGE, "--no-audit", "--no-fund"]
    NODE_PREFIX.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, cwd=REPO
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{' '.join(command)} did not finish: {exc}"
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        return f"{' '.join(command)} failed with exit code {done.returncode}:\n{tail}"
    return None


@pytest.fixture(scope="session", autouse=True)
def node_env() -> NodeEnv:
    """Node with proper-lockfile, installed from the npm registry when missing."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed (the interop tests run Node's proper-lockfile)")
    if not (NODE_MODULES / "proper-lockfile" / "package.json").is_file():
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("npm is not installed (needed once to fetch proper-lockfile)")
        problem = _install(npm)
        if problem is not None:
            _unavailable(problem)
    env = dict(os.environ)
    env["NODE_PATH"] = os.pathsep.join(filter(None, [str(NODE_MODULES), env.get("NODE_PATH")]))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return NodeEnv(node=node, helpers=HERE / "node", env=env)
