"""Run inside a private mount namespace on a tiny tmpfs (see test_write_faults.py):
fill the disk or make it read-only, try every write, and print a JSON report.

Usage: python -m tests.hostile.fs_child MODE DIR   (MODE: full | readonly)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from taskboard.cli import main
from tests.conftest import make_task, make_team, snapshot


def run(*args: str) -> dict[str, object]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except BaseException as exc:  # noqa: BLE001 - reported, the test asserts on it
            return {"code": None, "err": repr(exc)}
    return {"code": code, "out": out.getvalue(), "err": err.getvalue()}


def fill(directory: Path) -> None:
    try:
        with open(directory / "filler", "wb") as handle:
            while True:
                handle.write(b"x" * 4096)
                handle.flush()
    except OSError:
        pass
    # Also use up the inodes' slack: small files until ENOSPC.
    for index in range(100_000):
        try:
            (directory / f"f{index}").write_bytes(b"y" * 512)
        except OSError:
            break


def main_child(mode: str, directory: Path) -> dict[str, object]:
    home = directory / "claude"
    home.mkdir()
    os.environ["CLAUDE_CONFIG_DIR"] = str(home)
    team = make_team(home, "disk", ["team-lead", "alice", "bob"])
    make_task(team.tasks_dir, "1", subject="keep me", description="d" * 2000)
    make_task(team.tasks_dir, "2", subject="other", owner="alice", status="in_progress")
    if mode == "full":
        fill(directory)
    else:
        subprocess.run(["mount", "-o", "remount,ro", str(directory)], check=True)
    before = snapshot(home)
    results = {
        "complete": run("complete", "disk", "1"),
        "create": run("create", "disk", "a new task", "--description", "x" * 5000),
        "delete": run("delete", "disk", "2"),
        "send_first": run("send", "disk", "bob", "hello " * 500),
        "assign": run("assign", "disk", "1", "alice"),
    }
    after = snapshot(home)
    report: dict[str, object] = {"results": results, "unchanged": before == after,
                                 "changed": sorted(k for k in set(before) | set(after)
                                                   if before.get(k) != after.get(k))}
    if mode == "full":
        (directory / "filler").unlink()
        for extra in directory.glob("f*"):
            extra.unlink()
        report["send_after_space"] = run("send", "disk", "bob", "hello again")
        report["inbox_after"] = json.loads(team.inbox_path("bob").read_text())
    return report


if __name__ == "__main__":
    print(json.dumps(main_child(sys.argv[1], Path(sys.argv[2]))))
