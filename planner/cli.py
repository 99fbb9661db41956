"""The command line: ``python -m planner check PLAN [--format text|json] [--lang en|de]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .errors import PlanError
from .loading import load_plan
from .report import check_document, check_json, check_text

EXIT_OK, EXIT_ERRORS, EXIT_INVALID = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INVALID, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m planner", description="DORTBUNT! planner on the command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
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
    return parser


def _check(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)
    document = check_document(plan, args.lang)
    if args.format == "json":
        out = check_json(document)
    else:
        out = check_text(plan, document, args.lang)
    sys.stdout.write(out)
    return EXIT_ERRORS if document["summary"]["errors"] else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; invalid input is one line on stderr and exit 2, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except PlanError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except RecursionError:
        print("error: input is nested too deeply", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`… | head`): nothing more to say to it.
        sys.stdout = None  # type: ignore[assignment]
        return EXIT_OK
