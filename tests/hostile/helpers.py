"""Shared hostile payloads and checks for the attack tests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

PAYLOADS = {
    "osc52": "\x1b]52;c;ZXZpbA==\x07clip",
    "osc_title": "\x1b]0;pwned\x07title",
    "osc8": "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "csi": "\x1b[2J\x1b[Hclear",
    "dcs": "\x1bPq#0;2;0;0;0\x1b\\dcs",
    "c1": "\x9b31m\x9d0;t\x07c1",
    "bidi": "abc\u202edcba\u2066x\u2069",
    "zero_width": "a\u200bb\u200dc\ufeffd",
    "markup_close": "[/x]",
    "markup_click": "[@click=app.quit]click me[/]",
    "markup_link": "[link=https://evil.example]link[/link]",
    "markup_bold": "[bold red]loud[/]",
    "long": "W" * 5000,
    "wide": "解析" * 50,
    "lone_surrogate": "cut \ud83d",
    "html": "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "markdown": "](javascript:alert(3)) | cell | <b>",
}
"""Strings that must reach the screen as inert text."""

DANGEROUS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff]")
"""Bytes (decoded) that must never reach a terminal from file content."""


def inert(output: str) -> bool:
    """True when ``output`` holds no escape, control (but newline), bidi or zero-width
    character: plain text only (for output captured from a pipe, where Rich adds no style)."""
    return DANGEROUS.search(output) is None


def strict_json(text: str) -> Any:
    """Parse as JavaScript's JSON.parse would: NaN and Infinity are errors."""
    def reject(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=reject)


def run_cli(*args: str, home: Path, timeout: float = 30,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m taskboard`` in a real subprocess (a hang is a timeout failure)."""
    full_env = {**os.environ, "CLAUDE_CONFIG_DIR": str(home), "COLUMNS": "200",
                "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "taskboard", *args], env=full_env,
                          capture_output=True, timeout=timeout, check=False)


def write_raw(path: Path, text: str) -> Path:
    """Write ``text`` as is (lone surrogates kept as their escape by the caller)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def cli_in_process(capsys: Any, *args: str) -> tuple[int, str, str]:
    """Run the CLI in this process (for inputs that cannot hang): code, stdout, stderr."""
    from taskboard.cli import main

    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
