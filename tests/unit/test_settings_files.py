"""The config file and the remembered state are read like every other file: a FIFO or a
huge file never hangs or floods taskboard; it is reported and the defaults are used."""

from __future__ import annotations

import os
from pathlib import Path

from taskboard.config import Settings, load_settings
from taskboard.state import load_state, save_state


def test_a_fifo_config_is_reported_not_waited_on(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    settings, warnings = load_settings(path, required=True)
    assert settings == Settings()
    assert len(warnings) == 1 and "cannot be read" in warnings[0] and "FIFO" in warnings[0]


def test_a_huge_config_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# " + "x" * (2 << 20))
    settings, warnings = load_settings(path)
    assert settings == Settings() and "too large" in warnings[0]


def test_the_state_file_round_trips_and_a_fifo_is_an_empty_state(tmp_path: Path) -> None:
    save_state(tmp_path, theme="nord")
    save_state(tmp_path, other=1)
    assert load_state(tmp_path) == {"theme": "nord", "other": 1}
    assert not list(tmp_path.glob(".state-*")), "no temp file left"
    fifo = tmp_path / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / "state.json")
    assert load_state(fifo) == {}
