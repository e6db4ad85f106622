"""Everything that touches the disk: locks, task files, team files."""
