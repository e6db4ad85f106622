"""The browser view in a real headless Chromium (Debian's ``chromium``), driven by Playwright.

The console draws into a canvas, so what the page shows is read from the bytes the page's
terminal receives over its websocket (escape sequences stripped), and a screenshot is saved
to ``artifacts/`` as the test's artefact. Without Chromium the test skips on a developer's
machine and fails under ``CI`` (``.ci/run`` installs it).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from taskboard.ui.web import descendants
from tests.conftest import make_task, task_json
from tests.web.test_serve import Served

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
DEADLINE = 60.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]"        # CSI
                     r"|\][^\x07\x1b]*(\x07|\x1b\\)"     # OSC
                     r"|[PX^_][^\x1b]*\x1b\\|.)")         # DCS and the rest


def chromium() -> str:
    path = os.environ.get("TASKBOARD_CHROMIUM") or shutil.which("chromium")
    if path is None:
        reason = "chromium is not installed (apt-get install chromium; .ci/run does it)"
        if os.environ.get("CI"):
            pytest.fail(f"the browser test must run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    return path


class Screen:
    """Everything the page's terminal received, as text."""

    def __init__(self) -> None:
        self.raw: list[str] = []

    def feed(self, payload: str | bytes) -> None:
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        self.raw.append(text)

    def text(self) -> str:
        return ESCAPES.sub("", "".join(self.raw))

    def wait_for(self, page: object, needle: str, after: int = 0) -> None:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if needle in ESCAPES.sub("", "".join(self.raw[after:])):
                return
            page.wait_for_timeout(50)  # type: ignore[attr-defined]
        raise AssertionError(f"{needle!r} never reached the page")


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def browser_page() -> Iterator[Callable[[str], tuple[object, Screen]]]:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True,
                                     args=CHROMIUM_ARGS)

        def open_page(url: str) -> tuple[object, Screen]:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            screen = Screen()
            page.on("websocket", lambda ws: ws.on("framereceived", screen.feed))
            page.goto(url)
            return page, screen

        try:
            yield open_page
        finally:
            browser.close()


def test_the_console_draws_in_chromium_follows_the_disk_and_writes_nothing_read_only(
        home: Path, browser_page: Callable[[str], tuple[object, Screen]]) -> None:
    tasks = home / "tasks" / "alpha"
    make_task(tasks, "1", subject="Write the parser", status="in_progress", owner="alice")
    make_task(tasks, "2", subject="Review the parser", blockedBy=["1"])
    server = Served(home, "alpha")
    try:
        page, screen = browser_page(f"http://127.0.0.1:{server.port}/")
        screen.wait_for(page, "Write the parser")
        screen.wait_for(page, "Review the parser")

        # A task file changed on disk shows up in the browser.
        mark = len(screen.raw)
        path = tasks / "2.json"
        with path.open("r+", encoding="utf-8") as handle:  # in place, as Claude Code writes
            import json

            body = json.dumps(task_json("2", subject="Review the lexer", blockedBy=["1"]),
                              indent=2)
            handle.write(body)
            handle.truncate()
        screen.wait_for(page, "Review the lexer", after=mark)

        # Read-only: action keys write nothing. `?` afterwards proves the keys were handled.
        before = digest(home)
        page.locator("body").click()  # type: ignore[attr-defined]
        for key in ("c", "r", "x", "o", "u"):
            page.keyboard.press(key)  # type: ignore[attr-defined]
        mark = len(screen.raw)
        page.keyboard.press("?")  # type: ignore[attr-defined]
        screen.wait_for(page, "Quit", after=mark)
        assert digest(home) == before

        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "serve-browser.png"
        page.screenshot(path=str(shot))  # type: ignore[attr-defined]
        assert shot.stat().st_size > 10_000
        consoles = descendants(server.proc.pid)
        assert consoles, "the tab's console runs under the server"
    finally:
        server.stop()
    deadline = time.monotonic() + DEADLINE
    while [pid for pid in consoles if _alive(pid)]:
        assert time.monotonic() < deadline, "a tab's console outlived the server"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
