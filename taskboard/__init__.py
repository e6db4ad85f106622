"""taskboard: a live monitor and operator console for Claude Code agent teams."""

__version__ = "0.1.0"
