"""BoardReader on real files: incremental refresh, stat sweeps, torn files, vanishing dirs."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from taskboard.board.model import dump_json
from taskboard.claude import reader as reader_module
from taskboard.claude.paths import TeamPaths
from taskboard.claude.reader import BoardReader, load_board
from taskboard.sim.sample import generate_large_list
from tests.conftest import make_task, make_team, message, task_json, write_inbox


def write_in_place(path: Path, text: str) -> None:
    """Truncate and write, the way Claude Code writes (no temp file)."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def bump_mtime(path: Path, seconds: float = 5.0) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + int(seconds * 1e9)))


@pytest.fixture
def team(home: Path) -> TeamPaths:
    paths = make_team(home, "alpha", ["team-lead", "alice"])
    make_task(paths.tasks_dir, "1", subject="Write the parser")
    make_task(paths.tasks_dir, "2", subject="Test the parser", blockedBy=["1"])
    write_inbox(paths, "alice", [message("team-lead", "Start with the header tests.")])
    return paths


@pytest.fixture
def loaded(team: TeamPaths) -> BoardReader:
    reader = BoardReader(team)
    reader.rescan()
    return reader


# -- loading and one read per change ---------------------------------------------


def test_initial_rescan_reads_every_file_once(loaded: BoardReader) -> None:
    board = loaded.board
    assert set(board.tasks) == {"1", "2"}
    assert board.team is not None and [m.name for m in board.members] == ["team-lead", "alice"]
    assert set(board.inboxes) == {"alice"}
    assert board.list_exists and board.team_exists
    assert loaded.reads == 4  # two tasks, config.json, one inbox


def test_load_board_reads_a_whole_team(team: TeamPaths) -> None:
    board = load_board(team)
    assert set(board.tasks) == {"1", "2"} and board.team is not None


def test_a_first_load_lists_without_statting_and_then_sweeps_by_stamp(team: TeamPaths) -> None:
    """The first sweep names every task file without a stat (all are read anyway); a
    dangling link is no task and no problem, then or later; the next sweep compares the
    stamps the reads took, so it finds nothing to read."""
    (team.tasks_dir / "3.json").symlink_to(team.tasks_dir / "gone" / "3.json")
    reader = BoardReader(team)
    reader.rescan()
    assert set(reader.board.tasks) == {"1", "2"} and reader.board.file_problems == {}
    assert reader.reads == 4
    assert reader.changed_paths() == set()
    assert not reader.rescan() and reader.reads == 4
    bump_mtime(team.task_path("2"))
    assert reader.changed_paths() == {team.task_path("2")}


def test_rescan_without_changes_reads_nothing(loaded: BoardReader) -> None:
    before = loaded.reads
    delta = loaded.rescan()
    assert not delta
    assert loaded.reads == before


def test_one_changed_file_in_a_1000_task_list_costs_one_read(home: Path) -> None:
    paths = generate_large_list(home, "big", 1000)
    reader = BoardReader(paths)
    reader.rescan()
    assert len(reader.board.tasks) == 1000
    path = paths.task_path("500")
    write_in_place(path, dump_json(task_json("500", subject="Renamed", status="completed")))

    before = reader.reads
    delta = reader.refresh([path])
    assert reader.reads - before == 1
    assert delta.tasks == {"500"}
    assert reader.board.tasks["500"].subject == "Renamed"

    # The periodic rescan agrees that nothing else needs reading.
    assert not reader.rescan()
    assert reader.reads - before == 1


def test_rescan_after_one_change_in_a_1000_task_list_costs_one_read(home: Path) -> None:
    paths = generate_large_list(home, "big", 1000)
    reader = BoardReader(paths)
    reader.rescan()
    write_in_place(paths.task_path("7"), dump_json(task_json("7", subject="Seven")))
    before = reader.reads
    delta = reader.rescan()
    assert reader.reads - before == 1
    assert delta.tasks == {"7"}


def test_refresh_ignores_paths_that_are_not_the_teams(loaded: BoardReader, home: Path) -> None:
    team = loaded.paths
    other = make_task(home / "tasks" / "other", "1")
    (team.tasks_dir / ".highwatermark").write_text("9")
    temp = team.tasks_dir / ".1.json.123.tmp"
    temp.write_text("{}")
    lock_dir = team.tasks_dir / "1.json.lock"
    lock_dir.mkdir()
    before = loaded.reads
    delta = loaded.refresh([other, team.tasks_dir / ".highwatermark", temp, lock_dir,
                            team.tasks_dir / ".lock", team.team_dir / "notes.txt"])
    assert not delta
    assert loaded.reads == before


