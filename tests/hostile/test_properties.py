"""Property tests (hypothesis): whatever is on disk, taskboard never crashes, hangs, shows
raw control text, or lets a name escape the Claude home (issue 14).

Each test's ``max_examples`` is bounded so the whole file stays well under a minute.
"""

from __future__ import annotations

import contextlib
import json
import os
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from taskboard.board.jsontext import dumps, find_non_finite, loads
from taskboard.board.model import Board, dump_json, parse_config, parse_inbox, parse_task
from taskboard.board.outline import build_outline
from taskboard.claude.live import _read_json as read_session_json
from taskboard.claude.paths import TeamPaths, list_dir_name, resolve, team_dir_name
from taskboard.claude.reader import load_board
from taskboard.claude.team import send_message
from taskboard.claude.transcripts import Tail, parse_lines, read_sidecar
from taskboard.textsafe import clean, one_line
from tests.hostile.helpers import DANGEROUS, PAYLOADS, cli_in_process, inert, strict_json

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

# -- strategies -------------------------------------------------------------------------

hostile_text = st.one_of(
    st.text(),  # every Unicode plane, including lone surrogates
    st.sampled_from(list(PAYLOADS.values())),
    st.lists(st.sampled_from(list(PAYLOADS.values()) + list(string.printable)),
             max_size=8).map("".join),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x20ff)),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), hostile_text,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(hostile_text, children, max_size=4)),
    max_leaves=20,
)
TASK_KEYS = ("id", "subject", "description", "activeForm", "status", "owner", "blocks",
             "blockedBy", "metadata")
task_objects = st.dictionaries(st.sampled_from(TASK_KEYS) | hostile_text, json_values,
                               max_size=10)
raw_documents = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_values.map(lambda v: json.dumps(v).encode()),
    task_objects.map(lambda v: json.dumps(v).encode()),
    st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"]" * n),
    st.sampled_from([b"", b"\xef\xbb\xbf{}", b'{"id":"1"', b"NaN", b'{"a":1e400}',
                     b"9" * 5000, b'{"a":"\\ud83d"}', b"\x00" * 10, b"null", b"[]"]),
)
names = st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(["..", "../..", "../../etc", "/etc/passwd", "a/b", "a\\b", "-rf", "--help",
                     "x" * 300, "nul\x00name", ".", "~", "$HOME", "名前", "\u202eevil"]),
)


# -- pure code ----------------------------------------------------------------------------

@FAST
@given(hostile_text)
def test_clean_leaves_nothing_a_terminal_would_act_on(text: str) -> None:
    cleaned = clean(text)
    assert DANGEROUS.search(cleaned.replace("\n", "")) is None
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in cleaned)
    assert clean(cleaned) == cleaned
    line = one_line(text, 50)
    assert "\n" not in line and len(line) <= 50
    cleaned.encode("utf-8")


@FAST
@given(st.text(max_size=500))
def test_loads_raises_nothing_but_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        loads(text)


@FAST
@given(json_values)
def test_output_json_is_always_strict_and_round_trips(value: Any) -> None:
    text = dumps(value)
    strict_json(text)
    text.encode("utf-8")
    assert inert(text.replace("\n", ""))
    if find_non_finite(value) is None:
        assert dump_json(value)  # the writer accepts every finite value


