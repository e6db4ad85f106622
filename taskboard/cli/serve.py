"""``taskboard serve``: the console in a browser (textual-serve), read-only unless told."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from taskboard.claude.paths import claude_home
from taskboard.cli.common import Refused

if TYPE_CHECKING:
    from rich.console import Console

ORDER = 60
"""Where this module's commands come in ``taskboard --help``."""

EXAMPLE = """example:
  taskboard serve my-team                     # http://127.0.0.1:8000, read-only
  ssh -L 8000:127.0.0.1:8000 server           # then open http://127.0.0.1:8000 here
  TASKBOARD_SERVE_TOKEN=s3cret taskboard serve --host 0.0.0.0 --allow-writes my-team"""


def console_command(args: argparse.Namespace) -> str:
    """The command textual-serve runs for each browser tab."""
    import shlex

    argv = [sys.executable, "-m", "taskboard", "--claude-dir", str(claude_home(args.claude_dir))]
    data_dir = getattr(args, "data_dir", None)
    if data_dir:
        argv += ["--data-dir", str(data_dir)]
    argv.append("open")
    if args.team:
        argv.append(args.team)
    if not args.allow_writes:
        argv.append("--read-only")
    if args.config:
        argv += ["--config", args.config]
    return shlex.join(argv)


def cmd_serve(args: argparse.Namespace, out: Console) -> int:
    from taskboard.ui.web import TOKEN_ENV, ConsoleServer, end_consoles, is_loopback

    token = args.token or os.environ.get(TOKEN_ENV) or None
    loopback = is_loopback(args.host)
    if not loopback and args.allow_writes and not token:
        raise Refused(f"--allow-writes on {args.host} needs a token (--token or ${TOKEN_ENV}): "
                      "anyone who can reach the address could write")
    if not 0 < args.port < 65536:
        raise Refused(f"--port {args.port}: give a port from 1 to 65535")
    server = ConsoleServer(console_command(args), host=args.host, port=args.port,
                           title=f"taskboard {args.team or ''}".strip(), token=token)
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{args.port}/" + (f"?token={token}" if token else "")
    mode = "read-write" if args.allow_writes else "read-only"
    # Plain prints: a URL must never be wrapped or styled, whatever the terminal's width.
    print(f"taskboard: serving the console ({mode}) on {url}")
    if not loopback:
        print(f"taskboard: warning: {args.host} is not a loopback address; anyone who can "
              f"reach port {args.port} can watch this team")
    print("Press Ctrl+C to stop.", flush=True)
    try:
        server.serve()
    finally:
        end_consoles()
    return 0


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add ``serve`` to the parser."""
    serve = sub.add_parser("serve", parents=[common], help="serve the console to a browser",
                           description="Serve the console to a web browser with textual-serve. "
                                       "Each browser tab gets its own console.",
                           epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.set_defaults(handler=cmd_serve)
    serve.add_argument("team", nargs="?", help="team or task list (omit to pick one in the page)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--allow-writes", action="store_true",
                       help="let the page act on tasks (read-only otherwise)")
    serve.add_argument("--token", help="a token the page must present "
                                       "(default: $TASKBOARD_SERVE_TOKEN)")
    serve.add_argument("--config", metavar="FILE", help="configuration file (TOML)")
