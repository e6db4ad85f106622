"""The outline built around attention: the parent a task hangs under, rows cut at the
pane's edge, flag and critical-path marks, "also before" in the reversed tree, the waves."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text

from taskboard.board.graph import analyze
from taskboard.board.model import Board, Task
from taskboard.board.outline import build_outline, walk
from taskboard.board.rules import Flag
from taskboard.board.waves import plan, section_title, waves_forest
from taskboard.render import fit, outline_label


def linked(*specs: tuple[str, str, tuple[str, ...], float]) -> dict[str, Task]:
    """Tasks ``(id, status, blockers, mtime)`` with both sides of every link."""
    blocks: dict[str, list[str]] = {tid: [] for tid, *_ in specs}
    for tid, _, by, _ in specs:
        for blocker in by:
            blocks[blocker].append(tid)
    return {tid: Task(id=tid, status=status, blocked_by=by, blocks=tuple(blocks[tid]),
                      mtime=mtime) for tid, status, by, mtime in specs}


def parents(tasks: dict[str, Task], critical: tuple[str, ...] = ()) -> dict[str, str]:
    out: dict[str, str] = {}
    stack = [(None, node) for node in build_outline(tasks, analyze(tasks), "blockers",
                                                     critical)]
    while stack:
        parent, node = stack.pop()
        if parent is not None:
            out[node.id] = parent
        stack.extend((node.id, child) for child in node.children)
    return out


def test_a_task_hangs_under_its_most_recent_open_blocker_not_the_lowest_id() -> None:
    tasks = linked(("1", "pending", (), 100.0), ("2", "pending", (), 300.0),
                   ("3", "pending", ("1", "2"), 50.0))
    assert parents(tasks)["3"] == "2"


def test_a_task_hangs_under_the_blocker_on_the_critical_path() -> None:
    tasks = linked(("1", "pending", (), 100.0), ("2", "pending", (), 300.0),
                   ("3", "pending", ("1", "2"), 50.0))
    assert parents(tasks, critical=("1", "3"))["3"] == "1"


def test_an_open_blocker_wins_over_a_completed_one() -> None:
    tasks = linked(("1", "pending", (), 100.0), ("2", "completed", (), 300.0),
                   ("3", "pending", ("1", "2"), 50.0))
    assert parents(tasks)["3"] == "1"


def test_a_cut_badge_ends_in_an_ellipsis_never_in_a_shorter_id() -> None:
    label = Text("#14 ◌ Release  also after #7 ◌ #113 ◌")
    for width in range(10, label.cell_len):
        shown = fit(label, width).plain
        assert len(shown) <= width and shown.endswith("…")
        assert "#11…" not in shown and "#1…" not in shown and not shown.endswith("#11 …")
    assert fit(label, 100).plain == label.plain


def board_of(tasks: dict[str, Task]) -> Board:
    board = Board("t")
    board.tasks.update(tasks)
    return board


def test_a_flagged_row_carries_the_flag_before_the_subject_readable_without_colour() -> None:
    tasks = linked(("1", "in_progress", (), 0.0))
    board = board_of(tasks)
    node = walk(build_outline(tasks, board.analysis))[0][1]
    flags = [Flag("stalled", "critical", "r", 0.0, "1"), Flag("x", "warning", "r", 0.0, "1")]
    assert outline_label(board, node, flags=flags).plain.startswith("#1 ● ⚑ stalled +1")
    info = [Flag("waiting_on_trouble", "info", "r", 0.0, "1")]
    assert "⚑" not in outline_label(board, node, flags=info).plain
    assert outline_label(board, node, critical=True).plain.startswith("»#1")


def test_the_reversed_tree_says_also_before() -> None:
    tasks = linked(("1", "pending", (), 0.0), ("2", "pending", ("1",), 0.0),
                   ("3", "pending", ("1",), 0.0), ("4", "pending", ("2", "3"), 0.0))
    board = board_of(tasks)
    forward = {n.id: n for _, n in walk(build_outline(tasks, board.analysis))}
    assert "also after #" in outline_label(board, forward["4"]).plain
    backward = {n.id: n for _, n in walk(build_outline(tasks, board.analysis, "dependants"))}
    node = next(n for n in backward.values() if n.also)
    assert "also before #" in outline_label(board, node, reverse=True).plain


def test_the_waves_view_has_a_section_per_wave_then_the_stuck_and_the_done() -> None:
    tasks = linked(("1", "completed", (), 0.0), ("2", "in_progress", ("1",), 0.0),
                   ("3", "pending", ("1",), 0.0), ("4", "pending", ("2", "3"), 0.0),
                   ("5", "pending", ("6",), 0.0), ("6", "pending", ("5",), 0.0))
    work = plan(tasks, analyze(tasks).states)
    forest = waves_forest(work)
    assert [(n.id, [c.id for c in n.children]) for n in forest] == [
        ("§running", ["2"]), ("§1", ["3"]), ("§2", ["4"]), ("§stuck", ["5", "6"]),
        ("§done", ["1"])]
    assert section_title("§1", work) == "Wave 1 · 1 task · runnable now"
    assert section_title("§2", work) == "Wave 2 · 1 task · after wave 1"
    assert section_title("§stuck", work) == "Can never run · 2 (cycle #5 → #6)"
    assert section_title("§running", replace(work)) == "Running now · 1"
