"""taskboard's own record: events, the SQLite journal, recording, replay, import and reports."""
