"""OS errors on writes become clear refusals with the original intact (issue 14): a full
disk (a small tmpfs in a private mount namespace), a read-only file system, a file-size
limit (RLIMIT_FSIZE), a name too long; no empty inbox left behind; assign never writes the
owner in vain; a dangling .lock symlink never redirects a write; temp files of killed
writers are swept."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from taskboard.claude.files import STALE_TEMP, sweep_temp_files, write_atomic
from taskboard.claude.paths import TeamPaths
from taskboard.claude.team import send_message
from tests.conftest import make_task, make_team, read_json, snapshot
from tests.hostile.helpers import cli_in_process

ROOT = Path(__file__).resolve().parents[2]


def _namespace_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d "
                            "&& umount $d && rmdir $d"], capture_output=True, check=False)
    if probe.returncode == 0:
        return True
    probe = subprocess.run(["unshare", "-rm", "--propagation", "private", "sh", "-c",
                            "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d"],
                           capture_output=True, check=False)
    return probe.returncode == 0


NAMESPACE = _namespace_works()


def run_on_small_fs(mode: str, tmp_path: Path) -> dict:
    directory = tmp_path / "fs"
    directory.mkdir()
    flags = ["-m"] if os.geteuid() == 0 else ["-rm"]
    script = (f'mount -t tmpfs -o size=256k tmpfs "{directory}" && '
              f'exec "{sys.executable}" -m tests.hostile.fs_child {mode} "{directory}"')
    result = subprocess.run(["unshare", *flags, "--propagation", "private", "sh", "-c", script],
                            capture_output=True, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    return json.loads(result.stdout)


def assert_clean_refusals(report: dict, words: tuple[str, ...]) -> None:
    for name, result in report["results"].items():
        assert result["code"] == 1, (name, result)
        err = result["err"]
        assert err.startswith("taskboard: ") and "Traceback" not in err, (name, err)
        assert any(word in err for word in words), (name, err)


@pytest.mark.skipif(not NAMESPACE, reason="needs unshare and a tmpfs mount")
def test_a_full_disk_refuses_every_write_cleanly_and_recovers(tmp_path: Path) -> None:
    report = run_on_small_fs("full", tmp_path)
    assert_clean_refusals(report, ("disk is full", "No space"))
    assert report["unchanged"], report["changed"]
    # No empty inbox was left by the failed first send; the next one goes through.
    assert report["send_after_space"]["code"] == 0, report["send_after_space"]
    assert [m["text"] for m in report["inbox_after"]] == ["hello again"]


@pytest.mark.skipif(not NAMESPACE, reason="needs unshare and a tmpfs mount")
def test_a_read_only_file_system_refuses_every_write_cleanly(tmp_path: Path) -> None:
    report = run_on_small_fs("readonly", tmp_path)
    assert_clean_refusals(report, ("read-only",))
    assert report["unchanged"], report["changed"]


def test_a_file_size_limit_refuses_the_write_and_keeps_the_original(home: Path) -> None:
    team = make_team(home, "big")
    make_task(team.tasks_dir, "1", subject="small")
    before = snapshot(home)
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
        "from taskboard.cli import main\n"
        "sys.exit(main(['send', 'big', 'team-lead', 'x' * 5000]))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT,
                            env={**os.environ, "CLAUDE_CONFIG_DIR": str(home)}, timeout=60,
                            check=False)
    assert result.returncode == 1, result.stderr
    assert b"larger than allowed" in result.stderr
    assert b"Traceback" not in result.stderr
    assert snapshot(home) == before


def test_a_name_too_long_is_a_clean_refusal(home: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    team = make_team(home, "long")
    before = snapshot(home)
    code, _, err = cli_in_process(capsys, "send", "long", "a" * 300, "hi", "--force")
    assert code == 1
    assert err.startswith("taskboard: ") and "too long" in err
    assert snapshot(home) == before
    assert team.inboxes_dir.is_dir()


def test_an_empty_inbox_file_does_not_refuse_later_sends(home: Path) -> None:
    team = make_team(home, "empty")
    team.inbox_path("bob").write_bytes(b"")
    send_message(team, "bob", "first", sender="taskboard")
    assert [m["text"] for m in read_json(team.inbox_path("bob"))] == ["first"]


def test_a_new_inbox_is_never_visible_empty(home: Path) -> None:
    """The first send creates the inbox whole (linked into place), so a reader never sees
    a 0-byte inbox and a failure never leaves one."""
    team = make_team(home, "fresh")
    send_message(team, "carol", "hi", sender="taskboard")
    assert [m["text"] for m in read_json(team.inbox_path("carol"))] == ["hi"]
    assert sorted(p.name for p in team.inboxes_dir.iterdir()) == ["carol.json"]


def test_assign_refuses_before_writing_the_owner_when_the_message_cannot_be_sent(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    team = make_team(home, "assign", ["team-lead", "alice"])
    make_task(team.tasks_dir, "1")
    team.inbox_path("alice").symlink_to("/nonexistent/elsewhere.json")
    before = read_json(team.task_path("1"))
    code, _, err = cli_in_process(capsys, "assign", "assign", "1", "alice")
    assert code == 1
    assert "cannot notify alice" in err and "nothing was written" in err
    assert read_json(team.task_path("1")) == before


def test_assign_reports_a_failed_notification_clearly(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    team = make_team(home, "assign", ["team-lead", "alice"])
    make_task(team.tasks_dir, "1")
    team.inbox_path("alice").write_text('{"not": "a list"}')
    code, out, err = cli_in_process(capsys, "assign", "assign", "1", "alice")
    assert code == 1  # done in part is not success
    assert "NOT notified" in out and "alice was not notified" in err
    assert read_json(team.task_path("1"))["owner"] == "alice"


def test_a_dangling_lock_symlink_never_makes_create_write_elsewhere(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    team = make_team(home, "dangle")
    (team.tasks_dir / ".lock").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (team.tasks_dir / ".lock").symlink_to(elsewhere / "planted")
    code, _, err = cli_in_process(capsys, "create", "dangle", "x")
    assert code == 1 and "symlink" in err
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in team.tasks_dir.iterdir()) == [".lock"]


def test_a_task_file_symlink_is_never_written_through(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    team = make_team(home, "link")
    outside = make_task(tmp_path / "outside", "1")
    (team.tasks_dir / "1.json").symlink_to(outside)
    before = outside.read_bytes()
    code, _, err = cli_in_process(capsys, "complete", "link", "1")
    assert code == 1 and "symlink" in err
    assert outside.read_bytes() == before
    assert not any(p.name.endswith(".lock") for p in outside.parent.iterdir())


def test_stale_temp_files_of_killed_writers_are_swept_and_live_ones_kept(
        tmp_path: Path) -> None:
    stale = tmp_path / ".1.json.4242.deadbeef.tmp"
    live = tmp_path / ".2.json.4243.cafef00d.tmp"
    foreign = tmp_path / ".other.tmp"
    for path in (stale, live, foreign):
        path.write_text("{}")
    old = time.time() - STALE_TEMP - 5
    os.utime(stale, (old, old))
    os.utime(foreign, (old, old))
    assert sweep_temp_files(tmp_path, force=True) == [stale.name]
    assert live.exists() and foreign.exists() and not stale.exists()


def test_a_writer_sweeps_stale_temp_files_in_its_directory(home: Path) -> None:
    team: TeamPaths = make_team(home, "sweep")
    make_task(team.tasks_dir, "1")
    stale = team.tasks_dir / ".1.json.4242.deadbeef.tmp"
    stale.write_text("{")
    old = time.time() - STALE_TEMP - 5
    os.utime(stale, (old, old))
    sweep_temp_files(team.tasks_dir, force=True)  # reset the once-per-10-s timer
    stale.write_text("{")
    os.utime(stale, (old, old))
    from taskboard.claude import files
    files._last_sweep.clear()
    write_atomic(team.tasks_dir / "1.json", "{}")
    assert not stale.exists()
    assert not any(p.suffix == ".tmp" for p in team.tasks_dir.iterdir())
