"""``python -m planner``: the top-level parser, and every error turned into one line and an exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from planner.cli import checking, database, exports, feeds, imports, scheduling, users
from planner.cli.parsing import EXIT_ERRORS, EXIT_INVALID, EXIT_OK, CommandParser
from planner.errors import PlanError

#: In the order `--help` lists the commands.
COMMAND_GROUPS = (checking, exports, feeds, imports, database, users, scheduling)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; a parsed command's `run(args)` does it and returns the exit code."""
    parser = CommandParser(prog="python -m planner", description="DORTBUNT! planner on the command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)
    for group in COMMAND_GROUPS:
        group.add_commands(commands)
    return parser


def _stale_error() -> type[Exception]:
    from planner.storage import StaleEditError

    return StaleEditError


def _not_found_error() -> type[Exception]:
    from planner.storage import NotFoundError

    return NotFoundError


def _database_errors() -> tuple[type[Exception], ...]:
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    return (SQLAlchemyError, ArgumentError, OSError)


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; invalid input is one line on stderr and exit 2, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:
        # The reader went away (`… | head`): nothing more to say to it.
        sys.stdout = None
        return EXIT_OK
    except PlanError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except _not_found_error() as error:  # an id the database does not hold: exit 2, like invalid input
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except _stale_error() as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERRORS
    except _database_errors() as error:
        print(f"error: the database cannot be used: {_first_line(error)}", file=sys.stderr)
        return EXIT_INVALID
    except RecursionError:
        print("error: input is nested too deeply", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
