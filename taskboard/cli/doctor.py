"""``taskboard doctor``: check a Claude home, print what was found and what to do."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from taskboard.claude.paths import claude_home

if TYPE_CHECKING:
    from rich.console import Console


ORDER = 85

MARKS = {"info": ("·", "dim"), "warning": ("!", "bold yellow"), "problem": ("✗", "bold red")}


def cmd_doctor(args: argparse.Namespace, out: Console) -> int:
    from rich.text import Text

    from taskboard.claude.doctor import check_home

    home = claude_home(args.claude_dir)
    findings = check_home(home)
    problems = sum(1 for f in findings if f.level == "problem")
    if args.json:
        print(json.dumps({"home": str(home), "problems": problems,
                          "findings": [f.to_json() for f in findings]}, indent=2,
                         ensure_ascii=False))
        return 1 if problems else 0
    for finding in findings:
        if finding.level == "info" and not args.verbose and finding.topic in ("transcripts",
                                                                               "lock"):
            continue
        mark, style = MARKS[finding.level]
        line = Text(f"{mark} ", style=style)
        line.append(finding.text, style="" if finding.level != "info" else "dim")
        out.print(line)
        if finding.fix:
            out.print(Text(f"    → {finding.fix}"))
    warnings = sum(1 for f in findings if f.level == "warning")
    summary = f"{problems} problem(s), {warnings} warning(s)"
    out.print(Text(summary, style="bold red" if problems else "bold green"))
    return 1 if problems else 0


def register(sub: Any, common: argparse.ArgumentParser,
             write: argparse.ArgumentParser) -> None:
    """Add this module's command to the parser."""
    doctor = sub.add_parser("doctor", parents=[common],
                            help="check a Claude home: versions, teams, transcripts, locks, "
                                 "files, settings")
    doctor.set_defaults(handler=cmd_doctor)
    doctor.add_argument("--json", action="store_true", help="print JSON")
    doctor.add_argument("-v", "--verbose", action="store_true",
                        help="also list each transcript and each lock held")
