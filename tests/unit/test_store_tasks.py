"""Task files on disk: locked, conditional, atomic updates; id allocation; deletion."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from taskboard.board.model import dump_json
from taskboard.claude.errors import (
    LockTimeout,
    NotFound,
    PreconditionFailed,
    Unreadable,
    WriteFailed,
)
from taskboard.claude.files import read_json as strict_read_json
from taskboard.claude.files import read_text, write_atomic, write_json_atomic
from taskboard.claude.tasks import (
    TaskChange,
    create_task,
    next_id,
    ordered,
    read_highwatermark,
    remove_task_file,
    task_files,
    update_task,
)
from tests.conftest import make_task, read_json, snapshot, task_json


@pytest.fixture
def list_dir(tmp_path: Path) -> Path:
    path = tmp_path / "tasks" / "alpha"
    path.mkdir(parents=True)
    return path


def set_owner(name: str):
    def change(obj: dict) -> dict:
        obj["owner"] = name
        return obj
    return change


# -- reading and writing files -----------------------------------------------------------------


def test_read_text_returns_the_text_and_the_files_mtime(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text("é", encoding="utf-8")
    os.utime(path, (1000.0, 1000.0))
    assert read_text(path) == ("é", 1000.0)


def test_strict_read_refuses_missing_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        strict_read_json(tmp_path / "nope.json", "task #1")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(Unreadable, match="nothing was written"):
        strict_read_json(tmp_path / "bad.json", "task #1")


def test_atomic_write_replaces_the_file_instead_of_writing_into_it(tmp_path: Path) -> None:
    path = tmp_path / "1.json"
    path.write_text("old")
    other_name = tmp_path / "hardlink"
    os.link(path, other_name)  # a writer in place would change this one too
    write_atomic(path, "new")
    assert path.read_text() == "new"
    assert other_name.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.json", "hardlink"]


def test_a_failed_atomic_write_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "1.json"
    target.mkdir()  # renaming a file over a directory fails
    with pytest.raises(WriteFailed):
        write_atomic(target, "text")
    assert [p.name for p in tmp_path.iterdir()] == ["1.json"]


def test_json_is_written_in_claude_codes_style(tmp_path: Path) -> None:
    path = tmp_path / "1.json"
    write_json_atomic(path, {"subject": "é", "blocks": []})
    assert path.read_bytes() == '{\n  "subject": "é",\n  "blocks": []\n}'.encode()


def test_only_decimal_json_files_are_tasks(list_dir: Path) -> None:
    make_task(list_dir, "1")
    make_task(list_dir, "12")
    for name in (".lock", ".highwatermark", "notes.json", ".3.json.1.ab.tmp", "4.json.bak"):
        (list_dir / name).write_text("")
    (list_dir / "5.json.lock").mkdir()
    assert task_files(list_dir) == {"1": list_dir / "1.json", "12": list_dir / "12.json"}
    assert task_files(list_dir / "missing") == {}


# -- update_task -------------------------------------------------------------------------------


def test_update_writes_the_change_in_claude_codes_style(list_dir: Path) -> None:
    path = make_task(list_dir, "1", subject="Parse", activeForm="Parsing")
    change = update_task(list_dir, "1", set_owner("alice"))
    expected = task_json("1", subject="Parse", activeForm="Parsing", owner="alice")
    assert path.read_text() == dump_json(expected)
    assert list(read_json(path)) == ["id", "subject", "description", "activeForm", "owner",
                                     "status", "blocks", "blockedBy"]
    assert change.before == task_json("1", subject="Parse", activeForm="Parsing")
    assert change.after == expected
    assert change.changed
    assert change.fields() == {"owner": (None, "alice")}


def test_update_keeps_unknown_keys_after_claude_codes_schema_order(list_dir: Path) -> None:
    path = list_dir / "1.json"
    original = {"id": "1", "custom": {"x": [1]}, "subject": "s", "description": "",
                "status": "pending", "blocks": [], "blockedBy": [], "zz": "last"}
    path.write_text(dump_json(original))
    update_task(list_dir, "1", set_owner("bob"))
    after = read_json(path)
    assert list(after) == ["id", "subject", "description", "owner", "status",
                           "blocks", "blockedBy", "custom", "zz"]
    assert after["custom"] == {"x": [1]} and after["zz"] == "last"


def test_keys_go_in_claude_codes_schema_order_then_the_others() -> None:
    task = {"extra": 1, "status": "pending", "blocks": [], "owner": "a", "subject": "s",
            "metadata": {}, "activeForm": "Doing", "id": "1", "z": 2, "blockedBy": [],
            "description": "d"}
    assert list(ordered(task)) == ["id", "subject", "description", "activeForm", "owner",
                                   "status", "blocks", "blockedBy", "metadata", "extra", "z"]
    assert list(ordered({"x": 1, "status": "s", "id": "1"})) == ["id", "status", "x"]


def test_update_of_a_task_holding_a_cut_emoji_keeps_it_escaped(list_dir: Path) -> None:
    path = list_dir / "1.json"
    path.write_text(dump_json(task_json("1")).replace('"Task 1"', '"Task \\ud83d"'))
    update_task(list_dir, "1", set_owner("alice"))
    assert '"subject": "Task \\ud83d"' in path.read_text(encoding="utf-8")
    assert read_json(path)["owner"] == "alice"


def test_update_writes_through_a_new_file_and_leaves_no_temp_files(list_dir: Path) -> None:
    path = make_task(list_dir, "1")
    (list_dir / ".lock").touch()
    inode = path.stat().st_ino
    os.link(path, list_dir / "old-copy")
    update_task(list_dir, "1", set_owner("alice"))
    assert path.stat().st_ino != inode
    assert read_json(list_dir / "old-copy") == task_json("1")
    assert sorted(p.name for p in list_dir.iterdir()) == [".lock", "1.json", "old-copy"]


def test_update_that_changes_nothing_does_not_write(list_dir: Path) -> None:
    path = make_task(list_dir, "1", owner="alice")
    inode = path.stat().st_ino
    same = update_task(list_dir, "1", set_owner("alice"))
    none = update_task(list_dir, "1", lambda obj: None)
    assert path.stat().st_ino == inode
    assert not same.changed and not none.changed


def test_update_refused_by_the_change_writes_nothing_and_releases_the_lock(
        list_dir: Path) -> None:
    make_task(list_dir, "1")
    before = snapshot(list_dir)

    def refuse(obj: dict) -> dict:
        raise PreconditionFailed("no")

    with pytest.raises(PreconditionFailed):
        update_task(list_dir, "1", refuse)
    assert snapshot(list_dir) == before
    assert not (list_dir / "1.json.lock").exists()


@pytest.mark.parametrize("text", ["{\"id\": \"1\", \"sub", "not json", "[1, 2]", ""])
def test_update_refuses_an_unreadable_file_and_leaves_it_untouched(list_dir: Path,
                                                                   text: str) -> None:
    (list_dir / "1.json").write_text(text)
    before = snapshot(list_dir)
    with pytest.raises(Unreadable):
        update_task(list_dir, "1", set_owner("alice"))
    assert snapshot(list_dir) == before


@pytest.mark.parametrize("task_id", ["7", "abc", "../1", "1.json"])
def test_update_of_a_task_that_does_not_exist_is_not_found(list_dir: Path, task_id: str) -> None:
    make_task(list_dir, "1")
    with pytest.raises(NotFound):
        update_task(list_dir, task_id, set_owner("alice"))


def test_update_waits_for_a_held_lock_and_times_out(list_dir: Path) -> None:
    make_task(list_dir, "1")
    (list_dir / "1.json.lock").mkdir()
    before = snapshot(list_dir)
    with pytest.raises(LockTimeout):
        update_task(list_dir, "1", set_owner("alice"), timeout=0.2)
    assert snapshot(list_dir) == before


def test_task_change_fields_name_each_key_that_differs(tmp_path: Path) -> None:
    change = TaskChange(tmp_path / "1.json", "1", {"a": 1, "b": 2}, {"a": 1, "c": 3})
    assert change.fields() == {"b": (2, None), "c": (None, 3)}
    created = TaskChange(tmp_path / "1.json", "1", None, {"a": 1})
    assert created.changed and created.fields() == {"a": (None, 1)}


# -- create_task -------------------------------------------------------------------------------


def test_create_allocates_one_more_than_the_highest_file(list_dir: Path) -> None:
    make_task(list_dir, "2")
    make_task(list_dir, "10")
    assert create_task(list_dir, "New").task_id == "11"
    assert (list_dir / "11.json").exists()


def test_create_never_reuses_an_id_below_the_high_water_mark(list_dir: Path) -> None:
    make_task(list_dir, "2")
    (list_dir / ".highwatermark").write_text("7")
    assert create_task(list_dir, "New").task_id == "8"


def test_create_in_an_empty_list_starts_at_one(list_dir: Path) -> None:
    assert next_id(list_dir) == "1"
    assert create_task(list_dir, "First").task_id == "1"


def test_create_makes_the_list_lock_target_if_it_is_missing(list_dir: Path) -> None:
    assert not (list_dir / ".lock").exists()
    create_task(list_dir, "First")
    lock = list_dir / ".lock"
    assert lock.is_file() and lock.read_bytes() == b""
    assert not (list_dir / ".lock.lock").exists()


def test_create_writes_a_pending_task_in_claude_codes_style(list_dir: Path) -> None:
    change = create_task(list_dir, "Parse", "All of it", blocked_by=["1", "2", "1"],
                         active_form="Parsing", owner="alice", metadata={"p": 1})
    expected = {"id": "1", "subject": "Parse", "description": "All of it",
                "activeForm": "Parsing", "owner": "alice", "status": "pending", "blocks": [],
                "blockedBy": ["1", "2"], "metadata": {"p": 1}}
    assert (list_dir / "1.json").read_text() == dump_json(expected)
    assert change.before is None and change.after == expected


def test_create_leaves_out_the_optional_keys_it_was_not_given(list_dir: Path) -> None:
    create_task(list_dir, "Parse")
    assert read_json(list_dir / "1.json") == task_json("1", subject="Parse")


def test_create_in_a_missing_list_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        create_task(tmp_path / "nope", "x")
    assert not (tmp_path / "nope").exists()


def test_create_times_out_while_the_list_is_locked(list_dir: Path) -> None:
    (list_dir / ".lock").touch()
    (list_dir / ".lock.lock").mkdir()
    before = snapshot(list_dir)
    with pytest.raises(LockTimeout):
        create_task(list_dir, "x", timeout=0.2)
    assert snapshot(list_dir) == before


# -- remove_task_file --------------------------------------------------------------------------


def test_remove_raises_the_high_water_mark_and_deletes_the_file(list_dir: Path) -> None:
    make_task(list_dir, "3", subject="Gone")
    make_task(list_dir, "1")
    change = remove_task_file(list_dir, "3")
    assert not (list_dir / "3.json").exists()
    assert (list_dir / ".highwatermark").read_bytes() == b"3"
    assert change.before == task_json("3", subject="Gone") and change.after is None
    assert create_task(list_dir, "Next").task_id == "4"


def test_remove_never_lowers_the_high_water_mark(list_dir: Path) -> None:
    make_task(list_dir, "3")
    (list_dir / ".highwatermark").write_text("9")
    remove_task_file(list_dir, "3")
    assert read_highwatermark(list_dir) == 9


def test_remove_deletes_an_unreadable_task_too(list_dir: Path) -> None:
    (list_dir / "2.json").write_text("{")
    change = remove_task_file(list_dir, "2")
    assert change.before is None
    assert not (list_dir / "2.json").exists()


def test_remove_refused_by_its_check_writes_nothing(list_dir: Path) -> None:
    make_task(list_dir, "2")
    (list_dir / ".lock").touch()
    before = snapshot(list_dir)

    def check(obj: dict | None) -> None:
        assert obj == task_json("2")
        raise PreconditionFailed("changed")

    with pytest.raises(PreconditionFailed):
        remove_task_file(list_dir, "2", check=check)
    assert snapshot(list_dir) == before


def test_remove_of_a_missing_task_is_not_found(list_dir: Path) -> None:
    with pytest.raises(NotFound):
        remove_task_file(list_dir, "5")
    assert not (list_dir / ".highwatermark").exists()


@pytest.mark.parametrize("text", ["", "x", "-3", "\n"])
def test_an_unreadable_high_water_mark_counts_as_zero(list_dir: Path, text: str) -> None:
    (list_dir / ".highwatermark").write_text(text)
    assert read_highwatermark(list_dir) == 0


def test_a_high_water_mark_with_a_newline_is_still_read(list_dir: Path) -> None:
    (list_dir / ".highwatermark").write_text("12\n")
    assert read_highwatermark(list_dir) == 12
