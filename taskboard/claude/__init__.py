"""Everything that knows Claude Code's files: paths, the lock, tasks, team, readers, watcher."""
