"""Usage: python py_incrementer.py LISTDIR ID... --name NAME --seconds S

The Python twin of ``node/incrementer.js``: for S seconds, pick a task at random and add one to
``metadata.counters[NAME]`` through taskboard's own store (``update_task``: proper-lockfile lock,
re-read, atomic write). On exit print, as JSON, how many increments it made per id.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from taskboard.claude.errors import LockTimeout
from taskboard.claude.tasks import update_task


def increment(name: str):
    def change(task: dict[str, Any]) -> dict[str, Any]:
        counters = task.setdefault("metadata", {}).setdefault("counters", {})
        counters[name] = counters.get(name, 0) + 1
        return task

    return change


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("list_dir", type=Path)
    parser.add_argument("ids", nargs="+")
    parser.add_argument("--name", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    args = parser.parse_args(argv)

    increments = {task_id: 0 for task_id in args.ids}
    failures = 0
    change = increment(args.name)
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        task_id = random.choice(args.ids)
        try:
            update_task(args.list_dir, task_id, change)
        except LockTimeout:
            failures += 1
            continue
        increments[task_id] += 1
    print(json.dumps({"name": args.name, "increments": increments, "failures": failures}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
