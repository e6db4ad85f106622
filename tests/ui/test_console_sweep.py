"""The console's periodic stat sweep, paced in slices (``taskboard.claude.reader.Pace``):
it still catches what the events missed, and a console closed during a pause ends it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from taskboard.board.model import dump_json
from taskboard.claude import reader as reader_module
from taskboard.sim.sample import generate_large_list
from taskboard.ui.screens import console as console_module
from tests.conftest import task_json
from tests.ui.conftest import loaded, make_app, wait_for

TASKS = 3 * reader_module.SLICE + 10


class RecordingPace(reader_module.Pace):
    """A pace that notes its pauses and the thread it pauses."""

    threads: list[threading.Thread] = []
    calls: list[int] = []
    stopped = threading.Event()

    def __call__(self) -> None:
        RecordingPace.threads.append(threading.current_thread())
        RecordingPace.calls.append(1)
        try:
            super().__call__()
        except reader_module.SweepStopped:
            RecordingPace.stopped.set()
            raise


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> type[RecordingPace]:
    RecordingPace.threads, RecordingPace.calls = [], []
    RecordingPace.stopped = threading.Event()
    monkeypatch.setattr(console_module, "Pace", RecordingPace)
    return RecordingPace


async def test_the_sweep_reads_a_change_the_events_missed_slice_by_slice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recording) -> None:
    home = tmp_path / "claude"
    paths = generate_large_list(home, "big", TASKS)
    monkeypatch.setattr(console_module, "SWEEP_BUDGET", 0.5)  # pauses of twice a slice
    app = make_app(home, "big", watch=True, rescan_seconds=0.05)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        screen._stop.set()  # the watchers end: from now on only the sweep sees changes
        await wait_for(pilot, lambda: len(recording.calls) >= TASKS // reader_module.SLICE,
                       what="a whole paced sweep")
        paths.task_path("5").write_text(dump_json(task_json("5", subject="Seen by the sweep")))
        await wait_for(pilot, lambda: screen.board.tasks["5"].subject == "Seen by the sweep",
                       what="the sweep to read the change")
    assert all(thread is not threading.main_thread() for thread in recording.threads)


async def test_a_console_closed_while_its_sweep_pauses_ends_the_sweep(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recording) -> None:
    home = tmp_path / "claude"
    generate_large_list(home, "big", TASKS)
    monkeypatch.setattr(console_module, "SWEEP_BUDGET", 1e-9)  # a pause would last for days
    app = make_app(home, "big", watch=True, rescan_seconds=0.05)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: recording.calls, what="the sweep's first pause")
    assert recording.stopped.wait(30), "the sweep still pauses after the console closed"
    assert len(recording.calls) == 1  # it never went past its first pause
