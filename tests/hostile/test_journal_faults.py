"""The journal survives a full disk and resumes (issue 14): every event it said it
recorded is still there, the file is intact, and recording goes on once space returns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.test_write_faults import NAMESPACE, ROOT


@pytest.mark.skipif(not NAMESPACE, reason="needs unshare and a tmpfs mount")
def test_the_journal_survives_a_full_disk_and_resumes(tmp_path: Path) -> None:
    directory = tmp_path / "fs"
    directory.mkdir()
    flags = ["-m"] if os.geteuid() == 0 else ["-rm"]
    script = (f'mount -t tmpfs -o size=4m tmpfs "{directory}" && '
              f'exec "{sys.executable}" -m tests.hostile.journal_child "{directory}" '
              f'"{tmp_path / "claude"}"')
    result = subprocess.run(["unshare", *flags, "--propagation", "private", "sh", "-c", script],
                            capture_output=True, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    report = json.loads(result.stdout)
    assert report["errors"], "the disk never filled"
    assert all("full" in e or "disk" in e.lower() for e in report["errors"]), report["errors"]
    # Nothing it reported as recorded was lost, and it resumed once space returned.
    assert report["count_when_full"] == report["recorded_before_full"]
    assert report["after_errors"] == []
    assert report["recorded_after"] == 20
    assert report["total"] == report["recorded_before_full"] + 20
    assert report["integrity"] == "ok"
    assert report["reopened_count"] == report["total"] and report["notices"] == []
    # A recorder that could not write while the disk was full catches up afterwards.
    recorder = report["recorder"]
    assert recorder["failures"] >= 1
    assert recorder["replay_is_board"], recorder
