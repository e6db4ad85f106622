"""Where the Claude home is, and how a name from the command line becomes a path inside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskboard.claude.paths import (
    TeamPaths,
    claude_home,
    known_names,
    list_dir_name,
    resolve,
    task_id_from_name,
    team_dir_name,
)


def test_explicit_claude_dir_wins_over_the_environment(tmp_path: Path) -> None:
    env = {"CLAUDE_CONFIG_DIR": str(tmp_path / "from-env")}
    assert claude_home(tmp_path / "explicit", env) == tmp_path / "explicit"


def test_claude_config_dir_wins_over_the_default(tmp_path: Path) -> None:
    assert claude_home(None, {"CLAUDE_CONFIG_DIR": str(tmp_path / "env")}) == tmp_path / "env"


def test_default_home_is_dot_claude_in_the_user_home(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert claude_home(None, {}) == tmp_path / ".claude"
    assert claude_home(None, {"CLAUDE_CONFIG_DIR": ""}) == tmp_path / ".claude"


def test_claude_home_reads_the_process_environment_by_default(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "env"))
    assert claude_home() == tmp_path / "env"


def test_claude_home_expands_a_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert claude_home("~/elsewhere", {}) == tmp_path / "elsewhere"
    assert claude_home(None, {"CLAUDE_CONFIG_DIR": "~/cfg"}) == tmp_path / "cfg"


@pytest.mark.parametrize(("name", "expected"), [
    ("parser-team", "parser-team"),
    ("My_Team", "my-team"),
    ("Team 2.0", "team-2-0"),
    ("../x", "---x"),
    ("a/b", "a-b"),
    ("é", "-"),
])
def test_team_names_are_lowercased_and_reduced_to_a_z_0_9_and_dashes(name: str,
                                                                      expected: str) -> None:
    assert team_dir_name(name) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("0b7c3e0e-6a7f-4f55-9d0a-3d2f5a1c9e11", "0b7c3e0e-6a7f-4f55-9d0a-3d2f5a1c9e11"),
    ("My_List", "My_List"),
    ("../x", "---x"),
    ("..", "--"),
    ("a/b\\c", "a-b-c"),
    ("/etc", "-etc"),
])
def test_list_names_keep_case_and_underscores_but_nothing_that_moves_a_path(
        name: str, expected: str) -> None:
    assert list_dir_name(name) == expected


def test_only_decimal_json_names_are_tasks() -> None:
    assert task_id_from_name("12.json") == "12"
    for name in (".lock", ".highwatermark", "12.json.lock", "a.json", "12.json.tmp",
                 ".12.json.123.ab.tmp", "-1.json", "1.5.json", "12.JSON"):
        assert task_id_from_name(name) is None, name


def test_team_paths_lay_out_claude_codes_directories(tmp_path: Path) -> None:
    paths = TeamPaths(tmp_path, "alpha")
    assert paths.tasks_dir == tmp_path / "tasks" / "alpha"
    assert paths.team_dir == tmp_path / "teams" / "alpha"
    assert paths.config_path == tmp_path / "teams" / "alpha" / "config.json"
    assert paths.task_path("4") == tmp_path / "tasks" / "alpha" / "4.json"
    assert paths.inbox_path("tester") == tmp_path / "teams" / "alpha" / "inboxes" / "tester.json"


def test_an_inbox_name_cannot_leave_the_inbox_directory(tmp_path: Path) -> None:
    paths = TeamPaths(tmp_path, "alpha")
    assert paths.inbox_path("../../x").parent == paths.inboxes_dir


def test_resolve_turns_a_team_name_into_its_directory(home: Path) -> None:
    (home / "teams" / "my-team").mkdir(parents=True)
    assert resolve(home, "My_Team") == TeamPaths(home, "my-team")


def test_resolve_prefers_an_existing_list_named_with_case_and_underscores(home: Path) -> None:
    (home / "tasks" / "My_List").mkdir(parents=True)
    (home / "tasks" / "my-list").mkdir(parents=True)
    assert resolve(home, "My_List").name == "My_List"


def test_resolve_of_an_unknown_name_uses_the_team_rule(home: Path) -> None:
    assert resolve(home, "New_Team") == TeamPaths(home, "new-team")


@pytest.mark.parametrize("name", ["..", "../x", "../../etc", "/etc/passwd", ".", "a/../../b",
                                  "~root", "\\..\\x"])
def test_resolve_never_leaves_the_claude_home(home: Path, name: str) -> None:
    (home.parent / "x").mkdir(exist_ok=True)  # a tempting target next to the home
    paths = resolve(home, name)
    for path in (paths.tasks_dir, paths.team_dir, paths.config_path, paths.task_path("1"),
                 paths.inbox_path(name)):
        resolved = path.resolve()
        assert resolved.is_relative_to(home.resolve()), path
        assert ".." not in path.relative_to(home).parts


@pytest.mark.parametrize("name", ["", "   "])
def test_resolve_refuses_an_empty_name(home: Path, name: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        resolve(home, name)


def test_known_names_lists_every_list_and_team_directory_once_sorted(home: Path) -> None:
    (home / "tasks" / "beta").mkdir(parents=True)
    (home / "tasks" / "alpha").mkdir(parents=True)
    (home / "teams" / "alpha").mkdir(parents=True)
    (home / "teams" / "gamma").mkdir(parents=True)
    (home / "tasks" / "stray.json").write_text("{}")
    assert known_names(home) == ["alpha", "beta", "gamma"]


def test_known_names_of_an_empty_or_missing_home_is_empty(tmp_path: Path) -> None:
    assert known_names(tmp_path / "nowhere") == []
    (tmp_path / "tasks").write_text("not a directory")
    assert known_names(tmp_path) == []
