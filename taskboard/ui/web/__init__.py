"""The browser view: the console served to a browser with textual-serve.

textual-serve starts one console process per browser tab, speaking to it over a websocket.
This package adds what a team's console needs on a network: an optional access token (checked
on the page and on the websocket, kept in a cookie so the page's own websocket carries it),
URLs built from the address the browser used (so an SSH tunnel or ``0.0.0.0`` works), and a
page that loads nothing from the network.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import os
import secrets
import signal
from pathlib import Path
from typing import Any

from aiohttp import web
from textual_serve.server import Server

TEMPLATES = Path(__file__).parent / "templates"
COOKIE = "taskboard_token"
TOKEN_ENV = "TASKBOARD_SERVE_TOKEN"


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(18)


class ConsoleServer(Server):
    """textual-serve's server with a token check and request-relative URLs."""

    def __init__(self, command: str, *, host: str, port: int, title: str,
                 token: str | None = None) -> None:
        super().__init__(command, host=host, port=port, title=title,
                         templates_path=TEMPLATES)
        self.token = token

    def _presented(self, request: web.Request) -> str | None:
        return request.query.get("token") or request.cookies.get(COOKIE)

    def allowed(self, request: web.Request) -> bool:
        """No token configured, or the request presents it (query or cookie)."""
        if not self.token:
            return True
        presented = self._presented(request)
        return presented is not None and hmac.compare_digest(presented.encode(),
                                                             self.token.encode())

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        if not self.allowed(request):
            return web.Response(status=403, content_type="text/plain",
                                text="This taskboard needs its token: open the URL that "
                                     "'taskboard serve' printed (it ends in ?token=...).\n")
        import aiohttp_jinja2

        origin = f"{request.scheme}://{request.host}"
        ws_scheme = "wss" if request.scheme == "https" else "ws"
        context: dict[str, Any] = {
            "font_size": _int(request.query.get("fontsize"), 16),
            "app_websocket_url": f"{ws_scheme}://{request.host}/ws",
            "config": {"static": {"url": f"{origin}/static/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        if self.token:
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        if not self.allowed(request):
            raise web.HTTPForbidden(text="token required")
        return await super().handle_websocket(request)

    async def on_startup(self, app: web.Application) -> None:
        """Quiet: ``taskboard serve`` prints its own banner."""

    async def on_shutdown(self, app: web.Application) -> None:
        """The consoles of tabs still open end with the server, never outlive it."""
        end_consoles()

    def initialize_logging(self) -> None:
        import logging

        logging.basicConfig(level="WARNING", format="%(message)s")


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, children first (Linux ``/proc``; none elsewhere)."""
    children: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="utf-8") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def end_consoles() -> None:
    """Stop every console this server started (each tab runs one, under a shell)."""
    for pid in reversed(descendants(os.getpid())):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
