"""``taskboard serve``: the real server on a free loopback port, loaded over HTTP.

The browser half (headless Chromium, Debian's ``chromium``) is in ``test_browser.py``.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from taskboard.cli import main
from tests.conftest import make_task

DEADLINE = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """A running ``taskboard serve`` child and what it printed."""

    def __init__(self, home: Path, *extra: str, port: int | None = None) -> None:
        self.port = port or free_port()
        env = dict(os.environ, CLAUDE_CONFIG_DIR=str(home), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "taskboard", "serve", "--claude-dir", str(home),
             "--port", str(self.port), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        assert self.proc.stdout is not None
        self.banner = self.proc.stdout.readline()
        self.wait_listening()

    def wait_listening(self) -> None:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited: {self.banner}{self.proc.stdout.read()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("serve never listened")

    def get(self, path: str, headers: dict[str, str] | None = None
            ) -> tuple[int, str, http.client.HTTPMessage]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, body, response.headers

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def team_home(home: Path) -> Path:
    make_task(home / "tasks" / "alpha", "1", subject="Write the parser")
    return home


@pytest.fixture
def served(team_home: Path) -> Iterator[Served]:
    server = Served(team_home, "alpha")
    yield server
    server.stop()


def test_serve_prints_the_url_and_serves_a_page_that_loads_nothing_from_the_network(
        served: Served) -> None:
    assert f"http://127.0.0.1:{served.port}/" in served.banner
    assert "read-only" in served.banner
    status, body, _ = served.get("/")
    assert status == 200
    assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in body
    assert "https://" not in body and "http://fonts" not in body
    status, _, _ = served.get("/static/js/textual.js")
    assert status == 200


def test_a_token_is_required_on_the_page_and_on_the_websocket(team_home: Path) -> None:
    server = Served(team_home, "alpha", "--token", "s3cret")
    try:
        assert "?token=s3cret" in server.banner
        assert server.get("/")[0] == 403
        assert server.get("/?token=wrong")[0] == 403
        status, _, headers = server.get("/?token=s3cret")
        assert status == 200
        assert "taskboard_token=s3cret" in headers.get("Set-Cookie", "")
        upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                   "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
        assert server.get("/ws", upgrade)[0] == 403
        assert server.get("/ws", {**upgrade, "Cookie": "taskboard_token=s3cret"})[0] == 101
    finally:
        server.stop()


def test_writes_on_a_network_address_need_a_token(team_home: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["serve", "alpha", "--host", "0.0.0.0", "--allow-writes"])
    assert code == 1
    assert "needs a token" in capsys.readouterr().err


def test_a_network_address_warns_that_anyone_can_watch(team_home: Path) -> None:
    server = Served(team_home, "alpha", "--host", "0.0.0.0")
    try:
        assert server.proc.stdout is not None
        warning = server.proc.stdout.readline()
        assert "not a loopback address" in warning and "can watch" in warning
    finally:
        server.stop()


def test_the_console_command_is_read_only_unless_writes_are_allowed(team_home: Path) -> None:
    from taskboard.cli import build_parser
    from taskboard.cli.serve import console_command

    args = build_parser().parse_args(["serve", "alpha"])
    assert console_command(args).endswith("open alpha --read-only")
    args = build_parser().parse_args(["serve", "alpha", "--allow-writes"])
    assert "--read-only" not in console_command(args)
