"""The Textual App: wiring only. Screens and widgets do the work."""

from __future__ import annotations

import argparse
import difflib
import os
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.theme import Theme

from taskboard.claude.lists import summarize_lists
from taskboard.claude.paths import claude_home, resolve
from taskboard.clock import Clock
from taskboard.config import DEFAULT_THEME, Settings, load_settings
from taskboard.journal.store import data_dir
from taskboard.state import load_state, save_state
from taskboard.textsafe import clean, one_line

from .colors import TERMINAL_DARK, TERMINAL_LIGHT
from .commands import ConsoleCommands
from .keys import known_binding_ids
from .screens.console import ConsoleScreen
from .screens.help import HelpScreen
from .stylesheet import keep_parses


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
                 rescan_seconds: float = 3.0, warnings: list[str] | None = None,
                 state_dir: Path | None = None, journal_dir: Path | None = None) -> None:
        super().__init__()
        keep_parses(self)
        self.journal_dir = journal_dir
        """Where the journal is (taskboard's data dir); None: the console records nothing."""
        self.state_dir = state_dir
        """Where the theme choice is remembered (taskboard's data dir); None: nowhere."""
        self.home = home
        self.team = team
        self.settings = settings or Settings()
        self.read_only = read_only or self.settings.read_only
        self.clock = clock or Clock()
        self.watch_enabled = watch
        self.rescan_seconds = rescan_seconds
        self.startup_warnings = list(warnings or [])

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, but on Linux terminals one whose input thread sleeps while
        no key comes (:mod:`.driver`); a driver named by ``TEXTUAL_DRIVER`` (textual-serve,
        tests) is left alone."""
        driver = super().get_driver_class()
        from textual.drivers.linux_driver import LinuxDriver

        if driver is LinuxDriver:
            from .driver import QuietLinuxDriver

            return QuietLinuxDriver
        return driver

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification is plain text: messages carry owners, statuses and errors
        from files, so they are cleaned and never parsed as markup (``markup`` is ignored)."""
        super().notify(clean(message), title=one_line(title), severity=severity,
                       timeout=timeout, markup=False)

    def on_mount(self) -> None:
        if self.settings.keymap:
            known = known_binding_ids()
            keymap = {}
            for binding_id, keys in self.settings.keymap.items():
                if binding_id in known:
                    keymap[binding_id] = keys
                else:
                    where = self.settings.where(f"keymap.{binding_id}") or "[keymap]"
                    close = difflib.get_close_matches(binding_id, sorted(known), n=1)
                    hint = f"did you mean '{close[0]}'?" if close else \
                        "the README lists the ids"
                    self.startup_warnings.append(
                        f"{where}: unknown binding id '{binding_id}' ignored ({hint})")
            self.set_keymap(keymap)
        self.ansi_theme_dark = TERMINAL_DARK
        self.ansi_theme_light = TERMINAL_LIGHT
        self._apply_theme()
        self._theme_at_start: str | None = self.theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", timeout=8)
        self.open_first()

    def open_first(self) -> None:
        """The first screen: the named team's console, else the picker."""
        if self.team:
            self.open_team(self.team)
        else:
            preselect = os.environ.get("CLAUDE_CODE_TASK_LIST_ID")
            from .screens.picker import PickerScreen

            picker = PickerScreen(self.home, summarize_lists(self.home), self.clock.time(),
                                  preselect)
            self.push_screen(picker, self.open_team)

    def _apply_theme(self) -> None:
        """The config's theme, else the one last chosen in the palette, else the default."""
        remembered = load_state(self.state_dir).get("theme") if self.state_dir else None
        for source, name in (("config", self.settings.theme), ("remembered", remembered)):
            if not isinstance(name, str) or not name:
                continue
            if name in self.available_themes:
                self.theme = name
                return
            self.startup_warnings.append(f"unknown theme '{name}' ({source}); default used")
        self.theme = DEFAULT_THEME

    def _remember_theme(self, theme: Theme) -> None:
        """A theme chosen in the palette is the next run's theme (unless the config says)."""
        if theme.name == self._theme_at_start:
            return  # the start-up theme being applied, not a choice
        self._theme_at_start = None
        if self.state_dir is None or load_state(self.state_dir).get("theme") == theme.name:
            return
        try:
            save_state(self.state_dir, theme=theme.name)
        except OSError as err:
            self.notify(f"could not remember the theme: {err}", severity="warning")

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

    def screenshot_dir(self) -> Path:
        """Where a screenshot goes: the current directory when it can be written, else the
        data directory (made if needed)."""
        cwd = Path.cwd()
        if os.access(cwd, os.W_OK | os.X_OK):
            return cwd
        target = self.state_dir or data_dir()
        target.mkdir(parents=True, exist_ok=True)
        return target

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """The palette's Screenshot: saved to a directory that exists, and the path said.
        (Textual's default is the Downloads folder, which may not exist.)"""
        if self.is_web:
            return super().deliver_screenshot(filename, path, time_format)
        try:
            saved = self.save_screenshot(filename, path or str(self.screenshot_dir()),
                                         time_format)
        except OSError as err:
            self.notify(f"The screenshot could not be saved: {err}", title="Screenshot",
                        severity="error")
            return None
        self.notify(f"Saved to {saved}", title="Screenshot", timeout=8, markup=False)
        return None

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))


def run_app(*, home: Path, team: str | None, read_only: bool = False,
            config_path: str | None = None, state_dir: Path | None = None,
            journal_dir: Path | None = None) -> int:
    """Open the console and block until the user quits."""
    settings, warnings = load_settings(config_path, required=config_path is not None)
    app = TaskboardApp(home, team, settings=settings, read_only=read_only, warnings=warnings,
                       state_dir=state_dir, journal_dir=journal_dir)
    result = app.run()
    return result or 0


def run_console(args: argparse.Namespace) -> int:
    """``taskboard [TEAM]`` from the command line."""
    return run_app(home=claude_home(args.claude_dir), team=args.team,
                   read_only=args.read_only, config_path=args.config,
                   state_dir=data_dir(getattr(args, "data_dir", None)),
                   journal_dir=data_dir(getattr(args, "data_dir", None)))
