"""The task files read early by a child process (``taskboard.claude.early``): the reader
takes them as if it had read them itself, reads what the child could not, and a file
changed after the child read it is caught by the next sweep. Each scenario runs in a
fresh interpreter, where the child is forked as the console forks it (no thread yet)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import make_task, make_team

SCENARIO = """
import json, os, sys, threading
from pathlib import Path
from taskboard.claude import early
from taskboard.claude.paths import resolve
from taskboard.claude.reader import BoardReader

home, step = Path(sys.argv[1]), sys.argv[2]
paths = resolve(home, "alpha")
tasks_dir = str(paths.tasks_dir)
if step == "thread":
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()
early.begin(tasks_dir)
child = early.pending(tasks_dir)
report = {"forked": child is not None}
if child is not None:
    report["other_list"] = early.claim(str(paths.tasks_dir.parent / "beta"))
    report["sent"] = sorted(child.wait())
    # What changes after the child's read: one file rewritten, one gone, one new.
    (paths.tasks_dir / "1.json").write_text(json.dumps(
        {"id": "1", "subject": "Lex the input, again", "description": "", "status": "completed",
         "blocks": [], "blockedBy": []}))
    (paths.tasks_dir / "2.json").unlink()
    (paths.tasks_dir / "5.json").write_text(json.dumps(
        {"id": "5", "subject": "Ship", "description": "", "status": "pending",
         "blocks": [], "blockedBy": []}))
reader = BoardReader(paths)
reader.rescan()
report["claimed_again"] = early.pending(tasks_dir) is not None
plain = BoardReader(paths)
plain.rescan()
def board(r):
    return {"tasks": {tid: [t.subject, t.status, t.mtime] for tid, t in r.board.tasks.items()},
            "problems": sorted((p.task or "", p.kind) for p in r.board.problems())}
report["early"], report["plain"] = board(reader), board(plain)
report["sweep"] = sorted(Path(p).name for p in reader.changed_paths())
reader.refresh(reader.changed_paths())
report["after_sweep"] = board(reader)
from tests.conftest import children_of
report["children"] = children_of(os.getpid())
print(json.dumps(report))
"""


def run(home: Path, step: str = "") -> dict:
    done = subprocess.run([sys.executable, "-c", SCENARIO, str(home), step],
                          capture_output=True, text=True, timeout=120, check=False,
                          cwd=Path(__file__).resolve().parents[2])  # tests.conftest
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def a_list(home: Path) -> Path:
    paths = make_team(home, "alpha", ["team-lead", "alice"])
    make_task(paths.tasks_dir, "1", subject="Lex the input", status="in_progress",
              owner="alice", blocks=["3"])
    make_task(paths.tasks_dir, "2", subject="Parse", status="pending")
    make_task(paths.tasks_dir, "3", subject="Check", status="pending", blockedBy=["1"])
    (paths.tasks_dir / "4.json").write_text('{"id": "4", "subj')  # torn
    os.mkfifo(paths.tasks_dir / "6.json")  # never read, never blocks
    (paths.tasks_dir / ".lock").write_text("")
    (paths.tasks_dir / "notes.txt").write_text("not a task")
    return paths.tasks_dir


def test_the_reader_takes_the_early_read_and_the_sweep_catches_what_changed_since(
        home: Path) -> None:
    a_list(home)
    report = run(home)
    assert report["forked"]
    assert report["other_list"] is None  # only the list it read is handed over
    # The task files the child could read: not the FIFO, not the other names.
    assert report["sent"] == ["1.json", "2.json", "3.json", "4.json"]
    assert not report["claimed_again"]
    early, plain = report["early"], report["plain"]
    # As the child read them: task 1 as it was, task 2 gone since (not listed any more),
    # task 5 new since (read by the reader itself), the FIFO and the torn file reported
    # as a reader that read everything itself reports them.
    assert early["tasks"]["1"][:2] == ["Lex the input", "in_progress"]
    assert "2" not in early["tasks"]
    assert early["tasks"]["5"][0] == "Ship"
    assert early["problems"] == [["4", "torn"], ["6", "unreadable"]]
    assert [p for p in plain["problems"] if p[0] in ("4", "6")] == early["problems"]
    assert early["tasks"]["3"] == plain["tasks"]["3"]
    # The rewrite after the child's read differs from the stamp it sent: the sweep reads
    # it again (with the FIFO, which no sweep can stamp), and then the board is the
    # files' as they are.
    assert report["sweep"] == ["1.json", "6.json"]
    assert report["after_sweep"] == plain
    assert plain["tasks"]["1"][:2] == ["Lex the input, again", "completed"]
    assert report["children"] == []  # the child ended and was waited for


def test_no_child_is_forked_once_a_thread_runs(home: Path) -> None:
    """A fork with threads running may copy a lock held by one of them: no early read,
    the reader reads every file itself."""
    a_list(home)
    report = run(home, "thread")
    assert not report["forked"]
    assert report["early"] == report["plain"]
    assert report["early"]["tasks"]["1"][:2] == ["Lex the input", "in_progress"]
    assert report["sweep"] == ["6.json"]  # the FIFO, which no sweep can stamp
