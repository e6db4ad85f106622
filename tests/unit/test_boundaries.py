"""Nothing outside ``taskboard/ui/`` imports textual: the headless code stays headless."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import taskboard

PACKAGE = Path(taskboard.__file__).resolve().parent
UI = PACKAGE / "ui"
SKIPPED = ("taskboard.ui", "taskboard.sim.demo", "taskboard.__main__")
"""The console, the demo that starts it, and ``python -m taskboard`` (which runs the CLI)."""


def headless_sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if UI not in p.parents)


def textual_imports(path: Path) -> list[str]:
    """Every ``import textual...`` or ``from textual... import`` in a file, anywhere in it."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.extend(f"{path.name}:{node.lineno} {name}" for name in names
                     if name == "textual" or name.startswith("textual."))
    return found


def test_the_static_check_sees_the_headless_modules_and_would_catch_an_import(
        tmp_path: Path) -> None:
    names = {p.name for p in headless_sources()}
    assert {"__init__.py", "model.py", "ops.py", "lock.py", "tasks.py"} <= names
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nimport textual.app\ndef f():\n    from textual import on\n")
    assert len(textual_imports(sample)) == 2


def test_no_module_outside_ui_imports_textual_in_its_source() -> None:
    offenders = [hit for path in headless_sources() for hit in textual_imports(path)]
    assert offenders == []


IMPORT_ALL = f"""
import importlib, pkgutil, sys
import taskboard

# pkgutil.walk_packages would import the skipped packages to look inside them: walk by hand.
def skipped(name):
    return any(name == s or name.startswith(s + ".") for s in {SKIPPED!r})

def walk(path, prefix):
    for info in pkgutil.iter_modules(path, prefix):
        if skipped(info.name):
            continue
        module = importlib.import_module(info.name)
        yield info.name
        if info.ispkg:
            yield from walk(module.__path__, info.name + ".")

imported = list(walk(taskboard.__path__, "taskboard."))
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(len(imported))
print(" ".join(imported))
print(" ".join(loaded))
"""


def test_importing_every_headless_module_does_not_load_textual() -> None:
    done = subprocess.run([sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    count, imported, loaded = (done.stdout.splitlines() + ["", "", ""])[:3]
    assert int(count) >= 15, imported
    for module in ("taskboard.cli", "taskboard.ops", "taskboard.claude.tasks",
                   "taskboard.claude.lock", "taskboard.board.health"):
        assert module in imported.split()
    assert loaded == "", f"textual was imported: {loaded}"
