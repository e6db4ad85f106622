"""What a headless command loads: only its own work.

Every command module is imported to build the parser, so each imports at its top only
what the parser needs; ``show --json`` must not pay for rich, the lock library, asyncio
or Textual, and the journal's SQLite only when there is a journal to read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from taskboard.board.rules.flags import SEVERITIES
from taskboard.cli import build_parser
from taskboard.cli import check as check_cli
from taskboard.config import THRESHOLD_SETTINGS
from tests.conftest import make_task, make_team

PROBE = """
import json, sys
from taskboard.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
heavy = ("rich", "textual", "portalocker", "asyncio", "sqlite3", "tomllib", "logging",
         "taskboard.claude.team", "taskboard.journal.store")
loaded = sorted(m for m in heavy if m in sys.modules)
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def probe(*argv: str, config_home: Path) -> tuple[str, dict[str, object]]:
    """Run the command line in a fresh interpreter (no config file); its output and what
    it loaded."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home)}
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True,
                          text=True, timeout=120, check=False, env=env)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return done.stdout, report


def test_show_json_loads_neither_rich_nor_the_stores_nor_asyncio_nor_the_journal(
        home: Path, tmp_path: Path) -> None:
    paths = make_team(home, "alpha", ["team-lead", "alice"])
    make_task(paths.tasks_dir, "1", subject="Lex", status="completed", blocks=["2"])
    make_task(paths.tasks_dir, "2", subject="Parse", status="in_progress", owner="alice",
              blockedBy=["1"])
    out, report = probe("--claude-dir", str(home), "--data-dir", str(tmp_path / "data"),
                        "show", "alpha", "--json", config_home=tmp_path)
    assert report == {"code": 0, "loaded": []}
    doc = json.loads(out)
    assert [t["id"] for t in doc["tasks"]] == ["1", "2"]
    assert doc["tasks"][1]["state"] == "in_progress"


def test_ls_json_and_the_version_load_no_rich(home: Path, tmp_path: Path) -> None:
    make_task(home / "tasks" / "solo", "1")
    out, report = probe("--claude-dir", str(home), "ls", "--json", config_home=tmp_path)
    assert report["code"] == 0
    assert not {"rich", "textual", "asyncio", "sqlite3"} & set(report["loaded"])
    assert [row["name"] for row in json.loads(out)["lists"]] == ["solo"]
    out, report = probe("--version", config_home=tmp_path)
    assert not {"rich", "textual", "asyncio"} & set(report["loaded"])
    assert out.startswith("taskboard ")
    assert "Textual" in out


def test_a_table_still_prints_through_rich(home: Path, tmp_path: Path) -> None:
    make_task(home / "tasks" / "solo", "1", subject="Lex")
    out, report = probe("--claude-dir", str(home), "show", "solo", config_home=tmp_path)
    assert report["code"] == 0 and "rich" in report["loaded"]
    assert "Lex" in out


def test_the_parser_names_the_same_choices_as_the_rules() -> None:
    """``check`` names severities and thresholds without loading the rules or the config."""
    assert set(check_cli.SEVERITIES) == set(SEVERITIES)
    assert check_cli.THRESHOLD_SETTINGS == THRESHOLD_SETTINGS
    severity = next(a for a in build_parser()._subparsers._group_actions[0]  # type: ignore
                    .choices["check"]._actions if a.dest == "severity")
    assert tuple(severity.choices) == SEVERITIES
