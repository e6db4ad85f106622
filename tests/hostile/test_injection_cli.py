"""Text from files reaches every CLI output as inert text: no escape sequence, control,
bidi or zero-width character, and no markup parsed (issue 14: terminal injection)."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskboard.board.model import dump_json
from tests.conftest import make_task, make_team, message, write_inbox
from tests.hostile.helpers import PAYLOADS, inert, run_cli, strict_json


@pytest.fixture
def hostile_team(home: Path) -> Path:
    """A team where every displayed field carries every payload."""
    names = list(PAYLOADS)
    members = [{"name": "alice", "agentType": PAYLOADS["osc52"], "model": PAYLOADS["bidi"],
                "color": PAYLOADS["markup_click"]},
               {"name": PAYLOADS["markup_close"]}]
    team = make_team(home, "evil", members)
    for index, key in enumerate(names, start=1):
        payload = PAYLOADS[key]
        make_task(team.tasks_dir, str(index), subject=payload, description=payload,
                  activeForm=payload, owner=payload, status="in_progress",
                  blockedBy=[payload, "1"] if index > 1 else [payload],
                  metadata={payload[:40]: payload})
    write_inbox(team, "alice", [message(PAYLOADS["osc_title"], PAYLOADS["csi"],
                                        summary=PAYLOADS["markup_link"])])
    return home


@pytest.mark.parametrize("command", [["show", "evil"], ["tree", "evil"], ["ls"],
                                     ["tree", "evil", "--reverse"]])
def test_reading_commands_print_file_text_inertly(hostile_team: Path,
                                                  command: list[str]) -> None:
    result = run_cli(*command, home=hostile_team)
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0, result.stderr
    assert inert(out), repr([c for c in out if not c.isprintable() and c != "\n"][:5])
    assert result.stderr == b""


def test_show_prints_markup_from_files_literally(hostile_team: Path) -> None:
    out = run_cli("show", "evil", home=hostile_team).stdout.decode()
    assert "[/x]" in out  # a blocker id of [/x] no longer crashes show
    assert "[bold red]loud[/]" in out
    assert "\x1b]8" not in out  # no hyperlink made from [link=...]


def test_show_json_is_strict_json_and_inert(hostile_team: Path) -> None:
    result = run_cli("show", "evil", "--json", home=hostile_team)
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0, result.stderr
    assert inert(out.replace("\n", ""))
    doc = strict_json(out)
    subjects = {t["subject"] for t in doc["tasks"]}
    assert PAYLOADS["osc52"] in subjects  # the data itself is kept, only escaped
    assert "cut \ufffd" in subjects or "cut \ud83d" in subjects


def test_refusals_on_stderr_are_inert(hostile_team: Path) -> None:
    # The refusal names the status found in the file; the status is hostile.
    team_dir = hostile_team / "tasks" / "evil"
    (team_dir / "1.json").write_text(dump_json(
        {"id": "1", "subject": "s", "description": "", "status": PAYLOADS["osc_title"],
         "blocks": [], "blockedBy": []}))
    result = run_cli("complete", "evil", "1", "--if-status", "pending", home=hostile_team)
    err = result.stderr.decode()
    assert result.returncode == 1
    assert "title" in err and inert(err)


def test_a_lone_surrogate_does_not_crash_show_tree_or_json(home: Path) -> None:
    team = make_team(home, "cut")
    (team.tasks_dir / "1.json").write_text(
        '{"id":"1","subject":"cut \\ud83d","description":"\\udc00","status":"pending",'
        '"blocks":[],"blockedBy":["\\ud800"]}')
    for command in (["show", "cut"], ["tree", "cut"], ["show", "cut", "--json"], ["ls"]):
        result = run_cli(*command, home=home)
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr.decode()
        result.stdout.decode("utf-8")  # valid UTF-8


def test_journal_commands_print_recorded_text_inertly(tmp_path: Path, home: Path) -> None:
    """history, sessions and events print what agents wrote (subjects, names, messages)."""
    from taskboard.journal import events as ev
    from taskboard.journal.events import Event
    from taskboard.journal.store import Journal

    data = tmp_path / "data"
    journal = Journal.open(data)
    session = journal.session_for("evil", now=1_763_700_000.0)
    events = []
    for index, payload in enumerate(PAYLOADS.values()):
        at = 1_763_700_000.0 + index
        events += [
            Event(time=at, team="evil", kind=ev.TASK_CREATED, session=session,
                  task=str(index + 1), agent=payload,
                  after={"id": str(index + 1), "subject": payload, "owner": payload,
                         "metadata": {"big": float("inf")}}),
            Event(time=at, team="evil", kind=ev.MEMBER_JOINED, session=session, agent=payload,
                  after={"name": payload}),
            Event(time=at, team="evil", kind=ev.MESSAGE, session=session, agent=payload,
                  detail={"from": payload, "to": payload, "type": payload, "summary": payload,
                          "text": payload}),
        ]
    journal.record(events)
    journal.close()
    for command in (["history", "evil"], ["history", "evil", "--json"], ["sessions"],
                    ["sessions", "--json"], ["events", "--once", "--since", "0"],
                    *(["report", "evil", "--format", f]
                      for f in ("md", "html", "json", "mermaid", "dot"))):
        result = run_cli(*command, "--data-dir", str(data), home=home)
        out = result.stdout.decode("utf-8")
        assert result.returncode == 0, (command, result.stderr[-1500:])
        assert inert(out.replace("\n", "")), (command, out[:500])
        if command[-1] in ("html", "md"):
            assert "<script>alert" not in out and "<img" not in out and "<b>" not in out
        if "--json" in command or command[-1] == "json":
            strict_json(out)
        elif command[0] == "events":
            for line in out.splitlines():
                strict_json(line)
