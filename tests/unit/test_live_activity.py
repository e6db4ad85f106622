"""Live activity from the real Claude Code 2.1.332 samples: the recorded run replayed at its
own times gives the recorded states; the pane teammate is found by its agentName; the full
gzipped transcripts parse; discovery and the team-file overlay."""

from __future__ import annotations

import json
import os
from pathlib import Path

from taskboard.claude.activity import epoch
from taskboard.claude.live import TeamActivity
from taskboard.claude.transcripts import Tail, find_team_transcripts, read_lines
from tests.realcc import (
    ALICE_FILE,
    LEAD_FILE,
    PANE_RUN,
    TEAM,
    TEAM_RUN,
    apply,
    copy_home,
    expected_states,
    gunzip_home,
    team_run_steps,
)

TOLERANCE = 0.5


def _alive(_pid: int, _start: str | None) -> bool:
    return True  # the recorded pid belongs to the recording machine


def test_the_recorded_run_replayed_gives_the_recorded_states_within_half_a_second(
        tmp_path: Path) -> None:
    home = tmp_path / "claude"
    home.mkdir()
    now = [0.0]
    live = TeamActivity(home, TEAM, clock=lambda: now[0], alive=_alive)
    mine: dict[str, list[tuple[float, str, float | None]]] = {}
    for step in team_run_steps():
        apply(home, step)
        now[0] = step.t
        live.refresh([home / step.path])
        for name, activity in live.agents.items():
            history = mine.setdefault(name, [])
            if not history or history[-1][1:] != (activity.state, activity.since):
                history.append((step.t, activity.state, activity.since))
    expected = [e for e in expected_states() if e["state"] != "unknown"]
    assert len(expected) > 60
    misses = []
    for record in expected:
        history = mine.get(record["agent"], [])
        since = epoch(record["since"])
        window = [h for h in history if record["t"] - TOLERANCE <= h[0] <= record["t"] + TOLERANCE]
        before = [h for h in history if h[0] < record["t"] - TOLERANCE]
        if before:
            window.append(before[-1])
        if not any(state == record["state"] and since is not None and got is not None
                   and abs(got - since) < 0.01 for _, state, got in window):
            misses.append((record["t"], record["agent"], record["state"], record["since"]))
    assert misses == []
    # The run ends with /exit: the team directory and the session file are removed.
    assert {a.state for a in live.agents.values()} == {"gone"}
    assert live.agents["alice"].last_words == "ok"
    assert live.agents["team-lead"].context == 46129


def test_the_live_home_shows_each_agent_with_its_context_and_last_words() -> None:
    live = TeamActivity(TEAM_RUN / "live", TEAM, clock=lambda: 1796178250.0, alive=_alive)
    assert live.refresh() == {"team-lead", "alice", "bob"}
    lead, alice, bob = (live.agents[n] for n in ("team-lead", "alice", "bob"))
    assert (lead.state, alice.state, bob.state) == ("idle", "idle", "gone")
    assert lead.model == "claude-sonnet-4-5" and lead.window == 200_000
    assert (lead.context, alice.context, bob.context) == (46129, 37442, 37494)
    assert round(lead.context_pct or 0, 1) == 23.1
    # Tokens summed per message id equal the exit-time cost-state line's inputTokens.
    assert lead.tokens.input + alice.tokens.input + bob.tokens.input == 315
    assert (lead.tokens.input, alice.tokens.input, bob.tokens.input) == (176, 73, 66)
    assert bob.last_words == "BOB-DONE-3" and alice.last_words == "ok"
    assert alice.received[-1].sender == "operator"
    assert alice.received[-1].text == "Operator here: wrap up #4 today."
    assert alice.received[-1].summary == "wrap up #4"
    assert [m.recipient for m in alice.sent] == ["team-lead", "team-lead"]
    assert live.process is not None and live.process.status == "idle"
    assert alice.describe(1796178250.0) == "idle 9 s"
    # Nothing changed: a second refresh reads nothing.
    assert live.refresh() == set()