def test_refresh_of_an_unchanged_file_reads_it_but_reports_nothing(loaded: BoardReader) -> None:
    before = loaded.reads
    assert not loaded.refresh([loaded.paths.task_path("1")])
    assert loaded.reads == before + 1


# -- torn and invalid files ------------------------------------------------------


def test_torn_file_keeps_last_good_version_marked_stale_then_recovers(
        loaded: BoardReader) -> None:
    path = loaded.paths.task_path("1")
    good = dump_json(task_json("1", subject="Write the parser"))

    write_in_place(path, "")  # caught between truncate and write
    delta = loaded.refresh([path])
    task = loaded.board.tasks["1"]
    assert delta.tasks == {"1"}
    assert task.stale and task.subject == "Write the parser"
    assert [p.kind for p in loaded.board.file_problems[str(path)]] == ["torn"]

    write_in_place(path, good[: len(good) // 2])  # half written
    loaded.refresh([path])
    assert loaded.board.tasks["1"].stale
    assert [p.kind for p in loaded.board.file_problems[str(path)]] == ["torn"]

    write_in_place(path, dump_json(task_json("1", subject="Write the parser", status="completed")))
    delta = loaded.refresh([path])
    task = loaded.board.tasks["1"]
    assert delta.tasks == {"1"}
    assert not task.stale and task.status == "completed"
    assert str(path) not in loaded.board.file_problems


def test_torn_file_is_noticed_by_the_sweep_when_the_writer_finishes(loaded: BoardReader) -> None:
    path = loaded.paths.task_path("2")
    write_in_place(path, "")
    loaded.refresh([path])
    assert loaded.board.tasks["2"].stale
    write_in_place(path, dump_json(task_json("2", subject="Test it", blockedBy=["1"])))
    assert path in loaded.changed_paths()
    loaded.rescan()
    assert not loaded.board.tasks["2"].stale
    assert loaded.board.tasks["2"].subject == "Test it"


def test_invalid_new_file_is_a_problem_not_a_task_until_it_is_removed(
        loaded: BoardReader) -> None:
    path = loaded.paths.tasks_dir / "3.json"
    path.write_text('{"id": "3", oops}')
    delta = loaded.rescan()
    assert delta.tasks == {"3"}
    assert "3" not in loaded.board.tasks
    assert [p.kind for p in loaded.board.file_problems[str(path)]] == ["invalid_json"]

    path.unlink()
    assert path in loaded.changed_paths()
    delta = loaded.rescan()
    assert delta.tasks == {"3"}
    assert str(path) not in loaded.board.file_problems


def test_a_directory_named_like_a_task_is_a_problem_not_a_crash(loaded: BoardReader) -> None:
    (loaded.paths.tasks_dir / "8.json").mkdir()
    delta = loaded.rescan()
    problems = loaded.board.file_problems[str(loaded.paths.tasks_dir / "8.json")]
    assert delta.tasks == {"8"}
    assert [p.kind for p in problems] == ["unreadable"]
    assert not loaded.rescan()  # the same problem again is no change


# -- files added and removed -------------------------------------------------------


def test_added_and_removed_task_files_are_found_by_rescan(loaded: BoardReader) -> None:
    make_task(loaded.paths.tasks_dir, "3", subject="Document it")
    loaded.paths.task_path("2").unlink()
    delta = loaded.rescan()
    assert delta.tasks == {"2", "3"}
    assert set(loaded.board.tasks) == {"1", "3"}


def test_removed_task_file_is_dropped_by_refresh(loaded: BoardReader) -> None:
    path = loaded.paths.task_path("2")
    path.unlink()
    before = loaded.reads
    delta = loaded.refresh([path])
    assert delta.tasks == {"2"}
    assert "2" not in loaded.board.tasks
    assert loaded.reads == before  # a missing file costs no read


def test_config_change_is_read(loaded: BoardReader) -> None:
    paths = loaded.paths
    config = dump_json({"name": "alpha", "members": [{"name": "team-lead"},
                                                              {"name": "bob"}]})
    write_in_place(paths.config_path, config)
    before = loaded.reads
    delta = loaded.refresh([paths.config_path])
    assert delta.team and loaded.reads == before + 1
    assert [m.name for m in loaded.board.members] == ["team-lead", "bob"]


def test_torn_config_keeps_the_last_good_one(loaded: BoardReader) -> None:
    paths = loaded.paths
    write_in_place(paths.config_path, '{"name": "alpha", "memb')
    delta = loaded.refresh([paths.config_path])
    assert delta.team
    assert [m.name for m in loaded.board.members] == ["team-lead", "alice"]
    assert [p.kind for p in loaded.board.file_problems[str(paths.config_path)]] == ["torn"]


def test_inbox_added_changed_and_removed(loaded: BoardReader) -> None:
    paths = loaded.paths
    bob = write_inbox(paths, "bob", [message("team-lead", "Hello bob")])
    delta = loaded.rescan()
    assert delta.inboxes == {"bob"}

    write_inbox(paths, "alice", [message("team-lead", "Start with the header tests."),
                                 message("team-lead", "And then the footer.")])
    before = loaded.reads
    delta = loaded.refresh([paths.inbox_path("alice")])
    assert delta.inboxes == {"alice"} and loaded.reads == before + 1
    assert len(loaded.board.inboxes["alice"].messages) == 2

    bob.unlink()
    delta = loaded.rescan()
    assert delta.inboxes == {"bob"}
    assert "bob" not in loaded.board.inboxes


# -- directories vanishing and coming back -------------------------------------------


def test_list_dir_removed_keeps_the_last_tasks_then_recreated_is_read_afresh(
        loaded: BoardReader) -> None:
    paths = loaded.paths
    shutil.rmtree(paths.tasks_dir)
    # The watcher reports the file deletions and the directory in one batch.
    delta = loaded.refresh([paths.task_path("1"), paths.task_path("2"), paths.tasks_dir])
    assert delta.structure
    assert not loaded.board.list_exists
    assert set(loaded.board.tasks) == {"1", "2"}
    assert not loaded.rescan()  # nothing more to say while it is gone

    make_task(paths.tasks_dir, "1", subject="A new team, a new first task")
    delta = loaded.rescan()
    assert delta.structure and loaded.board.list_exists
    assert set(loaded.board.tasks) == {"1"}
    assert loaded.board.tasks["1"].subject == "A new team, a new first task"


def test_list_removed_over_two_watcher_batches_still_keeps_the_tasks(
        loaded: BoardReader) -> None:
    """rm -rf seen in two batches: first the files (directory still there), then the dir."""
    paths = loaded.paths
    for task_id in ("1", "2"):
        paths.task_path(task_id).unlink()
    delta = loaded.refresh([paths.task_path("1"), paths.task_path("2")])
    assert delta.tasks == {"1", "2"} and not loaded.board.tasks
    shutil.rmtree(paths.tasks_dir)
    delta = loaded.refresh([paths.tasks_dir])
    assert delta.structure and not loaded.board.list_exists
    assert set(loaded.board.tasks) == {"1", "2"}


def test_tasks_removed_long_before_the_list_are_not_restored(
        loaded: BoardReader, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = loaded.paths
    paths.task_path("2").unlink()
    loaded.refresh([paths.task_path("2")])
    monkeypatch.setattr(reader_module, "RESTORE_WINDOW", 0.0)
    shutil.rmtree(paths.tasks_dir)
    loaded.refresh([paths.tasks_dir])
    assert set(loaded.board.tasks) == {"1"}


def test_team_dir_removed_keeps_config_and_inboxes(loaded: BoardReader) -> None:
    paths = loaded.paths
    shutil.rmtree(paths.team_dir)
    delta = loaded.refresh([paths.config_path, paths.inbox_path("alice"), paths.team_dir])
    assert delta.structure and not loaded.board.team_exists
    assert loaded.board.team is not None
    assert set(loaded.board.inboxes) == {"alice"}

    make_team(paths.home, "alpha", ["team-lead", "carol"], with_list=False)
    delta = loaded.rescan()
    assert delta.structure and delta.team and loaded.board.team_exists
    assert [m.name for m in loaded.board.members] == ["team-lead", "carol"]
    assert "alice" not in loaded.board.inboxes


def test_list_created_after_the_reader_started_is_picked_up(home: Path) -> None:
    reader = BoardReader(TeamPaths(home, "late"))
    assert not reader.rescan()
    assert not reader.board.list_exists
    make_task(home / "tasks" / "late", "1")
    # A directory event alone is enough: the reader sweeps the new directory.
    delta = reader.refresh([home / "tasks"])
    assert delta.structure and set(delta.tasks) == {"1"}
    assert reader.board.list_exists


def test_directory_event_sweeps_for_files_the_events_missed(loaded: BoardReader) -> None:
    paths = loaded.paths
    make_task(paths.tasks_dir, "3")
    write_in_place(paths.task_path("1"), dump_json(task_json("1", subject="Changed")))
    delta = loaded.refresh([paths.tasks_dir])
    assert delta.tasks == {"1", "3"}


# -- the stat sweep ------------------------------------------------------------------


def test_changed_paths_finds_changes_and_deletions_without_reading(loaded: BoardReader) -> None:
    paths = loaded.paths
    before = loaded.reads
    assert loaded.changed_paths() == set()

    bump_mtime(paths.task_path("1"))  # same size, new mtime
    with open(paths.task_path("2"), "a", encoding="utf-8") as handle:  # size
        handle.write(" ")
    new = make_task(paths.tasks_dir, "3")
    paths.inbox_path("alice").unlink()
    bump_mtime(paths.config_path)
    (paths.tasks_dir / ".highwatermark").write_text("9")
    (paths.tasks_dir / "x.json.tmp").write_text("{}")
    (paths.tasks_dir / "1.json.lock").mkdir()

    assert loaded.changed_paths() == {paths.task_path("1"), paths.task_path("2"), new,
                                      paths.inbox_path("alice"), paths.config_path}
    assert loaded.reads == before


def test_changed_paths_reports_a_vanished_or_new_directory_not_its_files(
        loaded: BoardReader) -> None:
    paths = loaded.paths
    shutil.rmtree(paths.tasks_dir)
    assert loaded.changed_paths() == {paths.tasks_dir}
    loaded.rescan()
    assert loaded.changed_paths() == set()


def test_a_paced_sweep_pauses_every_slice_and_finds_what_an_unpaced_one_does(
        home: Path) -> None:
    paths = generate_large_list(home, "paced", 600)
    reader = BoardReader(paths)
    reader.rescan()
    for n in ("7", "300", "599"):
        bump_mtime(paths.task_path(n))
    paths.task_path("42").unlink()
    pauses: list[int] = []
    found = reader.changed_paths(pace=lambda: pauses.append(1))
    assert found == reader.changed_paths() == {paths.task_path(n)
                                               for n in ("7", "300", "599", "42")}
    assert len(pauses) == 600 // reader_module.SLICE


def test_a_file_the_loop_reads_during_a_paced_sweep_is_not_reported_again(
        home: Path) -> None:
    """The stamps are compared after the scan, which a pace spreads over minutes: a change
    the events brought in meanwhile is not read a second time."""
    paths = generate_large_list(home, "paced", 600)
    reader = BoardReader(paths)
    reader.rescan()
    last = os.listdir(paths.tasks_dir)[-1]  # scandir's order: stat'ed after the pauses
    changed = paths.tasks_dir / last

    def pace() -> None:
        if not reader.board.tasks[last[:-5]].subject.startswith("Renamed"):
            task = task_json(last[:-5], subject="Renamed during the sweep")
            write_in_place(changed, dump_json(task))
            reader.refresh([changed])  # the event, handled on the loop

    assert reader.changed_paths(pace=pace) == set()
    assert reader.board.tasks[last[:-5]].subject == "Renamed during the sweep"


def test_a_stop_ends_a_paced_sweep_in_its_pause(home: Path) -> None:
    paths = generate_large_list(home, "paced", 600)
    reader = BoardReader(paths)
    reader.rescan()
    stop = threading.Event()
    pace = reader_module.Pace(1e-9, stop)  # a pause would last for days
    outcome: list[object] = []

    def sweep() -> None:
        try:
            outcome.append(reader.changed_paths(pace=pace))
        except reader_module.SweepStopped as err:
            outcome.append(err)

    thread = threading.Thread(target=sweep)
    thread.start()
    thread.join(0.2)
    assert thread.is_alive() and outcome == []  # in its first pause
    stop.set()
    thread.join(10)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], reader_module.SweepStopped)
    assert pace.pauses == 0


def test_changed_paths_in_a_thread_while_the_loop_refreshes(home: Path) -> None:
    """The sweep works on snapshots: no 'dict changed size' while refresh adds and drops."""
    paths = generate_large_list(home, "busy", 300)
    reader = BoardReader(paths)
    reader.rescan()
    errors: list[BaseException] = []
    done = threading.Event()

    def sweep() -> None:
        try:
            while not done.is_set():
                reader.changed_paths()
        except BaseException as err:  # pragma: no cover - the failure being tested for
            errors.append(err)

    thread = threading.Thread(target=sweep)
    thread.start()
    try:
        for n in range(301, 501):
            make_task(paths.tasks_dir, str(n))
            reader.refresh([paths.task_path(str(n))])
            paths.task_path(str(n - 200)).unlink()
            reader.refresh([paths.task_path(str(n - 200))])
    finally:
        done.set()
        thread.join()
    assert errors == []
    reader.rescan()
    assert set(reader.board.tasks) == {str(n) for n in (*range(1, 101), *range(301, 501))}