@FAST
@given(raw_documents)
def test_parsers_never_raise(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    task, problems = parse_task(text, "1")
    assert task is not None or problems
    config, problems = parse_config(text)
    assert config is not None or problems
    inbox, problems = parse_inbox("alice", text)
    assert inbox is not None or problems


@SLOW
@given(st.dictionaries(st.sampled_from([str(i) for i in range(1, 9)]), task_objects,
                       max_size=8))
def test_analysis_and_outline_never_raise_on_any_set_of_tasks(objects: dict) -> None:
    board = Board(name="b")
    for file_id, obj in objects.items():
        task, _ = parse_task(json.dumps(obj), file_id)
        if task is not None:
            board.tasks[file_id] = task
    board.invalidate()
    board.problems()
    for direction in ("blockers", "dependants"):
        build_outline(board.tasks, board.analysis, direction)


@FAST
@given(names)
def test_no_name_leaves_the_home(name: str) -> None:
    home = Path("/nonexistent/claude")
    for cleaned in (team_dir_name(name), list_dir_name(name)):
        assert "/" not in cleaned and "\\" not in cleaned and "\x00" not in cleaned
        assert cleaned not in (".", "..")
    assume(name.strip())
    paths = resolve(home, name)
    for path in (paths.tasks_dir, paths.team_dir, paths.inbox_path(name)):
        assert os.path.normpath(path).startswith(str(home) + "/")


# -- readers on real files --------------------------------------------------------------

@SLOW
@given(where=st.sampled_from(["task", "config", "inbox", "highwatermark", "other_json"]),
       data=raw_documents)
def test_the_board_reads_whatever_is_in_a_file(tmp_path_factory: pytest.TempPathFactory,
                                               where: str, data: bytes) -> None:
    home = tmp_path_factory.mktemp("home")
    paths = TeamPaths(home, "t")
    paths.tasks_dir.mkdir(parents=True)
    paths.inboxes_dir.mkdir(parents=True)
    (paths.tasks_dir / "1.json").write_text(dump_json(
        {"id": "1", "subject": "kept", "description": "", "status": "pending", "blocks": [],
         "blockedBy": []}))
    target = {"task": paths.tasks_dir / "2.json", "config": paths.config_path,
              "inbox": paths.inbox_path("bob"), "highwatermark": paths.tasks_dir / ".highwatermark",
              "other_json": paths.tasks_dir / "notes.json"}[where]
    target.write_bytes(data)
    board = load_board(paths, settle=0.0)
    assert board.tasks["1"].subject == "kept"
    board.problems()


@SLOW
@given(data=raw_documents, command=st.sampled_from([["show", "t"], ["show", "t", "--json"],
                                                   ["tree", "t"], ["ls"]]))
def test_the_cli_prints_whatever_is_in_a_task_file(tmp_path_factory: pytest.TempPathFactory,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   data: bytes, command: list[str]) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home))
    monkeypatch.setenv("COLUMNS", "200")
    paths = TeamPaths(home, "t")
    paths.tasks_dir.mkdir(parents=True)
    (paths.tasks_dir / "1.json").write_bytes(data)
    code, out, err = cli_in_process(capsys, *command)
    assert code == 0, err
    if "--json" in command:
        strict_json(out)
    assert inert(out.replace("\n", "")), repr(out)


@SLOW
@given(task=task_objects)
def test_the_cli_prints_any_task_object_inertly(tmp_path_factory: pytest.TempPathFactory,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch,
                                                task: dict) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home))
    paths = TeamPaths(home, "t")
    paths.tasks_dir.mkdir(parents=True)
    (paths.tasks_dir / "1.json").write_text(dumps(task))
    for command in (["show", "t"], ["tree", "t"]):
        code, out, err = cli_in_process(capsys, *command)
        assert code == 0, err
        assert inert(out.replace("\n", ""))


@SLOW
@given(agent=names, text=hostile_text)
def test_a_message_to_any_agent_name_lands_in_the_inbox_directory(
        tmp_path_factory: pytest.TempPathFactory, agent: str, text: str) -> None:
    home = tmp_path_factory.mktemp("home")
    paths = TeamPaths(home, "t")
    paths.team_dir.mkdir(parents=True)
    try:
        change = send_message(paths, agent, text, sender="taskboard")
    except Exception as err:  # noqa: BLE001 - only the store's refusals are allowed
        from taskboard.claude.errors import StoreError
        assert isinstance(err, StoreError), repr(err)
        return
    assert change.path.parent == paths.inboxes_dir
    assert [p for p in home.rglob("*") if p.is_file()] == [change.path]
    assert strict_json(change.path.read_text())[-1]["from"] == "taskboard"


@FAST
@given(st.lists(st.binary(max_size=200), max_size=8))
def test_transcript_lines_never_raise(chunks: list[bytes]) -> None:
    data = b"\n".join(chunks)
    assert all(isinstance(obj, dict) for obj in parse_lines(data))


@SLOW
@given(chunks=st.lists(st.one_of(st.binary(max_size=100), raw_documents), max_size=6))
def test_a_transcript_tail_reads_any_appended_bytes(tmp_path_factory: pytest.TempPathFactory,
                                                    chunks: list[bytes]) -> None:
    path = tmp_path_factory.mktemp("t") / "s.jsonl"
    path.write_bytes(b"")
    tail = Tail(path)
    for chunk in chunks:
        with open(path, "ab") as handle:
            handle.write(chunk)
        tail.read()


@SLOW
@given(data=raw_documents)
def test_a_sidecar_holds_anything(tmp_path_factory: pytest.TempPathFactory,
                                  data: bytes) -> None:
    path = tmp_path_factory.mktemp("m") / "agent-x.meta.json"
    path.write_bytes(data)
    result = read_sidecar(path)
    assert result is None or isinstance(result, dict)
    session = path.with_name("12345.json")  # sessions/<pid>.json
    session.write_bytes(data)
    read_session_json(str(session))
