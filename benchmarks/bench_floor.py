"""What any Textual app pays before its first frame on this machine: the floor under the
console's cold start.

    python benchmarks/bench_floor.py [--runs 7] [--out bench_floor.json]

Through the same 160x50 pseudo-terminal as ``bench_screen.py``: from process start to
the first frame of a one-widget Textual app (``Static("…")``, its text as the marker), and
to the end of ``python -c "import textual.app"`` and of ``import taskboard.ui.app`` (the
console's modules). After one warm-up run, the median of ``--runs``. Prints the figures and
writes a JSON file. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from terminal import Terminal  # noqa: E402

MARKER = "first-frame-floor"
APP = f"""
from textual.app import App
from textual.widgets import Static


class Floor(App):
    def compose(self):
        yield Static("{MARKER}")


Floor().run()
"""
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def first_frame() -> float:
    term = Terminal([sys.executable, "-c", APP], columns=160, lines=50, env=ENV)
    try:
        at = term.wait_for(MARKER.encode(), 0, 30)
        return (at if at is not None else float("nan")) - term.started
    finally:
        term.close()


def imported(module: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], env=ENV, check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", default="bench_floor.json")
    args = parser.parse_args(argv)
    measures = {"textual_first_frame_s": first_frame,
                "import_textual_app_s": lambda: imported("textual.app"),
                "import_console_s": lambda: imported("taskboard.ui.app")}
    figures: dict[str, float] = {}
    for name, measure in measures.items():
        measure()  # warm-up: bytecode, page cache
        figures[name] = statistics.median(measure() for _ in range(args.runs))
        print(f"{name:<24} {figures[name]:.3f} s (median of {args.runs})")
    Path(args.out).write_text(json.dumps({"load": os.getloadavg(), "runs": args.runs,
                                          "results": figures}, indent=2) + "\n")
    print(f"figures written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
