"""The Textual App: wiring only. Screens and widgets do the work."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from taskboard.claude.lists import summarize_lists
from taskboard.claude.paths import claude_home, resolve
from taskboard.clock import Clock
from taskboard.config import Settings, load_settings

from .commands import ConsoleCommands
from .screens.console import ConsoleScreen
from .screens.help import HelpScreen
from .screens.picker import PickerScreen


class TaskboardApp(App[int]):
    """taskboard's console: a picker when no team is named, else the team's console."""

    CSS_PATH = "taskboard.tcss"
    TITLE = "taskboard"
    COMMANDS = App.COMMANDS | {ConsoleCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
    ]

    def __init__(self, home: Path, team: str | None = None, *, settings: Settings | None = None,
                 read_only: bool = False, clock: Clock | None = None, watch: bool = True,
                 rescan_seconds: float = 3.0, warnings: list[str] | None = None) -> None:
        super().__init__()
        self.home = home
        self.team = team
        self.settings = settings or Settings()
        self.read_only = read_only or self.settings.read_only
        self.clock = clock or Clock()
        self.watch_enabled = watch
        self.rescan_seconds = rescan_seconds
        self.startup_warnings = list(warnings or [])

    def on_mount(self) -> None:
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        elif self.settings.theme != Settings().theme:
            self.startup_warnings.append(f"unknown theme '{self.settings.theme}'; "
                                         "default used")
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", timeout=8)
        if self.team:
            self.open_team(self.team)
        else:
            preselect = os.environ.get("CLAUDE_CODE_TASK_LIST_ID")
            picker = PickerScreen(self.home, summarize_lists(self.home), self.clock.time(),
                                  preselect)
            self.push_screen(picker, self.open_team)

    def open_team(self, name: str | None) -> None:
        if not name:
            self.exit(0)
            return
        try:
            paths = resolve(self.home, name)
        except ValueError as err:
            self.notify(str(err), severity="error")
            return
        self.sub_title = paths.name
        self.push_screen(ConsoleScreen(paths))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))


def run_app(*, home: Path, team: str | None, read_only: bool = False,
            config_path: str | None = None) -> int:
    """Open the console and block until the user quits."""
    settings, warnings = load_settings(config_path, required=config_path is not None)
    app = TaskboardApp(home, team, settings=settings, read_only=read_only, warnings=warnings)
    result = app.run()
    return result or 0


def run_console(args: argparse.Namespace) -> int:
    """``taskboard [TEAM]`` from the command line."""
    return run_app(home=claude_home(args.claude_dir), team=args.team,
                   read_only=args.read_only, config_path=args.config)
