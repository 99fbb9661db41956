"""The ``check`` command: validate a plan and list its conflicts."""

from __future__ import annotations

import argparse
import sys

from planner.cli.parsing import EXIT_ERRORS, EXIT_OK
from planner.rules.report import check_file, check_json, check_text


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``check``."""
    check = commands.add_parser(
        "check",
        help="validate a plan and list all conflicts",
        description="Validate a dortbunt-plan/1 file and print all conflicts. "
        "Exit 0: no errors; 1: errors found; 2: invalid input.",
    )
    check.add_argument("plan", metavar="PLAN", help="plan file (dortbunt-plan/1 JSON)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--lang", choices=("en", "de"), default="en", help="language of messages")
    check.set_defaults(run=_check)


def _check(args: argparse.Namespace) -> int:
    plan, document = check_file(args.plan, args.lang)
    if args.format == "json":
        out = check_json(document)
    else:
        out = check_text(plan, document, args.lang)
    sys.stdout.write(out)
    return EXIT_ERRORS if document["summary"]["errors"] else EXIT_OK