def test_history_merges_both_sides_newest_last_without_doubles() -> None:
    live = TeamActivity(TEAM_RUN / "live", TEAM, alive=_alive)
    live.refresh()
    history = live.history("alice")
    texts = [m.text for m in history]
    assert texts.count("Schema is done: 12 fields.") == 1  # her SendMessage and the lead's copy
    times = [m.sent_at or m.time or 0 for m in history]
    assert times == sorted(times)
    assert history[-1].kind == "idle_notification" and history[-2].sender == "operator"


def test_the_pane_teammate_is_mapped_by_its_agent_name() -> None:
    home = PANE_RUN / "home"
    config = json.loads((home / "teams/session-b7150587/config.json").read_text())
    found = find_team_transcripts(home, "session-b7150587", config)
    assert found.kinds == {"team-lead": "lead", "alice": "pane"}
    assert found.files["alice"].name == "90bc54bb-621d-40c4-a680-0f0f443aa604.jsonl"
    live = TeamActivity(home, "session-b7150587", alive=_alive)
    live.refresh()
    assert live.agents["alice"].state == "idle"
    assert live.agents["alice"].last_words == "ALICE-DONE-1"


def test_the_full_gzipped_transcripts_parse_and_skip_the_bulky_lines(tmp_path: Path) -> None:
    home = gunzip_home(tmp_path / "claude")
    lead = home / LEAD_FILE
    assert lead.stat().st_size > 500_000
    lines = read_lines(str(lead) + "")
    kinds = {line.get("type") for line in lines}
    assert "api-request-shape" not in kinds and "api-request-blob" not in kinds
    assert not any((line.get("attachment") or {}).get("type") == "prompt_snapshot"
                   for line in lines)
    assert {"user", "assistant", "api-request", "cost-state"} <= kinds
    # The lean live file holds exactly the lines the full one keeps after skipping.
    lean = read_lines(TEAM_RUN / "live" / LEAD_FILE)
    assert [line.get("uuid") for line in lines][: len(lean)] == [line.get("uuid") for line in lean]
    # After /exit: no config.json, the lead is found by the team's 8 hex digits.
    live = TeamActivity(home, TEAM, alive=_alive)
    live.refresh()
    assert set(live.agents) == {"team-lead", "alice", "bob"}
    assert live.agents["team-lead"].context == 46129


def test_a_new_teammate_is_picked_up_when_its_sidecar_appears(tmp_path: Path) -> None:
    home = copy_home(TEAM_RUN / "live", tmp_path / "claude")
    sub = home / ALICE_FILE
    meta = sub.with_suffix(".meta.json")
    saved = meta.read_bytes(), sub.read_bytes()
    meta.unlink()
    sub.unlink()
    live = TeamActivity(home, TEAM, alive=_alive)
    live.refresh()
    assert "alice" not in live.agents
    meta.write_bytes(saved[0])
    sub.write_bytes(saved[1])
    assert "alice" in live.refresh([meta, sub])
    assert live.agents["alice"].state == "idle"


def test_tail_reads_only_what_was_appended(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    lines = (TEAM_RUN / "live" / ALICE_FILE).read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:10]))
    tail = Tail(path)
    assert len(tail.read().lines) == 10
    assert tail.read().lines == [] and tail.reads == 1  # unchanged: a stat, no read
    with open(path, "ab") as handle:
        handle.write(lines[10])
    chunk = tail.read()
    assert [d["type"] for d in chunk.lines] == [json.loads(lines[10])["type"]]
    assert tail.reads == 2 and tail.offset == os.path.getsize(path)


