"""``taskboard check`` exits by what needs attention; ``show --json`` carries flags and waves;
thresholds come from the config file and from flags."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from taskboard.claude.paths import TeamPaths
from taskboard.cli import main
from taskboard.config import load_settings, thresholds
from tests.conftest import make_task, make_team

HOUR = 3600.0


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def aged(team: TeamPaths, tid: str, age: float, **fields) -> None:
    """A task file last written ``age`` seconds ago."""
    path = make_task(team.tasks_dir, tid, **fields)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))


@pytest.fixture
def stalled(home: Path) -> TeamPaths:
    """bob has held #1 in progress for an hour without a sign of life; #2 waits on it."""
    team = make_team(home, "stuck", ["team-lead", "bob"])
    aged(team, "1", HOUR, status="in_progress", owner="bob", blocks=["2"])
    aged(team, "2", HOUR, blockedBy=["1"])
    return team


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, _err = capsys.readouterr()
    return code, out


def test_check_exits_1_and_names_the_flags_when_something_needs_attention(
        stalled: TeamPaths, capsys) -> None:
    code, out = run(capsys, "check", "stuck")
    assert code == 1
    assert "stalled" in out and "#1" in out and "@bob" in out and "60 min" in out


def test_check_exits_0_when_nothing_reaches_the_severity(home: Path, capsys) -> None:
    team = make_team(home, "calm", ["team-lead", "bob"])
    aged(team, "1", 0, owner="bob", status="in_progress")
    aged(team, "2", 0, blockedBy=["1"])  # a link kept on one side only: an info flag
    assert run(capsys, "check", "calm") == (0, "calm: nothing at or above warning.\n")
    code, out = run(capsys, "check", "calm", "--severity", "info")
    assert code == 1 and "asymmetric" in out


def test_check_json_lists_each_flag_with_its_evidence(stalled: TeamPaths, capsys) -> None:
    code, out = run(capsys, "check", "stuck", "--json", "--severity", "critical")
    doc = json.loads(out)
    assert code == 1 and doc["severity"] == "critical"
    [flag] = doc["flags"]
    assert (flag["kind"], flag["severity"], flag["task"], flag["agent"]) == (
        "stalled", "critical", "1", "bob")
    assert flag["since"].endswith("Z") and "no sign of life" in flag["reason"]


def test_thresholds_given_as_flags_hold_the_flags_back(stalled: TeamPaths, capsys) -> None:
    assert run(capsys, "check", "stuck", "--stall-minutes", "120",
               "--team-idle-minutes", "120")[0] == 0


def test_thresholds_come_from_the_config_file(stalled: TeamPaths, tmp_path: Path,
                                              capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text("stall_minutes = 120\nteam_idle_minutes = 120\n")
    assert run(capsys, "check", "stuck", "--config", str(config))[0] == 0
    settings, warnings = load_settings(config)
    assert warnings == [] and thresholds(settings).stall == 120 * 60


def test_a_negative_threshold_is_refused_in_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("idle_minutes = -1\nbell = true\nnotify_command = 'notify-send'\n")
    settings, warnings = load_settings(config)
    assert settings.idle_minutes == 2 and len(warnings) == 1
    assert "'idle_minutes' should be a positive number of minutes, not -1" in warnings[0]
    assert settings.bell is True and settings.notify_command == "notify-send"


def test_check_on_a_missing_team_is_refused(home: Path, capsys) -> None:
    assert main(["check", "nowhere"]) == 1


def test_show_json_gives_each_task_its_flags_wave_and_the_critical_path(
        stalled: TeamPaths, capsys) -> None:
    code, out = run(capsys, "show", "stuck", "--json")
    doc = json.loads(out)
    tasks = {t["id"]: t for t in doc["tasks"]}
    assert code == 0
    assert [f["kind"] for f in tasks["1"]["flags"]] == ["stalled", "team_idle"]
    assert [f["kind"] for f in tasks["2"]["flags"]] == ["waiting_on_trouble"]
    assert (tasks["1"]["wave"], tasks["2"]["wave"]) == (1, 2)
    assert tasks["1"]["gates"] == {"direct": 1, "all": 1}
    assert doc["criticalPath"] == ["1", "2"] and tasks["2"]["onCriticalPath"] is True
    assert doc["plan"]["running"] == ["1"] and doc["plan"]["wavesLeft"] == 2


def test_show_weights_the_critical_path_by_the_journals_typical_durations(
        home: Path, tmp_path: Path, capsys) -> None:
    """#1 -> #2 and #3 -> #4 -> #5: by count the longer chain is critical; the journal says
    alice's tasks take an hour and bob's a minute, so alice's chain is."""
    from taskboard.journal.events import TASK_CHANGED, Event
    from taskboard.journal.store import Journal

    team = make_team(home, "timed", ["team-lead", "alice", "bob"])
    aged(team, "1", 0, owner="alice", blocks=["2"])
    aged(team, "2", 0, owner="alice", blockedBy=["1"])
    aged(team, "3", 0, owner="bob", blocks=["4"])
    aged(team, "4", 0, owner="bob", blockedBy=["3"], blocks=["5"])
    aged(team, "5", 0, owner="bob", blockedBy=["4"])
    data = tmp_path / "data"
    journal = Journal.open(data)
    session = journal.session_for("timed", now=1000.0)
    t0 = time.time() - 3 * HOUR
    journal.record([
        Event(time=t0, team="timed", kind=TASK_CHANGED, session=session, task="8",
              after={"status": "in_progress", "owner": "alice"}),
        Event(time=t0 + HOUR, team="timed", kind=TASK_CHANGED, session=session, task="8",
              after={"status": "completed"}),
        Event(time=t0, team="timed", kind=TASK_CHANGED, session=session, task="9",
              after={"status": "in_progress", "owner": "bob"}),
        Event(time=t0 + 60, team="timed", kind=TASK_CHANGED, session=session, task="9",
              after={"status": "completed"}),
    ])
    journal.close()
    assert json.loads(run(capsys, "show", "timed", "--json")[1])["criticalPath"] == [
        "3", "4", "5"]
    doc = json.loads(run(capsys, "--data-dir", str(data), "show", "timed", "--json")[1])
    assert doc["criticalPath"] == ["1", "2"]