def test_show_json_carries_each_members_activity(tmp_path: Path, capsys) -> None:
    from taskboard.cli import main

    home = copy_home(TEAM_RUN / "live", tmp_path / "claude")
    for session in (home / "sessions").glob("*.json"):
        session.unlink()  # the recorded pid belongs to the recording machine
    assert main(["show", TEAM, "--claude-dir", str(home), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["transcriptsFound"] is True
    alice = next(m for m in doc["members"] if m["name"] == "alice")
    assert alice["activity"]["state"] == "idle" and alice["activity"]["context"] == 37442
    assert alice["activity"]["lastWords"] == "ok"
    assert alice["active"] is False and alice["lastSeen"] >= 1796178240.9


def _team_home(tmp_path: Path, *, pid: int | None = None) -> tuple[Path, Path]:
    """A team of a lead and alice (in-process), with lean transcripts from the sample."""
    home = copy_home(TEAM_RUN / "live", tmp_path / "claude")
    for session in (home / "sessions").glob("*.json"):
        session.unlink()
    config_path = home / "teams" / TEAM / "config.json"
    config = json.loads(config_path.read_text())
    if pid is None:
        config.pop("leadProcess", None)
    else:
        config["leadProcess"]["pid"] = pid
        (home / "sessions" / f"{pid}.json").write_text(json.dumps(
            {"pid": pid, "sessionId": config["leadSessionId"], "status": "busy",
             "statusUpdatedAt": 1796178250000, "procStart": "1"}))
    config_path.write_text(json.dumps(config))
    return home, config_path


def test_a_member_removed_from_config_is_gone_since_its_last_line(tmp_path: Path) -> None:
    home, config_path = _team_home(tmp_path)
    live = TeamActivity(home, TEAM, clock=lambda: 1796178250.0)
    live.refresh()
    assert live.agents["alice"].state == "idle"
    config = json.loads(config_path.read_text())
    config["members"] = [m for m in config["members"] if m["name"] != "alice"]
    config_path.write_text(json.dumps(config, indent=1))
    assert "alice" in live.refresh()
    alice = live.agents["alice"]
    assert alice.state == "gone" and alice.since == alice.last_seen


def test_the_lead_process_idle_for_a_while_makes_a_working_state_stale(tmp_path: Path) -> None:
    home, _ = _team_home(tmp_path, pid=4242)
    now = [1796178250.0]
    live = TeamActivity(home, TEAM, clock=lambda: now[0], alive=_alive)
    live.refresh()
    with open(home / ALICE_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"type": "api-request", "id": "r",
                                 "timestamp": "2026-12-02T02:24:08.000Z"}) + "\n")
    live.refresh()
    assert live.agents["alice"].state == "thinking"
    session = home / "sessions" / "4242.json"
    obj = json.loads(session.read_text())
    obj.update(status="idle", statusUpdatedAt=1796178252000)
    session.write_text(json.dumps(obj))
    now[0] = 1796178253.0  # idle for 1 s: not yet stale
    live.refresh()
    assert live.agents["alice"].state == "thinking"
    now[0] = 1796178255.0
    live.refresh()
    assert (live.agents["alice"].state, live.agents["alice"].since) == ("idle", 1796178252.0)


def test_a_dead_lead_process_or_a_removed_session_file_ends_every_agent(tmp_path: Path) -> None:
    home, _ = _team_home(tmp_path, pid=4242)
    live = TeamActivity(home, TEAM, alive=lambda pid, start: False)
    live.refresh()
    assert {a.state for a in live.agents.values()} == {"gone"}
    home2, _ = _team_home(tmp_path / "second", pid=4243)
    live2 = TeamActivity(home2, TEAM, alive=_alive)
    live2.refresh()
    assert live2.agents["alice"].state == "idle"
    (home2 / "sessions" / "4243.json").unlink()
    live2.refresh()
    assert {a.state for a in live2.agents.values()} == {"gone"}


def test_pid_alive_checks_the_process_start_time() -> None:
    from taskboard.claude.live import _proc_start, pid_alive

    me = os.getpid()
    assert pid_alive(me, None) is True
    assert pid_alive(me, _proc_start(me)) is True
    assert pid_alive(me, "1") is False  # the pid was reused by another process
    assert pid_alive(2**22 + 12345, None) is False
